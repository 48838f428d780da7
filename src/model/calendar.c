/*
** calendar.c — the company calendar: the time-zone setting every local date
** and period comes from (company_tz), the working calendar deadlines count in
** (weekly pattern and hours as settings, dated holidays and make-up workdays
** in calendar_days), and the routes that show and change it.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/errcodes.h"
#include "calendar.h"
#include "entity.h"
#include "settings.h"

/* ---------------------------------------------------------------- settings */

#define CAL_MAX_ZONES 96 /* room for date.c's zone table */

/* The zone setting's values: date.c's table, labelled with the offset (filled at start). */
static EnumVal zone_vals[CAL_MAX_ZONES + 1];
/* Their labels, "Asia/Shanghai (UTC+08:00)". */
static char zone_labels[CAL_MAX_ZONES][48];

/* The weekly patterns offered, and their working weekdays (bit 0 Monday ... bit 6 Sunday). */
static const EnumVal weekday_vals[] = {
    {"mon_fri", "周一至周五", "週一至週五", "Monday to Friday"},
    {"mon_sat", "周一至周六", "週一至週六", "Monday to Saturday"},
    {"sun_thu", "周日至周四", "週日至週四", "Sunday to Thursday"},
    {"every_day", "每天", "每天", "Every day"},
    {NULL},
};
/* Bit masks of weekday_vals, in the same order. */
static const unsigned weekday_masks[] = {0x1Fu, 0x3Fu, 0x4Fu, 0x7Fu};

/* The company calendar's settings (zone_vals is filled before they are declared). */
static const Setting cal_settings[] = {
    {"company.time_zone", ST_ENUM, "Asia/Shanghai", 0, 0, "公司时区", "公司時區", "Company time zone", zone_vals},
    {"calendar.weekdays", ST_ENUM, "mon_fri", 0, 0, "每周工作日", "每週工作日", "Working weekdays", weekday_vals},
    {"calendar.work_hours", ST_HOURS, "09:00-18:00", 0, 0, "工作时间", "工作時間", "Working hours"},
};

int company_tz(Req *r) {
    int m;
    return tz_offset_minutes(req_setting_text(r, "company.time_zone"), &m) == 0 ? m : 480;
}

int company_tz_db(Db *db) {
    Arena *a = arena_new();
    int m;
    if (tz_offset_minutes(setting_text(db, a, "company.time_zone"), &m) != 0) m = 480;
    arena_free(a);
    return m;
}

void company_date(Req *r, int64_t t, char out[11]) { date_of_epoch(t, company_tz(r), out); }

int64_t calendar_day_seconds(const Calendar *c) { return (int64_t)(c->work_end - c->work_start) * 60; }

int calendar_get(Req *r, Calendar *out) {
    static const char zSql[] = "SELECT day, kind FROM calendar_days ORDER BY day";
    memset(out, 0, sizeof *out);
    out->tzmin = company_tz(r);
    const char *wd = req_setting_text(r, "calendar.weekdays");
    out->weekdays = weekday_masks[0];
    for (int i = 0; weekday_vals[i].value; i++)
        if (strcmp(weekday_vals[i].value, wd) == 0) out->weekdays = weekday_masks[i];
    if (setting_hours_parse(req_setting_text(r, "calendar.work_hours"), &out->work_start, &out->work_end) < 0) {
        out->work_start = 9 * 60;
        out->work_end = 18 * 60;
    }
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return -1;
    CalException *ex = NULL;
    int n = 0, cap = 0, rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int y, m, d;
        if (date_parse(db_col_text(st, 0), &y, &m, &d) != 0) continue;
        if (n == cap) {
            CalException *nx = arena_alloc(r->a, sizeof *nx * (size_t)(cap = cap ? cap * 2 : 64));
            if (n) memcpy(nx, ex, sizeof *nx * (size_t)n);
            ex = nx;
        }
        ex[n++] = (CalException){days_from_civil(y, m, d), strcmp(db_col_text(st, 1), "workday") == 0};
    }
    db_done(st);
    if (rc < 0) return -1;
    out->ex = ex;
    out->nex = n;
    return 0;
}

/* ---------------------------------------------------------------- routes */

/* The calendar entry kinds. */
static const EnumVal kind_vals[] = {
    {"holiday", "节假日", "節假日", "Holiday"},
    {"workday", "调休上班", "調休上班", "Make-up workday"},
    {NULL},
};

/* The label of an entry kind in the user's language. */
static const char *kind_label(Req *r, const char *kind) {
    for (const EnumVal *v = kind_vals; v->value; v++)
        if (strcmp(v->value, kind) == 0) return label_for(r->locale, v->zh, v->tw, v->en);
    return kind;
}

/* ISO weekday (1 Monday ... 7 Sunday) of a day number. */
static int iso_weekday(int64_t day) { return (int)(((day + 3) % 7 + 7) % 7) + 1; }

/* A parsed YYYY-MM-DD into a day number; -1 with e = 400 field.format naming field. */
static int day_arg(Req *r, const char *s, const char *field, bool query, int64_t *day, Err *e) {
    int y, m, d;
    if (!s || date_parse(s, &y, &m, &d) != 0) {
        if (query) return err_set(e, 400, EC_BAD_QUERY, field, "YYYY-MM-DD");
        err_set(e, 400, EC_FORMAT, field, "YYYY-MM-DD");
        e->label = label_for(r->locale, "日期", "日期", "Date");
        return -1;
    }
    *day = days_from_civil(y, m, d);
    return 0;
}

/* An integer query parameter; -1 with e = 400 request.bad_query naming it. */
static int int_arg(Req *r, const char *name, int64_t *out, Err *e) {
    const char *s = req_query(r, name);
    if (!s || str_to_int64(s, out) != 0) return err_set(e, 400, EC_BAD_QUERY, name, "integer");
    return 0;
}

/*
** GET /api/v1/calendar?year=YYYY                       any signed-in user
** 200 {"time_zone","utc_offset_minutes","today","weekdays","working_weekdays":[1..7],
**      "work_hours","work_day_seconds","items":[{"date","kind","kind_label","name","weekday"}]}
**     items: the dated holidays and make-up workdays (of the year when given), by date
** | 400 request.bad_query year
*/
static int calendar_show(Req *r, Err *e) {
    const char *year = req_query(r, "year");
    int64_t y = 0;
    if (year && (str_to_int64(year, &y) != 0 || y < 1 || y > 9999))
        return err_set(e, 400, EC_BAD_QUERY, "year", "1..9999");
    Calendar c;
    if (calendar_get(r, &c) < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    Stmt *st =
        db_prepare(r->db, year ? "SELECT day, kind, name FROM calendar_days WHERE day >= ?1 AND day < ?2 ORDER BY day"
                               : "SELECT day, kind, name FROM calendar_days ORDER BY day");
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (year) {
        db_bind_text(st, 1, arena_printf(r->a, "%04lld-01-01", (long long)y), -1);
        db_bind_text(st, 2, arena_printf(r->a, "%04lld-01-01", (long long)y + 1), -1);
    }
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int yy, mm, dd;
        int wd = date_parse(db_col_text(st, 0), &yy, &mm, &dd) == 0 ? iso_weekday(days_from_civil(yy, mm, dd)) : 0;
        json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:i}", "date", db_col_text(st, 0), "kind",
                                               db_col_text(st, 1), "kind_label", kind_label(r, db_col_text(st, 1)),
                                               "name", db_col_text(st, 2) ? db_col_text(st, 2) : "", "weekday", wd));
    }
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    json_t *wds = json_array();
    for (int i = 0; i < 7; i++)
        if ((c.weekdays >> i) & 1u) json_array_append_new(wds, json_integer(i + 1));
    char today[11];
    date_of_epoch(r->now, c.tzmin, today);
    return reply_json(r, 200,
                      json_pack("{s:s, s:i, s:s, s:s, s:o, s:s, s:I, s:o}", "time_zone",
                                req_setting_text(r, "company.time_zone"), "utc_offset_minutes", c.tzmin, "today", today,
                                "weekdays", req_setting_text(r, "calendar.weekdays"), "working_weekdays", wds,
                                "work_hours", req_setting_text(r, "calendar.work_hours"), "work_day_seconds",
                                (json_int_t)calendar_day_seconds(&c), "items", items));
}

/*
** PUT /api/v1/calendar/days/:date                      roles: admin
** Body: {"kind": "holiday"|"workday", "name"?: string (at most 100 characters)}
** 200 {"date","kind","name","weekday"} (created or replaced; audited as entity "calendar")
** | 400 field.format date, field.required|field.enum kind, field.type|field.too_long name
*/
static int calendar_put(Req *r, Err *e) {
    int64_t day;
    if (day_arg(r, r->params[0], "date", false, &day, e) < 0) return -1;
    json_t *body = req_json(r, e);
    if (!body) return -1;
    json_t *k = json_object_get(body, "kind"), *n = json_object_get(body, "name");
    const char *kl = label_for(r->locale, "类型", "類型", "Kind"), *nl = label_for(r->locale, "名称", "名稱", "Name");
    if (!k || json_is_null(k) || (json_is_string(k) && !*json_string_value(k))) {
        err_set(e, 400, EC_REQUIRED, "kind", NULL);
        e->label = kl;
        return -1;
    }
    const char *kind = json_string_value(k);
    if (!kind || (strcmp(kind, "holiday") && strcmp(kind, "workday"))) {
        err_set(e, 400, EC_ENUM, "kind", "holiday, workday");
        e->label = kl;
        return -1;
    }
    const char *name = "";
    if (n && !json_is_null(n)) {
        if (!json_is_string(n)) {
            err_set(e, 400, EC_TYPE, "name", "text");
            e->label = nl;
            return -1;
        }
        name = json_string_value(n);
        if (strlen(name) != json_string_length(n)) {
            err_set(e, 400, EC_FORMAT, "name", "NUL");
            e->label = nl;
            return -1;
        }
        if (utf8_len(name, strlen(name)) > 100) {
            err_set(e, 400, EC_TOO_LONG, "name", "100");
            e->label = nl;
            return -1;
        }
    }
    const char *date = r->params[0];
    static const char zSqlOld[] = "SELECT kind, name FROM calendar_days WHERE day = ?1";
    static const char zSqlPut[] =
        "INSERT INTO calendar_days(day, kind, name, updated_at, updated_by) VALUES (?1, ?2, ?3, ?4, ?5)\n"
        " ON CONFLICT (day) DO UPDATE SET kind = ?2, name = ?3, updated_at = ?4, updated_by = ?5";
    Stmt *st = db_prepare(r->db, zSqlOld);
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_text(st, 1, date, -1);
    int rc = db_step(st);
    json_t *before = rc == DB_ROW ? json_pack("{s:s, s:s}", "kind", db_col_text(st, 0), "name",
                                              db_col_text(st, 1) ? db_col_text(st, 1) : "")
                                  : json_null();
    db_done(st);
    if (rc < 0) {
        json_decref(before);
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    st = db_prepare(r->db, zSqlPut);
    if (!st) {
        json_decref(before);
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    db_bind_text(st, 1, date, -1);
    db_bind_text(st, 2, kind, -1);
    db_bind_text(st, 3, name, -1);
    db_bind_int64(st, 4, r->now);
    db_bind_int64(st, 5, r->user->id);
    rc = db_step(st);
    db_done(st);
    if (rc != DB_DONE) {
        json_decref(before);
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    json_t *after = json_pack("{s:s, s:s}", "kind", kind, "name", name);
    if (audit_write(r, "calendar", 0, arena_printf(r->a, "set:%s", date), json_pack("{s:[o,o]}", date, before, after)) <
        0)
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return reply_json(
        r, 200,
        json_pack("{s:s, s:s, s:s, s:i}", "date", date, "kind", kind, "name", name, "weekday", iso_weekday(day)));
}

/*
** DELETE /api/v1/calendar/days/:date                   roles: admin
** 204 (the day follows the weekly pattern again; audited) | 400 field.format date | 404 no entry
*/
static int calendar_delete(Req *r, Err *e) {
    int64_t day;
    if (day_arg(r, r->params[0], "date", false, &day, e) < 0) return -1;
    Stmt *st = db_prepare(r->db, "DELETE FROM calendar_days WHERE day = ?1 RETURNING kind, name");
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_text(st, 1, r->params[0], -1);
    int rc = db_step(st);
    json_t *before = rc == DB_ROW ? json_pack("{s:s, s:s}", "kind", db_col_text(st, 0), "name",
                                              db_col_text(st, 1) ? db_col_text(st, 1) : "")
                                  : NULL;
    if (rc == DB_ROW) rc = db_step(st);
    db_done(st);
    if (rc < 0) {
        json_decref(before);
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    if (!before) return err_set(e, 404, EC_REC_NOT_FOUND, NULL, NULL);
    if (audit_write(r, "calendar", 0, arena_printf(r->a, "delete:%s", r->params[0]),
                    json_pack("{s:[o,n]}", r->params[0], before)) < 0)
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return reply_empty(r, 204);
}

/*
** GET /api/v1/calendar/working_days?date=YYYY-MM-DD&add=N     any signed-in user
** 200 {"date","add","result","working_day"} — result: the N-th working day after date
**     (N < 0: before it; 0: date itself when it is a working day, else the next one);
**     working_day: whether date is one | 400 request.bad_query date|add (|N| <= 3660)
*/
static int calendar_working_days(Req *r, Err *e) {
    int64_t day, n;
    if (day_arg(r, req_query(r, "date"), "date", true, &day, e) < 0) return -1;
    if (int_arg(r, "add", &n, e) < 0) return -1;
    if (n < -3660 || n > 3660) return err_set(e, 400, EC_BAD_QUERY, "add", "-3660..3660");
    Calendar c;
    if (calendar_get(r, &c) < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    int y, m, d;
    civil_from_days(cal_add_working_days(&c, day, n), &y, &m, &d);
    return reply_json(r, 200,
                      json_pack("{s:s, s:I, s:s, s:b}", "date", req_query(r, "date"), "add", (json_int_t)n, "result",
                                arena_printf(r->a, "%04d-%02d-%02d", y, m, d), "working_day",
                                cal_is_working_day(&c, day)));
}

/*
** GET /api/v1/calendar/working_time?from=T1&to=T2 | ?from=T1&seconds=S   any signed-in user
** 200 {"from","to","seconds"}: the working seconds in [T1, T2), or the moment S working
**     seconds after T1 (epoch seconds) | 400 request.bad_query from|to|seconds
*/
static int calendar_working_time(Req *r, Err *e) {
    int64_t from, to, secs;
    if (int_arg(r, "from", &from, e) < 0) return -1;
    Calendar c;
    if (req_query(r, "seconds")) {
        if (int_arg(r, "seconds", &secs, e) < 0) return -1;
        if (secs < 0 || secs > 86400LL * 3660) return err_set(e, 400, EC_BAD_QUERY, "seconds", "0..316224000");
        if (calendar_get(r, &c) < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        to = cal_add_working_seconds(&c, from, secs);
    } else {
        if (int_arg(r, "to", &to, e) < 0) return -1;
        if (to - from > 86400LL * 3660 || from - to > 86400LL * 3660)
            return err_set(e, 400, EC_BAD_QUERY, "to", "10 years");
        if (calendar_get(r, &c) < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        secs = cal_working_seconds_between(&c, from, to);
    }
    return reply_json(
        r, 200,
        json_pack("{s:I, s:I, s:I}", "from", (json_int_t)from, "to", (json_int_t)to, "seconds", (json_int_t)secs));
}

void calendar_register(void) {
    int n = 0, mins;
    const char *name;
    while (n < CAL_MAX_ZONES && (name = tz_name_at(n, &mins))) {
        int a = mins < 0 ? -mins : mins;
        snprintf(zone_labels[n], sizeof zone_labels[n], "%s (UTC%c%02d:%02d)", name, mins < 0 ? '-' : '+', a / 60,
                 a % 60);
        zone_vals[n] = (EnumVal){name, zone_labels[n], zone_labels[n], zone_labels[n]};
        n++;
    }
    zone_vals[n] = (EnumVal){NULL};
    settings_declare(cal_settings, (int)(sizeof cal_settings / sizeof cal_settings[0]));
    static const Route routes[] = {
        {"GET", "/api/v1/calendar", calendar_show, 0, 0, "The company calendar: zone, working week and hours, holidays",
         "calendar"},
        {"PUT", "/api/v1/calendar/days/:date", calendar_put, R_WRITE, RB(ADMIN), "Set a holiday or make-up workday",
         "calendar"},
        {"DELETE", "/api/v1/calendar/days/:date", calendar_delete, R_WRITE, RB(ADMIN), "Remove a calendar day",
         "calendar"},
        {"GET", "/api/v1/calendar/working_days", calendar_working_days, 0, 0, "Working-day arithmetic", "calendar"},
        {"GET", "/api/v1/calendar/working_time", calendar_working_time, 0, 0, "Working-time arithmetic", "calendar"},
    };
    routes_add(routes, (int)(sizeof routes / sizeof routes[0]));
}
