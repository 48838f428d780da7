/*
** visits.c — visit plans and visit records (回访计划/回访记录, R-VIS-1..7).
**
** A plan is made by a sales manager for a region or a product line (the customer-service
** specialist who helped draft it is named on it) with one item per customer visit. On its first
** submission it is stamped with how many days ahead of its first visit it came: less than the
** setting visit.plan.lead_days (7) makes it late, and the approval routes by that flag — the
** deputy director for a plan on time, the sales director for a late one. An approved plan is
** adjusted through a new version (T_REVISE), so every adjustment stays as a diff. GET
** /visit_plans/suggestions lists the customers due for a visit in a period, from their visit
** frequency (kept by the tiering) and their last visit.
**
** A visit record holds the six sections of the seeds, the four ratings, participants, method
** and result; it belongs to a plan item (which it completes) or is ad hoc, never lies in the
** future, and goes to the rep's manager, who acknowledges it. An on-site visit checks in
** (server time of arrival and the browser's position); photos are attachments whose EXIF time
** and position the core reads (attach.c). Findings are lines routed to a department and
** tracked to closure; market information lines become competitor records on submission.
** Periodic reviews of the records are rows of visit_reviews. GET /visits/metrics computes the
** visit metrics of SPEC §6 for a rep or a unit and a period, with their formulas.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/errcodes.h"
#include "../flow/flow.h"
#include "../model/calendar.h"
#include "../model/model.h"
#include "../model/settings.h"
#include "demo.h"
#include "modules.h"

#define PLAN_READERS (ROLES_MANAGING | RB(SALES_REP) | RB(CS_SPECIALIST))
#define PLAN_WRITERS (RB(SALES_MANAGER) | RB(SALES_DIRECTOR) | RB(DEPUTY_DIRECTOR) | RB(GM) | RB(CS_SPECIALIST))
#define VISIT_ROLES (ROLES_MANAGING | RB(SALES_REP) | RB(CS_SPECIALIST))
#define REVIEW_ROLES (RB(SALES_MANAGER) | RB(DEPUTY_DIRECTOR) | RB(SALES_DIRECTOR) | RB(GM))

static const EnumVal methods[] = {
    {"phone", "电话回访", "電話回訪", "Phone"}, {"on_site", "上门回访", "上門回訪", "On site"},
    {"wechat", "微信", "微信", "WeChat"},       {"email", "电子邮件", "電子郵件", "Email"},
    {"video", "视频", "視訊", "Video"},         {NULL},
};

/* ---------------------------------------------------------------- visit plans */

static const EnumVal scopes[] = {
    {"region", "按区域", "按區域", "Region"},
    {"product_line", "按产品线", "按產品線", "Product line"},
    {NULL},
};

static const Field item_fields[] = {
    {"customer_id", FT_REF, F_REQUIRED, 0, 0, NULL, "customers", NULL, "回访对象", "回訪對象", "Customer"},
    {"planned_on", FT_DATE, F_REQUIRED, 0, 0, NULL, NULL, NULL, "计划日期", "計畫日期", "Planned on"},
    {"method", FT_ENUM, F_REQUIRED, 0, 0, methods, NULL, NULL, "回访方式", "回訪方式", "Method"},
    {"rep_id", FT_REF, F_REF_KEEP, 0, 0, NULL, "users", NULL, "负责人", "負責人", "Responsible rep"},
    {"content", FT_TEXT, 0, 0, 500, NULL, NULL, NULL, "回访内容", "回訪內容", "Content"},
    /* an on-site visit confirmed with the customer the day before (POST .../items/:line/confirm) */
    {"confirmed_at", FT_DATETIME, F_READONLY, 0, 0, NULL, NULL, NULL, "已与客户确认", "已與客戶確認",
     "Confirmed with the customer"},
    {"confirmed_by", FT_REF, F_READONLY | F_REF_KEEP, 0, 0, NULL, "users", NULL, "确认人", "確認人", "Confirmed by"},
    {NULL},
};
static const Child plan_children[] = {
    {"items", "visit_plan_items", "回访对象", "回訪對象", "Visits planned", item_fields, NULL, 1, 500,
     .label = "customer_id planned_on method"}, /* a visit's plan item picker: 第2行 · 客户 · 2026-06-02 · 上门回访 */
    {NULL},
};

static const Field plan_fields[] = {
    {"number", FT_TEXT, F_READONLY | F_LIST | F_SEARCH | F_SORT, 0, 0, NULL, NULL, NULL, "计划编号", "計畫編號",
     "Number"},
    {"title", FT_TEXT, F_REQUIRED | F_LIST | F_SEARCH, 1, 200, NULL, NULL, NULL, "计划名称", "計畫名稱", "Title"},
    {"scope", FT_ENUM, F_REQUIRED | F_LIST | F_FILTER | F_NOINDEX, 0, 0, scopes, NULL, "region", "计划范围", "計畫範圍",
     "Scope"},
    {"region", FT_TEXT, F_REQUIRED | F_LIST | F_FILTER | F_NOINDEX, 0, 64, NULL, NULL, NULL, "区域", "區域", "Region",
     .when = "scope=region"},
    {"product_line", FT_TEXT, F_REQUIRED | F_LIST | F_FILTER | F_NOINDEX, 0, 64, NULL, NULL, NULL, "产品线", "產品線",
     "Product line", .when = "scope=product_line"},
    {"period_start", FT_DATE, F_REQUIRED | F_LIST | F_FILTER | F_SORT, 0, 0, NULL, NULL, NULL, "期间开始", "期間開始",
     "Period start"},
    {"period_end", FT_DATE, F_REQUIRED | F_LIST, 0, 0, NULL, NULL, NULL, "期间结束", "期間結束", "Period end"},
    {"drafted_by", FT_REF, F_REF_KEEP, 0, 0, NULL, "users", NULL, "协助起草（客服专员）", "協助起草（客服專員）",
     "Drafted with (customer service)"},
    {"first_visit_on", FT_DATE, F_READONLY | F_LIST, 0, 0, NULL, NULL, NULL, "首次回访日期", "首次回訪日期",
     "First visit on"},
    {"item_count", FT_INT, F_READONLY | F_LIST, 0, 0, NULL, NULL, NULL, "回访数", "回訪數", "Visits"},
    {"submitted_at", FT_DATETIME, F_READONLY, 0, 0, NULL, NULL, NULL, "首次提交时间", "首次提交時間",
     "First submitted at"},
    {"lead_days", FT_INT, F_READONLY, 0, 0, NULL, NULL, NULL, "提前天数", "提前天數", "Days ahead"},
    {"late", FT_BOOL, F_READONLY | F_LIST | F_FILTER | F_NOINDEX, 0, 0, NULL, NULL, "0", "逾期提交", "逾期提交",
     "Submitted late"},
    {"note", FT_LONGTEXT, F_SEARCH, 0, 4000, NULL, NULL, NULL, "说明", "說明", "Note"},
    {NULL},
};

static const Setting visit_settings[] = {
    {"visit.plan.lead_days", ST_INT, "7", 0, 365, "回访计划须提前提交的天数", "回訪計畫須提前提交的天數",
     "Days a visit plan must be submitted before its first visit"},
};

/* Fail with 400 code on field (a line's field: "items[2].planned_on"), labelled by f. */
static int visit_fail(Req *r, Err *e, int status, const char *code, const char *field, const Field *f,
                      const char *detail) {
    err_set(e, status, code, field, "%s", detail ? detail : "");
    if (f) e->label = field_label(r, f);
    return -1;
}

/* Days since 1970-01-01 of a stored date text, or INT64_MIN when it is not one. */
static int64_t day_of(const char *s) {
    int y, m, d;
    if (!s || date_parse(s, &y, &m, &d) < 0) return INT64_MIN;
    return days_from_civil(y, m, d);
}

/* Today in the company zone, as days since 1970-01-01. */
static int64_t today_days(Req *r) {
    char today[11];
    date_of_epoch(r->now, company_tz(r), today);
    return day_of(today);
}

/* before_save of a plan: the period is ordered, every item lies in it; the first visit and
   the number of items are kept on the plan. */
static int plan_check(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    (void)old;
    const char *from = flow_rec_str(rec, "period_start"), *to = flow_rec_str(rec, "period_end");
    if (day_of(to) < day_of(from))
        return visit_fail(r, e, 400, EC_RANGE, "period_end", entity_field(en, "period_end"), from);
    const char *first = NULL;
    size_t i;
    json_t *item;
    json_t *items = json_object_get(rec, "items");
    json_array_foreach(items, i, item) {
        const char *on = flow_rec_str(item, "planned_on");
        if (!on || strcmp(on, from) < 0 || strcmp(on, to) > 0)
            return visit_fail(r, e, 400, EC_RANGE, arena_printf(r->a, "items[%zu].planned_on", i), &item_fields[1],
                              arena_printf(r->a, "%s ~ %s", from, to));
        if (!first || strcmp(on, first) < 0) first = on;
    }
    json_object_set_new(rec, "first_visit_on", first ? json_string(first) : json_null());
    json_object_set_new(rec, "item_count", json_integer((json_int_t)json_array_size(items)));
    return 0;
}

/* Guard of submit: a plan whose first visit has passed is refused; the first submission is
   stamped with the days ahead of the first visit and whether that is late (R-VIS-1), which
   routes the approval. A resubmission after an adjustment keeps the first stamp. */
static int plan_submit(Req *r, const Entity *en, json_t *rec, Err *e) {
    int64_t today = today_days(r), first = day_of(flow_rec_str(rec, "first_visit_on"));
    if (first < today)
        return visit_fail(r, e, 409, EC_GUARD, "first_visit_on", entity_field(en, "first_visit_on"),
                          flow_rec_str(rec, "first_visit_on"));
    if (flow_rec_int(rec, "submitted_at")) return 0;
    int64_t lead = first - today;
    json_t *vals = json_pack("{s:I, s:I, s:b}", "submitted_at", (json_int_t)r->now, "lead_days", (json_int_t)lead,
                             "late", lead < req_setting_int(r, "visit.plan.lead_days"));
    int rc = entity_update_fields(r, en, rec, vals, "stamp", e);
    json_decref(vals);
    return rc;
}

/* after_save of a plan: the customer-service specialist who helps draft it sees it (a share; with
   write_any_roles they may change it too). */
static int plan_saved(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    int64_t helper = flow_rec_int(rec, "drafted_by");
    if (!helper || (old && flow_rec_int(old, "drafted_by") == helper)) return 0;
    if (entity_share(r, en, flow_rec_int(rec, "id"), helper) < 0) return flow_db_error(r, e, "plan share");
    return 0;
}

/* on_move of a plan: once approved, each rep responsible for an item sees the plan (a share), so
   they can record its visits from it. */
static int plan_moved(Req *r, const Entity *en, json_t *rec, const char *from, int64_t since, Err *e) {
    (void)from, (void)since;
    if (strcmp(flow_rec_str(rec, "state"), "approved")) return 0;
    int64_t id = flow_rec_int(rec, "id");
    Stmt *st = db_prepare(r->db, "SELECT DISTINCT i.rep_id FROM visit_plan_items i WHERE i.parent_id = ?1"
                                 " AND i.rep_id IS NOT NULL ORDER BY i.rep_id");
    if (!st) return flow_db_error(r, e, "plan reps");
    db_bind_int64(st, 1, id);
    int64_t reps[500];
    int n = 0, rc;
    while ((rc = db_step(st)) == DB_ROW && n < 500)
        reps[n++] = db_col_int64(st, 0);
    db_done(st);
    if (rc < 0) return flow_db_error(r, e, "plan reps");
    for (int i = 0; i < n; i++)
        if (reps[i] != flow_rec_int(rec, "owner_id") && entity_share(r, en, id, reps[i]) < 0)
            return flow_db_error(r, e, "plan share");
    return 0;
}

static const EnumVal plan_states[] = {
    {"draft", "草稿", "草稿", "Draft"},
    {"pending_approval", "审批中", "審批中", "Pending approval"},
    {"approved", "已批准", "已核准", "Approved"},
    {"closed", "已关闭", "已關閉", "Closed"},
    {NULL},
};
/* R-VIS-1: the deputy director approves a plan on time, the sales director a late one */
static const Condition on_time[] = {{"late", COND_EQ, "false"}, {NULL}};
static const Condition is_late[] = {{"late", COND_EQ, "true"}, {NULL}};
static const ApprovalStep plan_steps[] = {
    {"deputy", RB(DEPUTY_DIRECTOR), SCOPE_UNIT, 48, "副总监审批", "副總監審批", "Deputy director", .when = on_time},
    {"director", RB(SALES_DIRECTOR), SCOPE_UNIT, 48, "销售总监审批（逾期提交）", "銷售總監審批（逾期提交）",
     "Sales director (late plan)", .when = is_late},
    {NULL},
};
static const Approval plan_approval = {plan_steps, "approved", "draft"};
static const Transition plan_transitions[] = {
    {"submit", "draft", "pending_approval", PLAN_WRITERS, T_OWNER, plan_submit, NULL, &plan_approval, "提交审批",
     "提交審批", "Submit"},
    {"adjust", "approved", "draft", PLAN_WRITERS, T_OWNER | T_REVISE | T_COMMENT, NULL, NULL, NULL, "调整计划",
     "調整計畫", "Adjust"},
    {"close", "approved", "closed", PLAN_WRITERS, T_OWNER, NULL, NULL, NULL, "关闭计划", "關閉計畫", "Close"},
    {NULL},
};
static const Workflow plan_flow = {
    .initial = "draft",
    .states = plan_states,
    .final_states = "closed",
    .transitions = plan_transitions,
    .editable_states = "draft",
    .on_move = plan_moved,
};

/* Read-time additions to a record's lines: run sql (?1 = the record's id; column 0 a line id) and
   give each row to fill with the line of that id. A failed read marks the connection: it is no
   "nothing to add", the request answers 500. */
static void lines_decorate(Req *r, const char *sql, int64_t parent, json_t *lines,
                           void (*fill)(Req *r, json_t *line, Stmt *st)) {
    Stmt *st = db_prepare(r->db, sql);
    if (!st) {
        db_fault_mark(r->db);
        return;
    }
    db_bind_int64(st, 1, parent);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        size_t i;
        json_t *line;
        json_array_foreach(lines, i, line) {
            if (flow_rec_int(line, "id") != db_col_int64(st, 0)) continue;
            fill(r, line, st);
            break;
        }
    }
    db_done(st);
    if (rc < 0) db_fault_mark(r->db);
}

static void plan_item_fill(Req *r, json_t *item, Stmt *st) {
    (void)r;
    if (flow_rec_int(item, "visit_id")) return; /* its first visit only */
    json_object_set_new(item, "visit_id", json_integer(db_col_int64(st, 1)));
    json_object_set_new(item, "visit_date", json_string(db_col_text(st, 2)));
    json_object_set_new(item, "visit_state", json_string(db_col_text(st, 3)));
}

/* Is the plan item an on-site visit still to be confirmed with the customer (today or later)? */
static bool item_unconfirmed(json_t *item, const char *today) {
    const char *on = flow_rec_str(item, "planned_on");
    return !strcmp(flow_rec_str(item, "method"), "on_site") && !flow_rec_int(item, "confirmed_at") && on &&
           strcmp(on, today) >= 0;
}

/* decorate: each item says whether a visit record completes it (visit id, date, state): one query
   for the plan, the first live visit of each item; the plan counts its on-site visits still to be
   confirmed with the customer ("unconfirmed"). */
static void plan_decorate(Req *r, const Entity *en, json_t *row) {
    (void)en;
    json_t *items = json_object_get(row, "items");
    size_t i;
    json_t *item;
    char today[11];
    company_date(r, r->now, today);
    json_int_t unconfirmed = 0;
    json_array_foreach(items, i, item) {
        json_object_set_new(item, "visit_id", json_null());
        unconfirmed += item_unconfirmed(item, today);
    }
    json_object_set_new(row, "unconfirmed", json_integer(unconfirmed));
    if (json_array_size(items))
        lines_decorate(r,
                       "SELECT v.plan_item_id, v.id, v.visit_date, v.state FROM visits v"
                       " JOIN visit_plan_items i ON i.id = v.plan_item_id"
                       " WHERE i.parent_id = ?1 AND v.deleted_at IS NULL ORDER BY v.id",
                       flow_rec_int(row, "id"), items, plan_item_fill);
}

static const Entity plans_entity = {
    .name = "visit_plans",
    .table = "visit_plans",
    .zh = "回访计划",
    .tw = "回訪計畫",
    .en = "Visit plans",
    .fields = plan_fields,
    .vis = VIS_OWNER,
    .read_roles = PLAN_READERS,
    .write_roles = PLAN_WRITERS,
    .write_any_roles = RB(CS_SPECIALIST), /* the specialist a plan is shared with helps draft it */
    .default_sort = "-period_start",
    .title_field = "title",
    .flow = &plan_flow,
    .before_save = plan_check,
    .after_save = plan_saved,
    .decorate = plan_decorate,
    .tag = "visits",
    .number_prefix = "VP",
    .children = plan_children,
    .few_rows = true,
};

/* ---------------------------------------------------------------- suggestions */

/* Months between visits for a visit frequency (0: unknown). */
static int freq_months(const char *f) {
    return !f                          ? 0
           : !strcmp(f, "monthly")     ? 1
           : !strcmp(f, "quarterly")   ? 3
           : !strcmp(f, "half_yearly") ? 6
           : !strcmp(f, "yearly")      ? 12
                                       : 0;
}

/* The date months after days (a day past the month's end becomes its last day). */
static int64_t add_months(int64_t days, int months) {
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    int mm = m - 1 + months;
    y += mm / 12;
    m = mm % 12 + 1;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int last = mdays[m - 1] + (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
    return days_from_civil(y, m, d > last ? last : d);
}

/* YYYY-MM-DD of days since 1970-01-01 (arena string). */
static char *date_text(Arena *a, int64_t days) {
    int y, m, d;
    civil_from_days(days, &y, &m, &d);
    return arena_printf(a, "%04d-%02d-%02d", y, m, d);
}

/* A date query parameter, or 400 request.bad_query naming it. */
static int query_date(Req *r, const char *name, int64_t *out, Err *e) {
    const char *v = req_query(r, name);
    *out = day_of(v);
    if (*out == INT64_MIN) return err_set(e, 400, EC_BAD_QUERY, name, "YYYY-MM-DD");
    return 0;
}

/* qsort order of suggestions: earliest due date, then customer id. */
static int suggestion_cmp(const void *pa, const void *pb) {
    const json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
    int c = strcmp(flow_rec_str(a, "due_on"), flow_rec_str(b, "due_on"));
    if (c) return c;
    int64_t x = flow_rec_int(a, "customer_id"), y = flow_rec_int(b, "customer_id");
    return x < y ? -1 : x > y;
}

/*
** GET /api/v1/visit_plans/suggestions?from=YYYY-MM-DD&to=YYYY-MM-DD[&region=]   roles: plan writers
** The customers the user sees (whose GB/T 2260 region code starts with `region`: "32" Jiangsu,
** "3" the whole of East China) that are due for a visit by `to`: the last visit (a visit record
** that is not a draft) plus the customer's visit frequency (R-CUS-6), or never visited. Each
** with a suggested date (the due date, not before `from`), method (on site for important
** customers, else phone), rep (the owner) and whether an approved or pending plan already
** holds it in the period. Most overdue first, at most 500.
** 200 {"from","to","items":[{"customer_id","name","tier","region","visit_frequency",
**      "last_visit_on","due_on","overdue","planned_on","method","rep_id","already_planned"}]}
** | 400 request.bad_query from/to
*/
static int plan_suggestions(Req *r, Err *e) {
    int64_t from, to;
    if (query_date(r, "from", &from, e) < 0 || query_date(r, "to", &to, e) < 0) return -1;
    if (to < from) return err_set(e, 400, EC_BAD_QUERY, "to", ">= from");
    const Entity *cust = entity_find("customers");
    const char *region = req_query(r, "region");
    Buf sql;
    buf_init(&sql, r->a);
    buf_puts(&sql, "SELECT t.id, t.name, t.tier, t.region, t.visit_frequency, t.owner_id,\n"
                   " (SELECT MAX(v.visit_date) FROM visits v WHERE v.customer_id = t.id AND v.deleted_at IS NULL"
                   " AND v.state <> 'draft'),\n"
                   " (SELECT COUNT(*) FROM visit_plan_items i JOIN visit_plans p ON p.id = i.parent_id"
                   " WHERE i.customer_id = t.id AND p.deleted_at IS NULL AND p.state <> 'closed'"
                   " AND i.planned_on >= ?1 AND i.planned_on <= ?2)\n"
                   " FROM customers t WHERE t.deleted_at IS NULL AND ");
    int n = entity_visibility_sql(cust, r->user, &sql, 3);
    if (region && *region) buf_printf(&sql, " AND t.region LIKE ?%d || '%%'", 3 + n);
    buf_puts(&sql, " ORDER BY t.id LIMIT 20000");
    Stmt *st = db_prepare(r->db, sql.p);
    if (!st) return flow_db_error(r, e, "visit suggestions");
    db_bind_text(st, 1, date_text(r->a, from), -1);
    db_bind_text(st, 2, date_text(r->a, to), -1);
    entity_visibility_bind(cust, r->user, st, 3);
    if (region && *region) db_bind_text(st, 3 + n, region, -1);
    json_t *items = json_array();
    arena_defer(r->a, (void (*)(void *))json_decref, items);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *freq = db_col_null(st, 4) ? NULL : db_col_text(st, 4);
        const char *last = db_col_null(st, 6) ? NULL : db_col_text(st, 6);
        int months = freq_months(freq);
        int64_t due = last ? add_months(day_of(last), months ? months : 6) : from;
        if (due > to) continue;
        const char *tier = db_col_null(st, 2) ? "normal" : db_col_text(st, 2);
        json_t *o = json_object();
        json_object_set_new(o, "customer_id", json_integer(db_col_int64(st, 0)));
        json_object_set_new(o, "name", json_string(db_col_text(st, 1)));
        json_object_set_new(o, "tier", json_string(tier));
        json_object_set_new(o, "region", db_col_null(st, 3) ? json_null() : json_string(db_col_text(st, 3)));
        json_object_set_new(o, "visit_frequency", freq ? json_string(freq) : json_null());
        json_object_set_new(o, "last_visit_on", last ? json_string(last) : json_null());
        json_object_set_new(o, "due_on", json_string(date_text(r->a, due)));
        json_object_set_new(o, "overdue", json_boolean(due < from));
        json_object_set_new(o, "planned_on", json_string(date_text(r->a, due < from ? from : due)));
        json_object_set_new(o, "method", json_string(!strcmp(tier, "important") ? "on_site" : "phone"));
        json_object_set_new(o, "rep_id", db_col_null(st, 5) ? json_null() : json_integer(db_col_int64(st, 5)));
        json_object_set_new(o, "already_planned", json_boolean(db_col_int64(st, 7) > 0));
        json_array_append_new(items, o);
    }
    db_done(st);
    if (rc < 0) return flow_db_error(r, e, "visit suggestions");
    /* most overdue first, then by customer */
    size_t cnt = json_array_size(items);
    json_t **v = arena_alloc(r->a, (cnt ? cnt : 1) * sizeof *v);
    for (size_t i = 0; i < cnt; i++)
        v[i] = json_incref(json_array_get(items, i));
    qsort(v, cnt, sizeof *v, suggestion_cmp);
    json_array_clear(items);
    for (size_t i = 0; i < cnt; i++)
        json_array_append_new(items, v[i]);
    while (json_array_size(items) > 500)
        json_array_remove(items, 500);
    return reply_json(
        r, 200, json_pack("{s:s, s:s, s:O}", "from", date_text(r->a, from), "to", date_text(r->a, to), "items", items));
}

/* ---------------------------------------------------------------- day-before confirmation */

/* The line of rec's collection `child` whose id is line, and its index (*i); NULL when none. */
static json_t *line_of(json_t *rec, const char *child, int64_t line, size_t *i) {
    json_t *lines = json_object_get(rec, child);
    for (*i = 0; *i < json_array_size(lines); (*i)++)
        if (flow_rec_int(json_array_get(lines, *i), "id") == line) return json_array_get(lines, *i);
    return NULL;
}

/* The dedupe key of the day-before reminder of plan item `item` (prefix: every planned date). */
static const char *confirm_key(Req *r, int64_t item, const char *on) {
    return arena_printf(r->a, "visit:confirm:%lld:%s", (long long)item, on ? on : "");
}

/*
** POST /api/v1/visit_plans/:id/items/:line/confirm          roles: plan readers
** The on-site visit of an approved plan's item confirmed with the customer (R-VIS-1: booked and
** confirmed the day before): who and when kept on the item, the day-before reminder closed. By the
** item's rep, or whoever may change the plan (its owner, a manager over it, the drafting specialist).
** 200 {plan} | 403 | 404 plan or line | 409 flow.bad_state (not approved), flow.guard naming
** items[i].method (not on site) or items[i].planned_on (passed), field.duplicate (confirmed already)
*/
static int item_confirm(Req *r, Err *e) {
    int64_t id, line;
    if (req_param_id(r, 0, &id, e) < 0 || req_param_id(r, 1, &line, e) < 0) return -1;
    json_t *plan = entity_load(r, &plans_entity, id, e);
    if (!plan) return -1;
    arena_defer(r->a, (void (*)(void *))json_decref, plan);
    size_t i;
    json_t *item = line_of(plan, "items", line, &i);
    if (!item) return err_set(e, 404, EC_REC_NOT_FOUND, "line", NULL);
    if (flow_rec_int(item, "rep_id") != r->user->id && !entity_row_may(r, &plans_entity, plan, ACCESS_WRITE, NULL))
        return err_set(e, 403, EC_FORBIDDEN, NULL, NULL);
    if (strcmp(flow_rec_str(plan, "state"), "approved"))
        return err_set(e, 409, EC_BAD_STATE, NULL, "%s",
                       entity_state_label(r->locale, &plans_entity, flow_rec_str(plan, "state")));
    char today[11];
    company_date(r, r->now, today);
    const char *on = flow_rec_str(item, "planned_on");
    if (strcmp(flow_rec_str(item, "method"), "on_site"))
        return visit_fail(r, e, 409, EC_GUARD, arena_printf(r->a, "items[%zu].method", i), &item_fields[2], "on_site");
    if (strcmp(on, today) < 0)
        return visit_fail(r, e, 409, EC_GUARD, arena_printf(r->a, "items[%zu].planned_on", i), &item_fields[1],
                          arena_printf(r->a, ">= %s", today));
    if (flow_rec_int(item, "confirmed_at"))
        return visit_fail(r, e, 409, EC_DUPLICATE, arena_printf(r->a, "items[%zu].confirmed_at", i), &item_fields[5],
                          NULL);
    Stmt *st = db_prepare(r->db, "UPDATE visit_plan_items SET confirmed_at = ?1, confirmed_by = ?2"
                                 " WHERE id = ?3 AND parent_id = ?4 AND confirmed_at IS NULL");
    if (!st) return flow_db_error(r, e, "plan item confirm");
    db_bind_int64(st, 1, r->now);
    db_bind_int64(st, 2, r->user->id);
    db_bind_int64(st, 3, line);
    db_bind_int64(st, 4, id);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0) return flow_db_error(r, e, "plan item confirm");
    if (db_changes(r->db) != 1) return err_set(e, 409, EC_CONFLICT, NULL, NULL); /* confirmed meanwhile */
    json_t *changes =
        json_pack("{s:[n,I], s:[n,I]}", arena_printf(r->a, "items[%zu].confirmed_at", i), (json_int_t)r->now,
                  arena_printf(r->a, "items[%zu].confirmed_by", i), (json_int_t)r->user->id);
    if (audit_write(r, plans_entity.name, id, "confirm", changes) < 0) return flow_db_error(r, e, "plan audit");
    const char *key = confirm_key(r, line, NULL);
    if (task_close(r->db, key, r->now) < 0) return flow_db_error(r, e, "plan item task");
    json_t *out = entity_load(r, &plans_entity, id, e);
    if (!out) return -1;
    row_finish(r, &plans_entity, out);
    return reply_json(r, 200, out);
}

/* Job "visit_confirmations" (hourly, idempotent through the reminders' dedupe keys): each on-site
   item of an approved plan planned for tomorrow (company time zone) and not yet confirmed gives its
   rep (else the plan's owner) a reminder due at the end of today. */
static int confirm_job(Db *db, int64_t now) {
    Req r;
    job_req_init(&r, db, now);
    char today[11];
    company_date(&r, now, today);
    int64_t tomorrow = day_of(today) + 1;
    const char *on = date_text(r.a, tomorrow);
    int y, m, d;
    civil_from_days(tomorrow, &y, &m, &d);
    int64_t due = epoch_of_date(y, m, d, company_tz(&r));
    Stmt *st = db_prepare(db, "SELECT i.id, i.parent_id, COALESCE(i.rep_id, p.owner_id), c.name"
                              " FROM visit_plan_items i JOIN visit_plans p ON p.id = i.parent_id"
                              " JOIN customers c ON c.id = i.customer_id"
                              " WHERE i.planned_on = ?1 AND i.method = 'on_site' AND i.confirmed_at IS NULL"
                              " AND p.state = 'approved' AND p.deleted_at IS NULL ORDER BY i.id");
    int rc = st ? DB_DONE : DB_ERROR, count = 0;
    if (st) db_bind_text(st, 1, on, -1);
    while (st && (rc = db_step(st)) == DB_ROW) {
        if (db_col_null(st, 2)) continue;
        const char *title = msg_make(r.a, "visit.confirm_tomorrow", "customer", db_col_text(st, 3), "date", on, NULL);
        int ok = task_remind(db, db_col_int64(st, 2), "visit_confirm", plans_entity.name, db_col_int64(st, 1), title,
                             due, confirm_key(&r, db_col_int64(st, 0), on), now);
        if (ok < 0) {
            rc = DB_ERROR;
            break;
        }
        count += ok;
    }
    db_done(st);
    if (rc < 0)
        log_error("visit_confirmations: %s", db_errmsg(db));
    else if (count)
        log_info("visit_confirmations: %d reminders", count);
    job_req_done(&r);
    return rc < 0 ? -1 : 0;
}

/* ---------------------------------------------------------------- visit records */

static const EnumVal finding_kinds[] = {
    {"complaint", "投诉", "投訴", "Complaint"},
    {"service", "服务需求", "服務需求", "Service request"},
    {"finding", "问题（转部门）", "問題（轉部門）", "Finding for a department"},
    {NULL},
};
static const EnumVal departments[] = {
    {"product", "产品部门", "產品部門", "Product"},
    {"technical", "技术部门", "技術部門", "Technical"},
    {"service", "服务部门", "服務部門", "Service"},
    {"sales", "销售部门", "銷售部門", "Sales"},
    {NULL},
};
static const EnumVal finding_status[] = {
    {"open", "处理中", "處理中", "Open"},
    {"closed", "已关闭", "已關閉", "Closed"},
    {NULL},
};
static const Field finding_fields[] = {
    {"kind", FT_ENUM, F_REQUIRED, 0, 0, finding_kinds, NULL, NULL, "类别", "類別", "Kind"},
    {"department", FT_ENUM, F_REQUIRED, 0, 0, departments, NULL, NULL, "责任部门", "責任部門", "Department"},
    {"description", FT_TEXT, F_REQUIRED, 1, 1000, NULL, NULL, NULL, "问题描述", "問題描述", "Description"},
    {"status", FT_ENUM, 0, 0, 0, finding_status, NULL, "open", "状态", "狀態", "Status"},
    {"closing_note", FT_TEXT, 0, 0, 1000, NULL, NULL, NULL, "处理结果", "處理結果", "Closing note"},
    /* what the finding became (POST /visits/:id/findings/:line/raise), also joined by a link */
    {"complaint_id", FT_REF, F_READONLY | F_REF_KEEP, 0, 0, NULL, "complaints", NULL, "转为投诉", "轉為投訴",
     "Complaint raised"},
    {"ticket_id", FT_REF, F_READONLY | F_REF_KEEP, 0, 0, NULL, "service_tickets", NULL, "转为服务单", "轉為服務單",
     "Service ticket raised"},
    {NULL},
};
static const EnumVal price_levels[] = {
    {"higher", "高于我方", "高於我方", "Higher than ours"},
    {"similar", "相当", "相當", "Similar"},
    {"lower", "低于我方", "低於我方", "Lower than ours"},
    {NULL},
};
static const Field market_fields[] = {
    {"competitor", FT_TEXT, F_REQUIRED, 1, 200, NULL, NULL, NULL, "竞争对手", "競爭對手", "Competitor"},
    {"products", FT_TEXT, 0, 0, 1000, NULL, NULL, NULL, "竞品", "競品", "Products"},
    {"price_level", FT_ENUM, 0, 0, 0, price_levels, NULL, NULL, "价格水平", "價格水準", "Price level"},
    {"note", FT_TEXT, 0, 0, 1000, NULL, NULL, NULL, "情况", "情況", "What was heard"},
    {"competitor_id", FT_REF, F_READONLY | F_REF_KEEP, 0, 0, NULL, "competitors", NULL, "竞争对手情报", "競爭對手情報",
     "Competitor record"},
    {NULL},
};
static const Child visit_children[] = {
    {"findings", "visit_findings", "发现的问题", "發現的問題", "Findings", finding_fields, NULL, 0, 100},
    {"market", "visit_market", "市场信息", "市場資訊", "Market information", market_fields, NULL, 0, 50},
    {NULL},
};

#define RATING(name, zh, tw, en)                                                                                       \
    { name, FT_INT, 0, 1, 5, NULL, NULL, NULL, zh, tw, en, .group = "ratings" }
static const Field visit_fields[] = {
    {"number", FT_TEXT, F_READONLY | F_LIST | F_SEARCH | F_SORT, 0, 0, NULL, NULL, NULL, "回访编号", "回訪編號",
     "Number", .group = "basics"},
    {"customer_id", FT_REF, F_REQUIRED | F_LIST | F_FILTER | F_CREATE_ONLY, 0, 0, NULL, "customers", NULL, "客户",
     "客戶", "Customer", .group = "basics"},
    {"contact_id", FT_REF, F_REF_KEEP, 0, 0, NULL, "contacts", NULL, "受访联系人", "受訪聯絡人", "Contact",
     .group = "basics"},
    /* a line of an approved plan (the rep need not see the plan: F_REF_ANY); plan_id follows from it */
    {"plan_item_id", FT_LINE, F_FILTER | F_CREATE_ONLY | F_REF_ANY, 0, 0, NULL, "items", NULL, "计划项", "計畫項",
     "Plan item", .group = "basics", .line_of = "plan_id"},
    {"plan_id", FT_REF, F_READONLY | F_LIST | F_FILTER | F_REF_KEEP, 0, 0, NULL, "visit_plans", NULL, "回访计划",
     "回訪計畫", "Visit plan", .group = "basics"},
    {"visited_at", FT_DATETIME, F_REQUIRED | F_LIST | F_SORT | F_FILTER, 0, 0, NULL, NULL, NULL, "回访时间", "回訪時間",
     "Visited at", .group = "basics"},
    {"visit_date", FT_DATE, F_READONLY, 0, 0, NULL, NULL, NULL, "回访日期", "回訪日期", "Visit date",
     .group = "basics"},
    {"method", FT_ENUM, F_REQUIRED | F_LIST | F_FILTER, 0, 0, methods, NULL, NULL, "回访方式", "回訪方式", "Method",
     .group = "basics"},
    {"participants", FT_TEXT, 0, 0, 500, NULL, NULL, NULL, "参与人员", "參與人員", "Participants", .group = "basics"},
    {"basic_info", FT_LONGTEXT, F_SEARCH, 0, 4000, NULL, NULL, NULL, "基本信息（所购产品、时间、使用情况）",
     "基本資訊（所購產品、時間、使用情況）", "Basic information (products bought, when, usage)", .group = "content"},
    {"needs_current", FT_LONGTEXT, 0, 0, 4000, NULL, NULL, NULL, "当前需求", "當前需求", "Current needs",
     .group = "content"},
    {"needs_future", FT_LONGTEXT, 0, 0, 4000, NULL, NULL, NULL, "未来需求", "未來需求", "Future needs",
     .group = "content"},
    {"needs_latent", FT_LONGTEXT, 0, 0, 4000, NULL, NULL, NULL, "潜在需求", "潛在需求", "Latent needs",
     .group = "content"},
    {"product_usage", FT_LONGTEXT, 0, 0, 4000, NULL, NULL, NULL, "产品使用（操作、故障、维修、效果）",
     "產品使用（操作、故障、維修、效果）", "Product usage (operation, faults, repairs, effect)", .group = "content"},
    RATING("rating_quality", "产品质量", "產品品質", "Product quality"),
    RATING("rating_attitude", "服务态度", "服務態度", "Service attitude"),
    RATING("rating_speed", "响应速度", "回應速度", "Response speed"),
    RATING("rating_solving", "解决问题能力", "解決問題能力", "Problem-solving ability"),
    {"satisfaction_x100", FT_INT, F_READONLY | F_LIST, 0, 0, NULL, NULL, NULL, "满意度（×100）", "滿意度（×100）",
     "Satisfaction (×100)", .group = "ratings"},
    {"complaints_raised", FT_LONGTEXT, 0, 0, 4000, NULL, NULL, NULL, "客户投诉", "客戶投訴", "Complaints raised",
     .group = "content"},
    {"market_info", FT_LONGTEXT, 0, 0, 4000, NULL, NULL, NULL, "市场信息", "市場資訊", "Market information",
     .group = "content"},
    {"result", FT_LONGTEXT, 0, 0, 4000, NULL, NULL, NULL, "回访结果", "回訪結果", "Result", .group = "result"},
    {"arrived_at", FT_DATETIME, F_READONLY, 0, 0, NULL, NULL, NULL, "到达时间（签到）", "到達時間（簽到）",
     "Arrived at (check-in)", .group = "checkin"},
    {"lat_e6", FT_INT, F_READONLY, 0, 0, NULL, NULL, NULL, "纬度（百万分之一度）", "緯度（百萬分之一度）",
     "Latitude (micro-degrees)", .group = "checkin"},
    {"lng_e6", FT_INT, F_READONLY, 0, 0, NULL, NULL, NULL, "经度（百万分之一度）", "經度（百萬分之一度）",
     "Longitude (micro-degrees)", .group = "checkin"},
    {"accuracy_m", FT_INT, F_READONLY, 0, 0, NULL, NULL, NULL, "定位精度（米）", "定位精度（公尺）", "Accuracy (m)",
     .group = "checkin"},
    {NULL},
};
static const FieldGroup visit_groups[] = {{"basics", "基本情况", "基本情況", "Visit"},
                                          {"content", "回访内容", "回訪內容", "Content"},
                                          {"ratings", "满意度评分（1–5）", "滿意度評分（1–5）", "Ratings (1–5)"},
                                          {"result", "结果", "結果", "Result"},
                                          {"checkin", "现场签到", "現場簽到", "On-site check-in"},
                                          {NULL}};

static const char *const rating_names[4] = {"rating_quality", "rating_attitude", "rating_speed", "rating_solving"};

/* The plan item id belongs to: plan id, its customer and the plan's state (arena). 1 found, 0 not, -1 error. */
static int plan_item_find(Req *r, int64_t item, int64_t *plan, int64_t *customer, const char **state) {
    static const char zSql[] = "SELECT p.id, i.customer_id, p.state FROM visit_plan_items i"
                               " JOIN visit_plans p ON p.id = i.parent_id WHERE i.id = ?1 AND p.deleted_at IS NULL";
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return -1;
    db_bind_int64(st, 1, item);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *plan = db_col_int64(st, 0);
        *customer = db_col_int64(st, 1);
        *state = arena_strdup(r->a, db_col_text(st, 2));
    }
    db_done(st);
    return rc < 0 ? -1 : rc == DB_ROW;
}

/* Another live visit that completes the plan item: 1 yes, 0 no, -1 error. */
static int plan_item_taken(Req *r, int64_t item, int64_t self) {
    Stmt *st = db_prepare(r->db, "SELECT 1 FROM visits WHERE plan_item_id = ?1 AND id <> ?2 AND deleted_at IS NULL");
    if (!st) return -1;
    db_bind_int64(st, 1, item);
    db_bind_int64(st, 2, self);
    int rc = db_step(st);
    db_done(st);
    return rc < 0 ? -1 : rc == DB_ROW;
}

/* before_save of a visit: never in the future; its date in the company zone; a plan item of an
   approved plan for the same customer, completed by this visit only; the satisfaction as the
   mean of the four ratings when all are given. */
static int visit_check(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    int64_t at = flow_rec_int(rec, "visited_at");
    if (at > r->now) return visit_fail(r, e, 400, EC_RANGE, "visited_at", entity_field(en, "visited_at"), "<= now");
    char day[11];
    date_of_epoch(at, company_tz(r), day);
    json_object_set_new(rec, "visit_date", json_string(day));
    int64_t item = flow_rec_int(rec, "plan_item_id");
    if (item && !old) {
        int64_t plan = 0, customer = 0;
        const char *state = NULL;
        const Field *f = entity_field(en, "plan_item_id");
        int rc = plan_item_find(r, item, &plan, &customer, &state);
        if (rc < 0) return flow_db_error(r, e, "plan item");
        if (rc == 0 || customer != flow_rec_int(rec, "customer_id")) /* the core checked the plan's line */
            return visit_fail(r, e, 400, EC_REF, "plan_item_id", f, NULL);
        if (strcmp(state, "approved"))
            return visit_fail(r, e, 409, EC_BAD_STATE, "plan_item_id", f,
                              entity_state_label(r->locale, &plans_entity, state));
        if ((rc = plan_item_taken(r, item, 0)) < 0) return flow_db_error(r, e, "plan item");
        if (rc) return visit_fail(r, e, 409, EC_DUPLICATE, "plan_item_id", f, NULL);
    }
    int64_t sum = 0;
    int n = 0;
    for (int i = 0; i < 4; i++) {
        json_t *v = json_object_get(rec, rating_names[i]);
        if (json_is_integer(v)) sum += json_integer_value(v), n++;
    }
    /* mean × 100, rounded half up (the ratings are positive) */
    json_object_set_new(rec, "satisfaction_x100", n == 4 ? json_integer((sum * 100 + 2) / 4) : json_null());
    return 0;
}

/* Effect of submit: each market line without a competitor record makes one (R-VIS-5), through
   the competitors entity, and remembers it on the line. */
static int visit_market_to_competitors(Req *r, const Entity *en, json_t *rec, Err *e) {
    (void)en;
    const Entity *comp = entity_find("competitors");
    if (!comp) return 0;
    const char *region = NULL;
    /* the customer's region code: competitors name theirs from the same list (FT_CODE) */
    Stmt *st = db_prepare(r->db, "SELECT region FROM customers WHERE id = ?1");
    if (!st) return flow_db_error(r, e, "customer region");
    db_bind_int64(st, 1, flow_rec_int(rec, "customer_id"));
    int rc = db_step(st);
    if (rc == DB_ROW && !db_col_null(st, 0)) region = arena_strdup(r->a, db_col_text(st, 0));
    db_done(st);
    if (rc < 0) return flow_db_error(r, e, "customer region");
    size_t i;
    json_t *line;
    json_array_foreach(json_object_get(rec, "market"), i, line) {
        if (flow_rec_int(line, "competitor_id")) continue;
        json_t *in = json_pack("{s:s, s:s, s:s}", "name", flow_rec_str(line, "competitor"), "source", "visit",
                               "observed_on", flow_rec_str(rec, "visit_date"));
        const char *k[] = {"products", "price_level", "note"};
        for (int j = 0; j < 3; j++)
            if (flow_rec_str(line, k[j])) json_object_set(in, k[j], json_object_get(line, k[j]));
        if (region) json_object_set_new(in, "region", json_string(region));
        int64_t id;
        rc = entity_create_row(r, comp, in, &id, e);
        json_decref(in);
        if (rc < 0) return -1;
        st = db_prepare(r->db, "UPDATE visit_market SET competitor_id = ?1 WHERE id = ?2");
        if (!st) return flow_db_error(r, e, "visit market");
        db_bind_int64(st, 1, id);
        db_bind_int64(st, 2, flow_rec_int(line, "id"));
        rc = db_step(st);
        db_done(st);
        if (rc < 0) return flow_db_error(r, e, "visit market");
        json_object_set_new(line, "competitor_id", json_integer(id));
    }
    return 0;
}

static const EnumVal visit_states[] = {
    {"draft", "草稿", "草稿", "Draft"},
    {"submitted", "待经理确认", "待經理確認", "With the manager"},
    {"acknowledged", "经理已确认", "經理已確認", "Acknowledged"},
    {NULL},
};
static const ApprovalStep visit_steps[] = {
    {"manager", RB(SALES_MANAGER), SCOPE_OWNER_MANAGER, 72, "销售经理确认", "銷售經理確認", "Sales manager"},
    {NULL},
};
static const Approval visit_approval = {visit_steps, "acknowledged", "draft"};
static const Transition visit_transitions[] = {
    {"submit", "draft", "submitted", VISIT_ROLES, T_OWNER, NULL, visit_market_to_competitors, &visit_approval,
     "提交经理", "提交經理", "Submit to the manager", .requires = "result"},
    {NULL},
};
static const Workflow visit_flow = {
    .initial = "draft",
    .states = visit_states,
    .final_states = "acknowledged",
    .transitions = visit_transitions,
    .editable_states = "draft",
};

/*
** decorate of a visit: each finding raised as a complaint or a service ticket shows that record's
** number and state ("raised_entity", "raised_id", "raised_number", "raised_state", its label
** "raised_state_label"), and reads as closed once the record reached a final state of its workflow
** (a complaint closed, a ticket signed off or cancelled): the finding is tracked to closure by the
** record it became. One query for the visit.
*/
static void finding_fill(Req *r, json_t *f, Stmt *st) {
    bool cmp = flow_rec_int(f, "complaint_id") != 0;
    const Entity *to = entity_find(cmp ? "complaints" : "service_tickets");
    int col = cmp ? 1 : 3;
    if (!to || db_col_null(st, col + 1)) return; /* the record was deleted since */
    const char *state = db_col_text(st, col + 1);
    json_object_set_new(f, "raised_entity", json_string(to->name));
    json_object_set_new(f, "raised_id", json_integer(flow_rec_int(f, cmp ? "complaint_id" : "ticket_id")));
    json_object_set_new(f, "raised_number", db_col_null(st, col) ? json_null() : json_string(db_col_text(st, col)));
    json_object_set_new(f, "raised_state", json_string(state));
    json_object_set_new(f, "raised_state_label", json_string(entity_state_label(r->locale, to, state)));
    if (to->flow && str_word_in(to->flow->final_states, state)) json_object_set_new(f, "status", json_string("closed"));
}

static void visit_decorate(Req *r, const Entity *en, json_t *row) {
    (void)en;
    json_t *findings = json_object_get(row, "findings");
    bool any = false;
    size_t i;
    json_t *f;
    json_array_foreach(findings, i, f) any = any || flow_rec_int(f, "complaint_id") || flow_rec_int(f, "ticket_id");
    if (any)
        lines_decorate(r,
                       "SELECT f.id, c.number, c.state, s.number, s.state FROM visit_findings f"
                       " LEFT JOIN complaints c ON c.id = f.complaint_id"
                       " LEFT JOIN service_tickets s ON s.id = f.ticket_id"
                       " WHERE f.parent_id = ?1 AND (f.complaint_id IS NOT NULL OR f.ticket_id IS NOT NULL)",
                       flow_rec_int(row, "id"), findings, finding_fill);
}

static const Entity visits_entity = {
    .name = "visits",
    .table = "visits",
    .zh = "回访记录",
    .tw = "回訪記錄",
    .en = "Visit records",
    .fields = visit_fields,
    .vis = VIS_OWNER,
    .read_roles = VISIT_ROLES,
    .write_roles = VISIT_ROLES,
    .default_sort = "-visited_at",
    .title_field = "number",
    .flow = &visit_flow,
    .before_save = visit_check,
    .decorate = visit_decorate,
    .tag = "visits",
    .number_prefix = "VR",
    .children = visit_children,
    .groups = visit_groups,
    .attachments = true,
    .after_sign = "findings", /* findings are closed after the record went to the manager */
};

/* The visit id as the request's user may change it (its owner, a manager over it), owned by the
   request; or NULL with e (404 unseen, 403). */
static json_t *visit_writable(Req *r, int64_t id, Err *e) {
    json_t *rec = entity_load(r, &visits_entity, id, e);
    if (!rec) return NULL;
    arena_defer(r->a, (void (*)(void *))json_decref, rec);
    return entity_row_check(r, &visits_entity, rec, ACCESS_WRITE, e) < 0 ? NULL : rec;
}

/*
** POST /api/v1/visits/:id/check_in                   roles: visit roles; the owner (or a manager)
** Body: {"version", "lat_e6", "lng_e6", "accuracy_m"} — the browser's position in micro-degrees
** and its accuracy in metres; the arrival time is the server's (R-VIS-7).
** 200 {visit} | 400 field.required / field.range naming the field | 404 | 409 not on site, not a
** draft, or a stale version
*/
static int visit_check_in(Req *r, Err *e) {
    int64_t id;
    if (req_param_id(r, 0, &id, e) < 0) return -1;
    json_t *body = req_json(r, e), *rec = body ? visit_writable(r, id, e) : NULL;
    if (!rec) return -1;
    static const struct {
        const char *name;
        int64_t min, max;
    } in[] = {{"lat_e6", -90000000, 90000000}, {"lng_e6", -180000000, 180000000}, {"accuracy_m", 0, 100000}};
    json_t *vals = json_object();
    arena_defer(r->a, (void (*)(void *))json_decref, vals);
    for (int i = 0; i < 3; i++) {
        json_t *v = json_object_get(body, in[i].name);
        const Field *f = entity_field(&visits_entity, in[i].name);
        if (!v || json_is_null(v)) return visit_fail(r, e, 400, EC_REQUIRED, in[i].name, f, NULL);
        if (!json_is_integer(v) || json_integer_value(v) < in[i].min || json_integer_value(v) > in[i].max)
            return visit_fail(r, e, 400, EC_RANGE, in[i].name, f,
                              arena_printf(r->a, "%lld ~ %lld", (long long)in[i].min, (long long)in[i].max));
        json_object_set(vals, in[i].name, v);
    }
    json_t *ver = json_object_get(body, "version");
    if (!json_is_integer(ver)) return err_set(e, 400, EC_VERSION, "version", NULL);
    if (json_integer_value(ver) != flow_rec_int(rec, "version")) return err_set(e, 409, EC_CONFLICT, NULL, NULL);
    if (strcmp(flow_rec_str(rec, "state"), "draft"))
        return err_set(e, 409, EC_BAD_STATE, NULL, "%s",
                       entity_state_label(r->locale, &visits_entity, flow_rec_str(rec, "state")));
    if (strcmp(flow_rec_str(rec, "method"), "on_site"))
        return visit_fail(r, e, 409, EC_GUARD, "method", entity_field(&visits_entity, "method"), "on_site");
    json_object_set_new(vals, "arrived_at", json_integer(r->now));
    if (entity_update_fields(r, &visits_entity, rec, vals, "check_in", e) < 0) return -1;
    json_t *out = entity_load(r, &visits_entity, id, e);
    if (!out) return -1;
    row_finish(r, &visits_entity, out);
    return reply_json(r, 200, out);
}

/* The first characters of s that fit max characters (UTF-8), as an arena string. */
static const char *text_cut(Arena *a, const char *s, size_t max) {
    size_t n = 0, chars = 0;
    while (s[n] && chars < max) {
        n++;
        while (((unsigned char)s[n] & 0xC0) == 0x80)
            n++;
        chars++;
    }
    return arena_strndup(a, s, n);
}

/*
** POST /api/v1/visits/:id/findings/:line/raise        roles: visit roles; the visit's owner (or a manager)
** Body: {"version", "ticket_kind"?}. A finding of kind "complaint" becomes a complaint, one of kind
** "service" a service ticket (of ticket_kind, default onsite_support), made through the core as
** POST would make it, prefilled from the visit (customer, contact, the finding as subject and
** content, channel "visit"); the two are linked ("raised", seen from both records) and the finding
** remembers it, so the visit shows the record's state and the finding closes with it (R-VIS-4).
** 201 {"entity","id","visit"} | 403 not the visit's owner, or no right to create the record | 404
** visit or line | 409 stale version, a finding already raised (visits.finding_raised), a finding
** for a department (visits.finding_kind naming findings[i].kind) | 400 as the record's POST (kind)
*/
/* Make findings[i] of the visit rec into a record of `to` (complaints or service_tickets; a ticket
   of kind ticket_kind, NULL: onsite_support) through the core, link the two, remember it on the line
   and in the visit's trail. The checks are the caller's. 0 with *made, or -1 with e. */
static int finding_make(Req *r, json_t *rec, size_t i, const Entity *to, json_t *ticket_kind, int64_t *made, Err *e) {
    json_t *f = json_array_get(json_object_get(rec, "findings"), i);
    int64_t id = flow_rec_int(rec, "id"), line = flow_rec_int(f, "id");
    bool cmp = !strcmp(to->name, "complaints");
    const char *desc = flow_rec_str(f, "description");
    json_t *in = json_pack("{s:s, s:s, s:s, s:I}", "title", text_cut(r->a, desc, 200), "content", desc, "channel",
                           "visit", "customer_id", (json_int_t)flow_rec_int(rec, "customer_id"));
    arena_defer(r->a, (void (*)(void *))json_decref, in);
    if (flow_rec_int(rec, "contact_id")) json_object_set(in, "contact_id", json_object_get(rec, "contact_id"));
    if (cmp)
        json_object_set_new(in, "feedback_kind", json_string("complaint"));
    else
        json_object_set_new(in, "kind", ticket_kind ? json_incref(ticket_kind) : json_string("onsite_support"));
    if (entity_create_row(r, to, in, made, e) < 0) return -1;
    if (link_make(r, visits_entity.name, id, to->name, *made, "raised", NULL, e) < 0) return -1;
    Stmt *st = db_prepare(r->db, cmp ? "UPDATE visit_findings SET complaint_id = ?1 WHERE id = ?2 AND parent_id = ?3"
                                     : "UPDATE visit_findings SET ticket_id = ?1 WHERE id = ?2 AND parent_id = ?3");
    if (!st) return flow_db_error(r, e, "visit finding");
    db_bind_int64(st, 1, *made);
    db_bind_int64(st, 2, line);
    db_bind_int64(st, 3, id);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0) return flow_db_error(r, e, "visit finding");
    json_t *vals = json_pack("{s:I}", cmp ? "complaint_id" : "ticket_id", (json_int_t)*made);
    json_t *changes = json_pack("{s:[n,o]}", arena_printf(r->a, "findings[%zu]", i), vals);
    if (audit_write(r, visits_entity.name, id, "raise", changes) < 0) return flow_db_error(r, e, "visit audit");
    return 0;
}

static int finding_raise(Req *r, Err *e) {
    int64_t id, line;
    if (req_param_id(r, 0, &id, e) < 0 || req_param_id(r, 1, &line, e) < 0) return -1;
    json_t *body = req_json(r, e), *rec = body ? visit_writable(r, id, e) : NULL;
    if (!rec) return -1;
    json_t *ver = json_object_get(body, "version");
    if (!json_is_integer(ver)) return err_set(e, 400, EC_VERSION, "version", NULL);
    if (json_integer_value(ver) != flow_rec_int(rec, "version")) return err_set(e, 409, EC_CONFLICT, NULL, NULL);
    size_t i;
    json_t *f = line_of(rec, "findings", line, &i);
    if (!f) return err_set(e, 404, EC_REC_NOT_FOUND, "line", NULL);
    const char *kind = flow_rec_str(f, "kind");
    bool cmp = !strcmp(kind, "complaint");
    if (!cmp && strcmp(kind, "service")) {
        err_set(e, 409, EC_VIS_FINDING_KIND, arena_printf(r->a, "findings[%zu].kind", i), "%s",
                label_for(r->locale, finding_kinds[2].zh, finding_kinds[2].tw, finding_kinds[2].en));
        e->label = field_label(r, &finding_fields[0]);
        return -1;
    }
    const Entity *to = entity_find(cmp ? "complaints" : "service_tickets");
    if (!to) return err_set(e, 404, EC_NOT_FOUND, NULL, NULL);
    if (flow_rec_int(f, "complaint_id") || flow_rec_int(f, "ticket_id"))
        return err_set(e, 409, EC_VIS_RAISED, arena_printf(r->a, "findings[%zu]", i), "%s",
                       label_for(r->locale, to->zh, to->tw, to->en));
    if (!entity_can_write(to, r->user)) return err_set(e, 403, EC_FORBIDDEN, NULL, NULL);
    json_t *tk = json_object_get(body, "ticket_kind");
    int64_t made;
    if (finding_make(r, rec, i, to, json_is_null(tk) ? NULL : tk, &made, e) < 0) return -1;
    json_t *out = entity_load(r, &visits_entity, id, e);
    if (!out) return -1;
    row_finish(r, &visits_entity, out);
    return reply_json(r, 201, json_pack("{s:s, s:I, s:o}", "entity", to->name, "id", (json_int_t)made, "visit", out));
}

/* ---------------------------------------------------------------- periodic reviews */

static const Field review_fields[] = {
    {"period_start", FT_DATE, F_REQUIRED | F_LIST | F_SORT | F_FILTER, 0, 0, NULL, NULL, NULL, "期间开始", "期間開始",
     "Period start"},
    {"period_end", FT_DATE, F_REQUIRED | F_LIST, 0, 0, NULL, NULL, NULL, "期间结束", "期間結束", "Period end"},
    {"visit_count", FT_INT, F_READONLY | F_LIST, 0, 0, NULL, NULL, NULL, "评审的回访记录数", "評審的回訪記錄數",
     "Visit records reviewed"},
    {"conclusion", FT_LONGTEXT, F_REQUIRED | F_SEARCH, 1, 4000, NULL, NULL, NULL, "评审结论", "評審結論", "Conclusion"},
    {"actions", FT_LONGTEXT, 0, 0, 4000, NULL, NULL, NULL, "改进要求", "改進要求", "Actions required"},
    {NULL},
};

/* before_save of a review: the period is ordered; it counts the visit records (not drafts) of
   the reviewer's unit subtree in the period. */
static int review_check(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    (void)old;
    const char *from = flow_rec_str(rec, "period_start"), *to = flow_rec_str(rec, "period_end");
    if (day_of(to) < day_of(from))
        return visit_fail(r, e, 400, EC_RANGE, "period_end", entity_field(en, "period_end"), from);
    Buf sql;
    buf_init(&sql, r->a);
    buf_puts(&sql, "SELECT COUNT(*) FROM visits t WHERE t.deleted_at IS NULL AND t.state <> 'draft'"
                   " AND t.visit_date >= ?1 AND t.visit_date <= ?2 AND ");
    entity_visibility_sql(&visits_entity, r->user, &sql, 3);
    Stmt *st = db_prepare(r->db, sql.p);
    if (!st) return flow_db_error(r, e, "review count");
    db_bind_text(st, 1, from, -1);
    db_bind_text(st, 2, to, -1);
    entity_visibility_bind(&visits_entity, r->user, st, 3);
    int rc = db_step(st);
    if (rc == DB_ROW) json_object_set_new(rec, "visit_count", json_integer(db_col_int64(st, 0)));
    db_done(st);
    return rc == DB_ROW ? 0 : flow_db_error(r, e, "review count");
}

static const Entity reviews_entity = {
    .name = "visit_reviews",
    .table = "visit_reviews",
    .zh = "回访记录评审",
    .tw = "回訪記錄評審",
    .en = "Visit reviews",
    .fields = review_fields,
    .vis = VIS_OWNER,
    .read_roles = REVIEW_ROLES,
    .write_roles = REVIEW_ROLES,
    .default_sort = "-period_start",
    .title_field = "period_start",
    .before_save = review_check,
    .tag = "visits",
    .few_rows = true,
};

/* ---------------------------------------------------------------- metrics (R-VIS-6, SPEC §6) */

/* The scope of a metric: one rep (owner of the records / responsible rep of the items), or the
   org unit subtree whose path is given, or everything (admin without a scope). */
typedef struct Scope {
    int64_t rep_id;   /* 0: no rep */
    const char *path; /* unit path "/1/4/" or NULL */
} Scope;

/* The org path of unit id (arena), or NULL: 1 found, 0 none, -1 error. */
static int unit_path(Req *r, int64_t unit, const char **path) {
    Stmt *st = db_prepare(r->db, "SELECT path FROM org_units WHERE id = ?1");
    if (!st) return -1;
    db_bind_int64(st, 1, unit);
    int rc = db_step(st);
    if (rc == DB_ROW) *path = arena_strdup(r->a, db_col_text(st, 0));
    db_done(st);
    return rc < 0 ? -1 : rc == DB_ROW;
}

/* Is the path inside the user's own unit subtree (admin: always)? */
static bool path_mine(Req *r, const char *path) {
    if (r->user->roles & RB(ADMIN)) return true;
    const char *mine = r->user->org_path;
    return mine && path && !strncmp(path, mine, strlen(mine));
}

/* The scope the query asks for, checked: a rep sees their own figures only; a manager a rep
   or unit inside their unit subtree (default: their own unit). 0, or -1 with e. */
static int metric_scope(Req *r, Scope *s, Err *e) {
    memset(s, 0, sizeof *s);
    const char *rep = req_query(r, "rep_id"), *unit = req_query(r, "unit_id");
    bool managing = (r->user->roles & (ROLES_MANAGING | RB(ADMIN))) != 0;
    if (rep && *rep) {
        char *end;
        long long v = strtoll(rep, &end, 10);
        if (*end || v <= 0) return err_set(e, 400, EC_BAD_QUERY, "rep_id", "id");
        s->rep_id = v;
        if (v == r->user->id) return 0;
        if (!managing) return err_set(e, 403, EC_FORBIDDEN, NULL, NULL);
        Stmt *st =
            db_prepare(r->db, "SELECT o.path FROM users u JOIN org_units o ON o.id = u.org_unit_id WHERE u.id = ?1");
        if (!st) return flow_db_error(r, e, "metric scope");
        db_bind_int64(st, 1, v);
        int rc = db_step(st);
        const char *p = rc == DB_ROW ? arena_strdup(r->a, db_col_text(st, 0)) : NULL;
        db_done(st);
        if (rc < 0) return flow_db_error(r, e, "metric scope");
        if (!path_mine(r, p)) return err_set(e, 403, EC_FORBIDDEN, NULL, NULL);
        return 0;
    }
    if (!managing) {
        s->rep_id = r->user->id;
        return 0;
    }
    if (unit && *unit) {
        char *end;
        long long v = strtoll(unit, &end, 10);
        if (*end || v <= 0) return err_set(e, 400, EC_BAD_QUERY, "unit_id", "id");
        int rc = unit_path(r, v, &s->path);
        if (rc < 0) return flow_db_error(r, e, "metric scope");
        if (rc == 0) return err_set(e, 400, EC_BAD_QUERY, "unit_id", "id");
        if (!path_mine(r, s->path)) return err_set(e, 403, EC_FORBIDDEN, NULL, NULL);
        return 0;
    }
    if (!(r->user->roles & RB(ADMIN))) s->path = r->user->org_path;
    return 0;
}

/* Append the scope's condition on a rep column and an org unit column; binds from ?n. */
static void scope_sql(Buf *sql, const Scope *s, const char *rep_col, const char *unit_col, int n) {
    if (s->rep_id)
        buf_printf(sql, " AND %s = ?%d", rep_col, n);
    else if (s->path)
        buf_printf(sql, " AND %s IN (SELECT id FROM org_units WHERE path LIKE ?%d || '%%')", unit_col, n);
}
static void scope_bind(Stmt *st, const Scope *s, int n) {
    if (s->rep_id)
        db_bind_int64(st, n, s->rep_id);
    else if (s->path)
        db_bind_text(st, n, s->path, -1);
}

/* Run a query of two integer columns over a period given as ?1 and ?2 (texts or integers) in the
   scope (rep and unit columns named, bound from ?3) into out. 0, or -1 on a database error. */
static int metric_pair(Req *r, const Scope *s, const char *head, const char *rep_col, const char *unit_col,
                       json_t *from, json_t *to, int64_t out[2]) {
    Buf sql;
    buf_init(&sql, r->a);
    buf_puts(&sql, head);
    scope_sql(&sql, s, rep_col, unit_col, 3);
    Stmt *st = db_prepare(r->db, sql.p);
    if (!st) return -1;
    json_t *p[2] = {from, to};
    for (int i = 0; i < 2; i++)
        if (json_is_integer(p[i]))
            db_bind_int64(st, i + 1, json_integer_value(p[i]));
        else
            db_bind_text(st, i + 1, json_string_value(p[i]), -1);
    scope_bind(st, s, 3);
    int rc = db_step(st);
    if (rc == DB_ROW) out[0] = db_col_int64(st, 0), out[1] = db_col_int64(st, 1);
    db_done(st);
    return rc == DB_ROW ? 0 : -1;
}

/* metric_pair over the dates [from, to] (texts "YYYY-MM-DD"). */
static int metric_dates(Req *r, const Scope *s, const char *head, const char *rep_col, const char *unit_col,
                        const char *from, const char *to, int64_t out[2]) {
    json_t *a = json_string(from), *b = json_string(to);
    int rc = metric_pair(r, s, head, rep_col, unit_col, a, b, out);
    json_decref(a);
    json_decref(b);
    return rc;
}

/* Complaint handling over the local days [from, to] (SPEC §6): out[0] = complaints whose closure
   deadline (the due time of their latest "closure" clock run, complaints.c) falls in the period,
   out[1] = those of them closed by it. Scope: the complaint's owner or unit. */
static int metric_complaints(Req *r, const Scope *s, int64_t from, int64_t to, int64_t out[2]) {
    static const char zSql[] =
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN t.state = 'closed' AND d.stopped_at IS NOT NULL"
        " AND d.stopped_at <= d.due_at THEN 1 ELSE 0 END), 0)\n"
        " FROM complaints t JOIN deadline_clocks d ON d.id = (SELECT MAX(x.id) FROM deadline_clocks x"
        " WHERE x.entity = 'complaints' AND x.row_id = t.id AND x.clock = 'closure')"
        " WHERE t.deleted_at IS NULL AND d.due_at >= ?1 AND d.due_at < ?2";
    int tz = company_tz(r), y, m, d;
    civil_from_days(from, &y, &m, &d);
    json_t *a = json_integer(epoch_of_date(y, m, d, tz));
    civil_from_days(to + 1, &y, &m, &d);
    json_t *b = json_integer(epoch_of_date(y, m, d, tz));
    int rc = metric_pair(r, s, zSql, "t.owner_id", "t.org_unit_id", a, b, out);
    json_decref(a);
    json_decref(b);
    return rc;
}

/* Plan completion over [from, to]: out[0] = items of approved or closed plans planned in the
   period, out[1] = those a visit record (not a draft) completes within its plan's period. */
static int metric_completion(Req *r, const Scope *s, const char *from, const char *to, int64_t out[2]) {
    static const char zSql[] =
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN EXISTS (SELECT 1 FROM visits v WHERE v.plan_item_id = i.id"
        " AND v.deleted_at IS NULL AND v.state <> 'draft' AND v.visit_date >= p.period_start"
        " AND v.visit_date <= p.period_end) THEN 1 ELSE 0 END), 0)\n"
        " FROM visit_plan_items i JOIN visit_plans p ON p.id = i.parent_id"
        " WHERE p.deleted_at IS NULL AND p.state IN ('approved', 'closed')"
        " AND i.planned_on >= ?1 AND i.planned_on <= ?2";
    return metric_dates(r, s, zSql, "COALESCE(i.rep_id, p.owner_id)", "p.org_unit_id", from, to, out);
}

/* Satisfaction over [from, to] (SPEC §6: survey responses and visit ratings): out[0] = the sum of
   the visit records' satisfaction (mean × 100 of the four ratings; records that are not drafts and
   have all four) and of the answered survey responses' overall scores (× 100), out[1] = how many. */
static int metric_satisfaction(Req *r, const Scope *s, const char *from, const char *to, int64_t out[2]) {
    static const char zVisits[] =
        "SELECT COALESCE(SUM(t.satisfaction_x100), 0), COUNT(*) FROM visits t WHERE t.deleted_at IS NULL"
        " AND t.state <> 'draft' AND t.satisfaction_x100 IS NOT NULL AND t.visit_date >= ?1 AND t.visit_date <= ?2";
    static const char zSurveys[] =
        "SELECT COALESCE(SUM(t.overall_x100), 0), COUNT(*) FROM survey_responses t WHERE t.deleted_at IS NULL"
        " AND t.overall_x100 IS NOT NULL AND t.answered_on >= ?1 AND t.answered_on <= ?2";
    int64_t v[2] = {0}, q[2] = {0};
    if (metric_dates(r, s, zVisits, "t.owner_id", "t.org_unit_id", from, to, v) < 0 ||
        metric_dates(r, s, zSurveys, "t.owner_id", "t.org_unit_id", from, to, q) < 0)
        return -1;
    out[0] = v[0] + q[0];
    out[1] = v[1] + q[1];
    return 0;
}

/* a / b in basis points rounded half away from zero, or JSON null when b is 0. */
static json_t *ratio_bp(int64_t a, int64_t b) {
    if (!b) return json_null();
    int64_t q;
    if (money_muldiv(a, 10000, 1, b, &q) < 0) return json_null();
    return json_integer(q);
}

/* mean × 100 of a sum of (× 100) scores over n, rounded, or null. */
static json_t *mean_x100(int64_t sum, int64_t n) {
    if (!n) return json_null();
    int64_t q;
    if (money_muldiv(sum, 1, 1, n, &q) < 0) return json_null();
    return json_integer(q);
}

/*
** GET /api/v1/visits/metrics?from=YYYY-MM-DD&to=YYYY-MM-DD[&rep_id=|&unit_id=]   roles: visit roles
** The visit metrics of SPEC §6 for a rep (their own for a rep), or a manager's unit subtree, over a
** period; the previous period is as long and ends the day before `from`. Ratios in basis points,
** satisfaction as mean × 100 (1–5 scale), each with its formula and the counts behind it.
** 200 {"from","to","previous":{"from","to"},"scope":{"rep_id","unit_path"},
**      "plan_completion":{"rate_bp","visited","due","formula"},
**      "satisfaction":{"current_x100","previous_x100","current_n","previous_n","improvement_bp","formula"},
**      "complaint_handling":{"available":false,"formula","note"} }
** | 400 request.bad_query | 403 a scope outside the user's own
*/
static int visit_metrics(Req *r, Err *e) {
    int64_t from, to;
    if (query_date(r, "from", &from, e) < 0 || query_date(r, "to", &to, e) < 0) return -1;
    if (to < from) return err_set(e, 400, EC_BAD_QUERY, "to", ">= from");
    Scope s;
    if (metric_scope(r, &s, e) < 0) return -1;
    int64_t len = to - from + 1;
    const char *f = date_text(r->a, from), *t = date_text(r->a, to);
    const char *pf = date_text(r->a, from - len), *pt = date_text(r->a, from - 1);
    int64_t plan[2] = {0}, cur_s[2] = {0}, prev_s[2] = {0};
    if (metric_completion(r, &s, f, t, plan) < 0 || metric_satisfaction(r, &s, f, t, cur_s) < 0 ||
        metric_satisfaction(r, &s, pf, pt, prev_s) < 0)
        return flow_db_error(r, e, "visit metrics");
    int64_t due = plan[0], done = plan[1], cs = cur_s[0], cn = cur_s[1], ps = prev_s[0], pn = prev_s[1];
    json_t *cur = mean_x100(cs, cn), *prev = mean_x100(ps, pn);
    json_t *impr = json_is_integer(cur) && json_is_integer(prev)
                       ? ratio_bp(json_integer_value(cur) - json_integer_value(prev), json_integer_value(prev))
                       : json_null();
    json_t *out = json_object();
    json_object_set_new(out, "from", json_string(f));
    json_object_set_new(out, "to", json_string(t));
    json_object_set_new(out, "previous", json_pack("{s:s, s:s}", "from", pf, "to", pt));
    json_object_set_new(out, "scope",
                        json_pack("{s:o, s:o}", "rep_id", s.rep_id ? json_integer(s.rep_id) : json_null(), "unit_path",
                                  s.path ? json_string(s.path) : json_null()));
    json_object_set_new(out, "plan_completion",
                        json_pack("{s:o, s:I, s:I, s:s}", "rate_bp", ratio_bp(done, due), "visited", (json_int_t)done,
                                  "due", (json_int_t)due, "formula",
                                  label_for(r->locale, "按期完成的计划回访项 ÷ 期内应完成的计划回访项",
                                            "按期完成的計畫回訪項 ÷ 期內應完成的計畫回訪項",
                                            "plan items visited within their window ÷ plan items due in the period")));
    json_object_set_new(
        out, "satisfaction",
        json_pack(
            "{s:o, s:o, s:I, s:I, s:o, s:s}", "current_x100", cur, "previous_x100", prev, "current_n", (json_int_t)cn,
            "previous_n", (json_int_t)pn, "improvement_bp", impr, "formula",
            label_for(r->locale,
                      "（本期满意度 − 上期满意度）÷ 上期满意度；满意度 = 期内调查答卷总分与回访评分的平均值（1–5）",
                      "（本期滿意度 − 上期滿意度）÷ 上期滿意度；滿意度 = 期內調查答卷總分與回訪評分的平均值（1–5）",
                      "(satisfaction this period − previous period) ÷ previous period; satisfaction = mean "
                      "overall score of survey responses and visit ratings in the period (1–5)")));
    const char *cformula =
        label_for(r->locale, "期限内关闭的投诉 ÷ 期限落在本期的投诉", "期限內關閉的投訴 ÷ 期限落在本期的投訴",
                  "complaints closed within their deadline ÷ complaints whose deadline falls in the period");
    int64_t cmp[2] = {0};
    if (!entity_find("complaints")) /* a build without the complaints module */
        json_object_set_new(out, "complaint_handling",
                            json_pack("{s:b, s:s, s:s}", "available", 0, "formula", cformula, "note",
                                      label_for(r->locale, "投诉模块尚未启用，暂无数据", "投訴模組尚未啟用，暫無資料",
                                                "The complaints module is not installed: no figure")));
    else if (metric_complaints(r, &s, from, to, cmp) < 0) {
        json_decref(out);
        return flow_db_error(r, e, "visit metrics");
    } else
        json_object_set_new(out, "complaint_handling",
                            json_pack("{s:b, s:o, s:I, s:I, s:s}", "available", 1, "rate_bp", ratio_bp(cmp[1], cmp[0]),
                                      "closed_in_time", (json_int_t)cmp[1], "due", (json_int_t)cmp[0], "formula",
                                      cformula));
    return reply_json(r, 200, out);
}

/* ---------------------------------------------------------------- registration */

void visits_register(void) {
    static const Route routes[] = {
        {"GET", "/api/v1/visit_plans/suggestions", plan_suggestions, 0, PLAN_WRITERS,
         "Customers due for a visit in a period, from their visit frequency and last visit", "visits"},
        {"POST", "/api/v1/visits/:id/check_in", visit_check_in, R_WRITE, VISIT_ROLES,
         "On-site check-in: arrival time and the browser's position", "visits"},
        {"GET", "/api/v1/visits/metrics", visit_metrics, 0, VISIT_ROLES,
         "Plan completion, satisfaction improvement and complaint handling for a rep or unit", "visits"},
        {"POST", "/api/v1/visits/:id/findings/:line/raise", finding_raise, R_WRITE, VISIT_ROLES,
         "A visit's finding becomes a complaint or a service ticket, linked both ways", "visits"},
        {"POST", "/api/v1/visit_plans/:id/items/:line/confirm", item_confirm, R_WRITE, PLAN_READERS,
         "An on-site plan item confirmed with the customer (the day before)", "visits"},
    };
    static const Job job = {"visit_confirmations", 3600, confirm_job};
    scheduler_add(&job);
    routes_add(routes, (int)(sizeof routes / sizeof routes[0]));
    settings_declare(visit_settings, (int)(sizeof visit_settings / sizeof visit_settings[0]));
    static const LinkKind links[] = {
        {"raised", "visits", NULL, "转为", "轉為", "Raised as", "源自回访", "源自回訪", "Raised from the visit"},
    };
    link_kinds_declare(links, 1);
    entity_register(&plans_entity);
    entity_register(&visits_entity);
    entity_register(&reviews_entity);
}

/* ---------------------------------------------------------------- demo */

int visits_demo_user(Req *r, const char *username) {
    int64_t id = demo_user_named(r->db, username);
    User *u = NULL;
    if (id <= 0 || auth_user_by_id(r->db, r->a, id, &u) != 1) return -1;
    r->user = u;
    r->locale = "zh-CN";
    return 0;
}

/* First and last local day of the month holding day, moved by `months`. */
static void month_of(int64_t day, int months, int64_t *first, int64_t *last) {
    int y, m, d;
    civil_from_days(day, &y, &m, &d);
    int mm = m - 1 + months;
    y += mm < 0 ? -1 : mm / 12;
    m = (mm % 12 + 12) % 12 + 1;
    *first = days_from_civil(y, m, 1);
    *last = add_months(*first, 1) - 1;
}

/* The customers of the demo's 华东 reps: ids and the owners' user names. Count, or -1. */
static int demo_customers(Req *r, int64_t *ids, const char **owners, int max) {
    Stmt *st = db_prepare(r->db, "SELECT c.id, u.username FROM customers c JOIN users u ON u.id = c.owner_id"
                                 " JOIN org_units o ON o.id = u.org_unit_id WHERE o.code LIKE 'EAST%'"
                                 " AND c.deleted_at IS NULL ORDER BY c.id");
    if (!st) return -1;
    int n = 0, rc;
    while ((rc = db_step(st)) == DB_ROW && n < max) {
        ids[n] = db_col_int64(st, 0);
        owners[n++] = arena_strdup(r->a, db_col_text(st, 1));
    }
    db_done(st);
    return rc < 0 ? -1 : n;
}

/* A plan for [first, last] made by the 华东 manager with the customer-service specialist, one
   item per customer every third day, each for the customer's owner. 0 with *id, or -1. */
static int demo_plan(Req *r, const char *title, int64_t first, int64_t last, const int64_t *cust, const char **owners,
                     int n, int64_t *id, Err *e) {
    json_t *items = json_array();
    Req q = *r;
    for (int i = 0; i < n; i++) {
        int64_t day = first + (3 * i + 2) % (last - first + 1);
        if (visits_demo_user(&q, owners[i]) < 0) {
            json_decref(items);
            return -1;
        }
        json_array_append_new(items, json_pack("{s:I, s:s, s:s, s:I, s:s}", "customer_id", (json_int_t)cust[i],
                                               "planned_on", date_text(r->a, day), "method",
                                               i % 3 ? "phone" : "on_site", "rep_id", (json_int_t)q.user->id, "content",
                                               i % 2 ? "设备运行情况与备件需求回访" : "交付后使用培训效果回访"));
    }
    if (visits_demo_user(&q, "he.ping") < 0 || visits_demo_user(r, "li.qiang") < 0) {
        json_decref(items);
        return -1;
    }
    json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:o, s:s}", "title", title, "scope", "region", "region",
                           "华东", "period_start", date_text(r->a, first), "period_end", date_text(r->a, last),
                           "drafted_by", (json_int_t)q.user->id, "items", items, "note",
                           "按客户等级的回访频率与上次回访日期生成，客服专员协助起草");
    int rc = entity_create_row(r, &plans_entity, in, id, e);
    json_decref(in);
    return rc;
}

/* Submit plan as its manager (the 7-day rule stamped at `at`) and open its approval; then, when
   signer is given, sign it as them. 0, or -1. */
static int demo_plan_submit(Req *r, int64_t id, int64_t at, const char *signer, Err *e) {
    json_t *rec = entity_load(r, &plans_entity, id, e);
    if (!rec) return -1;
    int64_t now = r->now;
    r->now = at;
    int rc = plan_submit(r, &plans_entity, rec, e);
    r->now = now;
    if (rc == 0) rc = flow_set_state(r, &plans_entity, rec, "pending_approval", e);
    if (rc == 0) rc = flow_open_round(r, &plans_entity, rec, &plan_approval, e);
    json_decref(rec);
    if (rc < 0 || !signer) return rc;
    if (visits_demo_user(r, signer) < 0 || !(rec = entity_load(r, &plans_entity, id, e))) return -1;
    rc = flow_sign(r, &plans_entity, rec, true, "同意，按计划执行", e);
    json_decref(rec);
    return rc;
}

/* The item ids of a plan in order (at most max). Count, or -1. */
static int demo_items(Req *r, int64_t plan, int64_t *items, int max) {
    Stmt *st = db_prepare(r->db, "SELECT id FROM visit_plan_items WHERE parent_id = ?1 ORDER BY idx");
    if (!st) return -1;
    db_bind_int64(st, 1, plan);
    int n = 0, rc;
    while ((rc = db_step(st)) == DB_ROW && n < max)
        items[n++] = db_col_int64(st, 0);
    db_done(st);
    return rc < 0 ? -1 : n;
}

/* A visit record made by the request's user from in, submitted to the manager (with its effect);
   acknowledged by the 华东 manager when ack. 0, or -1. */
static int demo_visit(Req *r, json_t *in, bool submit, bool ack, int64_t *id, Err *e) {
    if (entity_create_row(r, &visits_entity, in, id, e) < 0) return -1;
    if (!submit) return 0;
    json_t *rec = entity_load(r, &visits_entity, *id, e);
    if (!rec) return -1;
    int rc = flow_set_state(r, &visits_entity, rec, "submitted", e);
    if (rc == 0) rc = flow_open_round(r, &visits_entity, rec, &visit_approval, e);
    if (rc == 0) rc = visit_market_to_competitors(r, &visits_entity, rec, e);
    json_decref(rec);
    if (rc < 0 || !ack) return rc;
    Req m = *r;
    if (visits_demo_user(&m, "li.qiang") < 0 || !(rec = entity_load(&m, &visits_entity, *id, e))) return -1;
    rc = flow_sign(&m, &visits_entity, rec, true, "已阅，按结果跟进", e);
    json_decref(rec);
    return rc;
}

int visits_demo(Db *db, int64_t now, char *err, size_t errlen) {
    Req r;
    job_req_init(&r, db, now);
    Err e = {0};
    int rc = -1, n;
    int64_t cust[10], items[10], first, last, nfirst, nlast, plan, next, id;
    const char *owners[10];
    char today_s[11];
    date_of_epoch(now, company_tz(&r), today_s);
    int64_t today = day_of(today_s);
    month_of(today, -1, &first, &last);
    month_of(today, 1, &nfirst, &nlast);
    if ((n = demo_customers(&r, cust, owners, 10)) < 4) { /* not the standard demo company */
        rc = n < 0 ? -1 : 0;
        goto out;
    }
    /* last month's plan, submitted nine days ahead and approved by the deputy director */
    if (demo_plan(&r, "上月华东大区客户回访计划", first, last, cust, owners, n, &plan, &e) < 0 ||
        demo_plan_submit(&r, plan, epoch_of_date(1970, 1, 1, company_tz(&r)) + (first - 9) * 86400 + 36000, "sun.li",
                         &e) < 0 ||
        demo_items(&r, plan, items, n) != n)
        goto out;
    /* its visits, all but the last three; half acknowledged by the manager */
    static const int ratings[][4] = {{5, 5, 4, 5}, {4, 4, 4, 3}, {3, 4, 2, 3}, {5, 4, 5, 4}, {2, 3, 2, 2},
                                     {4, 5, 4, 4}, {4, 4, 3, 4}, {5, 5, 5, 5}, {3, 3, 3, 4}, {4, 3, 4, 4}};
    for (int i = 0; i < n - 3; i++) {
        int64_t day = first + (3 * i + 2) % (last - first + 1);
        json_t *in = json_pack(
            "{s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:i, s:i, s:i, s:s}", "customer_id",
            (json_int_t)cust[i], "plan_item_id", (json_int_t)items[i], "visited_at",
            (json_int_t)(epoch_of_date(1970, 1, 1, company_tz(&r)) + day * 86400 + 3600 * (9 + i % 6)), "method",
            i % 3 ? "phone" : "on_site", "participants", "我方：销售代表、客服专员；客户：设备科负责人", "basic_info",
            "去年采购变频器与控制柜，已运行约一年，两班制使用", "needs_current", "补充易损件备件，希望缩短到货周期",
            "product_usage", i == 4 ? "控制柜散热风扇两次故障，已更换，效果一般" : "运行稳定，操作人员已熟练", "result",
            i == 4 ? "客户不满意故障处理速度，已转服务部门跟进" : "客户总体满意，下季度有扩产计划", "rating_quality",
            ratings[i][0], "rating_attitude", ratings[i][1], "rating_speed", ratings[i][2], "rating_solving",
            ratings[i][3], "complaints_raised", i == 4 ? "备件到货慢，现场服务响应超过 48 小时" : "");
        if (i == 4)
            json_object_set_new(in, "findings",
                                json_pack("[{s:s, s:s, s:s}]", "kind", "service", "department", "service",
                                          "description", "散热风扇备件库存不足，响应超时"));
        if (i == 2)
            json_object_set_new(in, "market",
                                json_pack("[{s:s, s:s, s:s, s:s}]", "competitor", "汇川技术", "products",
                                          "MD500 系列变频器", "price_level", "lower", "note", "报价低约 8%，交期两周"));
        int vr = visits_demo_user(&r, owners[i]) < 0 ? -1 : demo_visit(&r, in, true, i % 2 == 0, &id, &e);
        json_decref(in);
        if (vr == 0 && i == 4 && entity_find("service_tickets")) { /* the finding became a repair ticket */
            json_t *rec = entity_load(&r, &visits_entity, id, &e), *kind = json_string("repair");
            int64_t made;
            vr = rec ? finding_make(&r, rec, 0, entity_find("service_tickets"), kind, &made, &e) : -1;
            json_decref(kind);
            json_decref(rec);
        }
        if (vr < 0) goto out;
    }
    /* next month's plan, waiting for approval (late when next month starts within the lead days) */
    if (demo_plan(&r, "下月华东大区客户回访计划", nfirst, nlast, cust, owners, n, &next, &e) < 0 ||
        demo_plan_submit(&r, next, now, NULL, &e) < 0)
        goto out;
    /* an on-site visit this morning at a customer's plant, checked in, still a draft */
    json_t *in =
        json_pack("{s:I, s:I, s:s, s:s}", "customer_id", (json_int_t)cust[0], "visited_at", (json_int_t)(now - 1800),
                  "method", "on_site", "participants", "我方：销售代表；客户：生产经理");
    int vr = visits_demo_user(&r, owners[0]) < 0 ? -1 : demo_visit(&r, in, false, false, &id, &e);
    json_decref(in);
    json_t *rec = vr < 0 ? NULL : entity_load(&r, &visits_entity, id, &e);
    if (!rec) goto out;
    json_t *vals = json_pack("{s:I, s:I, s:I, s:I}", "arrived_at", (json_int_t)(now - 1800), "lat_e6",
                             (json_int_t)31298886, "lng_e6", (json_int_t)120585316, "accuracy_m", (json_int_t)15);
    vr = entity_update_fields(&r, &visits_entity, rec, vals, "check_in", &e);
    json_decref(vals);
    json_decref(rec);
    if (vr < 0) goto out;
    /* the deputy director's review of last month's records */
    in = json_pack("{s:s, s:s, s:s, s:s}", "period_start", date_text(r.a, first), "period_end", date_text(r.a, last),
                   "conclusion", "回访记录基本完整；故障类问题需在 24 小时内转服务部门", "actions",
                   "下月起现场回访须签到并附现场照片");
    vr = visits_demo_user(&r, "sun.li") < 0 ? -1 : entity_create_row(&r, &reviews_entity, in, &id, &e);
    json_decref(in);
    if (vr < 0) goto out;
    rc = 0;
out:
    if (rc < 0) snprintf(err, errlen, "demo visits: %s %s", e.code ? e.code : "", e.detail);
    job_req_done(&r);
    return rc;
}
