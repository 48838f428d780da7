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

void settings_declare(const Setting *s, int n) {
    for (int i = 0; i < n && nSetting < MAX_SETTINGS; i++) aSetting[nSetting++] = &s[i];
}

static const Setting *setting_find(const char *key) {
    for (int i = 0; i < nSetting; i++)
        if (strcmp(aSetting[i]->key, key) == 0) return aSetting[i];
    return NULL;
}

static const char zSqlGet[] = "SELECT value FROM settings WHERE key = ?1";

int64_t setting_int(Db *db, const char *key) {
    const Setting *s = setting_find(key);
    assert(s && s->type != ST_TEXT);
    int64_t v = 0;
    Stmt *st = db_prepare(db, zSqlGet);
    int found = 0;
    if (st) {
        db_bind_text(st, 1, key, -1);
        if (db_step(st) == DB_ROW && str_to_int64(db_col_text(st, 0), &v) == 0) found = 1;
        db_done(st);
    }
    if (!found && str_to_int64(s->def, &v) != 0) v = 0;
    return v;
}

/* One setting already read by a request. */
typedef struct SettingMemo {
    const char *key;          /* the setting's declared key (static) */
    int64_t value;
    struct SettingMemo *next;
} SettingMemo;

int64_t req_setting_int(Req *r, const char *key) {
    for (SettingMemo *m = r->settings; m; m = m->next)
        if (strcmp(m->key, key) == 0) return m->value;
    SettingMemo *m = arena_alloc(r->a, sizeof *m);
    m->key = arena_strdup(r->a, key);
    m->value = setting_int(r->db, key);
    m->next = r->settings;
    r->settings = m;
    return m->value;
}

const char *setting_text(Db *db, Arena *a, const char *key) {
    const Setting *s = setting_find(key);
    assert(s);
    const char *v = NULL;
    Stmt *st = db_prepare(db, zSqlGet);
    if (st) {
        db_bind_text(st, 1, key, -1);
        if (db_step(st) == DB_ROW) v = arena_strdup(a, db_col_text(st, 0));
        db_done(st);
    }
    return v ? v : s->def;
}

static const char *type_name(SettingType t) {
    switch (t) {
    case ST_INT: return "int";
    case ST_BOOL: return "bool";
    case ST_MONEY: return "money";
    default: return "text";
    }
}

/*
** GET /api/v1/settings                                   roles: admin
** 200 {"items":[{"key","value","default","type","label","min","max"}]}
*/
static int settings_list(Req *r, Err *e) {
    json_t *items = json_array();
    for (int i = 0; i < nSetting; i++) {
        const Setting *s = aSetting[i];
        const char *v = setting_text(r->db, r->a, s->key);
        json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "key", s->key, "value", v, "default", s->def,
                              "type", type_name(s->type), "label",
                              label_for(r->locale, s->zh, s->tw, s->en));
        if (s->min < s->max) {
            json_object_set_new(o, "min", json_integer(s->min));
            json_object_set_new(o, "max", json_integer(s->max));
        }
        json_array_append_new(items, o);
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/*
** PUT /api/v1/settings/:key                              roles: admin
** Body: {"value": string|integer|bool}
** 200 {setting} | 404 unknown key | 400 field.type / field.range
*/
static int settings_put(Req *r, Err *e) {
    const Setting *s = setting_find(r->params[0]);
    if (!s) return err_set(e, 404, EC_REC_NOT_FOUND, NULL, NULL);
    json_t *body = req_json(r, e);
    if (!body) return -1;
    json_t *v = json_object_get(body, "value");
    const char *text = NULL;
    if (s->type == ST_TEXT) {
        if (!json_is_string(v)) return err_set(e, 400, EC_TYPE, "value", "text");
        text = json_string_value(v);
        if (strlen(text) > 2000) return err_set(e, 400, EC_TOO_LONG, "value", "2000");
    } else {
        int64_t n;
        if (s->type == ST_BOOL && json_is_boolean(v)) n = json_is_true(v);
        else if (json_is_integer(v)) n = json_integer_value(v);
        else if (json_is_string(v) && str_to_int64(json_string_value(v), &n) == 0) ;
        else return err_set(e, 400, EC_TYPE, "value", s->type == ST_BOOL ? "bool" : "integer");
        if (s->type == ST_BOOL && n != 0 && n != 1) return err_set(e, 400, EC_TYPE, "value", "bool");
        if (s->min < s->max && (n < s->min || n > s->max))
            return err_set(e, 400, EC_RANGE, "value", "%lld..%lld", (long long)s->min, (long long)s->max);
        text = arena_printf(r->a, "%lld", (long long)n);
    }
    const char *old = setting_text(r->db, r->a, s->key);
    static const char zSqlPut[] =
        "INSERT INTO settings(key, value, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4)\n"
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
    return reply_json(r, 200, json_pack("{s:s, s:s}", "key", s->key, "value", text));
}

void settings_routes_register(void) {
    static const Route routes[] = {
        {"GET", "/api/v1/settings", settings_list, 0, RB(ADMIN), "List settings", "admin"},
        {"PUT", "/api/v1/settings/:key", settings_put, R_WRITE, RB(ADMIN), "Change a setting", "admin"},
    };
    routes_add(routes, 2);
}
