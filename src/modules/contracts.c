/*
** contracts.c — contracts (合同, R-CON-1..4). Lines and totals as on a quote, the
** payment schedule (instalments: the rows receivables count payments against),
** quality, acceptance and delivery terms, and the classification of R-CON-2: a
** contract is special when the rep answers yes to one of the declared questions or
** the data says so (credit limit exceeded, margin below the setting), general
** otherwise, with every reason recorded. Review (R-CON-3): general → the owner's
** sales manager; special → the departments in parallel, every verdict collected,
** then the GM; a rejection returns it to draft with all comments. Signed contracts
** change through new versions (T_REVISE), re-reviewed by the departments whose
** concerns the change touches.
**
** Completed for users (issue 12): a contract made from an accepted quote copies it
** (POST /api/v1/quotes/:id/make-contract) and is compared with it on every save
** (quote_differs; a difference needs an explanation before review, R-CON-3); the
** general route and the special sign-off as settings, the deputy GM coordinating; a
** rep who cannot tell asks the technical department to classify; tenders reviewed
** like contracts, then handed in; reasons shown as labels; a change's review by
** concern down to the lines' columns (flow_touched), the customer's confirmation
** and a signed copy before signing again; purchasing and production told of a
** signed contract; the opportunity reads its signed contract through a rollup.
*/
#include <stdio.h>
#include <string.h>

#include "../core/errcodes.h"
#include "../flow/flow.h"
#include "../model/model.h"
#include "../model/calendar.h"
#include "../model/settings.h"
#include "demo.h"
#include "modules.h"

#define CONTRACT_ROLES                                                                                                 \
    (RB(SALES_REP) | ROLES_MANAGING | RB(FINANCE) | RB(LEGAL) | RB(TECH) | RB(PRODUCTION) | RB(QC) | RB(PURCHASING) |  \
     RB(WAREHOUSE))
#define CONTRACT_WRITERS (RB(SALES_REP) | ROLES_MANAGING)

static const Field line_fields[] = {
    {"product_id", FT_REF, F_REQUIRED, 0, 0, NULL, "products", NULL, "产品", "產品", "Product"},
    {"spec", FT_TEXT, 0, 0, 200, NULL, NULL, NULL, "规格型号", "規格型號", "Specification"},
    {"quantity", FT_QTY, F_REQUIRED, 1, 1000000000000, NULL, NULL, NULL, "数量", "數量", "Quantity"},
    {"unit_price", FT_MONEY, F_REQUIRED, 0, 100000000000, NULL, NULL, NULL, "单价", "單價", "Unit price"},
    {"discount_bp", FT_PERCENT_BP, 0, 0, 10000, NULL, NULL, "0", "折扣", "折扣", "Discount"},
    {"unit_cost", FT_MONEY, 0, 0, 100000000000, NULL, NULL, NULL, "单位成本", "單位成本", "Unit cost"},
    {"delivery_date", FT_DATE, 0, 0, 0, NULL, NULL, NULL, "交货日期", "交貨日期", "Delivery date"},
    {"gross", FT_MONEY, F_READONLY | F_COMPUTED, 0, 0, NULL, NULL, NULL, "原价金额", "原價金額", "Gross"},
    {"discount", FT_MONEY, F_READONLY | F_COMPUTED, 0, 0, NULL, NULL, NULL, "折扣额", "折扣額", "Discount amount"},
    {"amount", FT_MONEY, F_READONLY | F_COMPUTED, 0, 0, NULL, NULL, NULL, "金额", "金額", "Amount"},
    {"cost", FT_MONEY, F_READONLY | F_COMPUTED, 0, 0, NULL, NULL, NULL, "成本", "成本", "Cost"},
    {NULL},
};
static const Compute line_computes[] = {
    {"gross", CK_MUL, "quantity", "unit_price"},
    {"discount", CK_MUL, "gross", "discount_bp"},
    {"amount", CK_SUB, "gross", "discount"},
    {"cost", CK_MUL, "quantity", "unit_cost"},
    {NULL},
};
static const EnumVal terms[] = {
    {"prepayment", "预付款", "預付款", "Prepayment"},
    {"delivery", "发货款", "發貨款", "Payment on delivery"},
    {"acceptance", "验收款", "驗收款", "Payment on acceptance"},
    {"retention", "质保金", "質保金", "Retention"},
    {"other", "其他", "其他", "Other"},
    {NULL},
};
static const Field instalment_fields[] = {
    {"term", FT_ENUM, F_REQUIRED, 0, 0, terms, NULL, NULL, "款项", "款項", "Term"},
    {"due_date", FT_DATE, F_REQUIRED, 0, 0, NULL, NULL, NULL, "应收日期", "應收日期", "Due date"},
    {"amount", FT_MONEY, F_REQUIRED, 1, 100000000000000, NULL, NULL, NULL, "金额", "金額", "Amount"},
    {"condition", FT_TEXT, 0, 0, 200, NULL, NULL, NULL, "付款条件", "付款條件", "Condition"},
    {NULL},
};
static const Child contract_children[] = {
    {"lines", "contract_lines", "合同明细", "合約明細", "Lines", line_fields, line_computes, 1, 200,
     .label = "product_id spec quantity"},
    {"instalments", "contract_instalments", "付款计划", "付款計劃", "Payment schedule", instalment_fields, NULL, 0, 24},
    {NULL},
};
static const EnumVal kinds[] = {
    {"contract", "合同", "合約", "Contract"},
    {"tender", "标书", "標書", "Tender"},
    {NULL},
};
static const EnumVal classes[] = {
    {"general", "一般合同", "一般合約", "General"},
    {"special", "特殊合同", "特殊合約", "Special"},
    {NULL},
};
static const EnumVal final_signers[] = {
    {"gm", "总经理", "總經理", "General manager"},
    {"sales_director", "销售部总经理", "銷售部總經理", "Sales director"},
    {"none", "无（销售经理审批即可）", "無（銷售經理審批即可）", "None (the sales manager's approval)"},
    {NULL},
};
static const EnumVal confirm_ways[] = {
    {"supplement", "补充协议", "補充協議", "Supplementary agreement"},
    {"letter", "盖章回函", "蓋章回函", "Sealed letter"},
    {"email", "电子邮件", "電子郵件", "Email"},
    {"fax", "传真", "傳真", "Fax"},
    {"phone", "电话（已记录）", "電話（已記錄）", "Phone (recorded)"},
    {NULL},
};
#define MONEY_RO(name, zh, tw, en, more)                                                                               \
    { name, FT_MONEY, F_READONLY | F_COMPUTED | (more), 0, 0, NULL, NULL, NULL, zh, tw, en, .group = "totals" }
#define REASON(name, zh, tw, en)                                                                                       \
    { name, FT_BOOL, F_FILTER, 0, 0, NULL, NULL, "false", zh, tw, en, .group = "classification" }
#define REASON_RO(name, zh, tw, en)                                                                                    \
    { name, FT_BOOL, F_READONLY | F_COMPUTED | F_FILTER, 0, 0, NULL, NULL, NULL, zh, tw, en, .group = "classification" }
static const Field contract_fields[] = {
    {"number", FT_TEXT, F_READONLY | F_LIST | F_SEARCH | F_SORT, 0, 0, NULL, NULL, NULL, "合同编号", "合約編號",
     "Number", .group = "basics"},
    {"title", FT_TEXT, F_LIST | F_SEARCH, 0, 200, NULL, NULL, NULL, "合同名称", "合約名稱", "Title", .group = "basics"},
    {"kind", FT_ENUM, F_FILTER, 0, 0, kinds, NULL, "contract", "类别", "類別", "Kind", .group = "basics"},
    {"customer_id", FT_REF, F_REQUIRED | F_LIST | F_FILTER | F_CREATE_ONLY, 0, 0, NULL, "customers", NULL, "客户",
     "客戶", "Customer", .group = "basics"},
    {"quote_id", FT_REF, F_FILTER | F_REF_KEEP | F_CREATE_ONLY, 0, 0, NULL, "quotes", NULL, "报价单", "報價單",
     "Quotation", .group = "basics"},
    {"opportunity_id", FT_REF, F_FILTER | F_REF_KEEP, 0, 0, NULL, "opportunities", NULL, "销售机会", "銷售機會",
     "Opportunity", .group = "basics"},
    {"contact_id", FT_REF, F_FILTER | F_REF_KEEP, 0, 0, NULL, "contacts", NULL, "联系人", "聯絡人", "Contact",
     .group = "basics"},
    {"signed_on", FT_DATE, F_READONLY | F_LIST | F_FILTER | F_SORT, 0, 0, NULL, NULL, NULL, "签订日期", "簽訂日期",
     "Signed on", .group = "basics"},
    {"delivery_date", FT_DATE, F_LIST | F_FILTER | F_SORT, 0, 0, NULL, NULL, NULL, "交货日期", "交貨日期",
     "Delivery date", .group = "basics"},
    {"end_date", FT_DATE, 0, 0, 0, NULL, NULL, NULL, "合同终止日期", "合約終止日期", "End date", .group = "basics"},
    {"tax_rate_bp", FT_PERCENT_BP, 0, 0, 10000, NULL, NULL, "1300", "税率", "稅率", "Tax rate", .group = "basics"},
    {"payment_terms", FT_TEXT, 0, 0, 500, NULL, NULL, NULL, "结算方式", "結算方式", "Payment terms", .group = "terms"},
    {"quality_terms", FT_LONGTEXT, 0, 0, 4000, NULL, NULL, NULL, "质量条款与验收标准", "品質條款與驗收標準",
     "Quality terms and acceptance criteria", .group = "terms"},
    {"delivery_terms", FT_LONGTEXT, 0, 0, 2000, NULL, NULL, NULL, "交货地点、运输与包装", "交貨地點、運輸與包裝",
     "Delivery place, transport and packaging", .group = "terms"},
    {"warranty_months", FT_INT, 0, 0, 120, NULL, NULL, "12", "质保期（月）", "保固期（月）", "Warranty (months)",
     .group = "terms"},
    REASON("new_product", "新产品开发", "新產品開發", "New product development"),
    REASON("over_capacity", "超出现有生产能力", "超出現有產能", "Beyond production capacity"),
    REASON("over_tech", "超出现有技术要求", "超出現有技術要求", "Beyond current technical requirements"),
    REASON("customer_materials", "客户提供材料或图纸", "客戶提供材料或圖紙", "Customer-supplied materials or drawings"),
    REASON_RO("credit_risk", "回款风险（超信用额度或有逾期应收）", "回款風險（超信用額度或有逾期應收）",
              "Collection risk (over credit limit or overdue receivables)"),
    REASON_RO("low_margin", "毛利率低于正常水平", "毛利率低於正常水準", "Margin below the normal threshold"),
    {"classification", FT_ENUM, F_READONLY | F_COMPUTED | F_LIST | F_FILTER, 0, 0, classes, NULL, NULL, "合同类别",
     "合約類別", "Classification", .group = "classification"},
    {"class_unsure", FT_BOOL, 0, 0, 0, NULL, NULL, "false", "无法判定类别（请技术部判定）",
     "無法判定類別（請技術部判定）", "Cannot tell (the technical department decides)", .group = "classification"},
    {"tech_class", FT_ENUM, F_READONLY | F_FILTER | F_NOINDEX, 0, 0, classes, NULL, NULL, "技术部判定", "技術部判定",
     "Technical department's decision", .group = "classification", .when = "class_unsure"},
    {"special_reasons", FT_TEXT, F_READONLY | F_COMPUTED | F_MESSAGE, 0, 0, NULL, NULL, NULL, "特殊原因", "特殊原因",
     "Special because", .group = "classification"},
    {"quote_differs", FT_BOOL, F_READONLY | F_COMPUTED | F_FILTER | F_NOINDEX, 0, 0, NULL, NULL, NULL, "与报价不一致",
     "與報價不一致", "Differs from the quotation", .group = "classification"},
    {"quote_diff_note", FT_LONGTEXT, 0, 0, 2000, NULL, NULL, NULL, "与报价差异说明", "與報價差異說明",
     "Why it differs from the quotation", .group = "classification", .when = "quote_differs"},
    {"general_depts", FT_BOOL, F_READONLY | F_COMPUTED, 0, 0, NULL, NULL, NULL, "法务、财务参与评审",
     "法務、財務參與評審", "Legal and finance review", .group = "review"},
    {"final_by", FT_ENUM, F_READONLY | F_COMPUTED, 0, 0, final_signers, NULL, NULL, "最终审批", "最終審批",
     "Final sign-off", .group = "review"},
    {"is_change", FT_BOOL, F_READONLY, 0, 0, NULL, NULL, "false", "合同变更", "合約變更", "A change",
     .group = "review"},
    {"change_confirmed_by", FT_TEXT, F_READONLY, 0, 100, NULL, NULL, NULL, "客户确认人", "客戶確認人",
     "Confirmed by (customer)", .group = "review", .when = "is_change"},
    {"change_confirmed_on", FT_DATE, F_READONLY, 0, 0, NULL, NULL, NULL, "客户确认日期", "客戶確認日期", "Confirmed on",
     .group = "review", .when = "is_change"},
    {"change_confirmed_via", FT_ENUM, F_READONLY, 0, 0, confirm_ways, NULL, NULL, "客户确认方式", "客戶確認方式",
     "Confirmed by way of", .group = "review", .when = "is_change"},
    MONEY_RO("gross_total", "原价合计", "原價合計", "Gross total", 0),
    MONEY_RO("discount_total", "折扣合计", "折扣合計", "Discount total", 0),
    MONEY_RO("subtotal", "不含税金额", "未稅金額", "Subtotal", 0),
    MONEY_RO("cost_total", "成本合计", "成本合計", "Cost total", 0),
    MONEY_RO("profit", "毛利", "毛利", "Gross profit", 0),
    MONEY_RO("tax", "税额", "稅額", "Tax", 0),
    MONEY_RO("total", "价税合计", "價稅合計", "Total", F_LIST | F_SORT | F_FILTER),
    {"margin_bp", FT_PERCENT_BP, F_READONLY | F_COMPUTED | F_LIST, 0, 0, NULL, NULL, NULL, "毛利率", "毛利率", "Margin",
     .group = "totals"},
    MONEY_RO("scheduled_total", "付款计划合计", "付款計劃合計", "Scheduled total", 0),
    {NULL},
};
static const FieldGroup contract_groups[] = {{"basics", "基本信息", "基本資訊", "Basics"},
                                             {"terms", "条款", "條款", "Terms"},
                                             {"classification", "合同分类", "合約分類", "Classification"},
                                             {"review", "评审与变更", "評審與變更", "Review and change"},
                                             {"totals", "金额", "金額", "Totals"},
                                             {NULL}};
static const Compute contract_computes[] = {
    {"gross_total", CK_SUM, "lines", "gross"},
    {"discount_total", CK_SUM, "lines", "discount"},
    {"subtotal", CK_SUM, "lines", "amount"},
    {"cost_total", CK_SUM, "lines", "cost"},
    {"profit", CK_SUB, "subtotal", "cost_total"},
    {"tax", CK_MUL, "subtotal", "tax_rate_bp"},
    {"total", CK_ADD, "subtotal", "tax"},
    {"margin_bp", CK_RATIO, "profit", "subtotal"},
    {"scheduled_total", CK_SUM, "instalments", "amount"},
    {NULL},
};

static const EnumVal special_final[] = {
    {"gm", "总经理", "總經理", "General manager"},
    {"sales_director", "销售部总经理", "銷售部總經理", "Sales director"},
    {NULL},
};
static const Setting contract_settings[] = {
    {"contract.margin_threshold_bp", ST_INT, "1500", -10000, 10000, "毛利率低于此值（基点）为特殊合同",
     "毛利率低於此值（基點）為特殊合約", "A margin below this (basis points) makes a contract special"},
    {"contract.general.legal_finance", ST_BOOL, "1", 0, 0, "一般合同经法务（文本）与财务（价格、付款条件）评审",
     "一般合約經法務（文本）與財務（價格、付款條件）評審",
     "General contracts: legal reviews the text and finance the price and payment terms"},
    {"contract.general.gm", ST_BOOL, "0", 0, 0, "一般合同由总经理签署最终意见", "一般合約由總經理簽署最終意見",
     "General contracts: the general manager gives the final opinion"},
    {"contract.special.final", ST_ENUM, "gm", 0, 0, "特殊合同最终审批人", "特殊合約最終審批人",
     "Final sign-off of a special contract", special_final},
};

/* Payment-collection risk: does the contract's total pass the customer's credit limit (0 = no
   limit), or has the customer overdue receivables (receivables.c)? -1 on a database error. */
static int over_credit(Req *r, json_t *rec) {
    Stmt *st = db_prepare(r->db, "SELECT credit_limit FROM customers WHERE id = ?1");
    if (!st) return -1;
    db_bind_int64(st, 1, flow_rec_int(rec, "customer_id"));
    int rc = db_step(st);
    int64_t limit = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_done(st);
    if (rc < 0) return -1;
    if (limit > 0 && flow_rec_int(rec, "total") > limit) return 1;
    return receivables_customer_overdue(r, flow_rec_int(rec, "customer_id"));
}

/* Text values equal, a missing or null one reading as empty. */
static bool same_text(const char *a, const char *b) { return !strcmp(a ? a : "", b ? b : ""); }

/* A text column of the current row of st as an arena string, NULL when null. */
static const char *col_text(Req *r, Stmt *st, int i) {
    return db_col_null(st, i) ? NULL : arena_strdup(r->a, db_col_text(st, i));
}

/*
** Does the contract differ from the quote it was made from: its lines (product, specification,
** quantity, unit price, discount, in order), tax rate, payment and delivery terms (R-CON-3)?
** 1 yes, 0 no (or no quote), -1 on a database error.
*/
static int differs_from_quote(Req *r, json_t *rec) {
    int64_t qid = flow_rec_int(rec, "quote_id");
    if (!qid) return 0;
    Stmt *st = db_prepare(r->db, "SELECT tax_rate_bp, payment_terms, delivery_term FROM quotes WHERE id = ?1");
    if (!st) return -1;
    db_bind_int64(st, 1, qid);
    int rc = db_step(st), differs = 0;
    if (rc == DB_ROW)
        differs = db_col_int64(st, 0) != flow_rec_int(rec, "tax_rate_bp") ||
                  !same_text(db_col_null(st, 1) ? NULL : db_col_text(st, 1), flow_rec_str(rec, "payment_terms")) ||
                  !same_text(db_col_null(st, 2) ? NULL : db_col_text(st, 2), flow_rec_str(rec, "delivery_terms"));
    db_done(st);
    if (rc < 0) return -1;
    if (rc != DB_ROW || differs) return 1;
    st = db_prepare(r->db, "SELECT product_id, spec, quantity, unit_price, discount_bp FROM quote_lines"
                           " WHERE parent_id = ?1 ORDER BY idx");
    if (!st) return -1;
    db_bind_int64(st, 1, qid);
    json_t *lines = json_object_get(rec, "lines");
    size_t n = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *l = json_array_get(lines, n++);
        if (!l || db_col_int64(st, 0) != flow_rec_int(l, "product_id") ||
            !same_text(db_col_null(st, 1) ? NULL : db_col_text(st, 1), flow_rec_str(l, "spec")) ||
            db_col_int64(st, 2) != flow_rec_int(l, "quantity") ||
            db_col_int64(st, 3) != flow_rec_int(l, "unit_price") ||
            db_col_int64(st, 4) != flow_rec_int(l, "discount_bp"))
            differs = 1;
    }
    db_done(st);
    if (rc < 0) return -1;
    return differs || n != json_array_size(lines);
}

/* A new contract that names a quote: the quote is accepted and of the same customer. */
static int quote_usable(Req *r, json_t *rec, Err *e) {
    Stmt *st = db_prepare(r->db, "SELECT state, customer_id FROM quotes WHERE id = ?1 AND deleted_at IS NULL");
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, flow_rec_int(rec, "quote_id"));
    int rc = db_step(st);
    bool accepted = rc == DB_ROW && !strcmp(db_col_text(st, 0), "accepted");
    int64_t customer = rc == DB_ROW ? db_col_int64(st, 1) : 0;
    db_done(st);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (!accepted)
        return err_set(e, 409, EC_GUARD, "quote_id", "%s",
                       label_for(r->locale, "合同只能由客户已接受的报价单生成", "合約只能由客戶已接受的報價單產生",
                                 "A contract is made from a quotation the customer accepted"));
    if (customer != flow_rec_int(rec, "customer_id"))
        return err_set(e, 409, EC_GUARD, "customer_id", "%s",
                       label_for(r->locale, "合同客户须与报价单客户一致", "合約客戶須與報價單客戶一致",
                                 "The contract's customer must be the quotation's"));
    return 0;
}

/* The route the settings give the contract now (R-CON-3): whether legal and finance review a
   general contract, and who signs last (a special contract's from the settings; a general one's
   the GM where the company says so). */
static void contract_route(Req *r, json_t *rec) {
    bool special = same_text(flow_rec_str(rec, "classification"), "special");
    json_object_set_new(rec, "general_depts",
                        json_boolean(!special && req_setting_int(r, "contract.general.legal_finance")));
    const char *final = special                                     ? req_setting_text(r, "contract.special.final")
                        : req_setting_int(r, "contract.general.gm") ? "gm"
                                                                    : "none";
    json_object_set_new(rec, "final_by", json_string(final));
}

/* before_save: totals, the reasons read from the data and the classification they give
   (R-CON-2; the technical department's decision when the rep could not tell), the review
   route from the settings, and the comparison with the quote. */
static int contract_check(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    if (!old && flow_rec_int(rec, "quote_id") && quote_usable(r, rec, e) < 0) return -1;
    if (catalogue_line_costs(r, json_object_get(rec, "lines"), e) < 0) return -1;
    if (record_compute(r, en, rec, e) < 0) return -1;
    int credit = over_credit(r, rec);
    if (credit < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    bool low = flow_rec_int(rec, "margin_bp") < req_setting_int(r, "contract.margin_threshold_bp");
    json_object_set_new(rec, "credit_risk", json_boolean(credit));
    json_object_set_new(rec, "low_margin", json_boolean(low));
    /* the rep's answers, unless they could not tell and the technical department decided */
    const char *tech = json_is_true(json_object_get(rec, "class_unsure")) ? flow_rec_str(rec, "tech_class") : NULL;
    static const char *const answered[] = {"new_product", "over_capacity", "over_tech", "customer_materials", NULL};
    static const char *const from_data[] = {"credit_risk", "low_margin", NULL};
    json_t *names = json_array();
    for (int i = 0; !tech && answered[i]; i++)
        if (json_is_true(json_object_get(rec, answered[i]))) json_array_append_new(names, json_string(answered[i]));
    if (tech && !strcmp(tech, "special")) json_array_append_new(names, json_string("tech_class"));
    for (int i = 0; from_data[i]; i++)
        if (json_is_true(json_object_get(rec, from_data[i]))) json_array_append_new(names, json_string(from_data[i]));
    bool special = json_array_size(names) > 0;
    json_object_set_new(
        rec, "special_reasons",
        special ? json_string(msg_make(r->a, "contract.reasons", "list", msg_field_labels(r->a, en->name, names), NULL))
                : json_null());
    json_decref(names);
    json_object_set_new(rec, "classification", json_string(special ? "special" : "general"));
    contract_route(r, rec);
    int differs = differs_from_quote(r, rec);
    if (differs < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    json_object_set_new(rec, "quote_differs", json_boolean(differs));
    return 0;
}

/* A 409 flow.guard naming field, in the reader's language. */
static int guard_fail(Req *r, Err *e, const char *field, const char *zh, const char *tw, const char *en) {
    return err_set(e, 409, EC_GUARD, field, "%s", label_for(r->locale, zh, tw, en));
}

/* submit: the payment schedule accounts for the whole total; a rep who could not tell has the
   technical department's decision; a difference from the quote is explained; the route is the
   one the settings give now (stored with the row, so the form shows who will review). */
static int contract_submit_guard(Req *r, const Entity *en, json_t *rec, Err *e) {
    if (flow_rec_int(rec, "scheduled_total") != flow_rec_int(rec, "total") ||
        json_array_size(json_object_get(rec, "instalments")) == 0)
        return guard_fail(r, e, "instalments", "付款计划合计须等于合同价税合计", "付款計劃合計須等於合約價稅合計",
                          "The payment schedule must add up to the contract's total");
    if (json_is_true(json_object_get(rec, "class_unsure")) && !flow_rec_str(rec, "tech_class"))
        return guard_fail(r, e, "tech_class", "无法判定合同类别时，须先请技术部判定",
                          "無法判定合約類別時，須先請技術部判定",
                          "When you cannot tell the classification, ask the technical department first");
    const char *note = flow_rec_str(rec, "quote_diff_note");
    if (json_is_true(json_object_get(rec, "quote_differs")) && !(note && *note))
        return guard_fail(r, e, "quote_diff_note", "合同与报价单不一致，须说明差异后再提交评审",
                          "合約與報價單不一致，須說明差異後再提交評審",
                          "The contract differs from its quotation: explain the difference before review");
    json_t *now = json_copy(rec);
    contract_route(r, now);
    json_t *vals = json_object();
    static const char *const route[] = {"general_depts", "final_by", NULL};
    for (int i = 0; route[i]; i++)
        if (!json_equal(json_object_get(now, route[i]), json_object_get(rec, route[i])))
            json_object_set(vals, route[i], json_object_get(now, route[i]));
    int rc = json_object_size(vals) ? entity_update_fields(r, en, rec, vals, "route", e) : 0;
    json_decref(vals);
    json_decref(now);
    return rc;
}

/* ask_tech: only a rep who answered that they cannot tell asks. */
static int ask_tech_guard(Req *r, const Entity *en, json_t *rec, Err *e) {
    (void)en;
    if (json_is_true(json_object_get(rec, "class_unsure"))) return 0;
    return guard_fail(r, e, "class_unsure", "仅在无法判定合同类别时请技术部判定", "僅在無法判定合約類別時請技術部判定",
                      "Ask the technical department only when you cannot tell the classification");
}

/* Live files attached to the contract since its last version was kept (the signed copy of this
   version): the count, or -1 on a database error. */
static int64_t signed_copies(Req *r, int64_t id) {
    Stmt *st = db_prepare(
        r->db, "SELECT COUNT(*) FROM attachments a WHERE a.entity = 'contracts' AND a.row_id = ?1"
               " AND a.deleted_at IS NULL AND a.created_at >= COALESCE((SELECT MAX(v.created_at) FROM record_versions v"
               " WHERE v.entity = 'contracts' AND v.row_id = ?1), 0)");
    if (!st) return -1;
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    int64_t n = rc == DB_ROW ? db_col_int64(st, 0) : -1;
    db_done(st);
    return rc == DB_ROW ? n : -1;
}

/* sign: a changed contract carries the customer's confirmation of the change (R-CON-4), and
   every contract its signed copy, scanned and attached (R-CON-1). */
static int contract_sign_guard(Req *r, const Entity *en, json_t *rec, Err *e) {
    (void)en;
    static const char *const confirmation[] = {"change_confirmed_by", "change_confirmed_on", "change_confirmed_via",
                                               NULL};
    for (int i = 0; json_is_true(json_object_get(rec, "is_change")) && confirmation[i]; i++) {
        const char *v = flow_rec_str(rec, confirmation[i]);
        if (!v || !*v)
            return guard_fail(r, e, confirmation[i], "合同变更须记录客户的确认（确认人、日期、方式）后再签订",
                              "合約變更須記錄客戶的確認（確認人、日期、方式）後再簽訂",
                              "Record the customer's confirmation of the change (who, when, how) before signing");
    }
    int64_t n = signed_copies(r, flow_rec_int(rec, "id"));
    if (n < 0) return flow_db_error(r, e, "signed copy");
    if (n == 0)
        return guard_fail(r, e, "attachments", "签订前须上传双方签字盖章的合同扫描件",
                          "簽訂前須上傳雙方簽字蓋章的合約掃描檔",
                          "Attach the signed and sealed copy of the contract before signing");
    return 0;
}

/* sign (effect): purchasing and production hear of the signed contract (R-ORD-1), in their
   own language, once per signature. */
static int contract_signed(Req *r, const Entity *en, json_t *rec, Err *e) {
    int64_t id = flow_rec_int(rec, "id");
    Stmt *st = db_prepare(r->db, "SELECT name FROM customers WHERE id = ?1");
    if (!st) return flow_db_error(r, e, "signed notice");
    db_bind_int64(st, 1, flow_rec_int(rec, "customer_id"));
    int rc = db_step(st);
    const char *customer = rc == DB_ROW ? col_text(r, st, 0) : NULL;
    db_done(st);
    if (rc < 0) return flow_db_error(r, e, "signed notice");
    const char *title = arena_printf(r->a, "%s %s", flow_rec_str(rec, "number"),
                                     flow_rec_str(rec, "title") ? flow_rec_str(rec, "title") : "");
    const char *date = flow_rec_str(rec, "delivery_date");
    const char *text = msg_make(r->a, "contract.signed", "title", title, "customer", customer ? customer : "", "date",
                                date ? date : "—", NULL);
    st = db_prepare(r->db, "SELECT DISTINCT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id"
                           " WHERE ur.role IN ('purchasing', 'production') AND u.disabled = 0"
                           " AND u.deleted_at IS NULL ORDER BY u.id");
    if (!st) return flow_db_error(r, e, "signed notice");
    json_t *ids = json_array();
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(ids, json_integer(db_col_int64(st, 0)));
    db_done(st);
    size_t i;
    json_t *u;
    json_array_foreach(ids, i, u) {
        if (rc < 0) break;
        int64_t uid = json_integer_value(u);
        const char *key = arena_printf(r->a, "contract_signed:%lld:%lld:%lld", (long long)id,
                                       (long long)flow_rec_int(rec, "version"), (long long)uid);
        if (task_remind(r->db, uid, "contract_signed", en->name, id, text, 0, key, r->now) < 0) rc = -1;
    }
    json_decref(ids);
    return rc < 0 ? flow_db_error(r, e, "signed notice") : 0;
}

/* revise (effect): the new version is a change; the customer confirms it afresh. */
static int contract_revised(Req *r, const Entity *en, json_t *rec, Err *e) {
    json_t *vals = json_pack("{s:b, s:n, s:n, s:n}", "is_change", 1, "change_confirmed_by", "change_confirmed_on",
                             "change_confirmed_via");
    int rc = entity_update_fields(r, en, rec, vals, "revise", e);
    json_decref(vals);
    return rc;
}

/* classify (effect): the technical department's decision gives the classification, its reasons
   and the route, as a save would (the action writes its input only). */
static int contract_classified(Req *r, const Entity *en, json_t *rec, Err *e) {
    json_t *now = json_deep_copy(rec);
    int rc = contract_check(r, en, now, rec, e);
    json_t *vals = json_object();
    static const char *const derived[] = {"classification", "special_reasons", "general_depts", "final_by", NULL};
    for (int i = 0; rc == 0 && derived[i]; i++)
        json_object_set(vals, derived[i], json_object_get(now, derived[i]));
    if (rc == 0) rc = entity_update_fields(r, en, rec, vals, "classify", e);
    json_decref(vals);
    json_decref(now);
    return rc;
}

/* hand_in: only tenders are handed in. */
static int tender_guard(Req *r, const Entity *en, json_t *rec, Err *e) {
    (void)en;
    if (same_text(flow_rec_str(rec, "kind"), "tender")) return 0;
    return guard_fail(r, e, "kind", "仅标书需递交", "僅標書需遞交", "Only a tender is handed in");
}

static const EnumVal contract_states[] = {
    {"draft", "草稿", "草稿", "Draft"},
    {"classifying", "待技术部判定类别", "待技術部判定類別", "Awaiting classification"},
    {"in_review", "评审中", "評審中", "In review"},
    {"approved", "评审通过", "評審通過", "Approved"},
    {"tendered", "标书已递交", "標書已遞交", "Tender handed in"},
    {"signed", "已签订", "已簽訂", "Signed"},
    {"executing", "执行中", "執行中", "Executing"},
    {"completed", "已完成", "已完成", "Completed"},
    {"terminated", "已终止", "已終止", "Terminated"},
    {NULL},
};
/* R-CON-3: who reviews what, and what each answers for on a later round (R-CON-4: price and
   payment → finance, dates and quantities → production, specifications → technical and QC) */
static const Condition is_general[] = {{"classification", COND_EQ, "general"}, {NULL}};
static const Condition is_special[] = {{"classification", COND_EQ, "special"}, {NULL}};
static const Condition general_depts[] = {
    {"classification", COND_EQ, "general"}, {"general_depts", COND_EQ, "true"}, {NULL}};
static const Condition by_gm[] = {{"final_by", COND_EQ, "gm"}, {NULL}};
static const Condition by_director[] = {{"final_by", COND_EQ, "sales_director"}, {NULL}};
#define FINANCE_CONCERNS                                                                                               \
    "lines.unit_price lines.discount_bp lines.unit_cost tax_rate_bp payment_terms instalments customer_id"
#define LEGAL_CONCERNS "quality_terms payment_terms delivery_terms end_date warranty_months customer_id kind"
/* the coordinator's and the final signer's approval stands unless the contract changes class
   or hands (they are told of every change all the same) */
#define SIGNOFF_CONCERNS "classification customer_id kind"
static const Reviewer general_reviewers[] = {
    {RB(LEGAL), NULL, LEGAL_CONCERNS},
    {RB(FINANCE), NULL, FINANCE_CONCERNS},
    {0},
};
static const Reviewer departments[] = {
    {RB(TECH), NULL, "lines.product_id lines.spec new_product over_tech tech_class quality_terms"},
    {RB(PRODUCTION), NULL, "lines.product_id lines.quantity lines.delivery_date delivery_date end_date over_capacity"},
    {RB(QC), NULL, "lines.product_id lines.spec quality_terms warranty_months"},
    {RB(PURCHASING), NULL, "lines.product_id lines.quantity customer_materials"},
    {RB(FINANCE), NULL, FINANCE_CONCERNS},
    {RB(LEGAL), NULL, LEGAL_CONCERNS},
    {RB(WAREHOUSE), NULL, "lines.quantity delivery_terms delivery_date"},
    {0},
};
static const ApprovalStep contract_steps[] = {
    {"manager", RB(SALES_MANAGER), SCOPE_OWNER_MANAGER, 48, "销售经理评审", "銷售經理評審", "Sales manager",
     .when = is_general},
    {"text_price", 0, SCOPE_ANY, 48, "法务、财务审核", "法務、財務審核", "Legal and finance", .when = general_depts,
     .reviewers = general_reviewers, .flags = STEP_COLLECT_ALL},
    {"departments", 0, SCOPE_ANY, 72, "各部门会审", "各部門會審", "Department review", .when = is_special,
     .reviewers = departments, .flags = STEP_COLLECT_ALL},
    {"coordinate", RB(DEPUTY_DIRECTOR), SCOPE_UNIT, 24, "副总经理协调", "副總經理協調", "Deputy GM coordinates",
     .when = is_special, .concerns = SIGNOFF_CONCERNS},
    {"final_gm", RB(GM), SCOPE_ANY, 48, "总经理审批", "總經理審批", "General manager", .when = by_gm,
     .concerns = SIGNOFF_CONCERNS},
    {"final_director", RB(SALES_DIRECTOR), SCOPE_UNIT, 48, "销售部总经理审批", "銷售部總經理審批", "Sales director",
     .when = by_director, .concerns = SIGNOFF_CONCERNS},
    {NULL},
};
static const Approval contract_approval = {contract_steps, "approved", "draft"};
/* the technical department classifies a contract the rep cannot (R-CON-3): its task in "my
   work" opens the contract, whose "classify" action records the decision */
static const ApprovalStep tech_steps[] = {
    {"tech_class", RB(TECH), SCOPE_ANY, 24, "技术部判定类别", "技術部判定類別", "Technical department classifies"},
    {NULL},
};
static const Approval tech_approval = {tech_steps, "draft", "draft"};
static const Transition contract_transitions[] = {
    {"submit", "draft", "in_review", 0, T_OWNER, contract_submit_guard, NULL, &contract_approval, "提交评审",
     "提交評審", "Submit for review"},
    {"ask_tech", "draft", "classifying", 0, T_OWNER, ask_tech_guard, NULL, &tech_approval, "请技术部判定类别",
     "請技術部判定類別", "Ask the technical department"},
    {"classify", "classifying", "draft", RB(TECH), 0, NULL, contract_classified, NULL, "判定合同类别", "判定合約類別",
     "Classify", .inputs = "tech_class", .requires = "tech_class"},
    {"hand_in", "approved", "tendered", 0, T_OWNER, tender_guard, NULL, NULL, "递交标书", "遞交標書",
     "Hand in the tender"},
    {"sign", "approved tendered", "signed", 0, T_OWNER, contract_sign_guard, contract_signed, NULL, "签订", "簽訂",
     "Sign", .inputs = "signed_on change_confirmed_by change_confirmed_on change_confirmed_via",
     .requires = "signed_on"},
    {"lose", "tendered", "terminated", 0, T_OWNER | T_COMMENT, NULL, NULL, NULL, "未中标", "未中標", "Tender lost"},
    {"execute", "signed", "executing", 0, T_OWNER, NULL, NULL, NULL, "开始执行", "開始執行", "Start"},
    {"complete", "executing", "completed", 0, T_OWNER, NULL, NULL, NULL, "完成", "完成", "Complete"},
    {"terminate", "signed executing", "terminated", ROLES_MANAGING, T_COMMENT, NULL, NULL, NULL, "终止", "終止",
     "Terminate"},
    {"revise", "approved signed executing", "draft", 0, T_OWNER | T_REVISE | T_COMMENT, NULL, contract_revised, NULL,
     "变更合同", "變更合約", "Change"},
    {NULL},
};
static const Workflow contract_flow = {
    .initial = "draft",
    .states = contract_states,
    .final_states = "completed terminated",
    .transitions = contract_transitions,
    .editable_states = "draft",
};

static const char *const print_header[] = {
    "number",         "title",           "customer_id", "contact_id",  "signed_on", "delivery_date",
    "classification", "special_reasons", "owner_id",    "tax_rate_bp", NULL};
static const PrintColumn print_columns[] = {{"#", 5},           {"product_id", 24}, {"spec", 18},   {"quantity", 10},
                                            {"unit_price", 13}, {"discount_bp", 8}, {"amount", 14}, {NULL}};
static const char *const print_totals[] = {
    "subtotal", "tax", "total", "payment_terms", "quality_terms", "delivery_terms", "warranty_months", NULL};
static const PrintLayout contract_print = {
    "销售合同",
    "銷售合約",
    "Sales contract",
    print_header,
    "lines",
    print_columns,
    print_totals,
    "total",
    "供方（盖章）：＿＿＿＿＿＿    需方（盖章）：＿＿＿＿＿＿    日期：＿＿＿＿＿＿",
    "供方（蓋章）：＿＿＿＿＿＿    需方（蓋章）：＿＿＿＿＿＿    日期：＿＿＿＿＿＿",
    "Supplier (seal): ____________    Buyer (seal): ____________    Date: ____________",
};

static const Entity contracts_entity = {
    .name = "contracts",
    .table = "contracts",
    .zh = "合同",
    .tw = "合約",
    .en = "Contracts",
    .fields = contract_fields,
    .vis = VIS_OWNER,
    .read_roles = CONTRACT_ROLES,
    .read_all_roles = RB(FINANCE) | RB(GM), /* receivables and the GM work on every contract */
    .write_roles = CONTRACT_WRITERS,
    .default_sort = "-created_at",
    .title_field = "number",
    .flow = &contract_flow,
    .before_save = contract_check,
    .tag = "sales",
    .number_prefix = "CT",
    .children = contract_children,
    .computes = contract_computes,
    /* what is received on each instalment, kept as payments are recorded, cleared and voided: the
       aging board and the collection tasks read the open instalments by it (migration 0044) */
    .rollups = (const Rollup[]){{"received", RU_SUM, "payments", "instalment_id", "amount", .lines = "instalments",
                                 .where = PAYMENT_COUNTED},
                                {NULL}},
    .groups = contract_groups,
    .attachments = true,
    .print = &contract_print,
    .after_sign = "contact_id",
};

/*
** POST /api/v1/quotes/:id/make-contract          roles: contract writers who see the quote
** Body (optional): {"title", "kind"}. A new draft contract copying the accepted quote's customer,
** opportunity, contact, lines, tax rate, payment and delivery terms (R-CON-1): the rep then adds
** the payment schedule and the contract's own terms.
** 201 contract | 404 quote not visible | 409 flow.guard quote_id (not accepted) | 400 field.*
*/
/* A new draft contract from the quote q as POST /api/v1/quotes/:id/make-contract makes it: the
   quote's customer, opportunity, contact, lines, tax rate, payment and delivery terms, and the
   body's title and kind (in, may be NULL; other keys are refused). 0 with *id, or -1 with e. */
static int contract_from_quote(Req *r, json_t *q, json_t *in, int64_t *id, Err *e) {
    const char *k;
    json_t *v;
    json_object_foreach(in, k, v) {
        if (strcmp(k, "title") && strcmp(k, "kind")) return err_set(e, 400, EC_UNKNOWN_FIELD, k, NULL);
    }
    json_t *body = json_object();
    static const char *const copied[] = {"customer_id", "opportunity_id", "contact_id",
                                         "tax_rate_bp", "payment_terms",  NULL};
    for (int i = 0; copied[i]; i++)
        if (json_object_get(q, copied[i]) && !json_is_null(json_object_get(q, copied[i])))
            json_object_set(body, copied[i], json_object_get(q, copied[i]));
    json_object_set_new(body, "quote_id", json_integer(flow_rec_int(q, "id")));
    if (flow_rec_str(q, "delivery_term")) json_object_set(body, "delivery_terms", json_object_get(q, "delivery_term"));
    json_t *lines = json_array();
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(q, "lines"), i, l) {
        json_t *c = json_object();
        static const char *const cols[] = {"product_id",  "spec",      "quantity", "unit_price",
                                           "discount_bp", "unit_cost", NULL};
        for (int n = 0; cols[n]; n++)
            if (json_object_get(l, cols[n]) && !json_is_null(json_object_get(l, cols[n])))
                json_object_set(c, cols[n], json_object_get(l, cols[n]));
        json_array_append_new(lines, c);
    }
    json_object_set_new(body, "lines", lines);
    json_object_set_new(body, "title",
                        json_string(arena_printf(r->a, "%s %s", flow_rec_str(q, "number"),
                                                 label_for(r->locale, "销售合同", "銷售合約", "Sales contract"))));
    if (in) json_object_update(body, in);
    int rc = entity_create_row(r, &contracts_entity, body, id, e);
    json_decref(body);
    return rc;
}

/*
** POST /api/v1/quotes/:id/make-contract          roles: contract writers who see the quote
** Body (optional): {"title", "kind"}. A new draft contract copying the accepted quote (R-CON-1):
** the rep then adds the payment schedule and the contract's own terms.
** 201 contract | 400 field.unknown | 404 quote not visible | 409 flow.guard quote_id (not accepted)
*/
static int make_contract(Req *r, Err *e) {
    if (!entity_can_write(&contracts_entity, r->user)) return err_set(e, 403, EC_FORBIDDEN, NULL, NULL);
    int64_t qid, id;
    if (req_param_id(r, 0, &qid, e) < 0) return -1;
    json_t *in = r->body_len ? req_json(r, e) : NULL;
    if (r->body_len && !in) return -1;
    const Entity *qen = entity_find("quotes");
    if (!qen) return err_set(e, 404, EC_NOT_FOUND, NULL, NULL);
    json_t *q = entity_load(r, qen, qid, e);
    if (!q) return -1;
    int rc = contract_from_quote(r, q, in, &id, e);
    json_decref(q);
    if (rc < 0) return -1;
    json_t *row = entity_load(r, &contracts_entity, id, e);
    if (!row) return -1;
    row_finish(r, &contracts_entity, row);
    return reply_json(r, 201, row);
}

/* ---------------------------------------------------------------- demo */

/* The reviewers of the contract's open round approve, step after step, each task by the nearest
   holder of its role whose unit holds the task's scope; only the roles of `roles` (space-separated
   role ids) when given. The request's user is the owner `owner` again afterwards. 0, or -1. */
static int demo_review(Req *r, int64_t id, const char *roles, int64_t owner, Err *e) {
    static User users[2];
    for (int pass = 0; pass < 8; pass++) {
        Stmt *st = db_prepare(r->db, "SELECT t.role, (SELECT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id"
                                     " JOIN org_units o ON o.id = u.org_unit_id WHERE ur.role = t.role"
                                     " AND u.disabled = 0 AND (t.scope_path IS NULL OR t.scope_path LIKE o.path || '%')"
                                     " ORDER BY LENGTH(o.path) DESC, u.id LIMIT 1)"
                                     " FROM approval_tasks t WHERE t.entity = 'contracts' AND t.row_id = ?1"
                                     " AND t.status = 'pending' ORDER BY t.id");
        if (!st) return flow_db_error(r, e, "demo review");
        db_bind_int64(st, 1, id);
        json_t *signers = json_array();
        int rc;
        while ((rc = db_step(st)) == DB_ROW)
            if ((!roles || str_word_in(roles, db_col_text(st, 0))) && !db_col_null(st, 1))
                json_array_append_new(signers, json_integer(db_col_int64(st, 1)));
        db_done(st);
        size_t i, n = json_array_size(signers);
        json_t *s;
        json_array_foreach(signers, i, s) {
            json_t *rec = NULL;
            if (rc >= 0 && (demo_as_user(r, &users[0], json_integer_value(s)) < 0 ||
                            !(rec = entity_load_any(r, &contracts_entity, id, e)) ||
                            flow_sign(r, &contracts_entity, rec, true, "同意", e) < 0))
                rc = -1;
            json_decref(rec);
        }
        json_decref(signers);
        if (rc < 0 || demo_as_user(r, &users[1], owner) < 0) return e->status ? -1 : flow_db_error(r, e, "demo review");
        if (n == 0) return 0;
    }
    return 0;
}

/* Submit the contract (its approval round opens, as the submit action does) and have the
   reviewers of `roles` (NULL: all) approve. 0, or -1. */
static int demo_submit(Req *r, int64_t id, const char *roles, int64_t owner, Err *e) {
    json_t *rec = entity_load_any(r, &contracts_entity, id, e);
    int rc = rec ? flow_set_state(r, &contracts_entity, rec, "in_review", e) : -1;
    if (rc == 0) rc = flow_open_round(r, &contracts_entity, rec, &contract_approval, e);
    json_decref(rec);
    return rc == 0 ? demo_review(r, id, roles, owner, e) : -1;
}

/* Sign the approved contract on day (with the customer's confirmation of a change), as the sign
   action does, its notices included. 0, or -1. */
static int demo_sign(Req *r, int64_t id, const char *day, bool change, Err *e) {
    json_t *rec = entity_load_any(r, &contracts_entity, id, e);
    if (!rec) return -1;
    json_t *vals = change
                       ? json_pack("{s:s, s:s, s:s, s:s}", "signed_on", day, "change_confirmed_by", "客户采购部 王经理",
                                   "change_confirmed_on", day, "change_confirmed_via", "supplement")
                       : json_pack("{s:s}", "signed_on", day);
    int rc = strcmp(flow_rec_str(rec, "state"), "approved") ? err_set(e, 409, EC_BAD_STATE, NULL, "demo") : 0;
    if (rc == 0) rc = entity_update_fields(r, &contracts_entity, rec, vals, "sign", e);
    if (rc == 0) rc = flow_set_state(r, &contracts_entity, rec, "signed", e);
    if (rc == 0) rc = contract_signed(r, &contracts_entity, rec, e);
    json_decref(vals);
    json_decref(rec);
    return rc;
}

/* A contract body for the demo: lines of two products, 30 % prepayment and the rest on delivery. */
static json_t *demo_body(Req *r, int64_t customer, const int64_t *prod, const int64_t *price, int64_t qty,
                         const char *title, int64_t now) {
    char d1[11], d2[11], d3[11];
    date_of_epoch(now + 10 * 86400, company_tz(r), d1);
    date_of_epoch(now + 45 * 86400, company_tz(r), d2);
    date_of_epoch(now + 55 * 86400, company_tz(r), d3);
    int64_t subtotal = (qty * price[0] + 500) / 1000 + 10 * price[1];
    int64_t total = subtotal + (subtotal * 1300 + 5000) / 10000, first = (total * 3 + 5) / 10;
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:[{s:I, s:s, s:I, s:I}, {s:I, s:I, s:I}],"
                     " s:[{s:s, s:s, s:I, s:s}, {s:s, s:s, s:I, s:s}]}",
                     "customer_id", (json_int_t)customer, "title", title, "delivery_date", d2, "payment_terms",
                     "预付 30%，发货前付清余款", "quality_terms",
                     "按 GB/T 3216 出厂检验，附合格证；到货 7 日内验收，质量异议书面提出", "delivery_terms",
                     "需方厂区交货，供方负责运输，木箱包装", "lines", "product_id", (json_int_t)prod[0], "spec",
                     "标准型", "quantity", (json_int_t)qty, "unit_price", (json_int_t)price[0], "product_id",
                     (json_int_t)prod[1], "quantity", (json_int_t)10000, "unit_price", (json_int_t)price[1],
                     "instalments", "term", "prepayment", "due_date", d1, "amount", (json_int_t)first, "condition",
                     "合同签订后 10 日内", "term", "delivery", "due_date", d3, "amount", (json_int_t)(total - first),
                     "condition", "发货前");
}

/* The two integer columns of the first max rows of sql into a[] and b[]: how many, or -1. */
static int demo_pairs(Db *db, const char *sql, int64_t *a, int64_t *b, int max) {
    Stmt *st = db_prepare(db, sql);
    int n = 0, rc = st ? DB_ROW : DB_ERROR;
    while (st && n < max && (rc = db_step(st)) == DB_ROW) {
        a[n] = db_col_int64(st, 0);
        b[n++] = db_col_int64(st, 1);
    }
    db_done(st);
    return rc < 0 ? -1 : n;
}

int contracts_demo(Db *db, int64_t now, char *err, size_t errlen) {
    Req r;
    job_req_init(&r, db, now);
    static User rep;
    Err e = {0};
    int64_t cust[3] = {0}, owner[3] = {0}, prod[2] = {0}, price[2] = {0}, quote = 0, id[4] = {0};
    /* the first demo customers with an owner, two products of the catalogue, the quote sent */
    int nc = demo_pairs(db,
                        "SELECT id, owner_id FROM customers WHERE owner_id IS NOT NULL AND deleted_at IS NULL"
                        " ORDER BY id LIMIT 3",
                        cust, owner, 3);
    int np = nc < 0 ? -1
                    : demo_pairs(db,
                                 "SELECT id, list_price FROM products WHERE deleted_at IS NULL"
                                 " AND list_price > standard_cost ORDER BY id LIMIT 2",
                                 prod, price, 2);
    int rc =
        np < 0 ? -1
               : demo_pairs(db,
                            "SELECT id, id FROM quotes WHERE state = 'sent' AND deleted_at IS NULL ORDER BY id LIMIT 1",
                            &quote, &quote, 1);
    if (rc < 0) { /* a failed read is no reason to load a demo without contracts */
        snprintf(err, errlen, "demo contracts: %s", db_errmsg(db));
        job_req_done(&r);
        return -1;
    }
    rc = 0;
    char today[11];
    date_of_epoch(now, company_tz(&r), today);
    const Entity *en = &contracts_entity;
    if (nc == 3 && np == 2) {
        /* 1. a general contract, reviewed by the manager, legal and finance, signed */
        json_t *b = demo_body(&r, cust[0], prod, price, 2000, "离心泵及闸阀供货合同", now);
        if (demo_as_user(&r, &rep, owner[0]) < 0 || entity_create_row(&r, en, b, &id[0], &e) < 0 ||
            demo_submit(&r, id[0], NULL, owner[0], &e) < 0 || demo_sign(&r, id[0], today, false, &e) < 0)
            rc = -1;
        json_decref(b);
        /* 2. a special contract (a new product beyond the current technical requirements) in review:
           technical, production, QC and finance have approved, the others have not */
        b = demo_body(&r, cust[1], prod, price, 5000, "非标高温泵研制及供货合同", now);
        json_object_set_new(b, "new_product", json_true());
        json_object_set_new(b, "over_tech", json_true());
        if (rc == 0 && (demo_as_user(&r, &rep, owner[1]) < 0 || entity_create_row(&r, en, b, &id[1], &e) < 0 ||
                        demo_submit(&r, id[1], "tech production qc finance", owner[1], &e) < 0))
            rc = -1;
        json_decref(b);
        /* 3. a special contract (customer-supplied drawings) signed, then changed: 3 % off the pump,
           re-reviewed by finance alone, confirmed by the customer and signed again */
        b = demo_body(&r, cust[2], prod, price, 3000, "定制泵组供货合同（来图加工）", now);
        json_object_set_new(b, "customer_materials", json_true());
        if (rc == 0 && (demo_as_user(&r, &rep, owner[2]) < 0 || entity_create_row(&r, en, b, &id[2], &e) < 0 ||
                        demo_submit(&r, id[2], NULL, owner[2], &e) < 0 || demo_sign(&r, id[2], today, false, &e) < 0))
            rc = -1;
        json_decref(b);
        json_t *rec = rc == 0 ? entity_load_any(&r, en, id[2], &e) : NULL;
        if (rc == 0 && (!rec || version_keep(&r, en, rec, "signed", "客户要求离心泵单价下调 3%", &e) < 0 ||
                        flow_set_state(&r, en, rec, "draft", &e) < 0 || contract_revised(&r, en, rec, &e) < 0))
            rc = -1;
        /* the lines as stored, the first one 3 % cheaper (a PATCH's lines replace the collection) */
        b = rc == 0 ? json_pack("{s:I, s:[]}", "version", (json_int_t)flow_rec_int(rec, "version"), "lines") : NULL;
        size_t k;
        json_t *line;
        json_array_foreach(rc == 0 ? json_object_get(rec, "lines") : NULL, k, line) {
            json_t *l = json_pack("{s:O}", "id", json_object_get(line, "id"));
            if (k == 0) json_object_set_new(l, "unit_price", json_integer(price[0] * 97 / 100));
            json_array_append_new(json_object_get(b, "lines"), l);
        }
        if (rc == 0 && entity_patch_row(&r, en, rec, b, &e) < 0) rc = -1;
        json_decref(b);
        json_decref(rec);
        /* the schedule follows the new total */
        rec = rc == 0 ? entity_load_any(&r, en, id[2], &e) : NULL;
        if (rc == 0 && !rec) rc = -1;
        if (rc == 0) {
            json_t *inst = json_object_get(rec, "instalments");
            int64_t total = flow_rec_int(rec, "total"), first = (total * 3 + 5) / 10;
            b = json_pack("{s:I, s:[{s:O, s:I}, {s:O, s:I}]}", "version", (json_int_t)flow_rec_int(rec, "version"),
                          "instalments", "id", json_object_get(json_array_get(inst, 0), "id"), "amount",
                          (json_int_t)first, "id", json_object_get(json_array_get(inst, 1), "id"), "amount",
                          (json_int_t)(total - first));
            if (entity_patch_row(&r, en, rec, b, &e) < 0 || demo_submit(&r, id[2], NULL, owner[2], &e) < 0 ||
                demo_sign(&r, id[2], today, true, &e) < 0)
                rc = -1;
            json_decref(b);
        }
        json_decref(rec);
    }
    /* 4. a draft contract made from the demo quote the customer accepted */
    const Entity *qen = entity_find("quotes");
    json_t *q = rc == 0 && quote && qen ? entity_load_any(&r, qen, quote, &e) : NULL;
    if (q && (demo_as_user(&r, &rep, flow_rec_int(q, "owner_id")) < 0 ||
              flow_set_state(&r, qen, q, "accepted", &e) < 0 || contract_from_quote(&r, q, NULL, &id[3], &e) < 0))
        rc = -1;
    json_decref(q);
    if (rc < 0) snprintf(err, errlen, "demo contracts: %s %s", e.code ? e.code : "", e.detail);
    job_req_done(&r);
    return rc;
}

void contracts_register(void) {
    static const Route routes[] = {
        {"POST", "/api/v1/quotes/:id/make-contract", make_contract, R_WRITE, 0,
         "A draft contract copying an accepted quotation", "sales"},
    };
    routes_add(routes, 1);
    entity_register(&contracts_entity);
    settings_declare(contract_settings, (int)(sizeof contract_settings / sizeof contract_settings[0]));
}
