/*
** care.c — customer care reminders (客户关怀, R-CUS-7) and the periodic review
** of customer needs (R-PRE-3), raised by the daily job "customer_care":
**   - a contact's birthday within care.birthday_days_ahead days → a reminder for
**     the customer's owner, once per contact and year (29 Feb counts as 28 Feb
**     in other years);
**   - a configured holiday (care.holidays: "01-01 元旦,05-01 劳动节" — MM-DD repeats
**     every year, YYYY-MM-DD is one date, for moving feasts like 春节) within
**     care.holiday_days_ahead days → a reminder for the owner of every important
**     and key customer, once per customer and holiday date;
**   - an open need whose review_date has come → a reminder for its owner.
** The care action itself is logged as a follow-up with kind = 'care' (the
** follow-ups entity of the pipeline module).
*/
#include <stdio.h>
#include <string.h>

#include "../core/errcodes.h"
#include "../flow/flow.h"
#include "../model/calendar.h"
#include "../model/settings.h"
#include "customers.h"
#include "modules.h"

static const Setting care_settings[] = {
    {"care.birthday_days_ahead", ST_INT, "3", 0, 60, "联系人生日提前提醒天数", "聯絡人生日提前提醒天數",
     "Remind contact birthdays days ahead"},
    {"care.holiday_days_ahead", ST_INT, "3", 0, 60, "节日关怀提前提醒天数", "節日關懷提前提醒天數",
     "Remind holidays days ahead"},
    {"care.holidays", ST_DATES, "01-01 元旦,05-01 劳动节,10-01 国庆节", 0, 0,
     "关怀节日（MM-DD 或 YYYY-MM-DD 名称，逗号分隔）", "關懷節日（MM-DD 或 YYYY-MM-DD 名稱，逗號分隔）",
     "Care holidays (MM-DD or YYYY-MM-DD name, comma-separated)"},
};

/* Birthday reminders for the days [today, today + ahead]. */
static int care_birthdays(Req *r, int64_t today, int64_t ahead, int *count) {
    static const char zSql[] =
        "SELECT p.id, p.name, p.birthday, c.id, c.name, c.owner_id FROM contacts p JOIN customers c ON c.id = "
        "p.customer_id\n"
        " WHERE p.deleted_at IS NULL AND c.deleted_at IS NULL AND c.owner_id IS NOT NULL AND p.birthday IS NOT NULL\n"
        "   AND substr(p.birthday, 6, 5) = ?1 ORDER BY p.id";
    for (int64_t i = 0; i <= ahead; i++) {
        int y, m, d;
        civil_from_days(today + i, &y, &m, &d);
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
        for (int pass = 0; pass < (m == 2 && d == 28 && !leap ? 2 : 1); pass++) {
            char md[6];
            snprintf(md, sizeof md, "%02d-%02d", m, pass ? 29 : d);
            Stmt *st = db_prepare(r->db, zSql);
            if (!st) return -1;
            db_bind_text(st, 1, md, -1);
            int rc;
            while ((rc = db_step(st)) == DB_ROW) {
                int64_t pid = db_col_int64(st, 0), cid = db_col_int64(st, 3), owner = db_col_int64(st, 5);
                const char *title = msg_make(r->a, "care.birthday", "name", db_col_text(st, 1), "customer",
                                             db_col_text(st, 4), "date", arena_printf(r->a, "%02d-%02d", m, d), NULL);
                int ok = task_remind(r->db, owner, "care_birthday", "customers", cid, title,
                                     epoch_of_date(y, m, d, company_tz(r)) + 9 * 3600,
                                     arena_printf(r->a, "care:birthday:%lld:%d", (long long)pid, y), r->now);
                if (ok < 0) {
                    db_done(st);
                    return -1;
                }
                *count += ok;
            }
            db_done(st);
            if (rc < 0) return -1;
        }
    }
    return 0;
}

/* Holiday reminders: each configured holiday whose next date is within ahead days. */
static int care_holidays(Req *r, int64_t today, int64_t ahead, int *count) {
    const char *conf = setting_text(r->db, r->a, "care.holidays");
    Buf lb; /* full-width separators (，；) become ASCII ones, so strsep never splits a character */
    buf_init(&lb, r->a);
    for (const char *c = conf; *c; c++) {
        if (!strncmp(c, "，", 3) || !strncmp(c, "；", 3) || !strncmp(c, "、", 3)) {
            buf_putc(&lb, ',');
            c += 2;
        } else {
            buf_putc(&lb, *c);
        }
    }
    char *list = lb.p;
    int ty, tm, td;
    civil_from_days(today, &ty, &tm, &td);
    for (char *p = list, *tok; (tok = strsep(&p, ",;\n"));) {
        while (*tok == ' ')
            tok++;
        if (!*tok) continue;
        int y = 0, m, d;
        char name[128] = "";
        if (sscanf(tok, "%4d-%2d-%2d %127[^\n]", &y, &m, &d, name) >= 3 && y > 999) {
            /* one date */
        } else if (sscanf(tok, "%2d-%2d %127[^\n]", &m, &d, name) >= 2) {
            y = ty;
            if (days_from_civil(y, m, d) < today) y++;
        } else {
            continue; /* not a date: ignored (the setting is free text) */
        }
        char ds[11];
        snprintf(ds, sizeof ds, "%04d-%02d-%02d", y, m, d);
        int cy, cm, cd;
        if (date_parse(ds, &cy, &cm, &cd) != 0) continue;
        int64_t day = days_from_civil(y, m, d);
        if (day < today || day > today + ahead) continue;
        const char *hname = *name ? name : ds;
        Stmt *st = db_prepare(
            r->db, "SELECT id, name, owner_id FROM customers WHERE deleted_at IS NULL AND owner_id IS NOT NULL"
                   " AND tier IN ('important', 'key') ORDER BY id");
        if (!st) return -1;
        int rc;
        while ((rc = db_step(st)) == DB_ROW) {
            int64_t cid = db_col_int64(st, 0);
            const char *title = msg_make(r->a, "care.holiday", "holiday", hname, "date",
                                         arena_printf(r->a, "%02d-%02d", m, d), "customer", db_col_text(st, 1), NULL);
            int ok = task_remind(r->db, db_col_int64(st, 2), "care_holiday", "customers", cid, title,
                                 epoch_of_date(y, m, d, company_tz(r)),
                                 arena_printf(r->a, "care:holiday:%lld:%s", (long long)cid, ds), r->now);
            if (ok < 0) {
                db_done(st);
                return -1;
            }
            *count += ok;
        }
        db_done(st);
        if (rc < 0) return -1;
    }
    return 0;
}

/* Needs due for their periodic review (R-PRE-3). */
static int care_need_reviews(Req *r, const char *today, int *count) {
    Stmt *st = db_prepare(
        r->db,
        "SELECT n.id, n.review_date, n.owner_id, c.name FROM customer_needs n JOIN customers c ON c.id = n.customer_id"
        " WHERE n.deleted_at IS NULL AND n.status = 'open' AND n.review_date IS NOT NULL AND n.review_date <= ?1"
        " AND n.owner_id IS NOT NULL ORDER BY n.id LIMIT 5000");
    if (!st) return -1;
    db_bind_text(st, 1, today, -1);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *title =
            msg_make(r->a, "care.need_review", "description", db_col_text(st, 3), "date", db_col_text(st, 1), NULL);
        int ok = task_remind(
            r->db, db_col_int64(st, 2), "need_review", "customer_needs", db_col_int64(st, 0), title, 0,
            arena_printf(r->a, "need:review:%lld:%s", (long long)db_col_int64(st, 0), db_col_text(st, 1)), r->now);
        if (ok < 0) {
            db_done(st);
            return -1;
        }
        *count += ok;
    }
    db_done(st);
    return rc < 0 ? -1 : 0;
}

/* Job "customer_care" (daily; idempotent through the reminders' dedupe keys). */
static int care_job(Db *db, int64_t now) {
    Req r;
    job_req_init(&r, db, now);
    char today[11];
    company_date(&r, now, today);
    int y, m, d, count = 0;
    date_parse(today, &y, &m, &d);
    int64_t day = days_from_civil(y, m, d);
    int rc = care_birthdays(&r, day, setting_int(db, "care.birthday_days_ahead"), &count);
    if (rc == 0) rc = care_holidays(&r, day, setting_int(db, "care.holiday_days_ahead"), &count);
    if (rc == 0) rc = care_need_reviews(&r, today, &count);
    if (rc < 0)
        log_error("customer_care: %s", db_errmsg(db));
    else if (count)
        log_info("customer_care: %d reminders", count);
    job_req_done(&r);
    return rc;
}

void care_register(void) {
    static const Job job = {"customer_care", 86400, care_job};
    settings_declare(care_settings, (int)(sizeof care_settings / sizeof care_settings[0]));
    scheduler_add(&job);
}
