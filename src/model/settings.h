/*
** settings.h — administrator-changeable settings (SPEC: every default is a
** setting). Declared as one table with their defaults (Redis config.c);
** stored values in the `settings` table override the defaults.
*/
#ifndef SALESLOOP_SETTINGS_H
#define SALESLOOP_SETTINGS_H

#include "../http/http.h"

typedef enum { ST_INT, ST_TEXT, ST_BOOL, ST_MONEY } SettingType;

typedef struct Setting {
    const char *key;        /* "auth.lockout_failures" */
    SettingType type;
    const char *def;        /* default as text */
    int64_t min, max;       /* for ST_INT / ST_MONEY, when min < max */
    const char *zh, *tw, *en; /* label */
} Setting;

/* Declare settings (module start-up). The array must outlive the process. */
void settings_declare(const Setting *s, int n);
/* Current value as integer (ST_INT/ST_BOOL/ST_MONEY) or text (arena copy). Unknown keys abort. */
int64_t setting_int(Db *db, const char *key);
const char *setting_text(Db *db, Arena *a, const char *key);
/* The same, read once per request: a value used for every row of a list costs one query,
   not one per row. A setting changed by this request is read fresh (PUT clears the memo). */
int64_t req_setting_int(Req *r, const char *key);
/* GET /api/v1/settings, PUT /api/v1/settings/:key */
void settings_routes_register(void);
#endif
