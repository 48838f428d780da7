/*
** sales_plans.c — sales plans and quotas (销售计划/销售定额, R-CUS-8):
** yearly, quarterly and monthly targets (amount, volume, new customers) for
** an org unit or one rep, allocated top-down: a child plan covers its
** parent's period, lies in its parent's unit, and the children together
** never exceed the parent. GET …/allocation shows a plan, its children and
** what is left to allocate.
*/
#include <string.h>

#include "../core/errcodes.h"
#include "../flow/flow.h"
#include "../model/model.h"
#include "modules.h"

/* Who reads plans (a rep sees the quotas they own) and who writes them. */
#define PLAN_READERS (ROLES_MANAGING | RB(SALES_REP))
#define PLAN_WRITERS (RB(SALES_MANAGER) | RB(SALES_DIRECTOR) | RB(DEPUTY_DIRECTOR) | RB(GM))

static const EnumVal period_kinds[] = {
    {"year", "年度", "年度", "Year"},
    {"quarter", "季度", "季度", "Quarter"},
    {"month", "月度", "月度", "Month"},
    {NULL},
};

static const Field plan_fields[] = {
    {"period_kind", FT_ENUM, F_REQUIRED | F_LIST | F_FILTER | F_CREATE_ONLY, 0, 0, period_kinds, NULL, NULL, "期间类型",
     "期間類型", "Period"},
    {"period_start", FT_DATE, F_REQUIRED | F_LIST | F_FILTER | F_SORT | F_CREATE_ONLY, 0, 0, NULL, NULL, NULL,
     "期间开始", "期間開始", "Period start"},
    {"plan_unit_id", FT_REF, F_REQUIRED | F_LIST | F_FILTER | F_CREATE_ONLY, 0, 0, NULL, "org_units", NULL, "计划单位",
     "計畫單位", "Unit"},
    {"rep_id", FT_REF, F_LIST | F_FILTER | F_CREATE_ONLY | F_REF_KEEP, 0, 0, NULL, "users", NULL, "销售代表",
     "銷售代表", "Rep"},
    {"parent_plan_id", FT_REF, F_LIST | F_FILTER | F_CREATE_ONLY, 0, 0, NULL, "sales_plans", NULL, "上级计划",
     "上級計畫", "Allocated from"},
    {"target_amount", FT_MONEY, F_LIST | F_SORT, 0, 100000000000000, NULL, NULL, "0", "销售额目标", "銷售額目標",
     "Amount target"},
    {"target_volume", FT_INT, F_LIST | F_SORT, 0, 1000000000, NULL, NULL, "0", "销量目标", "銷量目標", "Volume target"},
    {"target_new_customers", FT_INT, F_LIST | F_SORT, 0, 1000000, NULL, NULL, "0", "新客户目标", "新客戶目標",
     "New customers target"},
    {"note", FT_LONGTEXT, F_SEARCH, 0, 2000, NULL, NULL, NULL, "说明", "說明", "Note"},
    {NULL},
};

/* The three targets, in the order the checks name them. */
static const char *const targets[3] = {"target_amount", "target_volume", "target_new_customers"};

/* ---------------------------------------------------------------- checks */

/* Fill e with a 400 code on field (labelled), detail as given. */
static int plan_fail(Req *r, Err *e, const char *code, const char *field, const char *detail) {
    err_set(e, 400, code, field, "%s", detail ? detail : "");
    for (const Field *f = plan_fields; f->name; f++)
        if (!strcmp(f->name, field)) e->label = field_label(r, f);
    return -1;
}

/* Is unit inside (or equal to) the unit `top`? 1 yes, 0 no, -1 error. */
static int unit_within(Req *r, int64_t unit, int64_t top) {
    static const char zSql[] =
        "SELECT 1 FROM org_units u JOIN org_units t ON t.id = ?2 WHERE u.id = ?1 AND u.path LIKE t.path || '%'";
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return -1;
    db_bind_int64(st, 1, unit);
    db_bind_int64(st, 2, top);
    int rc = db_step(st);
    db_done(st);
    return rc < 0 ? -1 : rc == DB_ROW;
}

/* Sums of the targets of the live children of plan, except the row `except`. */
static int children_sum(Req *r, int64_t plan, int64_t except, int64_t sum[3]) {
    static const char zSql[] =
        "SELECT CAST(COALESCE(SUM(target_amount), 0) AS BIGINT), CAST(COALESCE(SUM(target_volume), 0) AS BIGINT),\n"
        " CAST(COALESCE(SUM(target_new_customers), 0) AS BIGINT)\n"
        " FROM sales_plans WHERE parent_plan_id = ?1 AND id <> ?2 AND deleted_at IS NULL";
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return -1;
    db_bind_int64(st, 1, plan);
    db_bind_int64(st, 2, except);
    int rc = db_step(st);
    for (int i = 0; i < 3; i++)
        sum[i] = rc == DB_ROW ? db_col_int64(st, i) : 0;
    db_done(st);
    return rc == DB_ROW ? 0 : -1;
}

/* A plan's period, unit, rep and targets, read raw (for the allocation rules). */
typedef struct PlanRow {
    const char *kind, *start; /* arena */
    int64_t unit, rep, target[3];
} PlanRow;

/* Load plan id into p: 1 found, 0 missing, -1 error. */
static int plan_read(Req *r, int64_t id, PlanRow *p) {
    static const char zSql[] =
        "SELECT period_kind, period_start, plan_unit_id, rep_id, target_amount, target_volume, target_new_customers\n"
        " FROM sales_plans WHERE id = ?1 AND deleted_at IS NULL";
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return -1;
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        p->kind = arena_strdup(r->a, db_col_text(st, 0));
        p->start = arena_strdup(r->a, db_col_text(st, 1));
        p->unit = db_col_int64(st, 2);
        p->rep = db_col_null(st, 3) ? 0 : db_col_int64(st, 3);
        for (int i = 0; i < 3; i++)
            p->target[i] = db_col_int64(st, 4 + i);
    }
    db_done(st);
    return rc < 0 ? -1 : rc == DB_ROW;
}

/* The remainder as the message shows it: money as ¥, counts as numbers. */
static const char *remaining_text(Req *r, int i, int64_t v) {
    return i == 0 ? arena_printf(r->a, "¥%s", money_format(r->a, v)) : arena_printf(r->a, "%lld", (long long)v);
}

/*
** before_save: the period starts where periods start (as budgets); the plan
** belongs to its unit (org_unit_id = plan_unit_id); a rep's
** quota belongs to a rep of the unit (and the rep owns it, so they see it);
** a child covers its parent's period and unit; the children's targets never
** exceed the parent's, and a parent never drops below what it has allocated.
*/
static int plan_check(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    const char *kind = flow_rec_str(rec, "period_kind"), *start = flow_rec_str(rec, "period_start");
    int y, m, d;
    if (!kind || !start || date_parse(start, &y, &m, &d) != 0) return 0; /* field validation reported it */
    bool ok = d == 1 && (!strcmp(kind, "month") || (!strcmp(kind, "quarter") && (m - 1) % 3 == 0) ||
                         (!strcmp(kind, "year") && m == 1));
    if (!ok)
        return plan_fail(r, e, EC_FORMAT, "period_start",
                         !strcmp(kind, "year")      ? "YYYY-01-01"
                         : !strcmp(kind, "quarter") ? "YYYY-01/04/07/10-01"
                                                    : "YYYY-MM-01");
    int64_t unit = flow_rec_int(rec, "plan_unit_id"), rep = flow_rec_int(rec, "rep_id");
    int64_t parent = flow_rec_int(rec, "parent_plan_id"), self = old ? flow_rec_int(old, "id") : 0;
    int rc;
    if (!old) /* a plan belongs to the unit it is for: that unit's managers see it */
        json_object_set_new(rec, "org_unit_id", json_integer(unit));
    if (!old && rep) {
        Stmt *st = db_prepare(r->db, "SELECT org_unit_id FROM users WHERE id = ?1 AND deleted_at IS NULL");
        if (!st) return flow_db_error(r, e, "plan rep");
        db_bind_int64(st, 1, rep);
        int64_t rep_unit = db_step(st) == DB_ROW && !db_col_null(st, 0) ? db_col_int64(st, 0) : 0;
        db_done(st);
        rc = rep_unit ? unit_within(r, rep_unit, unit) : 0;
        if (rc < 0) return flow_db_error(r, e, "plan rep");
        if (!rc) return plan_fail(r, e, EC_PLAN_UNIT, "rep_id", NULL);
        json_object_set_new(rec, "owner_id", json_integer(rep));
    }
    if (!old && parent) {
        PlanRow p;
        rc = plan_read(r, parent, &p);
        if (rc < 0) return flow_db_error(r, e, "parent plan");
        if (!rc) return plan_fail(r, e, EC_REF, "parent_plan_id", NULL);
        if (p.rep) return plan_fail(r, e, EC_PLAN_UNIT, "parent_plan_id", NULL); /* a rep's quota is not split */
        if (strcmp(p.kind, kind) || strcmp(p.start, start))
            return plan_fail(r, e, EC_PLAN_PERIOD, strcmp(p.kind, kind) ? "period_kind" : "period_start",
                             arena_printf(r->a, "%s %s", p.kind, p.start));
        rc = unit_within(r, unit, p.unit);
        if (rc < 0) return flow_db_error(r, e, "plan unit");
        if (!rc) return plan_fail(r, e, EC_PLAN_UNIT, "plan_unit_id", NULL);
    }
    if (parent) { /* the siblings and this plan within the parent */
        PlanRow p;
        int64_t sum[3];
        /* lock the parent first (a row lock on PostgreSQL): two plans allocated from it at once
           must not both fit into the same remainder */
        Stmt *lk = db_prepare(r->db, "UPDATE sales_plans SET version = version WHERE id = ?1");
        if (!lk) return flow_db_error(r, e, "plan allocation");
        db_bind_int64(lk, 1, parent);
        int lrc = db_step(lk);
        db_done(lk);
        if (lrc < 0) return flow_db_error(r, e, "plan allocation");
        if (plan_read(r, parent, &p) != 1 || children_sum(r, parent, self, sum) < 0)
            return flow_db_error(r, e, "plan allocation");
        for (int i = 0; i < 3; i++) {
            int64_t left = p.target[i] - sum[i];
            if (flow_rec_int(rec, targets[i]) > left)
                return plan_fail(r, e, EC_PLAN_OVER, targets[i], remaining_text(r, i, left < 0 ? 0 : left));
        }
    }
    if (old) { /* a parent keeps at least what it has allocated */
        int64_t sum[3];
        if (children_sum(r, self, 0, sum) < 0) return flow_db_error(r, e, "plan allocation");
        for (int i = 0; i < 3; i++)
            if (flow_rec_int(rec, targets[i]) < sum[i])
                return plan_fail(r, e, EC_PLAN_OVER, targets[i],
                                 remaining_text(r, i, flow_rec_int(rec, targets[i]) - sum[i]));
    }
    return 0;
}

static const Entity plans_entity = {
    .name = "sales_plans",
    .table = "sales_plans",
    .few_rows = true,
    .zh = "销售计划",
    .tw = "銷售計畫",
    .en = "Sales plans",
    .fields = plan_fields,
    .vis = VIS_OWNER,
    .read_roles = PLAN_READERS,
    .write_roles = PLAN_WRITERS,
    .default_sort = "-period_start",
    .title_field = "period_start",
    .before_save = plan_check,
    .tag = "pipeline",
};

/* ---------------------------------------------------------------- allocation */

/*
** GET /api/v1/sales_plans/:id/allocation          roles: plan readers
** 200 {"plan":Row, "children":[Row…] (those visible to the user),
**      "allocated":{"target_amount","target_volume","target_new_customers"} (all children),
**      "unallocated":{…} (plan − allocated)} | 404 missing or not visible
*/
static int plan_allocation(Req *r, Err *e) {
    int64_t id;
    if (req_param_id(r, 0, &id, e) < 0) return -1;
    json_t *plan = entity_load(r, &plans_entity, id, e);
    if (!plan) return -1;
    int64_t sum[3];
    if (children_sum(r, id, 0, sum) < 0) {
        json_decref(plan);
        return flow_db_error(r, e, "plan allocation");
    }
    const EntityInfo *ei = entity_info(&plans_entity);
    Buf sql;
    buf_init(&sql, r->a);
    buf_printf(&sql, "SELECT %s FROM sales_plans t WHERE t.parent_plan_id = ?1 AND t.deleted_at IS NULL AND ",
               ei->select_cols);
    entity_visibility_sql(&plans_entity, r->user, &sql, 2);
    buf_puts(&sql, " ORDER BY t.id");
    Stmt *st = db_prepare(r->db, sql.p);
    if (!st) {
        json_decref(plan);
        return flow_db_error(r, e, "plan children");
    }
    db_bind_int64(st, 1, id);
    entity_visibility_bind(&plans_entity, r->user, st, 2);
    json_t *children = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(children, entity_row_json(&plans_entity, st));
    db_done(st);
    if (rc < 0) {
        json_decref(plan);
        json_decref(children);
        return flow_db_error(r, e, "plan children");
    }
    json_t *alloc = json_object(), *left = json_object();
    for (int i = 0; i < 3; i++) {
        json_object_set_new(alloc, targets[i], json_integer(sum[i]));
        json_object_set_new(left, targets[i], json_integer(flow_rec_int(plan, targets[i]) - sum[i]));
    }
    return reply_json(
        r, 200,
        json_pack("{s:o, s:o, s:o, s:o}", "plan", plan, "children", children, "allocated", alloc, "unallocated", left));
}

static const Route plan_routes[] = {
    {"GET", "/api/v1/sales_plans/:id/allocation", plan_allocation, 0, PLAN_READERS,
     "A plan with its allocated children and the remainder", "pipeline"},
};

void sales_plans_register(void) {
    entity_register(&plans_entity);
    routes_add(plan_routes, 1);
}
