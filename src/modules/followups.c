/*
** followups.c — follow-up records (客户跟进记录) and follow-up plans
** (跟进计划) of customers and leads (R-CUS-4). A follow-up moves its
** customer's or lead's last_followup_at (a rollup they declare, kept by the
** core: it keeps the record out of the public pool, R-CUS-9) and advances
** the customer's active plans; the hourly job
** "followup_overdue" turns a missed next step or plan date into a reminder
** in "my work" (R-WRK-1), closed again once a newer follow-up exists.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/errcodes.h"
#include "../flow/flow.h"
#include "../model/calendar.h"
#include "../model/model.h"
#include "modules.h"

/* Who records follow-ups: reps, managers and customer service (care). */
#define FU_ROLES (ROLES_MANAGING | RB(SALES_REP) | RB(CS_SPECIALIST))

static const EnumVal fu_channels[] = {
    {"phone", "电话", "電話", "Phone"},
    {"email", "邮件", "郵件", "Email"},
    {"visit", "拜访", "拜訪", "Visit"},
    {"wechat", "微信", "微信", "WeChat"},
    {"meeting", "会议", "會議", "Meeting"},
    {"fax", "传真", "傳真", "Fax"},
    {NULL},
};

static const EnumVal fu_kinds[] = {
    {"normal", "日常跟进", "日常跟進", "Follow-up"},
    {"care", "客户关怀", "客戶關懷", "Customer care"},
    {NULL},
};

static const Field fu_fields[] = {
    {"customer_id", FT_REF, F_LIST | F_FILTER | F_CREATE_ONLY | F_REF_CASCADE, 0, 0, NULL, "customers", NULL, "客户",
     "客戶", "Customer"},
    {"lead_id", FT_REF, F_LIST | F_FILTER | F_CREATE_ONLY | F_REF_CASCADE, 0, 0, NULL, "leads", NULL, "线索", "線索",
     "Lead"},
    {"opportunity_id", FT_REF, F_FILTER | F_REF_KEEP, 0, 0, NULL, "opportunities", NULL, "销售机会", "銷售機會",
     "Opportunity"},
    {"contact_id", FT_REF, F_FILTER | F_REF_KEEP, 0, 0, NULL, "contacts", NULL, "联系人", "聯絡人", "Contact"},
    {"followed_at", FT_DATETIME, F_LIST | F_FILTER | F_SORT, 0, 0, NULL, NULL, NULL, "跟进时间", "跟進時間", "When"},
    {"channel", FT_ENUM, F_REQUIRED | F_LIST | F_FILTER | F_SORT | F_NOINDEX, 0, 0, fu_channels, NULL, NULL, "跟进方式",
     "跟進方式", "Channel"},
    {"kind", FT_ENUM, F_LIST | F_FILTER | F_NOINDEX, 0, 0, fu_kinds, NULL, "normal", "类型", "類型", "Kind"},
    {"content", FT_LONGTEXT, F_REQUIRED | F_LIST | F_SEARCH, 1, 4000, NULL, NULL, NULL, "跟进内容", "跟進內容",
     "Content"},
    {"feedback", FT_LONGTEXT, F_SEARCH, 0, 4000, NULL, NULL, NULL, "客户反馈", "客戶回饋", "Customer feedback"},
    {"next_step", FT_TEXT, F_LIST, 0, 500, NULL, NULL, NULL, "下一步", "下一步", "Next step"},
    {"next_date", FT_DATE, F_LIST | F_FILTER | F_SORT, 0, 0, NULL, NULL, NULL, "下次跟进日期", "下次跟進日期",
     "Next date"},
    {NULL},
};

static const Field plan_fields[] = {
    {"customer_id", FT_REF, F_REQUIRED | F_LIST | F_FILTER | F_CREATE_ONLY | F_REF_CASCADE, 0, 0, NULL, "customers",
     NULL, "客户", "客戶", "Customer"},
    {"content", FT_TEXT, F_REQUIRED | F_LIST | F_SEARCH, 1, 500, NULL, NULL, NULL, "跟进内容", "跟進內容",
     "What to follow up"},
    {"channel", FT_ENUM, F_REQUIRED | F_LIST | F_FILTER | F_NOINDEX, 0, 0, fu_channels, NULL, NULL, "跟进方式",
     "跟進方式", "Channel"},
    {"frequency_days", FT_INT, F_REQUIRED | F_LIST | F_SORT | F_NOINDEX, 1, 365, NULL, NULL, NULL, "频率（天）",
     "頻率（天）", "Every (days)"},
    {"next_date", FT_DATE, F_LIST | F_FILTER | F_SORT, 0, 0, NULL, NULL, NULL, "下次计划日期", "下次計畫日期",
     "Next date"},
    {"active", FT_BOOL, F_LIST | F_FILTER, 0, 0, NULL, NULL, "1", "启用", "啟用", "Active"},
    {NULL},
};

/* ---------------------------------------------------------------- helpers */

/* "YYYY-MM-DD" of the company-local day of t plus days (zone: tzmin minutes east of UTC). */
static void day_plus(int tzmin, int64_t t, int64_t days, char out[11]) {
    int y, m, d;
    int64_t day = (t + (int64_t)tzmin * 60) / 86400 + days;
    civil_from_days(day, &y, &m, &d);
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}

/* Fill e with a 400 on field naming it in the user's language. */
static int fu_fail(Req *r, Err *e, const char *code, const Field *fields, const char *name, const char *detail) {
    err_set(e, 400, code, name, "%s", detail ? detail : "");
    for (const Field *f = fields; f->name; f++)
        if (!strcmp(f->name, name)) e->label = field_label(r, f);
    return -1;
}

/* Does row id of table belong to customer (column customer_id)? */
static int belongs_to(Req *r, const char *table, int64_t id, int64_t customer) {
    Stmt *st = db_prepare(r->db, arena_printf(r->a, "SELECT customer_id FROM %s WHERE id = ?1", table));
    if (!st) return -1;
    db_bind_int64(st, 1, id);
    int ok = db_step(st) == DB_ROW && db_col_int64(st, 0) == customer;
    db_done(st);
    return ok;
}

/* ---------------------------------------------------------------- follow-ups */

/* before_save: exactly one of customer / lead; contact and opportunity of
   that customer; followed_at defaults to now. */
static int fu_check(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    int64_t cust = flow_rec_int(rec, "customer_id"), lead = flow_rec_int(rec, "lead_id");
    if (!cust && !lead) return fu_fail(r, e, EC_REQUIRED, fu_fields, "customer_id", NULL);
    if (cust && lead && !old) /* both only once a converted lead's history moved to its customer */
        return fu_fail(
            r, e, EC_FORMAT, fu_fields, "lead_id",
            label_for(r->locale, "客户与线索只能二选一", "客戶與線索只能擇一", "a customer or a lead, not both"));
    static const char *const children[][2] = {{"contact_id", "contacts"}, {"opportunity_id", "opportunities"}};
    for (int i = 0; i < 2; i++) {
        int64_t id = flow_rec_int(rec, children[i][0]);
        if (!id) continue;
        if (!cust || belongs_to(r, children[i][1], id, cust) != 1)
            return fu_fail(r, e, EC_REF, fu_fields, children[i][0], NULL);
    }
    json_t *at = json_object_get(rec, "followed_at");
    if (!json_is_integer(at)) json_object_set_new(rec, "followed_at", json_integer(r->now));
    /* a follow-up records what happened: a date far ahead would keep a record out of the pool */
    else if (json_integer_value(at) > r->now + 86400)
        return fu_fail(r, e, EC_RANGE, fu_fields, "followed_at",
                       label_for(r->locale, "不能晚于明天", "不能晚於明天", "not after tomorrow"));
    return 0;
}

/* Advance the customer's active plans to the followed day + their frequency
   (never backwards), audited, and close their reminders. */
static int plans_advance(Req *r, int64_t customer, int64_t at) {
    static const char zSel[] = "SELECT id, frequency_days, next_date FROM follow_up_plans\n"
                               " WHERE customer_id = ?1 AND active = 1 AND deleted_at IS NULL";
    static const char zUpd[] =
        "UPDATE follow_up_plans SET next_date = ?1, version = version + 1, updated_at = ?2 WHERE id = ?3";
    int tz = company_tz(r); /* read before the statement below is stepped */
    Stmt *st = db_prepare(r->db, zSel);
    if (!st) return -1;
    db_bind_int64(st, 1, customer);
    struct {
        int64_t id;
        char next[11], old[11];
    } p[64];
    int n = 0, rc;
    while ((rc = db_step(st)) == DB_ROW && n < 64) {
        p[n].id = db_col_int64(st, 0);
        day_plus(tz, at, db_col_int64(st, 1), p[n].next);
        snprintf(p[n].old, sizeof p[n].old, "%s", db_col_text(st, 2) ? db_col_text(st, 2) : "");
        n++;
    }
    db_done(st);
    if (rc < 0) return -1;
    for (int i = 0; i < n; i++) {
        if (strcmp(p[i].next, p[i].old) <= 0) continue;
        st = db_prepare(r->db, zUpd);
        if (!st) return -1;
        db_bind_text(st, 1, p[i].next, -1);
        db_bind_int64(st, 2, r->now);
        db_bind_int64(st, 3, p[i].id);
        rc = db_step(st);
        db_done(st);
        if (rc < 0) return -1;
        if (audit_write(r, "follow_up_plans", p[i].id, "advance",
                        json_pack("{s:[s,s]}", "next_date", p[i].old, p[i].next)) < 0)
            return -1;
        if (task_close(r->db, arena_printf(r->a, "plan:%lld:", (long long)p[i].id), r->now) < 0) return -1;
    }
    return 0;
}

/* after_save: the customer's plans, and the reminders a newer follow-up answers (the record's
   last_followup_at is a rollup the customers and leads declare: the core keeps it). */
static int fu_after(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    int64_t cust = flow_rec_int(rec, "customer_id"), lead = flow_rec_int(rec, "lead_id");
    int64_t at = flow_rec_int(rec, "followed_at");
    const char *table = cust ? "customers" : "leads";
    int64_t id = cust ? cust : lead;
    if (cust && plans_advance(r, cust, at) < 0) return flow_db_error(r, e, "plans");
    /* the reminders of older next steps of this record are answered now */
    if (task_close(r->db, arena_printf(r->a, "followup:%s:%lld:", table, (long long)id), r->now) < 0)
        return flow_db_error(r, e, "reminders");
    return 0;
}

static const Entity followups_entity = {
    .name = "follow_ups",
    .table = "follow_ups",
    .zh = "跟进记录",
    .tw = "跟進記錄",
    .en = "Follow-ups",
    .fields = fu_fields,
    .vis = VIS_OWNER,
    .read_roles = FU_ROLES,
    .write_roles = FU_ROLES,
    .default_sort = "-followed_at",
    .title_field = "content",
    .before_save = fu_check,
    .after_save = fu_after,
    .tag = "pipeline",
};

/* ---------------------------------------------------------------- plans */

/* before_save: the first date defaults to today + the frequency. */
static int plan_check(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    json_t *nd = json_object_get(rec, "next_date");
    if (!json_is_string(nd)) {
        char day[11];
        day_plus(company_tz(r), r->now, flow_rec_int(rec, "frequency_days"), day);
        json_object_set_new(rec, "next_date", json_string(day));
    }
    return 0;
}

/* after_save: a moved date or a paused plan ends the reminders of the old date. */
static int plan_after(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    if (!old) return 0;
    const char *a = flow_rec_str(rec, "next_date"), *b = flow_rec_str(old, "next_date");
    bool moved = !a || !b || strcmp(a, b), paused = !json_is_true(json_object_get(rec, "active"));
    if ((moved || paused) &&
        task_close(r->db, arena_printf(r->a, "plan:%lld:", (long long)flow_rec_int(rec, "id")), r->now) < 0)
        return flow_db_error(r, e, "reminders");
    return 0;
}

static const Entity plans_entity = {
    .name = "follow_up_plans",
    .table = "follow_up_plans",
    .zh = "跟进计划",
    .tw = "跟進計畫",
    .en = "Follow-up plans",
    .fields = plan_fields,
    .vis = VIS_OWNER,
    .read_roles = FU_ROLES,
    .write_roles = FU_ROLES,
    .default_sort = "next_date",
    .title_field = "content",
    .before_save = plan_check,
    .after_save = plan_after,
    .tag = "pipeline",
};

/* ---------------------------------------------------------------- reminders */

/* One reminder to raise, collected before writing on the same connection. */
typedef struct Due {
    int64_t user, row_id;           /* who, and the customer/lead (or plan) it is about */
    const char *entity;             /* "customers" | "leads" | "follow_up_plans" */
    const char *title, *key, *date; /* arena */
} Due;

/* Run a reminder query (?1 = today) and raise one reminder per row:
   columns user, entity, row id, date, name, what. */
static int remind_rows(Db *db, Arena *a, const char *sql, const char *today, const char *kind, bool plan, int64_t now) {
    int tz = company_tz_db(db);
    Stmt *st = db_prepare(db, sql);
    if (!st) return -1;
    db_bind_text(st, 1, today, -1);
    Due *d = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (db_col_null(st, 0)) continue; /* in the public pool: nobody to remind */
        if (n == cap) d = xrealloc(d, (cap = cap ? cap * 2 : 64) * sizeof *d);
        const char *ent = arena_strdup(a, db_col_text(st, 1));
        int64_t rid = db_col_int64(st, 2);
        const char *date = arena_strdup(a, db_col_text(st, 3));
        const char *name = db_col_text(st, 4) ? db_col_text(st, 4) : "";
        const char *what = db_col_text(st, 5) ? db_col_text(st, 5) : "";
        d[n++] = (Due){db_col_int64(st, 0),
                       rid,
                       plan ? "follow_up_plans" : ent,
                       msg_make(a, plan ? "followup.plan_overdue" : "followup.overdue", "name", name, "what", what,
                                "date", date, NULL),
                       plan ? arena_printf(a, "plan:%lld:%s", (long long)rid, date)
                            : arena_printf(a, "followup:%s:%lld:%s", ent, (long long)rid, date),
                       date};
    }
    db_done(st);
    int ret = rc < 0 ? -1 : 0;
    for (size_t i = 0; i < n && ret == 0; i++) {
        int y, m, dd;
        int64_t due = date_parse(d[i].date, &y, &m, &dd) == 0 ? epoch_of_date(y, m, dd, tz) + 86400 : 0;
        if (task_remind(db, d[i].user, kind, d[i].entity, d[i].row_id, d[i].title, due, d[i].key, now) < 0) ret = -1;
    }
    free(d);
    return ret;
}

/* Job "followup_overdue" (hourly): the latest follow-up of a customer or lead
   whose next date has passed, and every active plan past its date, become a
   reminder to the record's owner (one per record and date). */
static int job_followup_overdue(Db *db, int64_t now) {
    static const char zFollow[] =
        "SELECT COALESCE(c.owner_id, l.owner_id), CASE WHEN f.customer_id IS NOT NULL THEN 'customers' ELSE 'leads' "
        "END,\n"
        "  COALESCE(f.customer_id, f.lead_id), f.next_date, COALESCE(c.name, l.company), COALESCE(f.next_step, "
        "f.content)\n"
        " FROM follow_ups f\n"
        " LEFT JOIN customers c ON c.id = f.customer_id AND c.deleted_at IS NULL\n"
        " LEFT JOIN leads l ON l.id = f.lead_id AND l.deleted_at IS NULL AND l.state NOT IN ('converted', "
        "'disqualified')\n"
        " WHERE f.deleted_at IS NULL AND f.next_date IS NOT NULL AND f.next_date < ?1\n"
        " AND (c.id IS NOT NULL OR l.id IS NOT NULL)\n"
        " AND NOT EXISTS (SELECT 1 FROM follow_ups g WHERE g.deleted_at IS NULL AND g.id <> f.id\n"
        "   AND ((f.customer_id IS NOT NULL AND g.customer_id = f.customer_id) OR (f.lead_id IS NOT NULL AND g.lead_id "
        "= f.lead_id))\n"
        "   AND (g.followed_at > f.followed_at OR (g.followed_at = f.followed_at AND g.id > f.id)))";
    static const char zPlans[] =
        "SELECT c.owner_id, 'customers', p.id, p.next_date, c.name, p.content\n"
        " FROM follow_up_plans p JOIN customers c ON c.id = p.customer_id AND c.deleted_at IS NULL\n"
        " WHERE p.deleted_at IS NULL AND p.active = 1 AND p.next_date < ?1";
    char today[11];
    date_of_epoch(now, company_tz_db(db), today);
    Arena *a = arena_new();
    int ret = remind_rows(db, a, zFollow, today, "followup_overdue", false, now);
    if (ret == 0) ret = remind_rows(db, a, zPlans, today, "followup_plan_overdue", true, now);
    arena_free(a);
    return ret;
}

static const Job followup_job = {"followup_overdue", 3600, job_followup_overdue};

void followups_register(void) {
    entity_register(&followups_entity);
    entity_register(&plans_entity);
    scheduler_add(&followup_job);
}
