/*
** invoices.c — invoices (发票, R-AR-2). An invoice is issued against a signed contract (and
** optionally one of its payments, later an order): number and date, type (增值税专用发票 /
** 普通发票), lines (quantity × unit price = amount in fen, tax per line), subtotal, tax and
** total computed by the core, the total also in 大写, the issuer's and the payee's full names,
** a 补开 (issued later) flag and the customer's signature on receipt. Issued invoices are never
** edited (only the receipt may still be recorded): a wrong one is voided with its reason and
** reissued as a new invoice naming it (reissue_of); both stay on record. Invoiced amounts of a
** contract never exceed its total.
*/
#include <string.h>

#include "../core/errcodes.h"
#include "../flow/flow.h"
#include "../model/model.h"
#include "../model/settings.h"
#include "modules.h"

#define INV_READERS (RB(SALES_REP) | ROLES_MANAGING | RB(FINANCE))

static const EnumVal kinds[] = {
    {"special", "增值税专用发票", "增值稅專用發票", "VAT special invoice"},
    {"ordinary", "普通发票", "普通發票", "Ordinary invoice"},
    {NULL},
};

static const Field line_fields[] = {
    {"item", FT_TEXT, F_REQUIRED, 0, 200, NULL, NULL, NULL, "货物或应税劳务、服务名称", "貨物或應稅勞務、服務名稱",
     "Goods or services"},
    {"spec", FT_TEXT, 0, 0, 100, NULL, NULL, NULL, "规格型号", "規格型號", "Specification"},
    {"unit", FT_TEXT, 0, 0, 20, NULL, NULL, NULL, "单位", "單位", "Unit"},
    {"quantity", FT_QTY, F_REQUIRED, 1, 1000000000000, NULL, NULL, NULL, "数量", "數量", "Quantity"},
    {"unit_price", FT_MONEY, F_REQUIRED, 0, 100000000000, NULL, NULL, NULL, "单价（不含税）", "單價（未稅）",
     "Unit price (before tax)"},
    {"tax_rate_bp", FT_PERCENT_BP, 0, 0, 10000, NULL, NULL, "1300", "税率", "稅率", "Tax rate"},
    {"amount", FT_MONEY, F_READONLY | F_COMPUTED, 0, 0, NULL, NULL, NULL, "金额", "金額", "Amount"},
    {"tax", FT_MONEY, F_READONLY | F_COMPUTED, 0, 0, NULL, NULL, NULL, "税额", "稅額", "Tax"},
    {NULL},
};
static const Compute line_computes[] = {
    {"amount", CK_MUL, "quantity", "unit_price"},
    {"tax", CK_MUL, "amount", "tax_rate_bp"},
    {NULL},
};
static const Child invoice_children[] = {
    {"lines", "invoice_lines", "发票明细", "發票明細", "Lines", line_fields, line_computes, 1, 100},
    {NULL},
};

static const Field invoice_fields[] = {
    {"number", FT_TEXT, F_READONLY | F_LIST | F_SEARCH | F_SORT, 0, 0, NULL, NULL, NULL, "开票登记号", "開票登記號",
     "Number", .group = "basics"},
    {"invoice_no", FT_TEXT, F_LIST | F_SEARCH | F_FILTER, 0, 20, NULL, NULL, NULL, "发票号码", "發票號碼",
     "Invoice number", .group = "basics"},
    {"invoice_date", FT_DATE, F_REQUIRED | F_LIST | F_FILTER | F_SORT, 0, 0, NULL, NULL, NULL, "开票日期", "開票日期",
     "Invoice date", .group = "basics"},
    {"kind", FT_ENUM, F_REQUIRED | F_LIST | F_FILTER, 0, 0, kinds, NULL, NULL, "发票类型", "發票類型", "Type",
     .group = "basics"},
    {"contract_id", FT_REF, F_REQUIRED | F_LIST | F_FILTER | F_CREATE_ONLY | F_REF_ANY | F_REF_OWNER, 0, 0, NULL,
     "contracts", NULL, "合同", "合約", "Contract", .group = "basics"},
    {"order_id", FT_REF, F_FILTER | F_REF_KEEP, 0, 0, NULL, "orders", NULL, "订单", "訂單", "Order", .group = "basics"},
    {"payment_id", FT_REF, F_FILTER | F_REF_KEEP, 0, 0, NULL, "payments", NULL, "回款", "回款", "Payment",
     .group = "basics"},
    {"customer_id", FT_REF, F_READONLY | F_LIST | F_FILTER | F_REF_KEEP, 0, 0, NULL, "customers", NULL, "客户", "客戶",
     "Customer", .group = "basics"},
    {"issuer_name", FT_TEXT, 0, 0, 200, NULL, NULL, NULL, "销售方（开票方）全称", "銷售方（開票方）全稱",
     "Issuer's full name", .group = "parties"},
    {"payee_name", FT_TEXT, F_SEARCH, 0, 200, NULL, NULL, NULL, "购买方（受票方）全称", "購買方（受票方）全稱",
     "Payee's full name", .group = "parties"},
    {"payee_tax_id", FT_TEXT, 0, 0, 30, NULL, NULL, NULL, "购买方纳税人识别号", "購買方統一編號", "Payee's tax id",
     .group = "parties"},
    {"issued_later", FT_BOOL, F_FILTER | F_NOINDEX, 0, 0, NULL, NULL, "false", "补开", "補開", "Issued later (补开)",
     .group = "parties"},
    {"subtotal", FT_MONEY, F_READONLY | F_COMPUTED, 0, 0, NULL, NULL, NULL, "金额合计", "金額合計", "Subtotal",
     .group = "totals"},
    {"tax", FT_MONEY, F_READONLY | F_COMPUTED, 0, 0, NULL, NULL, NULL, "税额合计", "稅額合計", "Tax",
     .group = "totals"},
    {"total", FT_MONEY, F_READONLY | F_COMPUTED | F_LIST | F_SORT | F_FILTER, 0, 0, NULL, NULL, NULL, "价税合计",
     "價稅合計", "Total", .group = "totals"},
    {"issued_at", FT_DATETIME, F_READONLY, 0, 0, NULL, NULL, NULL, "开具时间", "開立時間", "Issued at",
     .group = "totals"},
    {"reissue_of", FT_REF, F_FILTER | F_CREATE_ONLY | F_REF_KEEP, 0, 0, NULL, "invoices", NULL, "重开自（作废发票）",
     "重開自（作廢發票）", "Reissue of (voided invoice)", .group = "void"},
    {"void_reason", FT_TEXT, F_READONLY, 0, 0, NULL, NULL, NULL, "作废原因", "作廢原因", "Void reason",
     .group = "void"},
    {"voided_at", FT_DATETIME, F_READONLY, 0, 0, NULL, NULL, NULL, "作废时间", "作廢時間", "Voided at",
     .group = "void"},
    {"receipt_signer", FT_TEXT, 0, 0, 100, NULL, NULL, NULL, "客户签收人", "客戶簽收人", "Received and signed by",
     .group = "receipt"},
    {"receipt_on", FT_DATE, 0, 0, 0, NULL, NULL, NULL, "签收日期", "簽收日期", "Received on", .group = "receipt"},
    {"note", FT_LONGTEXT, 0, 0, 2000, NULL, NULL, NULL, "备注", "備註", "Note", .group = "receipt"},
    {NULL},
};
static const FieldGroup invoice_groups[] = {
    {"basics", "基本信息", "基本資訊", "Basics"}, {"parties", "开票双方", "開票雙方", "Parties"},
    {"totals", "金额", "金額", "Totals"},         {"void", "作废与重开", "作廢與重開", "Void and reissue"},
    {"receipt", "签收", "簽收", "Receipt"},       {NULL}};
static const Compute invoice_computes[] = {
    {"subtotal", CK_SUM, "lines", "amount"},
    {"tax", CK_SUM, "lines", "tax"},
    {"total", CK_ADD, "subtotal", "tax"},
    {NULL},
};

/* A live invoice row's value of column col by id: 1 found, 0 not, -1 error. */
static int invoice_row(Req *r, int64_t id, int64_t *contract, const char **state) {
    Stmt *st = db_prepare(r->db, "SELECT contract_id, state FROM invoices WHERE id = ?1 AND deleted_at IS NULL");
    if (!st) return -1;
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *contract = db_col_int64(st, 0);
        *state = arena_strdup(r->a, db_col_text(st, 1));
    }
    db_done(st);
    return rc < 0 ? -1 : rc == DB_ROW;
}

/* The row that rec's field names (when set) belongs to contract, as sql (?1 = the id) reads it:
   0, or -1 with e (400 field.reference naming the field, or the database's error). */
static int of_contract(Req *r, const char *sql, json_t *rec, const char *field, int64_t contract, Err *e) {
    int64_t id = flow_rec_int(rec, field);
    if (!id) return 0;
    Stmt *st = db_prepare(r->db, sql);
    if (!st) return flow_db_error(r, e, field);
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    int64_t of = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_done(st);
    if (rc < 0) return flow_db_error(r, e, field);
    return of == contract ? 0 : err_set(e, 400, EC_REF, field, NULL);
}

/*
** before_save: on create the signed contract gives the customer and the payee's name (the
** company's name the issuer's); the payment must be the contract's; a reissue names a voided
** invoice of the same contract that no other invoice reissues.
*/
static int invoice_check(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    if (record_compute(r, en, rec, e) < 0) return -1;
    if (old) return 0;
    int64_t contract = flow_rec_int(rec, "contract_id");
    json_t *c = entity_load_any(r, entity_find("contracts"), contract, e);
    if (!c) return e->status == 404 ? err_set(e, 400, EC_REF, "contract_id", NULL) : -1;
    const char *state = flow_rec_str(c, "state");
    bool signed_ = state && strstr(" signed executing completed ", arena_printf(r->a, " %s ", state));
    int64_t customer = flow_rec_int(c, "customer_id");
    json_decref(c);
    if (!signed_) return err_set(e, 409, EC_AR_CONTRACT, "contract_id", NULL);
    json_object_set_new(rec, "customer_id", json_integer(customer));
    if (!flow_rec_str(rec, "payee_name") || !*flow_rec_str(rec, "payee_name")) {
        Stmt *st = db_prepare(r->db, "SELECT name FROM customers WHERE id = ?1");
        if (!st) return flow_db_error(r, e, "customer");
        db_bind_int64(st, 1, customer);
        int rc = db_step(st);
        if (rc == DB_ROW) json_object_set_new(rec, "payee_name", json_string(db_col_text(st, 0)));
        db_done(st);
        if (rc < 0) return flow_db_error(r, e, "customer");
    }
    if (!flow_rec_str(rec, "issuer_name") || !*flow_rec_str(rec, "issuer_name")) {
        const char *co = req_setting_text(r, "company.name");
        if (!co || !*co) return err_set(e, 400, EC_REQUIRED, "issuer_name", NULL);
        json_object_set_new(rec, "issuer_name", json_string(co));
    }
    /* the payment and the order (visible: FT_REF) are this contract's */
    if (of_contract(r, "SELECT contract_id FROM payments WHERE id = ?1 AND deleted_at IS NULL", rec, "payment_id",
                    contract, e) < 0 ||
        of_contract(r, "SELECT contract_id FROM orders WHERE id = ?1", rec, "order_id", contract, e) < 0)
        return -1;
    int64_t of = flow_rec_int(rec, "reissue_of");
    if (of) {
        int64_t oc = 0;
        const char *os = NULL;
        int ok = invoice_row(r, of, &oc, &os);
        if (ok < 0) return flow_db_error(r, e, "invoice");
        if (!ok || oc != contract) return err_set(e, 400, EC_REF, "reissue_of", NULL);
        if (strcmp(os, "voided"))
            return err_set(e, 409, EC_INV_REISSUE, "reissue_of", "%s", entity_state_label(r->locale, en, os));
        Stmt *st = db_prepare(r->db, "SELECT number FROM invoices WHERE reissue_of = ?1 AND deleted_at IS NULL");
        if (!st) return flow_db_error(r, e, "invoice");
        db_bind_int64(st, 1, of);
        int rc = db_step(st);
        const char *by = rc == DB_ROW ? arena_strdup(r->a, db_col_text(st, 0)) : NULL;
        db_done(st);
        if (rc < 0) return flow_db_error(r, e, "invoice");
        if (rc == DB_ROW) return err_set(e, 409, EC_INV_REISSUE, "reissue_of", "%s", by ? by : "");
    }
    return 0;
}

/* issue: the contract's issued invoices (voided ones aside) stay within its total; on PostgreSQL
   the contract's row is locked (read, never written) so that concurrent issues queue up. */
static int issue_guard(Req *r, const Entity *en, json_t *rec, Err *e) {
    (void)en;
    if (db_kind(r->db) == DB_PG) {
        Stmt *lk = db_prepare(r->db, "SELECT id FROM contracts WHERE id = ?1 FOR UPDATE");
        if (!lk) return flow_db_error(r, e, "invoices");
        db_bind_int64(lk, 1, flow_rec_int(rec, "contract_id"));
        int rc = db_step(lk);
        db_done(lk);
        if (rc < 0) return flow_db_error(r, e, "invoices");
    }
    Stmt *st = db_prepare(r->db, "SELECT c.total, COALESCE((SELECT SUM(v.total) FROM invoices v WHERE v.contract_id ="
                                 " c.id AND v.state = 'issued' AND v.deleted_at IS NULL), 0)"
                                 " FROM contracts c WHERE c.id = ?1");
    if (!st) return flow_db_error(r, e, "invoices");
    db_bind_int64(st, 1, flow_rec_int(rec, "contract_id"));
    int rc = db_step(st);
    int64_t total = rc == DB_ROW ? db_col_int64(st, 0) : 0, issued = rc == DB_ROW ? db_col_int64(st, 1) : 0;
    db_done(st);
    if (rc < 0) return flow_db_error(r, e, "invoices");
    if (issued + flow_rec_int(rec, "total") > total)
        return err_set(e, 409, EC_INV_OVER, "total", "%s", money_format(r->a, total - issued));
    return 0;
}

static int issue_effect(Req *r, const Entity *en, json_t *rec, Err *e) {
    json_t *vals = json_pack("{s:I}", "issued_at", (json_int_t)r->now);
    int rc = entity_update_fields(r, en, rec, vals, "issue", e);
    json_decref(vals);
    return rc;
}

static int void_effect(Req *r, const Entity *en, json_t *rec, Err *e) {
    json_t *vals =
        json_pack("{s:O, s:I}", "void_reason", json_object_get(rec, "_comment"), "voided_at", (json_int_t)r->now);
    int rc = entity_update_fields(r, en, rec, vals, "void", e);
    json_decref(vals);
    return rc;
}

static const EnumVal invoice_states[] = {
    {"draft", "草稿", "草稿", "Draft"},
    {"issued", "已开具", "已開立", "Issued"},
    {"voided", "已作废", "已作廢", "Voided"},
    {NULL},
};
static const Transition invoice_transitions[] = {
    {"issue", "draft", "issued", RB(FINANCE), 0, issue_guard, issue_effect, NULL, "开具", "開立", "Issue"},
    {"void", "issued", "voided", RB(FINANCE), T_COMMENT, NULL, void_effect, NULL, "作废", "作廢", "Void"},
    {NULL},
};
static const Workflow invoice_flow = {
    .initial = "draft",
    .states = invoice_states,
    .final_states = "voided",
    .transitions = invoice_transitions,
    .editable_states = "draft",
};

/* The total in 大写 on every read (the printed invoice shows it through its layout). */
static void invoice_decorate(Req *r, const Entity *en, json_t *row) {
    (void)en;
    json_t *t = json_object_get(row, "total");
    if (json_is_integer(t))
        json_object_set_new(row, "total_upper", json_string(money_upper(r->a, json_integer_value(t))));
}

static const char *const print_header[] = {"number",       "invoice_no", "invoice_date", "kind",
                                           "issuer_name",  "payee_name", "payee_tax_id", "contract_id",
                                           "issued_later", "reissue_of", "state",        NULL};
static const PrintColumn print_columns[] = {
    {"#", 4},           {"item", 24},   {"spec", 12},       {"unit", 6}, {"quantity", 9},
    {"unit_price", 12}, {"amount", 13}, {"tax_rate_bp", 7}, {"tax", 11}, {NULL}};
static const char *const print_totals[] = {"subtotal", "tax", "total", "receipt_signer", "receipt_on", NULL};
static const PrintLayout invoice_print = {
    "发票",
    "發票",
    "Invoice",
    print_header,
    "lines",
    print_columns,
    print_totals,
    "total",
    "开票人：＿＿＿＿＿＿    复核：＿＿＿＿＿＿    收票人签收：＿＿＿＿＿＿    日期：＿＿＿＿＿＿",
    "開票人：＿＿＿＿＿＿    覆核：＿＿＿＿＿＿    收票人簽收：＿＿＿＿＿＿    日期：＿＿＿＿＿＿",
    "Issued by: ____________    Checked by: ____________    Received by: ____________    Date: ____________",
};

static const Entity invoices_entity = {
    .name = "invoices",
    .table = "invoices",
    .zh = "发票",
    .tw = "發票",
    .en = "Invoices",
    .fields = invoice_fields,
    .vis = VIS_OWNER,
    .read_roles = INV_READERS,
    .write_roles = RB(FINANCE),
    .delete_roles = RB(FINANCE),
    .write_any_roles = RB(FINANCE),
    .read_all_roles = RB(FINANCE) | RB(GM),
    .default_sort = "-created_at",
    .title_field = "number",
    .flow = &invoice_flow,
    .before_save = invoice_check,
    .tag = "receivables",
    .number_prefix = "IV",
    .decorate = invoice_decorate,
    .children = invoice_children,
    .computes = invoice_computes,
    .groups = invoice_groups,
    .attachments = true,
    .print = &invoice_print,
    .after_sign = "receipt_signer receipt_on",
};

void invoices_register(void) { entity_register(&invoices_entity); }
