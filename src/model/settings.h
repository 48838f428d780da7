/*
** settings.h — administrator-changeable settings (SPEC: every default is a
** setting). Declared as one table with their defaults (Redis config.c);
** stored values in the `settings` table override the defaults.
*/
#ifndef SALESLOOP_SETTINGS_H
#define SALESLOOP_SETTINGS_H

#include "../http/http.h"

/*
** A setting's type says what PUT accepts (validated like a field; errors name
** the setting's key) and what GET answers:
**   ST_INT     JSON integer, min..max when min < max (a number in a string is refused)
**   ST_TEXT    JSON string, at most 2000 characters
**   ST_BOOL    JSON true/false (stored "1"/"0")
**   ST_MONEY   JSON integer in fen, min..max when min < max
**   ST_ENUM    JSON string, one of enums[] values
**   ST_DATES   JSON string: a list of "MM-DD name" or "YYYY-MM-DD name" entries,
**              separated by , ; or new lines (full-width ，；、 too); a name is optional
**   ST_DAYS    JSON string: a list of "name=days" entries (＝ too) separated by , ; or
**              new lines; days an integer in min..max
**   ST_HOURS   JSON string "HH:MM-HH:MM", a span within one day, start before end
**              ("24:00" may end it): working hours
*/
typedef enum { ST_INT, ST_TEXT, ST_BOOL, ST_MONEY, ST_ENUM, ST_DATES, ST_DAYS, ST_HOURS } SettingType;

struct EnumVal;

typedef struct Setting {
    const char *key; /* "auth.lockout_failures" */
    SettingType type;
    const char *def;             /* default as text */
    int64_t min, max;            /* ST_INT / ST_MONEY: the value, ST_DAYS: each entry's days; when min < max */
    const char *zh, *tw, *en;    /* label */
    const struct EnumVal *enums; /* ST_ENUM: allowed values, terminated by {NULL} */
} Setting;

/* Declare settings (module start-up). The array must outlive the process. */
void settings_declare(const Setting *s, int n);
/* Current value as integer (ST_INT/ST_BOOL/ST_MONEY) or text (any type; arena copy). Unknown keys abort. */
int64_t setting_int(Db *db, const char *key);
const char *setting_text(Db *db, Arena *a, const char *key);
/* The same, read once per request: a value used for every row of a list costs one query,
   not one per row. A setting changed by this request is read fresh (PUT clears the memo). */
int64_t req_setting_int(Req *r, const char *key);
/* The text of any setting, read once per request like req_setting_int (arena string). */
const char *req_setting_text(Req *r, const char *key);
/* Parse "HH:MM-HH:MM" (ST_HOURS) into minutes after midnight; 0 ok, -1 malformed or empty. */
int setting_hours_parse(const char *text, int *start, int *end);
/*
** Check v (a PUT body's "value") against s's type and limits: 0 with *text the
** value as stored, or -1 with e naming the setting (field = its key, label = its
** label): field.required, field.type, field.range, field.enum, field.too_long,
** field.format (a NUL character; ST_HOURS not "HH:MM-HH:MM"), field.date_list (ST_DATES),
** field.days_list (ST_DAYS).
*/
int setting_validate(Req *r, const Setting *s, json_t *v, const char **text, Err *e);
/* GET /api/v1/settings, PUT /api/v1/settings/:key */
void settings_routes_register(void);
#endif
