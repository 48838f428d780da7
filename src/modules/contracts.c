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
*/
#include <string.h>

#include "../core/errcodes.h"
#include "../flow/flow.h"
#include "../model/model.h"
#include "../model/settings.h"
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
    {"lines", "contract_lines", "合同明细", "合約明細", "Lines", line_fields, line_computes, 1, 200},
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
#define MONEY_RO(name, zh, tw, en, more)                                                                               \
    { name, FT_MONEY, F_READONLY | F_COMPUTED | (more), 0, 0, NULL, NULL, NULL, zh, tw, en, .group = "totals" }
#define REASON(name, zh, tw, en)                                                                                       \
    { name, FT_BOOL, 0, 0, 0, NULL, NULL, "false", zh, tw, en, .group = "classification" }
#define REASON_RO(name, zh, tw, en)                                                                                    \
    { name, FT_BOOL, F_READONLY | F_COMPUTED, 0, 0, NULL, NULL, NULL, zh, tw, en, .group = "classification" }
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
    {"special_reasons", FT_TEXT, F_READONLY | F_COMPUTED, 0, 0, NULL, NULL, NULL, "特殊原因", "特殊原因",
     "Special because", .group = "classification"},
    {"quote_differs", FT_BOOL, F_READONLY | F_COMPUTED, 0, 0, NULL, NULL, NULL, "与报价不一致", "與報價不一致",
     "Differs from the quotation", .group = "classification"},
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

static const Setting contract_settings[] = {
    {"contract.margin_threshold_bp", ST_INT, "1500", -10000, 10000, "毛利率低于此值（基点）为特殊合同",
     "毛利率低於此值（基點）為特殊合約", "A margin below this (basis points) makes a contract special"},
};

/* The product's standard cost for a line that does not say its cost. */
static int line_costs(Req *r, json_t *rec, Err *e) {
    size_t i;
    json_t *line;
    json_array_foreach(json_object_get(rec, "lines"), i, line) {
        if (json_is_integer(json_object_get(line, "unit_cost"))) continue;
        Stmt *st = db_prepare(r->db, "SELECT standard_cost FROM products WHERE id = ?1");
        if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        db_bind_int64(st, 1, flow_rec_int(line, "product_id"));
        int rc = db_step(st);
        int64_t cost = rc == DB_ROW ? db_col_int64(st, 0) : 0;
        db_done(st);
        if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        json_object_set_new(line, "unit_cost", json_integer(cost));
    }
    return 0;
}

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

/* before_save: totals, the reasons read from the data and the classification they give (R-CON-2). */
static int contract_check(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    (void)old;
    if (line_costs(r, rec, e) < 0) return -1;
    if (record_compute(r, en, rec, e) < 0) return -1;
    int credit = over_credit(r, rec);
    if (credit < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    bool low = flow_rec_int(rec, "margin_bp") < req_setting_int(r, "contract.margin_threshold_bp");
    json_object_set_new(rec, "credit_risk", json_boolean(credit));
    json_object_set_new(rec, "low_margin", json_boolean(low));
    static const char *const reasons[] = {"new_product", "over_capacity", "over_tech", "customer_materials",
                                          "credit_risk", "low_margin",    NULL};
    char buf[160] = "";
    for (int i = 0; reasons[i]; i++)
        if (json_is_true(json_object_get(rec, reasons[i]))) {
            if (*buf) strcat(buf, " ");
            strcat(buf, reasons[i]);
        }
    json_object_set_new(rec, "special_reasons", *buf ? json_string(buf) : json_null());
    json_object_set_new(rec, "classification", json_string(*buf ? "special" : "general"));
    return 0;
}

/* submit: the payment schedule must account for the whole total. */
static int schedule_complete(Req *r, const Entity *en, json_t *rec, Err *e) {
    (void)en;
    if (flow_rec_int(rec, "scheduled_total") == flow_rec_int(rec, "total") &&
        json_array_size(json_object_get(rec, "instalments")) > 0)
        return 0;
    return err_set(e, 409, EC_GUARD, "instalments", "%s",
                   label_for(r->locale, "付款计划合计须等于合同价税合计", "付款計劃合計須等於合約價稅合計",
                             "The payment schedule must add up to the contract's total"));
}

static const EnumVal contract_states[] = {
    {"draft", "草稿", "草稿", "Draft"},
    {"in_review", "评审中", "評審中", "In review"},
    {"approved", "评审通过", "評審通過", "Approved"},
    {"signed", "已签订", "已簽訂", "Signed"},
    {"executing", "执行中", "執行中", "Executing"},
    {"completed", "已完成", "已完成", "Completed"},
    {"terminated", "已终止", "已終止", "Terminated"},
    {NULL},
};
/* R-CON-3: who reviews what, and what each answers for on a later round (R-CON-4) */
static const Condition is_general[] = {{"classification", COND_EQ, "general"}, {NULL}};
static const Condition is_special[] = {{"classification", COND_EQ, "special"}, {NULL}};
static const Reviewer departments[] = {
    {RB(TECH), NULL, "lines new_product over_tech quality_terms"},
    {RB(PRODUCTION), NULL, "lines delivery_date over_capacity"},
    {RB(QC), NULL, "lines quality_terms warranty_months"},
    {RB(PURCHASING), NULL, "lines customer_materials"},
    {RB(FINANCE), NULL, "lines tax_rate_bp payment_terms instalments"},
    {RB(LEGAL), NULL, "quality_terms payment_terms delivery_terms end_date warranty_months customer_id"},
    {RB(WAREHOUSE), NULL, "delivery_terms delivery_date"},
    {0},
};
static const ApprovalStep contract_steps[] = {
    {"manager", RB(SALES_MANAGER), SCOPE_OWNER_MANAGER, 48, "销售经理评审", "銷售經理評審", "Sales manager",
     .when = is_general},
    {"departments", 0, SCOPE_ANY, 72, "各部门会审", "各部門會審", "Department review", .when = is_special,
     .reviewers = departments, .flags = STEP_COLLECT_ALL},
    {"final", RB(GM), SCOPE_ANY, 48, "总经理审批", "總經理審批", "General manager", .when = is_special},
    {NULL},
};
static const Approval contract_approval = {contract_steps, "approved", "draft"};
static const Transition contract_transitions[] = {
    {"submit", "draft", "in_review", 0, T_OWNER, schedule_complete, NULL, &contract_approval, "提交评审", "提交評審",
     "Submit for review"},
    {"sign", "approved", "signed", 0, T_OWNER, NULL, NULL, NULL, "签订", "簽訂", "Sign", .inputs = "signed_on",
     .requires = "signed_on"},
    {"execute", "signed", "executing", 0, T_OWNER, NULL, NULL, NULL, "开始执行", "開始執行", "Start"},
    {"complete", "executing", "completed", 0, T_OWNER, NULL, NULL, NULL, "完成", "完成", "Complete"},
    {"terminate", "signed executing", "terminated", ROLES_MANAGING, T_COMMENT, NULL, NULL, NULL, "终止", "終止",
     "Terminate"},
    {"revise", "approved signed executing", "draft", 0, T_OWNER | T_REVISE, NULL, NULL, NULL, "变更合同", "變更合約",
     "Change"},
    {NULL},
};
static const Workflow contract_flow = {
    .initial = "draft",
    .states = contract_states,
    .final_states = "completed terminated",
    .transitions = contract_transitions,
    .editable_states = "draft",
};

static const char *const print_header[] = {"number",        "title",          "customer_id", "contact_id",  "signed_on",
                                           "delivery_date", "classification", "owner_id",    "tax_rate_bp", NULL};
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
    .write_roles = CONTRACT_WRITERS,
    .default_sort = "-created_at",
    .title_field = "number",
    .flow = &contract_flow,
    .before_save = contract_check,
    .tag = "sales",
    .number_prefix = "CT",
    .children = contract_children,
    .computes = contract_computes,
    .groups = contract_groups,
    .attachments = true,
    .print = &contract_print,
    .after_sign = "contact_id",
};

void contracts_register(void) {
    entity_register(&contracts_entity);
    settings_declare(contract_settings, (int)(sizeof contract_settings / sizeof contract_settings[0]));
}
