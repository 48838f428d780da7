/*
** settings.c — the settings table: declared defaults, stored overrides,
** and the admin routes that read and change them (audited).
*/
#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "../core/errcodes.h"
#include "entity.h"
#include "settings.h"

#define MAX_SETTINGS 256
static const Setting *aSetting[MAX_SETTINGS]; /* declared settings, in declaration order */
static int nSetting;

/* Add n declared settings to the table (module start-up; see settings.h). */
void settings_declare(const Setting *s, int n) {
    for (int i = 0; i < n && nSetting < MAX_SETTINGS; i++)
        aSetting[nSetting++] = &s[i];
}

/* The declared setting named key, or NULL. */
static const Setting *setting_find(const char *key) {
    for (int i = 0; i < nSetting; i++)
        if (strcmp(aSetting[i]->key, key) == 0) return aSetting[i];
    return NULL;
}

static const char zSqlGet[] = "SELECT value FROM settings WHERE key = ?1";

int64_t setting_int(Db *db, const char *key) {
    const Setting *s = setting_find(key);
    assert(s && (s->type == ST_INT || s->type == ST_BOOL || s->type == ST_MONEY));
    int64_t v = 0;
    Stmt *st = db_prepare(db, zSqlGet);
    int found = 0, rc = DB_ERROR;
    if (st) {
        db_bind_text(st, 1, key, -1);
        rc = db_step(st);
        if (rc == DB_ROW && str_to_int64(db_col_text(st, 0), &v) == 0) found = 1;
        db_done(st);
    }
    if (rc < 0) db_fault_mark(db); /* the default is not the answer to a failed read */
    if (!found && str_to_int64(s->def, &v) != 0) v = 0;
    return v;
}

/* One setting already read by a request. */
typedef struct SettingMemo {
    const char *key;  /* the setting's declared key (static) */
    int64_t value;    /* integer value (int, bool, money settings) */
    const char *text; /* text value (req_setting_text), arena; NULL for an integer memo */
    struct SettingMemo *next;
} SettingMemo;

int64_t req_setting_int(Req *r, const char *key) {
    for (SettingMemo *m = r->settings; m; m = m->next)
        if (!m->text && strcmp(m->key, key) == 0) return m->value;
    SettingMemo *m = arena_alloc(r->a, sizeof *m);
    m->key = arena_strdup(r->a, key);
    m->value = setting_int(r->db, key);
    m->text = NULL;
    m->next = r->settings;
    r->settings = m;
    return m->value;
}

const char *req_setting_text(Req *r, const char *key) {
    for (SettingMemo *m = r->settings; m; m = m->next)
        if (m->text && strcmp(m->key, key) == 0) return m->text;
    SettingMemo *m = arena_alloc(r->a, sizeof *m);
    m->key = arena_strdup(r->a, key);
    m->value = 0;
    m->text = setting_text(r->db, r->a, key);
    m->next = r->settings;
    r->settings = m;
    return m->text;
}

const char *setting_text(Db *db, Arena *a, const char *key) {
    const Setting *s = setting_find(key);
    assert(s);
    const char *v = NULL;
    Stmt *st = db_prepare(db, zSqlGet);
    int rc = DB_ERROR;
    if (st) {
        db_bind_text(st, 1, key, -1);
        rc = db_step(st);
        if (rc == DB_ROW) v = arena_strdup(a, db_col_text(st, 0));
        db_done(st);
    }
    if (rc < 0) db_fault_mark(db); /* the default is not the answer to a failed read */
    return v ? v : s->def;
}

/* The type's name in GET /api/v1/settings. */
static const char *type_name(SettingType t) {
    switch (t) {
    case ST_INT:
        return "int";
    case ST_BOOL:
        return "bool";
    case ST_MONEY:
        return "money";
    case ST_ENUM:
        return "enum";
    case ST_DATES:
        return "dates";
    case ST_DAYS:
        return "days_list";
    case ST_HOURS:
        return "hours";
    default:
        return "text";
    }
}

/* A stored (or default) value as JSON of the setting's type: integer, boolean or string. */
static json_t *value_json(const Setting *s, const char *text) {
    int64_t n;
    if (s->type == ST_BOOL) return json_boolean(text && (strcmp(text, "1") == 0 || strcmp(text, "true") == 0));
    if ((s->type == ST_INT || s->type == ST_MONEY) && text && str_to_int64(text, &n) == 0) return json_integer(n);
    return json_string(text ? text : "");
}

/* Fill e for setting s (field = key, label in the user's language) and return -1. */
static int fail(Req *r, Err *e, const Setting *s, const char *code, const char *detail) {
    err_set(e, 400, code, s->key, "%s", detail ? detail : "");
    e->label = label_for(r->locale, s->zh, s->tw, s->en);
    return -1;
}

/* p[0..n) with leading and trailing blanks (space, tab, CR, U+3000) removed; arena copy. */
static char *trim_blanks(Arena *a, const char *p, size_t n) {
    for (;;) {
        if (n && (*p == ' ' || *p == '\t' || *p == '\r'))
            p++, n--;
        else if (n >= 3 && memcmp(p, "\xE3\x80\x80", 3) == 0)
            p += 3, n -= 3;
        else
            break;
    }
    for (;;) {
        if (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
            n--;
        else if (n >= 3 && memcmp(p + n - 3, "\xE3\x80\x80", 3) == 0)
            n -= 3;
        else
            break;
    }
    return arena_strndup(a, p, n);
}

/* The entry as an error detail: at most 40 characters (Err.detail holds 191 bytes), never cut inside one. */
static const char *entry_detail(Arena *a, const char *tok) {
    size_t n = 0, chars = 0;
    while (tok[n] && chars < 40) {
        n++;
        while ((tok[n] & 0xC0) == 0x80)
            n++;
        chars++;
    }
    return tok[n] ? arena_printf(a, "%.*s…", (int)n, tok) : tok;
}

/* Are the n characters at p ASCII digits? */
static bool digits(const char *p, int n) {
    for (int i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9') return false;
    return true;
}

/*
** One holiday entry as care.c reads it: "MM-DD" or "YYYY-MM-DD", a real date
** (02-29 counts: it comes in leap years), then nothing or a blank and a name.
*/
static bool holiday_ok(const char *tok) {
    char ds[11];
    const char *rest;
    if (strlen(tok) >= 10 && digits(tok, 4) && tok[4] == '-' && digits(tok + 5, 2) && tok[7] == '-' &&
        digits(tok + 8, 2)) {
        memcpy(ds, tok, 10);
        rest = tok + 10;
    } else if (strlen(tok) >= 5 && digits(tok, 2) && tok[2] == '-' && digits(tok + 3, 2)) {
        snprintf(ds, sizeof ds, "2024-%.5s", tok); /* a leap year: 02-29 is a date */
        rest = tok + 5;
    } else {
        return false;
    }
    ds[10] = '\0';
    int y, m, d;
    if (date_parse(ds, &y, &m, &d) != 0) return false;
    return !*rest || *rest == ' ' || *rest == '\t' || strncmp(rest, "\xE3\x80\x80", 3) == 0;
}

/* ST_DATES: every entry of the list is a holiday (tokens split as care.c splits them). */
static int check_dates(Req *r, const Setting *s, const char *text, Err *e) {
    Buf lb; /* full-width separators become ASCII ones, as in care.c */
    buf_init(&lb, r->a);
    buf_puts(&lb, "");
    for (const char *c = text; *c; c++) {
        if (!strncmp(c, "，", 3) || !strncmp(c, "；", 3) || !strncmp(c, "、", 3)) {
            buf_putc(&lb, ',');
            c += 2;
        } else {
            buf_putc(&lb, *c);
        }
    }
    for (const char *p = lb.p; *p;) {
        size_t n = strcspn(p, ",;\n");
        char *tok = trim_blanks(r->a, p, n);
        if (*tok && !holiday_ok(tok)) return fail(r, e, s, EC_DATE_LIST, entry_detail(r->a, tok));
        p += n;
        if (*p) p++;
    }
    return 0;
}

/* Two digits at p as a number, or -1. */
static int two_digits(const char *p) { return digits(p, 2) ? (p[0] - '0') * 10 + (p[1] - '0') : -1; }

int setting_hours_parse(const char *text, int *start, int *end) {
    if (!text || strlen(text) != 11 || text[2] != ':' || text[5] != '-' || text[8] != ':') return -1;
    int h1 = two_digits(text), m1 = two_digits(text + 3), h2 = two_digits(text + 6), m2 = two_digits(text + 9);
    if (h1 < 0 || m1 < 0 || h2 < 0 || m2 < 0 || h1 > 23 || m1 > 59 || m2 > 59 || h2 > 24 || (h2 == 24 && m2)) return -1;
    int s = h1 * 60 + m1, e = h2 * 60 + m2;
    if (s >= e) return -1;
    *start = s;
    *end = e;
    return 0;
}

/* ST_DAYS: every entry of the list is "name=days" (or ＝), days within the declared range. */
static int check_days(Req *r, const Setting *s, const char *text, Err *e) {
    for (const char *p = text; *p;) {
        size_t n = strcspn(p, ",;\n");
        char *tok = trim_blanks(r->a, p, n);
        p += n;
        if (*p) p++;
        if (!*tok) continue;
        char *eq = strchr(tok, '='), *fw = strstr(tok, "\xEF\xBC\x9D"); /* ＝ */
        size_t skip = 1;
        if (!eq || (fw && fw < eq)) eq = fw, skip = 3;
        if (!eq) return fail(r, e, s, EC_DAYS_LIST, entry_detail(r->a, tok));
        char *name = trim_blanks(r->a, tok, (size_t)(eq - tok));
        char *num = trim_blanks(r->a, eq + skip, strlen(eq + skip));
        int64_t d;
        if (!*name || str_to_int64(num, &d) != 0) return fail(r, e, s, EC_DAYS_LIST, entry_detail(r->a, tok));
        if (s->min < s->max && (d < s->min || d > s->max))
            return fail(
                r, e, s, EC_RANGE,
                arena_printf(r->a, "%s: %lld..%lld", entry_detail(r->a, tok), (long long)s->min, (long long)s->max));
    }
    return 0;
}

int setting_validate(Req *r, const Setting *s, json_t *v, const char **text, Err *e) {
    *text = NULL;
    if (!v || json_is_null(v)) return fail(r, e, s, EC_REQUIRED, NULL);
    switch (s->type) {
    case ST_INT:
    case ST_MONEY: {
        if (!json_is_integer(v)) {
            if (json_is_real(v) &&
                (json_real_value(v) >= 9223372036854775808.0 || json_real_value(v) <= -9223372036854775808.0))
                return fail(r, e, s, EC_RANGE,
                            s->min < s->max ? arena_printf(r->a, "%lld..%lld", (long long)s->min, (long long)s->max)
                                            : "-9223372036854775808..9223372036854775807");
            return fail(r, e, s, EC_TYPE, s->type == ST_MONEY ? "integer (fen)" : "integer");
        }
        int64_t n = json_integer_value(v);
        if (s->min < s->max && (n < s->min || n > s->max))
            return fail(r, e, s, EC_RANGE, arena_printf(r->a, "%lld..%lld", (long long)s->min, (long long)s->max));
        *text = arena_printf(r->a, "%lld", (long long)n);
        return 0;
    }
    case ST_BOOL:
        if (!json_is_boolean(v)) return fail(r, e, s, EC_TYPE, "true/false");
        *text = json_is_true(v) ? "1" : "0";
        return 0;
    case ST_ENUM:
    case ST_TEXT:
    case ST_DATES:
    case ST_DAYS:
    case ST_HOURS:
        break;
    }
    if (!json_is_string(v)) return fail(r, e, s, EC_TYPE, "text");
    const char *t = json_string_value(v);
    if (strlen(t) != json_string_length(v)) return fail(r, e, s, EC_FORMAT, "NUL");
    if (utf8_len(t, strlen(t)) > 2000) return fail(r, e, s, EC_TOO_LONG, "2000");
    if (s->type == ST_ENUM) {
        const EnumVal *ev = s->enums;
        for (; ev && ev->value; ev++)
            if (strcmp(ev->value, t) == 0) break;
        if (!ev || !ev->value) {
            Buf b;
            buf_init(&b, r->a);
            buf_puts(&b, "");
            for (const EnumVal *x = s->enums; x && x->value; x++)
                buf_printf(&b, "%s%s", x == s->enums ? "" : ", ", x->value);
            return fail(r, e, s, EC_ENUM, b.p);
        }
    }
    if (s->type == ST_DATES && check_dates(r, s, t, e) < 0) return -1;
    if (s->type == ST_DAYS && check_days(r, s, t, e) < 0) return -1;
    int hs, he;
    if (s->type == ST_HOURS && setting_hours_parse(t, &hs, &he) < 0) return fail(r, e, s, EC_FORMAT, "HH:MM-HH:MM");
    *text = t;
    return 0;
}

/*
** GET /api/v1/settings                                   roles: admin
** 200 {"items":[{"key","value","default","type","label","min","max","values"}]}
** value and default are JSON integers for int and money, booleans for bool,
** strings for the rest; enum settings list their "values" [{value,label}].
*/
static int settings_list(Req *r, Err *e) {
    json_t *items = json_array();
    for (int i = 0; i < nSetting; i++) {
        const Setting *s = aSetting[i];
        const char *v = setting_text(r->db, r->a, s->key);
        json_t *o = json_pack("{s:s, s:o, s:o, s:s, s:s}", "key", s->key, "value", value_json(s, v), "default",
                              value_json(s, s->def), "type", type_name(s->type), "label",
                              label_for(r->locale, s->zh, s->tw, s->en));
        if (s->min < s->max) {
            json_object_set_new(o, "min", json_integer(s->min));
            json_object_set_new(o, "max", json_integer(s->max));
        }
        if (s->type == ST_ENUM) {
            json_t *vals = json_array();
            for (const EnumVal *ev = s->enums; ev && ev->value; ev++)
                json_array_append_new(vals, json_pack("{s:s, s:s}", "value", ev->value, "label",
                                                      label_for(r->locale, ev->zh, ev->tw, ev->en)));
            json_object_set_new(o, "values", vals);
        }
        json_array_append_new(items, o);
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/*
** PUT /api/v1/settings/:key                              roles: admin
** Body: {"value": integer|boolean|string, as the setting's type}
** 200 {"key","value"} | 404 unknown key | 400 naming the key: field.required,
** field.type, field.range, field.enum, field.too_long, field.format (NUL; hours not
** "HH:MM-HH:MM"), field.date_list, field.days_list
*/
static int settings_put(Req *r, Err *e) {
    const Setting *s = setting_find(r->params[0]);
    if (!s) return err_set(e, 404, EC_REC_NOT_FOUND, NULL, NULL);
    json_t *body = req_json(r, e);
    if (!body) return -1;
    const char *text;
    if (setting_validate(r, s, json_object_get(body, "value"), &text, e) < 0) return -1;
    const char *old = setting_text(r->db, r->a, s->key);
    static const char zSqlPut[] = "INSERT INTO settings(key, value, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4)\n"
                                  " ON CONFLICT (key) DO UPDATE SET value = ?2, updated_at = ?3, updated_by = ?4";
    Stmt *st = db_prepare(r->db, zSqlPut);
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_text(st, 1, s->key, -1);
    db_bind_text(st, 2, text, -1);
    db_bind_int64(st, 3, r->now);
    db_bind_int64(st, 4, r->user->id);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    r->settings = NULL; /* later reads in this request see the new value */
    json_t *ch = json_pack("{s:[s,s]}", "value", old, text);
    audit_write(r, "settings", 0, arena_printf(r->a, "set:%s", s->key), ch);
    return reply_json(r, 200, json_pack("{s:s, s:o}", "key", s->key, "value", value_json(s, text)));
}

/* The admin routes of the settings table. */
void settings_routes_register(void) {
    static const Route routes[] = {
        {"GET", "/api/v1/settings", settings_list, 0, RB(ADMIN), "List settings", "admin"},
        {"PUT", "/api/v1/settings/:key", settings_put, R_WRITE, RB(ADMIN), "Change a setting", "admin"},
    };
    routes_add(routes, 2);
}
