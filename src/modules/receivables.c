/*
** receivables.c — receivables (款项回收, R-AR-1). The instalments of a contract's payment
** schedule (contract_instalments, kept by contracts.c) become receivable once the contract is
** signed (signed, executing, completed). Payments (`payments`) are recorded against one
** instalment by method: transfer and cash count at once, a cheque only from the day it
** clears (action `clear`), a bank acceptance bill (银行承兑汇票) with its number and
** maturity counts when received. What is recorded on an instalment (voided payments aside)
** never exceeds its amount: the check runs under a lock of the instalment row (PostgreSQL)
** or the single writer (SQLite), so concurrent payments cannot over-collect.
**
** Read side, nothing written to contracts: the instalments of a contract with received,
** outstanding and status (GET /api/v1/contracts/:id/receivables); the aging report (one
** aggregate query, buckets 0–30, 31–60, 61–90, >90 calendar days overdue in the company
** time zone) by customer, rep and unit; the overdue instalments behind a cell of it; the
** collection rate per rep and unit over a period. The job "receivable_overdue" gives the
** contract's owner one collection task per overdue instalment and, after
** receivables.escalate_after_days, their sales manager one more; tasks close when paid.
*/
#include <stdlib.h>
#include <string.h>

#include "../core/errcodes.h"
#include "../flow/flow.h"
#include "../model/calendar.h"
#include "../model/model.h"
#include "../model/settings.h"
#include "modules.h"

#define AR_READERS (RB(SALES_REP) | ROLES_MANAGING | RB(FINANCE))
#define AR_SEE_ALL (RB(FINANCE) | RB(GM))
/* contract states whose instalments are receivable */
#define AR_SIGNED "('signed', 'executing', 'completed')"
/* an instalment of a signed contract (aliases i, t) not fully received: the partial index
   contract_instalments_open holds exactly these instalments (migration 0044) */
#define AR_OPEN "t.deleted_at IS NULL AND t.state IN " AR_SIGNED " AND i.amount > i.received"

static const EnumVal methods[] = {
    {"transfer", "银行转账", "銀行轉帳", "Bank transfer"},
    {"cash", "现金", "現金", "Cash"},
    {"cheque", "支票", "支票", "Cheque"},
    {"acceptance", "银行承兑汇票", "銀行承兌匯票", "Bank acceptance bill"},
    {NULL},
};

static const Field payment_fields[] = {
    {"number", FT_TEXT, F_READONLY | F_LIST | F_SEARCH | F_SORT, 0, 0, NULL, NULL, NULL, "回款单号", "回款單號",
     "Number"},
    {"contract_id", FT_REF, F_LIST | F_FILTER | F_CREATE_ONLY | F_REF_ANY | F_REF_OWNER, 0, 0, NULL, "contracts", NULL,
     "合同", "合約", "Contract"},
    {"instalment_id", FT_INT, F_REQUIRED | F_FILTER | F_CREATE_ONLY, 1, INT64_MAX, NULL, NULL, NULL, "付款计划期次",
     "付款計劃期次", "Instalment"},
    {"customer_id", FT_REF, F_READONLY | F_LIST | F_FILTER | F_REF_KEEP, 0, 0, NULL, "customers", NULL, "客户", "客戶",
     "Customer"},
    {"method", FT_ENUM, F_REQUIRED | F_LIST | F_FILTER | F_CREATE_ONLY, 0, 0, methods, NULL, NULL, "回款方式",
     "回款方式", "Method"},
    {"amount", FT_MONEY, F_REQUIRED | F_LIST | F_FILTER | F_SORT | F_CREATE_ONLY, 1, 100000000000000, NULL, NULL, NULL,
     "金额", "金額", "Amount"},
    {"paid_on", FT_DATE, F_REQUIRED | F_LIST | F_FILTER | F_SORT | F_CREATE_ONLY, 0, 0, NULL, NULL, NULL, "收款日期",
     "收款日期", "Received on"},
    {"cheque_no", FT_TEXT, F_REQUIRED | F_SEARCH | F_CREATE_ONLY, 0, 40, NULL, NULL, NULL, "支票号码", "支票號碼",
     "Cheque number", .when = "method=cheque"},
    {"bill_no", FT_TEXT, F_REQUIRED | F_SEARCH | F_CREATE_ONLY, 0, 40, NULL, NULL, NULL, "汇票号码", "匯票號碼",
     "Bill number", .when = "method=acceptance"},
    {"bill_bank", FT_TEXT, F_CREATE_ONLY, 0, 100, NULL, NULL, NULL, "承兑银行", "承兌銀行", "Accepting bank",
     .when = "method=acceptance"},
    {"bill_maturity", FT_DATE, F_REQUIRED | F_LIST | F_FILTER | F_SORT | F_CREATE_ONLY, 0, 0, NULL, NULL, NULL,
     "汇票到期日", "匯票到期日", "Bill maturity", .when = "method=acceptance"},
    {"cleared_on", FT_DATE, F_READONLY, 0, 0, NULL, NULL, NULL, "兑现日期", "兌現日期", "Cleared on",
     .when = "method=cheque"},
    {"counted_on", FT_DATE, F_READONLY | F_LIST, 0, 0, NULL, NULL, NULL, "计入回款日期", "計入回款日期",
     "Counted from"},
    {"payer", FT_TEXT, F_SEARCH, 0, 200, NULL, NULL, NULL, "付款单位", "付款單位", "Payer"},
    {"note", FT_LONGTEXT, 0, 0, 2000, NULL, NULL, NULL, "备注", "備註", "Note"},
    {"void_reason", FT_TEXT, F_READONLY, 0, 0, NULL, NULL, NULL, "作废原因", "作廢原因", "Void reason"},
    {NULL},
};

static const Setting ar_settings[] = {
    {"receivables.escalate_after_days", ST_INT, "7", 0, 365, "逾期超过此天数升级给销售经理催收",
     "逾期超過此天數升級給銷售經理催收", "Days overdue after which collection is escalated to the sales manager"},
};

static const Entity *contracts_en(void) { return entity_find("contracts"); }

/* Today in the company zone, and that day moved by `days` (YYYY-MM-DD). */
static void day_shift(const char *day, int64_t days, char out[11]) {
    int y, m, d;
    if (date_parse(day, &y, &m, &d) < 0) {
        snprintf(out, 11, "%s", day);
        return;
    }
    civil_from_days(days_from_civil(y, m, d) + days, &y, &m, &d);
    snprintf(out, 11, "%04d-%02d-%02d", y, m, d);
}
static int64_t day_diff(const char *a, const char *b) { /* a − b in days */
    int y1, m1, d1, y2, m2, d2;
    if (date_parse(a, &y1, &m1, &d1) < 0 || date_parse(b, &y2, &m2, &d2) < 0) return 0;
    return days_from_civil(y1, m1, d1) - days_from_civil(y2, m2, d2);
}

/* Recorded (not voided) and counted amounts of an instalment. 0, or -1 on a database error. */
static int instalment_sums(Db *db, int64_t inst, int64_t *recorded, int64_t *counted) {
    Stmt *st = db_prepare(db, "SELECT COALESCE(SUM(p.amount), 0),"
                              " COALESCE(SUM(CASE WHEN p.counted_on IS NOT NULL THEN p.amount ELSE 0 END), 0)"
                              " FROM payments p WHERE p.instalment_id = ?1 AND p.deleted_at IS NULL"
                              " AND p.state <> 'voided'");
    if (!st) return -1;
    db_bind_int64(st, 1, inst);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *recorded = db_col_int64(st, 0);
        *counted = db_col_int64(st, 1);
    }
    db_done(st);
    return rc == DB_ROW ? 0 : -1;
}

/* What is received on an instalment changed: its collection tasks, which name the outstanding
   amount, are done; the next run of receivable_overdue raises them again while it stays overdue
   (a partial payment, a voided one). 0 or -1. */
static int close_tasks(Req *r, int64_t inst) {
    return task_close(r->db, arena_printf(r->a, "ar:%lld:", (long long)inst), r->now) < 0 ? -1 : 0;
}

/*
** before_save of a payment: the instalment (locked on PostgreSQL) and its signed contract, the
** customer and owner from the contract, the method's own rules, and the cap: everything recorded
** on the instalment stays within its amount.
*/
static int payment_check(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    if (old) return 0; /* what the checks read is create-only */
    int64_t inst = flow_rec_int(rec, "instalment_id");
    bool pg = db_kind(r->db) == DB_PG;
    Stmt *st = db_prepare(r->db, pg ? "SELECT parent_id, amount FROM contract_instalments WHERE id = ?1 FOR UPDATE"
                                    : "SELECT parent_id, amount FROM contract_instalments WHERE id = ?1");
    if (!st) return flow_db_error(r, e, "instalment");
    db_bind_int64(st, 1, inst);
    int rc = db_step(st);
    int64_t contract = rc == DB_ROW ? db_col_int64(st, 0) : 0, amount = rc == DB_ROW ? db_col_int64(st, 1) : 0;
    db_done(st);
    if (rc < 0) return flow_db_error(r, e, "instalment");
    if (rc != DB_ROW) return err_set(e, 400, EC_REF, "instalment_id", NULL);
    json_t *given = json_object_get(rec, "contract_id");
    if (json_is_integer(given) && json_integer_value(given) != contract)
        return err_set(e, 400, EC_REF, "instalment_id", NULL); /* not an instalment of that contract */
    json_object_set_new(rec, "contract_id", json_integer(contract));
    if (!json_is_integer(given) && entity_owner_inherit(r, en, rec, NULL, e) < 0) return -1;
    json_t *c = entity_load_any(r, contracts_en(), contract, e);
    if (!c) return e->status == 404 ? err_set(e, 400, EC_REF, "instalment_id", NULL) : -1;
    const char *state = flow_rec_str(c, "state");
    bool signed_ = state && strstr(" signed executing completed ", arena_printf(r->a, " %s ", state));
    json_object_set(rec, "customer_id", json_object_get(c, "customer_id"));
    json_decref(c);
    if (!signed_) return err_set(e, 409, EC_AR_CONTRACT, "contract_id", NULL);

    const char *method = flow_rec_str(rec, "method"), *paid = flow_rec_str(rec, "paid_on");
    char today[11];
    company_date(r, r->now, today);
    if (paid && strcmp(paid, today) > 0) return err_set(e, 400, EC_RANGE, "paid_on", "≤ %s", today);
    if (method && !strcmp(method, "acceptance")) {
        const char *mat = flow_rec_str(rec, "bill_maturity");
        char last[11];
        if (paid) day_shift(paid, 366, last);
        if (mat && paid && (strcmp(mat, paid) <= 0 || strcmp(mat, last) > 0))
            return err_set(e, 400, EC_RANGE, "bill_maturity", "%s … %s", paid, last);
    } else {
        json_object_set_new(rec, "bill_no", json_null());
        json_object_set_new(rec, "bill_bank", json_null());
        json_object_set_new(rec, "bill_maturity", json_null());
    }
    if (!method || strcmp(method, "cheque")) json_object_set_new(rec, "cheque_no", json_null());
    /* counted when received; a cheque from the day it clears */
    json_object_set_new(rec, "counted_on", method && !strcmp(method, "cheque") ? json_null() : json_string(paid));
    json_object_set_new(rec, "cleared_on", json_null());

    int64_t recorded = 0, counted = 0;
    if (instalment_sums(r->db, inst, &recorded, &counted) < 0) return flow_db_error(r, e, "payments");
    if (recorded + flow_rec_int(rec, "amount") > amount)
        return err_set(e, 409, EC_AR_OVER, "amount", "%s", money_format(r->a, amount - recorded));
    return 0;
}

static int payment_after(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    (void)en;
    if (!old && flow_rec_str(rec, "counted_on") && close_tasks(r, flow_rec_int(rec, "instalment_id")) < 0)
        return flow_db_error(r, e, "tasks");
    return 0;
}

/* clear: only a cheque, on a day between its receipt and today. */
static int clear_guard(Req *r, const Entity *en, json_t *rec, Err *e) {
    (void)en;
    if (strcmp(flow_rec_str(rec, "method") ? flow_rec_str(rec, "method") : "", "cheque"))
        return err_set(e, 409, EC_GUARD, "method", "%s",
                       label_for(r->locale, "只有支票需要兑现", "只有支票需要兌現", "Only a cheque clears"));
    const char *on = flow_rec_str(rec, "cleared_on"), *paid = flow_rec_str(rec, "paid_on");
    char today[11];
    company_date(r, r->now, today);
    if (on && ((paid && strcmp(on, paid) < 0) || strcmp(on, today) > 0))
        return err_set(e, 400, EC_RANGE, "cleared_on", "%s … %s", paid ? paid : "", today);
    return 0;
}

static int clear_effect(Req *r, const Entity *en, json_t *rec, Err *e) {
    json_t *vals = json_pack("{s:O}", "counted_on", json_object_get(rec, "cleared_on"));
    int rc = entity_update_fields(r, en, rec, vals, "clear", e);
    json_decref(vals);
    if (rc == 0 && close_tasks(r, flow_rec_int(rec, "instalment_id")) < 0) return flow_db_error(r, e, "tasks");
    return rc;
}

static int void_effect(Req *r, const Entity *en, json_t *rec, Err *e) {
    json_t *vals = json_pack("{s:O, s:n}", "void_reason", json_object_get(rec, "_comment"), "counted_on");
    int rc = entity_update_fields(r, en, rec, vals, "void", e);
    json_decref(vals);
    if (rc == 0 && close_tasks(r, flow_rec_int(rec, "instalment_id")) < 0) return flow_db_error(r, e, "tasks");
    return rc;
}

static const EnumVal payment_states[] = {
    {"recorded", "已登记", "已登記", "Recorded"},
    {"cleared", "已兑现", "已兌現", "Cleared"},
    {"voided", "已作废", "已作廢", "Voided"},
    {NULL},
};
static const Transition payment_transitions[] = {
    {"clear", "recorded", "cleared", RB(FINANCE), 0, clear_guard, clear_effect, NULL, "支票兑现", "支票兌現",
     "Cheque cleared", .inputs = "cleared_on", .requires = "cleared_on"},
    {"void", "recorded cleared", "voided", RB(FINANCE), T_COMMENT, NULL, void_effect, NULL, "作废", "作廢", "Void"},
    {NULL},
};
static const Workflow payment_flow = {
    .initial = "recorded",
    .states = payment_states,
    .final_states = "voided",
    .transitions = payment_transitions,
    .editable_states = "recorded cleared",
};

static const Entity payments_entity = {
    .name = "payments",
    .table = "payments",
    .zh = "回款",
    .tw = "回款",
    .en = "Payments",
    .fields = payment_fields,
    .vis = VIS_OWNER,
    .read_roles = AR_READERS,
    .write_roles = RB(FINANCE),
    .delete_roles = RB(ADMIN),
    .write_any_roles = RB(FINANCE),
    .read_all_roles = AR_SEE_ALL,
    .default_sort = "-created_at",
    .title_field = "number",
    .flow = &payment_flow,
    .before_save = payment_check,
    .after_save = payment_after,
    .tag = "receivables",
    .number_prefix = "RC",
    .attachments = true,
};

/* ---------------------------------------------------------------- contract's instalments */

/* Status of an instalment: paid, overdue (due before today, not paid), partly paid, open. */
static const char *instalment_status(const char *due, const char *today, int64_t amount, int64_t received) {
    if (received >= amount) return "paid";
    if (strcmp(due, today) < 0) return "overdue";
    return received > 0 ? "partly_paid" : "open";
}

/*
** GET /api/v1/contracts/:id/receivables                      roles: reps, managers, finance
** The contract's instalments with what is received (counted), pending (uncleared cheques),
** outstanding and status; finance and the GM see every contract's, others the contracts they see.
** 200 {"contract_id","receivable" (signed),"today","instalments":[{"id","idx","term","term_label",
**      "due_date","amount","condition","received","pending","outstanding","status","days_overdue"}],
**      "totals":{"amount","received","pending","outstanding","overdue"}} | 404
*/
static int contract_receivables(Req *r, Err *e) {
    int64_t id;
    if (req_param_id(r, 0, &id, e) < 0) return -1;
    const Entity *cen = contracts_en();
    json_t *c =
        (r->user->roles & (AR_SEE_ALL | RB(ADMIN))) ? entity_load_any(r, cen, id, e) : entity_load(r, cen, id, e);
    if (!c) return -1;
    const char *state = flow_rec_str(c, "state");
    bool receivable = state && strstr(" signed executing completed ", arena_printf(r->a, " %s ", state));
    json_decref(c);
    char today[11];
    company_date(r, r->now, today);
    const Child *ch = entity_child(cen, "instalments");
    const Field *term = ch ? entity_field(&(Entity){.fields = ch->fields}, "term") : NULL;
    Stmt *st = db_prepare(r->db, "SELECT i.id, i.idx, i.term, i.due_date, i.amount, i.condition,"
                                 " COALESCE(SUM(CASE WHEN p.counted_on IS NOT NULL THEN p.amount END), 0),"
                                 " COALESCE(SUM(CASE WHEN p.counted_on IS NULL THEN p.amount END), 0)"
                                 " FROM contract_instalments i LEFT JOIN payments p ON p.instalment_id = i.id"
                                 " AND p.deleted_at IS NULL AND p.state <> 'voided'"
                                 " WHERE i.parent_id = ?1"
                                 " GROUP BY i.id, i.idx, i.term, i.due_date, i.amount, i.condition ORDER BY i.idx");
    if (!st) return flow_db_error(r, e, "instalments");
    db_bind_int64(st, 1, id);
    json_t *items = json_array();
    int64_t tot[5] = {0};
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *due = db_col_text(st, 3);
        int64_t amount = db_col_int64(st, 4), rec = db_col_int64(st, 6), pend = db_col_int64(st, 7);
        const char *status = receivable ? instalment_status(due, today, amount, rec) : "open";
        int64_t late = !strcmp(status, "overdue") ? day_diff(today, due) : 0;
        json_array_append_new(items, json_pack("{s:I, s:I, s:s, s:s, s:s, s:I, s:s?, s:I, s:I, s:I, s:s, s:I}", "id",
                                               (json_int_t)db_col_int64(st, 0), "idx", (json_int_t)db_col_int64(st, 1),
                                               "term", db_col_text(st, 2), "term_label",
                                               term ? enum_label(r, term, db_col_text(st, 2)) : db_col_text(st, 2),
                                               "due_date", due, "amount", (json_int_t)amount, "condition",
                                               db_col_text(st, 5), "received", (json_int_t)rec, "pending",
                                               (json_int_t)pend, "outstanding", (json_int_t)(amount - rec), "status",
                                               status, "days_overdue", (json_int_t)late));
        tot[0] += amount;
        tot[1] += rec;
        tot[2] += pend;
        tot[3] += amount - rec;
        if (late) tot[4] += amount - rec;
    }
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return flow_db_error(r, e, "instalments");
    }
    return reply_json(r, 200,
                      json_pack("{s:I, s:b, s:s, s:o, s:{s:I, s:I, s:I, s:I, s:I}}", "contract_id", (json_int_t)id,
                                "receivable", receivable, "today", today, "instalments", items, "totals", "amount",
                                (json_int_t)tot[0], "received", (json_int_t)tot[1], "pending", (json_int_t)tot[2],
                                "outstanding", (json_int_t)tot[3], "overdue", (json_int_t)tot[4]));
}

/* ---------------------------------------------------------------- aging */

/* Row visibility of contracts (alias t) for the reports: finance and the GM see all. Appends the
   condition to sql, returns its parameter count (from ?1). */
static int ar_vis_sql(Req *r, Buf *sql) {
    if (r->user->roles & (AR_SEE_ALL | RB(ADMIN))) {
        buf_puts(sql, "1 = 1");
        return 0;
    }
    return entity_visibility_sql(contracts_en(), r->user, sql, 1);
}
static void ar_vis_bind(Req *r, Stmt *st) {
    if (!(r->user->roles & (AR_SEE_ALL | RB(ADMIN)))) entity_visibility_bind(contracts_en(), r->user, st, 1);
}

static const char *const bucket_keys[] = {"d0_30", "d31_60", "d61_90", "d90_plus"};

/* The overdue frame: today and the first days of the buckets, counted back in calendar days. */
typedef struct Aging {
    char today[11], d30[11], d60[11], d90[11];
} Aging;
static void aging_frame(Req *r, Aging *g) {
    company_date(r, r->now, g->today);
    day_shift(g->today, -30, g->d30);
    day_shift(g->today, -60, g->d60);
    day_shift(g->today, -90, g->d90);
}

/* "SELECT <cols> FROM overdue instalments ... WHERE visible AND overdue <more>": the bucket as
   column expression ?b+1..?b+3, today as ?b+4 (b = visibility's parameters). */
static const char *aging_sql(Req *r, const char *cols, const char *more, int *nv) {
    Buf vis, sql;
    buf_init(&vis, r->a);
    buf_init(&sql, r->a);
    *nv = ar_vis_sql(r, &vis);
    int b = *nv;
    const char *bucket = arena_printf(r->a,
                                      "CASE WHEN i.due_date >= ?%d THEN 0 WHEN i.due_date >= ?%d THEN 1"
                                      " WHEN i.due_date >= ?%d THEN 2 ELSE 3 END",
                                      b + 1, b + 2, b + 3);
    /* the contracts first (CROSS JOIN keeps SQLite to that order): those the user sees, in the order
       they are stored, then each one's open instalments from contract_instalments_open */
    buf_printf(&sql, "SELECT %s FROM contracts t CROSS JOIN contract_instalments i", cols);
    buf_printf(&sql, " WHERE i.parent_id = t.id AND %s AND " AR_OPEN " AND i.due_date < ?%d%s", vis.p, b + 4,
               more ? more : "");
    /* the caller's text names the bucket as {B} */
    Buf out;
    buf_init(&out, r->a);
    for (const char *p = sql.p; *p; p++) {
        if (!strncmp(p, "{B}", 3)) {
            buf_puts(&out, bucket);
            p += 2;
        } else
            buf_putc(&out, *p);
    }
    return out.p;
}
static void aging_bind(Req *r, Stmt *st, const Aging *g, int nv) {
    ar_vis_bind(r, st);
    db_bind_text(st, nv + 1, g->d30, -1);
    db_bind_text(st, nv + 2, g->d60, -1);
    db_bind_text(st, nv + 3, g->d90, -1);
    db_bind_text(st, nv + 4, g->today, -1);
}

/* The lines of the collection rate by rep or unit (a few hundred) and an index of them by id: looking
   each row's id up in the array was quadratic (bench/FINDINGS.md 35). */
typedef struct {
    json_t *arr, *idx;
} Groups;
static Groups groups_new(void) { return (Groups){json_array(), json_object()}; }
static void groups_free(Groups *g) {
    json_decref(g->arr);
    json_decref(g->idx);
}
/* The group line of id (created on first use). */
static json_t *group_line(Groups *g, int64_t id, const char *name) {
    char key[24];
    snprintf(key, sizeof key, "%lld", (long long)id);
    json_t *o = json_object_get(g->idx, key);
    if (o) return o;
    o = json_pack("{s:I, s:s, s:I, s:I}", "id", (json_int_t)id, "name", name ? name : "", "due", (json_int_t)0,
                  "collected", (json_int_t)0);
    json_array_append_new(g->arr, o);
    json_object_set(g->idx, key, o);
    return o;
}
static int by_due(const void *a, const void *b) {
    const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int64_t tx = json_integer_value(json_object_get(x, "due")), ty = json_integer_value(json_object_get(y, "due"));
    if (tx != ty) return tx > ty ? -1 : 1;
    int64_t ix = json_integer_value(json_object_get(x, "id")), iy = json_integer_value(json_object_get(y, "id"));
    return ix < iy ? -1 : ix > iy;
}
/* Every line, largest "due" first (then by id); the grouping is freed. New reference. */
static json_t *groups_sorted(Groups *g) {
    json_decref(g->idx);
    size_t n = json_array_size(g->arr);
    json_t **v = n ? xmalloc(n * sizeof *v) : NULL;
    for (size_t i = 0; i < n; i++)
        v[i] = json_array_get(g->arr, i);
    if (n) qsort(v, n, sizeof *v, by_due);
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append(out, v[i]);
    free(v);
    json_decref(g->arr);
    return out;
}

/* A line of the board as numbers: a customer's, a rep's, a unit's, the rest of a grouping. */
typedef struct {
    int64_t id, buckets[4], total, count;
} Sums;
static void sums_add(Sums *to, const Sums *x) {
    for (int i = 0; i < 4; i++)
        to->buckets[i] += x->buckets[i];
    to->total += x->total;
    to->count += x->count;
}
/* Does x come before y on the board? Largest outstanding first, then by id. */
static bool sums_before(const Sums *x, const Sums *y) {
    return x->total != y->total ? x->total > y->total : x->id < y->id;
}
/* {"buckets":[4],"total","count"} of x. New reference. */
static json_t *sums_json(const Sums *x) {
    return json_pack("{s:[I,I,I,I], s:I, s:I}", "buckets", (json_int_t)x->buckets[0], (json_int_t)x->buckets[1],
                     (json_int_t)x->buckets[2], (json_int_t)x->buckets[3], "total", (json_int_t)x->total, "count",
                     (json_int_t)x->count);
}
/* A line of the board: x with its id and name. New reference. */
static json_t *sums_line(const Sums *x, const char *name) {
    json_t *o = sums_json(x);
    json_object_set_new(o, "id", json_integer(x->id));
    json_object_set_new(o, "name", json_string(name ? name : ""));
    return o;
}
/* What the board leaves out of a grouping: {"lines","buckets","total","count"}. New reference. */
static json_t *rest_json(int64_t lines, const Sums *x) {
    json_t *o = sums_json(x);
    json_object_set_new(o, "lines", json_integer(lines));
    return o;
}

/*
** Every line of one grouping, by id: an open-addressed table of positions in a dense array. The
** board reads the open instalments in the order their contracts are stored and sums here, so
** nothing is grouped or sorted in SQL (two sorts of 700,000 rows at bench scale 10; FINDINGS 54);
** a line per customer is 478,000 lines there, ~30 MB while one board is built.
*/
typedef struct {
    Sums *v;
    uint32_t *slot; /* position in v + 1; 0 free */
    size_t n, cap, nslot;
} Lines;
static size_t lines_hash(int64_t id) { return (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15u) >> 20); }
/* The line of id, added (zero) on first use. */
static Sums *lines_at(Lines *l, int64_t id) {
    if (2 * (l->n + 1) > l->nslot) { /* at most half full: rebuild twice the size */
        size_t ns = l->nslot ? 2 * l->nslot : 1024;
        uint32_t *s = xcalloc(ns, sizeof *s);
        for (size_t i = 0; i < l->n; i++) {
            size_t h = lines_hash(l->v[i].id) & (ns - 1);
            while (s[h])
                h = (h + 1) & (ns - 1);
            s[h] = (uint32_t)(i + 1);
        }
        free(l->slot);
        l->slot = s;
        l->nslot = ns;
    }
    size_t h = lines_hash(id) & (l->nslot - 1);
    for (; l->slot[h]; h = (h + 1) & (l->nslot - 1))
        if (l->v[l->slot[h] - 1].id == id) return &l->v[l->slot[h] - 1];
    if (l->n == l->cap) l->v = xrealloc(l->v, (l->cap = l->cap ? 2 * l->cap : 256) * sizeof *l->v);
    l->v[l->n] = (Sums){.id = id};
    l->slot[h] = (uint32_t)++l->n;
    return &l->v[l->n - 1];
}
static void lines_free(Lines *l) {
    free(l->v);
    free(l->slot);
}

/* The largest `max` lines of a grouping: a heap whose top is the smallest line kept; a line pushed
   out goes to the rest. */
typedef struct {
    Sums *v, rest;
    int n, max;
    int64_t rest_lines;
} Top;
static void top_swap(Top *t, int i, int j) {
    Sums x = t->v[i];
    t->v[i] = t->v[j];
    t->v[j] = x;
}
static void top_down(Top *t, int i) {
    for (;;) {
        int l = 2 * i + 1, m = i;
        if (l < t->n && sums_before(&t->v[m], &t->v[l])) m = l;
        if (l + 1 < t->n && sums_before(&t->v[m], &t->v[l + 1])) m = l + 1;
        if (m == i) return;
        top_swap(t, i, m);
        i = m;
    }
}
static void top_add(Top *t, const Sums *x) {
    if (t->n < t->max) { /* sift up */
        int i = t->n++;
        t->v[i] = *x;
        while (i > 0 && sums_before(&t->v[(i - 1) / 2], &t->v[i])) {
            top_swap(t, i, (i - 1) / 2);
            i = (i - 1) / 2;
        }
        return;
    }
    t->rest_lines++;
    if (!sums_before(x, &t->v[0])) {
        sums_add(&t->rest, x);
        return;
    }
    sums_add(&t->rest, &t->v[0]);
    t->v[0] = *x;
    top_down(t, 0);
}
static int sums_cmp(const void *a, const void *b) {
    const Sums *x = a, *y = b;
    return sums_before(x, y) ? -1 : sums_before(y, x) ? 1 : 0;
}

/* The `max` largest lines of l, largest first, each named by `name_sql` (one name by id ?1), into
 *lines, and the others summed into *rest. 0, or -1 on a database error (nothing returned). */
static int lines_top(Req *r, const Lines *l, int max, const char *name_sql, json_t **lines, json_t **rest) {
    Top t = {.v = xmalloc((size_t)max * sizeof(Sums)), .max = max};
    for (size_t i = 0; i < l->n; i++)
        top_add(&t, &l->v[i]);
    qsort(t.v, (size_t)t.n, sizeof *t.v, sums_cmp);
    json_t *out = json_array();
    int rc = 0;
    for (int i = 0; i < t.n && rc >= 0; i++) {
        Stmt *st = db_prepare(r->db, name_sql);
        rc = st ? (db_bind_int64(st, 1, t.v[i].id), db_step(st)) : -1;
        if (rc >= 0) json_array_append_new(out, sums_line(&t.v[i], rc == DB_ROW ? db_col_text(st, 0) : ""));
        if (st) db_done(st);
    }
    if (rc < 0) {
        json_decref(out);
        free(t.v);
        return -1;
    }
    *lines = out;
    *rest = rest_json(t.rest_lines, &t.rest);
    free(t.v);
    return 0;
}

#define AGING_LINES 50 /* lines of a grouping by default */
#define AGING_LINES_MAX 500

/*
** GET /api/v1/receivables/aging?lines=50                        roles: reps, managers, finance
** Overdue outstanding amounts of signed contracts in four buckets of calendar days overdue in
** the company zone (0–30, 31–60, 61–90, >90), by customer, rep and unit, with totals; a rep sees
** their own contracts, a manager their unit subtree's, finance and the GM all. One query over the
** open instalments (what is received is stored on each): each grouping keeps its `lines` largest
** (1–500, default 50) and sums the others in its "_rest" (a company's whole book is hundreds of
** thousands of customers).
** 200 {"today","buckets":[{"key","label"}],"totals":{"buckets":[4],"total","count"},
**      "by_customer"|"by_rep"|"by_unit":[{"id","name","buckets":[4],"total","count"}],
**      "by_customer_rest"|"by_rep_rest"|"by_unit_rest":{"lines","buckets":[4],"total","count"}}
** | 400 request.bad_query (lines)
*/
Stmt *receivables_aging_query(Req *r, char today[11]) {
    Aging g;
    aging_frame(r, &g);
    memcpy(today, g.today, 11);
    int nv;
    const char *sql = aging_sql(r, "t.customer_id, t.owner_id, t.org_unit_id, {B}, i.amount - i.received", NULL, &nv);
    Stmt *st = db_prepare(r->db, sql);
    if (st) aging_bind(r, st, &g, nv);
    return st;
}

static int aging_get(Req *r, Err *e) {
    int64_t max = AGING_LINES;
    const char *lq = req_query(r, "lines");
    if (lq && (str_to_int64(lq, &max) != 0 || max < 1 || max > AGING_LINES_MAX))
        return err_set(e, 400, EC_BAD_QUERY, "lines", "%s", "a whole number from 1 to 500");
    char today[11];
    Stmt *st = receivables_aging_query(r, today);
    if (!st) return flow_db_error(r, e, "aging");
    Lines group[3] = {{0}}; /* by customer, rep, unit */
    Sums tot = {0};
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int bucket = (int)db_col_int64(st, 3);
        if (bucket < 0 || bucket > 3) continue;
        Sums row = {.total = db_col_int64(st, 4), .count = 1};
        row.buckets[bucket] = row.total;
        for (int k = 0; k < 3; k++)
            sums_add(lines_at(&group[k], db_col_null(st, k) ? 0 : db_col_int64(st, k)), &row);
        sums_add(&tot, &row);
    }
    db_done(st);
    static const char *const names[3] = {"SELECT name FROM customers WHERE id = ?1",
                                         "SELECT display_name FROM users WHERE id = ?1",
                                         "SELECT name FROM org_units WHERE id = ?1"};
    json_t *lines[3] = {NULL}, *rest[3] = {NULL};
    for (int k = 0; k < 3; k++) {
        if (rc >= 0 && lines_top(r, &group[k], (int)max, names[k], &lines[k], &rest[k]) < 0) rc = -1;
        lines_free(&group[k]);
    }
    if (rc < 0) {
        for (int k = 0; k < 3; k++) {
            json_decref(lines[k]);
            json_decref(rest[k]);
        }
        return flow_db_error(r, e, "aging");
    }
    json_t *labels = json_array();
    static const char *const lz[] = {"0–30 天", "31–60 天", "61–90 天", "90 天以上"};
    static const char *const lt[] = {"0–30 天", "31–60 天", "61–90 天", "90 天以上"};
    static const char *const le[] = {"0–30 days", "31–60 days", "61–90 days", "Over 90 days"};
    for (int i = 0; i < 4; i++)
        json_array_append_new(
            labels, json_pack("{s:s, s:s}", "key", bucket_keys[i], "label", label_for(r->locale, lz[i], lt[i], le[i])));
    json_t *body = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}", "today", today, "buckets", labels,
                             "totals", sums_json(&tot), "by_customer", lines[0], "by_customer_rest", rest[0], "by_rep",
                             lines[1], "by_rep_rest", rest[1], "by_unit", lines[2], "by_unit_rest", rest[2]);
    return reply_json(r, 200, body);
}

/*
** GET /api/v1/receivables/instalments?bucket=d31_60&customer_id=&owner_id=&org_unit_id=
** The overdue instalments behind a cell of the aging board (at most 500, most overdue first).
** 200 {"items":[{"id","contract_id","number","customer_id","customer","owner_id","owner","due_date",
**      "amount","received","outstanding","days_overdue","bucket"}]} | 400 request.bad_query
*/
static int aging_instalments(Req *r, Err *e) {
    Aging g;
    aging_frame(r, &g);
    const char *bq = req_query(r, "bucket");
    int bucket = -1;
    for (int i = 0; bq && i < 4; i++)
        if (!strcmp(bq, bucket_keys[i])) bucket = i;
    if (bq && bucket < 0) return err_set(e, 400, EC_BAD_QUERY, "bucket", "%s", "d0_30 d31_60 d61_90 d90_plus");
    static const char *const keys[] = {"customer_id", "owner_id", "org_unit_id"};
    int64_t ids[3] = {0};
    for (int i = 0; i < 3; i++) {
        const char *v = req_query(r, keys[i]);
        if (!v) continue;
        char *end;
        ids[i] = strtoll(v, &end, 10);
        if (*end || ids[i] <= 0) return err_set(e, 400, EC_BAD_QUERY, keys[i], "%s", "id");
    }
    /* only the cell's own conditions, each an equality an index answers (a customer's contracts) */
    Buf probe, more;
    buf_init(&probe, r->a);
    buf_init(&more, r->a);
    int p = ar_vis_sql(r, &probe) + 4;
    if (bucket >= 0) buf_printf(&more, " AND {B} = ?%d", ++p);
    for (int i = 0; i < 3; i++)
        if (ids[i]) buf_printf(&more, " AND t.%s = ?%d", keys[i], ++p);
    buf_puts(&more, " ORDER BY i.due_date, i.id LIMIT 500");
    int nv;
    const char *sql = aging_sql(r,
                                "i.id, t.id, t.number, t.customer_id, (SELECT cu.name FROM customers cu WHERE cu.id ="
                                " t.customer_id), t.owner_id, (SELECT u.display_name FROM users u WHERE u.id ="
                                " t.owner_id), i.due_date, i.amount, i.received, {B}",
                                more.p, &nv);
    Stmt *st = db_prepare(r->db, sql);
    if (!st) return flow_db_error(r, e, "aging");
    aging_bind(r, st, &g, nv);
    p = nv + 4;
    if (bucket >= 0) db_bind_int64(st, ++p, bucket);
    for (int i = 0; i < 3; i++)
        if (ids[i]) db_bind_int64(st, ++p, ids[i]);
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t amount = db_col_int64(st, 8), rec = db_col_int64(st, 9);
        const char *due = db_col_text(st, 7);
        json_array_append_new(
            items, json_pack("{s:I, s:I, s:s?, s:I, s:s?, s:I, s:s?, s:s, s:I, s:I, s:I, s:I, s:s}", "id",
                             (json_int_t)db_col_int64(st, 0), "contract_id", (json_int_t)db_col_int64(st, 1), "number",
                             db_col_text(st, 2), "customer_id", (json_int_t)db_col_int64(st, 3), "customer",
                             db_col_text(st, 4), "owner_id", (json_int_t)db_col_int64(st, 5), "owner",
                             db_col_text(st, 6), "due_date", due, "amount", (json_int_t)amount, "received",
                             (json_int_t)rec, "outstanding", (json_int_t)(amount - rec), "days_overdue",
                             (json_int_t)day_diff(g.today, due), "bucket", bucket_keys[db_col_int64(st, 10) & 3]));
    }
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return flow_db_error(r, e, "aging");
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/*
** GET /api/v1/receivables/collection?from=YYYY-MM-DD&to=YYYY-MM-DD  (default: this month)
** Collection rate (SPEC §6: collected ÷ due in the period) per rep and per unit: the instalments
** of signed contracts due in [from, to], and what of them was received (counted) by `to`.
** 200 {"from","to","totals":{"due","collected","rate_bp"},"by_rep"|"by_unit":[{"id","name","due",
**      "collected","rate_bp"}]} | 400 request.bad_query from/to
*/
static int collection_get(Req *r, Err *e) {
    char today[11], from[11], to[11];
    company_date(r, r->now, today);
    const char *qf = req_query(r, "from"), *qt = req_query(r, "to");
    int y, m, d;
    if (qf && date_parse(qf, &y, &m, &d) < 0) return err_set(e, 400, EC_BAD_QUERY, "from", "%s", "YYYY-MM-DD");
    if (qt && date_parse(qt, &y, &m, &d) < 0) return err_set(e, 400, EC_BAD_QUERY, "to", "%s", "YYYY-MM-DD");
    if (qf)
        snprintf(from, sizeof from, "%s", qf);
    else
        snprintf(from, sizeof from, "%.8s01", today);
    if (qt) {
        snprintf(to, sizeof to, "%s", qt);
    } else { /* the month's last day */
        date_parse(from, &y, &m, &d);
        civil_from_days(days_from_civil(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1) - 1, &y, &m, &d);
        snprintf(to, sizeof to, "%04d-%02d-%02d", y, m, d);
    }
    if (strcmp(from, to) > 0) return err_set(e, 400, EC_BAD_QUERY, "to", "≥ %s", from);
    Buf vis;
    buf_init(&vis, r->a);
    int nv = ar_vis_sql(r, &vis);
    const char *sql = arena_printf(
        r->a,
        "SELECT x.uid, u.display_name, x.oid, o.name, x.due, x.collected FROM ("
        "SELECT t.owner_id AS uid, t.org_unit_id AS oid, SUM(i.amount) AS due,"
        " SUM(COALESCE((SELECT SUM(c.amount) FROM payments c WHERE c.instalment_id = i.id"
        " AND c.deleted_at IS NULL AND " PAYMENT_COUNTED " AND c.counted_on <= ?%d), 0)) AS collected"
        " FROM contract_instalments i JOIN contracts t ON t.id = i.parent_id"
        " WHERE %s AND t.deleted_at IS NULL AND t.state IN " AR_SIGNED " AND i.due_date >= ?%d AND i.due_date <= ?%d"
        " GROUP BY t.owner_id, t.org_unit_id) x LEFT JOIN users u ON u.id = x.uid LEFT JOIN org_units o ON o.id = "
        "x.oid",
        nv + 2, vis.p, nv + 1, nv + 2);
    Stmt *st = db_prepare(r->db, sql);
    if (!st) return flow_db_error(r, e, "collection");
    ar_vis_bind(r, st);
    db_bind_text(st, nv + 1, from, -1);
    db_bind_text(st, nv + 2, to, -1);
    Groups rg = groups_new(), ug = groups_new();
    int64_t due = 0, got = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t dd = db_col_int64(st, 4), cc = db_col_int64(st, 5);
        json_t *lr = group_line(&rg, db_col_null(st, 0) ? 0 : db_col_int64(st, 0), db_col_text(st, 1));
        json_t *lu = group_line(&ug, db_col_null(st, 2) ? 0 : db_col_int64(st, 2), db_col_text(st, 3));
        json_t *both[2] = {lr, lu};
        for (int k = 0; k < 2; k++) {
            json_object_set_new(both[k], "due", json_integer(json_integer_value(json_object_get(both[k], "due")) + dd));
            json_object_set_new(both[k], "collected",
                                json_integer(json_integer_value(json_object_get(both[k], "collected")) + cc));
        }
        due += dd;
        got += cc;
    }
    db_done(st);
    if (rc < 0) {
        groups_free(&rg);
        groups_free(&ug);
        return flow_db_error(r, e, "collection");
    }
    json_t *arrs[2] = {rg.arr, ug.arr};
    for (int k = 0; k < 2; k++) {
        size_t i;
        json_t *o;
        json_array_foreach(arrs[k], i, o) {
            int64_t dd = json_integer_value(json_object_get(o, "due")),
                    cc = json_integer_value(json_object_get(o, "collected")), bp = 0;
            if (dd > 0) money_muldiv(cc, 10000, 1, dd, &bp);
            json_object_set_new(o, "rate_bp", json_integer(bp));
        }
    }
    json_t *reps = groups_sorted(&rg), *units = groups_sorted(&ug);
    int64_t bp = 0;
    if (due > 0) money_muldiv(got, 10000, 1, due, &bp);
    return reply_json(r, 200,
                      json_pack("{s:s, s:s, s:{s:I, s:I, s:I}, s:o, s:o}", "from", from, "to", to, "totals", "due",
                                (json_int_t)due, "collected", (json_int_t)got, "rate_bp", (json_int_t)bp, "by_rep",
                                reps, "by_unit", units));
}

/* ---------------------------------------------------------------- R-CON-2 */

int receivables_customer_overdue(Req *r, int64_t customer_id) {
    char today[11];
    company_date(r, r->now, today);
    Stmt *st = db_prepare(r->db, "SELECT 1 FROM contract_instalments i JOIN contracts t ON t.id = i.parent_id"
                                 " WHERE t.customer_id = ?1 AND " AR_OPEN " AND i.due_date < ?2 LIMIT 1");
    if (!st) return -1;
    db_bind_int64(st, 1, customer_id);
    db_bind_text(st, 2, today, -1);
    int rc = db_step(st);
    db_done(st);
    return rc < 0 ? -1 : rc == DB_ROW;
}

/* ---------------------------------------------------------------- collection tasks */

/* One overdue instalment, read before the tasks are written. */
typedef struct Overdue {
    int64_t inst, contract, owner, unit, outstanding;
    const char *number, *customer, *term, *due, *owner_name;
} Overdue;

/* The owner's sales managers: holders of sales_manager in the nearest unit at or above the owner's
   unit that has one (not the owner). Up to max into ids; count or -1. */
static int owner_managers(Db *db, int64_t owner, int64_t *ids, int max) {
    Stmt *st = db_prepare(db, "SELECT m.id, LENGTH(o.path) FROM users m JOIN org_units o ON o.id = m.org_unit_id"
                              " JOIN users w ON w.id = ?1 JOIN org_units wo ON wo.id = w.org_unit_id"
                              " WHERE wo.path LIKE o.path || '%' AND m.id <> ?1 AND m.deleted_at IS NULL"
                              " AND m.disabled = 0 AND m.id IN (SELECT ur.user_id FROM user_roles ur"
                              " WHERE ur.role = 'sales_manager') ORDER BY LENGTH(o.path) DESC, m.id");
    if (!st) return -1;
    db_bind_int64(st, 1, owner);
    int n = 0, rc;
    int64_t best = -1;
    while ((rc = db_step(st)) == DB_ROW && n < max) {
        int64_t len = db_col_int64(st, 1);
        if (best >= 0 && len < best) break;
        best = len;
        ids[n++] = db_col_int64(st, 0);
    }
    db_done(st);
    return rc < 0 ? -1 : n;
}

/* Overdue instalments read per transaction of the job, in id order after the last one done: at bench
   scale 10 there are 700,000, and one statement LIMIT 5000 raised tasks for the first 5,000 only, every
   hour (bench/FINDINGS.md 54). */
#define AR_JOB_CHUNK 500
static int ar_job_chunk(void) { /* tests/api/receivables AR12 reads one at a time */
    return (int)test_tunable("SALESLOOP_AR_CHUNK", AR_JOB_CHUNK);
}

/* Up to `limit` overdue instalments with ids above `from`, in id order, into *v (strings in r's arena).
   Their count, or -1 on a database error. */
static int overdue_read(Req *r, const char *today, int64_t from, int limit, Overdue **v) {
    Stmt *st =
        db_prepare(r->db, "SELECT i.id, t.id, t.owner_id, t.org_unit_id, i.amount - i.received,"
                          " t.number, cu.name, i.term, i.due_date, u.display_name"
                          " FROM contract_instalments i JOIN contracts t ON t.id = i.parent_id"
                          " LEFT JOIN customers cu ON cu.id = t.customer_id LEFT JOIN users u ON u.id = t.owner_id"
                          " WHERE i.id > ?2 AND " AR_OPEN " AND i.due_date < ?1 AND t.owner_id IS NOT NULL"
                          " ORDER BY i.id LIMIT ?3");
    if (!st) return -1;
    db_bind_text(st, 1, today, -1);
    db_bind_int64(st, 2, from);
    db_bind_int64(st, 3, limit);
    *v = arena_alloc(r->a, (size_t)limit * sizeof **v);
    int n = 0, rc;
    while ((rc = db_step(st)) == DB_ROW && n < limit) {
        const char *number = db_col_text(st, 5), *customer = db_col_text(st, 6), *owner = db_col_text(st, 9);
        (*v)[n++] = (Overdue){db_col_int64(st, 0),
                              db_col_int64(st, 1),
                              db_col_int64(st, 2),
                              db_col_int64(st, 3),
                              db_col_int64(st, 4),
                              arena_strdup(r->a, number ? number : ""),
                              arena_strdup(r->a, customer ? customer : ""),
                              arena_strdup(r->a, db_col_text(st, 7)),
                              arena_strdup(r->a, db_col_text(st, 8)),
                              arena_strdup(r->a, owner ? owner : "")};
    }
    db_done(st);
    return rc < 0 ? -1 : n;
}

/* The owner's collection task of one overdue instalment and, past `after` days, their managers'. 0 or -1. */
static int overdue_remind(Req *r, const Overdue *o, const char *today, int64_t after, const Field *termf) {
    Db *db = r->db;
    const EnumVal *ev = NULL;
    for (const EnumVal *x = termf ? termf->enums : NULL; x && x->value; x++)
        if (!strcmp(x->value, o->term)) ev = x;
    const char *term = ev ? msg_text3(r->a, ev->zh, ev->tw, ev->en) : o->term;
    const char *amount = money_format(r->a, o->outstanding);
    int y, m, d;
    int64_t due_at = date_parse(o->due, &y, &m, &d) == 0 ? epoch_of_date(y, m, d, company_tz_db(db)) + 86400 : 0;
    const char *title = msg_make(r->a, "receivable.overdue", "number", o->number, "customer", o->customer, "term", term,
                                 "date", o->due, "amount", amount, NULL);
    if (task_remind(db, o->owner, "receivable_overdue", "contracts", o->contract, title, due_at,
                    arena_printf(r->a, "ar:%lld:owner:%lld", (long long)o->inst, (long long)o->outstanding),
                    r->now) < 0)
        return -1;
    int64_t late = day_diff(today, o->due);
    if (late <= after) return 0;
    int64_t mgr[16];
    int nm = owner_managers(db, o->owner, mgr, 16);
    if (nm < 0) return -1;
    const char *etitle =
        msg_make(r->a, "receivable.escalated", "owner", o->owner_name, "number", o->number, "customer", o->customer,
                 "term", term, "days", arena_printf(r->a, "%lld", (long long)late), "amount", amount, NULL);
    for (int k = 0; k < nm; k++)
        if (task_remind(db, mgr[k], "receivable_escalated", "contracts", o->contract, etitle, 0,
                        arena_printf(r->a, "ar:%lld:mgr:%lld:%lld", (long long)o->inst, (long long)mgr[k],
                                     (long long)o->outstanding),
                        r->now) < 0)
            return -1;
    return 0;
}

/* Job "receivable_overdue" (hourly): one collection task per overdue instalment for the
   contract's owner; past receivables.escalate_after_days days overdue, one for their sales
   manager. Idempotent through the tasks' dedupe keys ("ar:<instalment>:owner:<outstanding>",
   "ar:<instalment>:mgr:<id>:<outstanding>"): a change of what is received closes them (close_tasks)
   and the next run raises them with the new outstanding amount. Every overdue instalment, a chunk
   per transaction; a stop ends it at a commit point (the next run begins again, its tasks deduped). */
static int receivable_overdue_job(Db *db, int64_t now) {
    char today[11];
    date_of_epoch(now, company_tz_db(db), today);
    int64_t after = setting_int(db, "receivables.escalate_after_days");
    const Child *ch = entity_child(contracts_en(), "instalments");
    const Field *termf = ch ? entity_field(&(Entity){.fields = ch->fields}, "term") : NULL;
    int chunk = ar_job_chunk(), n, rc = 0;
    int64_t from = 0;
    do {
        Req r; /* one per chunk: its arena holds a chunk's texts */
        job_req_init(&r, db, now);
        r.locale = "zh-CN";
        Overdue *v;
        n = overdue_read(&r, today, from, chunk, &v);
        if (n < 0) rc = -1;
        for (int i = 0; i < n && rc >= 0; i++)
            if (overdue_remind(&r, &v[i], today, after, termf) < 0) rc = -1;
        if (n > 0) from = v[n - 1].inst;
        job_req_done(&r);
        if (rc < 0 || n < chunk) break;
        if (scheduler_chunk_commit(db) < 0) rc = -1;
    } while (rc >= 0 && !scheduler_stopping());
    return rc;
}

/* ---------------------------------------------------------------- register */

void receivables_register(void) {
    static const Route routes[] = {
        {"GET", "/api/v1/contracts/:id/receivables", contract_receivables, 0, AR_READERS,
         "Instalments of a contract with received, outstanding and status", "receivables"},
        {"GET", "/api/v1/receivables/aging", aging_get, 0, AR_READERS, "Receivables aging by customer, rep and unit",
         "receivables"},
        {"GET", "/api/v1/receivables/instalments", aging_instalments, 0, AR_READERS,
         "Overdue instalments behind a cell of the aging report", "receivables"},
        {"GET", "/api/v1/receivables/collection", collection_get, 0, AR_READERS,
         "Collection rate per rep and unit over a period", "receivables"},
    };
    static const Job job = {"receivable_overdue", 3600, receivable_overdue_job};
    entity_register(&payments_entity);
    settings_declare(ar_settings, (int)(sizeof ar_settings / sizeof ar_settings[0]));
    routes_add(routes, (int)(sizeof routes / sizeof routes[0]));
    scheduler_add(&job);
}
