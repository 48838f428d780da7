/*
** receivables_demo.c — the demo company's receivables (demo_load, after the quotes), made
** through the core's own paths: two contracts created as their reps, reviewed by whoever the
** approval asks (flow_sign as that user) and signed; payments recorded as finance (a transfer
** that leaves an instalment overdue, a full transfer, an uncleared cheque); an invoice issued,
** and one voided and reissued.
*/
#include <string.h>

#include "../flow/flow.h"
#include "../http/http.h"
#include "../model/calendar.h"
#include "../model/model.h"
#include "demo.h"
#include "modules.h"

/* r->user = the user id (roles and unit loaded). 0, or -1. */
static int demo_as(Req *r, int64_t id) {
    User *u = NULL;
    if (auth_user_by_id(r->db, r->a, id, &u) != 1) return -1;
    r->user = u;
    return 0;
}

/* Review the contract (every pending task signed by a holder of its role) and sign it. 0 or -1. */
static int demo_sign(Req *r, const Entity *en, int64_t id, const char *signed_on, Err *e) {
    json_t *rec = entity_load_any(r, en, id, e);
    if (!rec) return -1;
    int rc = flow_set_state(r, en, rec, "in_review", e);
    if (rc == 0) rc = flow_open_round(r, en, rec, flow_approval_for_state(en->flow, "in_review"), e);
    json_decref(rec);
    for (int round = 0; rc == 0 && round < 16; round++) {
        Stmt *st = db_prepare(r->db, "SELECT role, scope_path FROM approval_tasks WHERE entity = 'contracts'"
                                     " AND row_id = ?1 AND status = 'pending' ORDER BY id LIMIT 1");
        if (!st) return -1;
        db_bind_int64(st, 1, id);
        int s = db_step(st);
        const char *role = s == DB_ROW ? arena_strdup(r->a, db_col_text(st, 0)) : NULL;
        const char *path = s == DB_ROW && !db_col_null(st, 1) ? arena_strdup(r->a, db_col_text(st, 1)) : NULL;
        db_done(st);
        if (s < 0) return -1;
        if (!role) break;
        int64_t who = demo_role_holder(r->db, role, path);
        if (who <= 0 || demo_as(r, who) < 0) return -1;
        rec = entity_load_any(r, en, id, e);
        if (!rec) return -1;
        rc = flow_sign(r, en, rec, true, "同意", e);
        json_decref(rec);
    }
    if (rc < 0) return -1;
    rec = entity_load_any(r, en, id, e);
    if (!rec) return -1;
    if (strcmp(flow_rec_str(rec, "state"), "approved")) {
        json_decref(rec);
        return -1;
    }
    json_t *vals = json_pack("{s:s}", "signed_on", signed_on);
    rc = entity_update_fields(r, en, rec, vals, "sign", e);
    json_decref(vals);
    if (rc == 0) rc = flow_set_state(r, en, rec, "signed", e);
    json_decref(rec);
    return rc;
}

/* YYYY-MM-DD of today + days in the company zone. */
static const char *demo_day(Req *r, int64_t days) {
    char *out = arena_printf(r->a, "%s", "0000-00-00");
    date_of_epoch(r->now + days * 86400, company_tz_db(r->db), out);
    return out;
}

/* Create a row of en from body (stolen) as the current user. id, or -1. */
static int64_t demo_create(Req *r, const char *entity, json_t *body, Err *e) {
    int64_t id = -1;
    int rc = entity_create_row(r, entity_find(entity), body, &id, e);
    json_decref(body);
    return rc < 0 ? -1 : id;
}

/* Move a row by its transition's effect alone: state and the fields in vals (stolen). */
static int demo_move(Req *r, const char *entity, int64_t id, const char *to, json_t *vals, Err *e) {
    const Entity *en = entity_find(entity);
    json_t *rec = entity_load_any(r, en, id, e);
    int rc = rec ? 0 : -1;
    if (rc == 0 && vals) rc = entity_update_fields(r, en, rec, vals, to, e);
    if (rc == 0) rc = flow_set_state(r, en, rec, to, e);
    json_decref(rec);
    json_decref(vals);
    return rc;
}

int receivables_demo(Db *db, int64_t now, char *err, size_t errlen) {
    Req r;
    job_req_init(&r, db, now);
    r.locale = "zh-CN";
    Err e = {0};
    int64_t cust[2] = {0}, owner[2] = {0}, prod = 0, price = 0, fin = 0;
    int nc = 0, rc = DB_ERROR;
    /* two demo customers of different reps, the first of them the quotes did not use */
    Stmt *st = db_prepare(db, "SELECT id, owner_id FROM customers WHERE owner_id IS NOT NULL AND deleted_at IS NULL"
                              " AND credit_limit = 0 ORDER BY id DESC LIMIT 8");
    while (st && (rc = db_step(st)) == DB_ROW)
        if (nc < 2 && (nc == 0 || db_col_int64(st, 1) != owner[0])) {
            cust[nc] = db_col_int64(st, 0);
            owner[nc++] = db_col_int64(st, 1);
        }
    db_done(st);
    if (rc == DB_DONE) {
        st = db_prepare(db, "SELECT id, list_price FROM products WHERE deleted_at IS NULL"
                            " AND list_price * 100 > standard_cost * 130 ORDER BY id LIMIT 1");
        rc = st ? db_step(st) : DB_ERROR;
        if (rc == DB_ROW) {
            prod = db_col_int64(st, 0);
            price = db_col_int64(st, 1);
            rc = DB_DONE;
        }
        db_done(st);
    }
    if (rc == DB_DONE && (fin = demo_role_holder(db, "finance", NULL)) < 0) rc = DB_ERROR;
    if (rc != DB_DONE) {
        snprintf(err, errlen, "demo receivables: %s", db_errmsg(db));
        job_req_done(&r);
        return -1;
    }
    if (nc < 2 || !prod || !fin) { /* a demo without customers or finance: nothing to collect */
        job_req_done(&r);
        return 0;
    }
    const Entity *ce = entity_find("contracts");
    int64_t ct[2] = {0};
    rc = 0;
    for (int i = 0; i < 2 && rc == 0; i++) {
        /* 4 units at the list price + 13 %: 30 % before delivery, the rest after acceptance */
        int64_t sub = 4 * price, total = sub + (sub * 1300 + 5000) / 10000, first = (total * 3 + 5) / 10;
        json_t *body = json_pack(
            "{s:I, s:s, s:s, s:s, s:[{s:I, s:I, s:I}], s:[{s:s, s:s, s:I, s:s}, {s:s, s:s, s:I, s:s}]}", "customer_id",
            (json_int_t)cust[i], "title", i ? "离心泵备件年度供货合同" : "泵站改造设备采购合同", "payment_terms",
            "预付 30%，验收合格后付 70%", "quality_terms", "按 GB/T 3216 验收，整机质保十二个月", "lines", "product_id",
            (json_int_t)prod, "quantity", (json_int_t)4000, "unit_price", (json_int_t)price, "instalments", "term",
            "prepayment", "due_date", demo_day(&r, i ? -10 : -45), "amount", (json_int_t)first, "condition",
            "合同签订后", "term", "acceptance", "due_date", demo_day(&r, i ? 30 : 20), "amount",
            (json_int_t)(total - first), "condition", "验收合格后 30 天内");
        if (demo_as(&r, owner[i]) < 0 || (ct[i] = demo_create(&r, "contracts", body, &e)) < 0 ||
            demo_sign(&r, ce, ct[i], demo_day(&r, i ? -20 : -60), &e) < 0)
            rc = -1;
    }
    /* finance records the payments and the invoices */
    json_t *c0 = rc == 0 && demo_as(&r, fin) == 0 ? entity_load_any(&r, ce, ct[0], &e) : NULL;
    json_t *c1 = c0 ? entity_load_any(&r, ce, ct[1], &e) : NULL;
    if (!c1) rc = -1;
    int64_t inst[4] = {0}, amt[4] = {0};
    for (int i = 0; rc == 0 && i < 4; i++) {
        json_t *line = json_array_get(json_object_get(i < 2 ? c0 : c1, "instalments"), (size_t)(i % 2));
        inst[i] = flow_rec_int(line, "id");
        amt[i] = flow_rec_int(line, "amount");
    }
    json_decref(c0);
    json_decref(c1);
    int64_t p1 = -1;
    if (rc == 0) /* a third of the first contract's prepayment: the rest stays overdue */
        rc = demo_create(&r, "payments",
                         json_pack("{s:I, s:s, s:I, s:s, s:s}", "instalment_id", (json_int_t)inst[0], "method",
                                   "transfer", "amount", (json_int_t)(amt[0] / 3), "paid_on", demo_day(&r, -40),
                                   "payer", "客户财务部"),
                         &e) < 0
                 ? -1
                 : 0;
    if (rc == 0)
        p1 = demo_create(&r, "payments",
                         json_pack("{s:I, s:s, s:I, s:s}", "instalment_id", (json_int_t)inst[2], "method", "transfer",
                                   "amount", (json_int_t)amt[2], "paid_on", demo_day(&r, -8)),
                         &e);
    if (p1 < 0) rc = -1;
    if (rc == 0 &&
        demo_create(&r, "payments",
                    json_pack("{s:I, s:s, s:s, s:I, s:s, s:s}", "instalment_id", (json_int_t)inst[3], "method",
                              "cheque", "cheque_no", "31204587", "amount", (json_int_t)(amt[3] / 2), "paid_on",
                              demo_day(&r, -1), "note", "转账支票，待银行兑现"),
                    &e) < 0)
        rc = -1;
    /* the prepayment invoiced: first with a wrong tax id (voided), then reissued */
    for (int k = 0; rc == 0 && k < 2; k++) {
        json_t *body = json_pack(
            "{s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:[{s:s, s:s, s:I, s:I}]}", "issuer_name", "华东泵阀制造有限公司",
            "contract_id", (json_int_t)ct[1], "payment_id", (json_int_t)p1, "kind", "special", "invoice_date",
            demo_day(&r, -7 + k), "invoice_no", k ? "04412346" : "04412345", "payee_tax_id",
            k ? "91320500MA1MX7Q23K" : "91320500MA1MX7Q23X", "lines", "item", "离心泵（预付款）", "unit", "项",
            "quantity", (json_int_t)1000, "unit_price", (json_int_t)((amt[2] * 10000 + 5650) / 11300));
        int64_t id = -1;
        if (k) {
            Stmt *q = db_prepare(db, "SELECT MAX(id) FROM invoices WHERE contract_id = ?1");
            if (q) {
                db_bind_int64(q, 1, ct[1]);
                if (db_step(q) == DB_ROW) json_object_set_new(body, "reissue_of", json_integer(db_col_int64(q, 0)));
                db_done(q);
            }
        }
        if ((id = demo_create(&r, "invoices", body, &e)) < 0 ||
            demo_move(&r, "invoices", id, "issued",
                      json_pack("{s:I}", "issued_at", (json_int_t)(now - 86400 * (7 - k))), &e) < 0)
            rc = -1;
        else if (!k && demo_move(&r, "invoices", id, "voided",
                                 json_pack("{s:s, s:I}", "void_reason", "购买方纳税人识别号有误", "voided_at",
                                           (json_int_t)(now - 86400 * 6)),
                                 &e) < 0)
            rc = -1;
    }
    if (rc < 0)
        snprintf(err, errlen, "demo receivables: %s %s %s", e.code ? e.code : db_errmsg(db), e.field ? e.field : "",
                 e.detail);
    job_req_done(&r);
    return rc;
}
