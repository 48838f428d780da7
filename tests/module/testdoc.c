/*
** testdoc.c — a test-only module, compiled into the test build (make
** build/salesloop-test) and nowhere else: a document with lines, computed line
** amounts and totals, a review chosen by the record, deadlines, a new version
** after approval, attachments and a printed PDF — on nothing but declarations.
** It proves that the core carries what quotations, orders and expense claims
** need (docs/ARCHITECTURE.md walks through it); tests/api/lines, reviews,
** deadlines, versions, print and attachments tests drive it.
*/
#include "../../src/core/errcodes.h"
#include "../../src/model/entity.h"
#include "../../src/flow/flow.h"

/* testdoc_extras.c: what other tests add to the document (public links, a link kind). */
extern const PublicPurpose doc_purposes[];
void testdoc_extras_register(void);

/* A line: what, how much, at what price and discount; the amounts are the server's. */
static const Field line_fields[] = {
    {"item", FT_TEXT, F_REQUIRED, 1, 200, NULL, NULL, NULL, "品名", "品名", "Item"},
    {"quantity", FT_QTY, F_REQUIRED, 1, 1000000000000, NULL, NULL, NULL, "数量", "數量", "Quantity"},
    {"unit_price", FT_MONEY, F_REQUIRED, 0, 100000000000, NULL, NULL, NULL, "单价", "單價", "Unit price"},
    {"discount_bp", FT_PERCENT_BP, 0, 0, 0, NULL, NULL, "0", "折扣", "折扣", "Discount"},
    {"gross", FT_MONEY, F_READONLY | F_COMPUTED, 0, 0, NULL, NULL, NULL, "金额", "金額", "Gross"},
    {"discount", FT_MONEY, F_READONLY | F_COMPUTED, 0, 0, NULL, NULL, NULL, "折扣额", "折扣額", "Discount amount"},
    {"amount", FT_MONEY, F_READONLY | F_COMPUTED, 0, 0, NULL, NULL, NULL, "折后金额", "折後金額", "Amount"},
    /* a line of the document this one follows (the parent's follows_id), as an order line names its contract's */
    {"source_line_id", FT_LINE, 0, 0, 0, NULL, "lines", NULL, "来源明细行", "來源明細行", "Source line", .line_of = "follows_id"},
    {NULL},
};
static const Compute line_computes[] = {
    {"gross", CK_MUL, "quantity", "unit_price"},
    {"discount", CK_MUL, "gross", "discount_bp"},
    {"amount", CK_SUB, "gross", "discount"},
    {NULL},
};
static const Child doc_children[] = {
    {"lines", "test_document_lines", "明细", "明細", "Lines", line_fields, line_computes, 1, 50, .label = "item quantity"},
    {NULL},
};
static const Field doc_fields[] = {
    {"number", FT_TEXT, F_READONLY | F_LIST | F_SEARCH | F_SORT, 0, 0, NULL, NULL, NULL, "单号", "單號", "Number"},
    {"title", FT_TEXT, F_REQUIRED | F_LIST | F_SEARCH | F_SORT, 1, 200, NULL, NULL, NULL, "标题", "標題", "Title"},
    {"customer_id", FT_REF, F_LIST | F_FILTER, 0, 0, NULL, "customers", NULL, "客户", "客戶", "Customer"},
    {"tax_rate_bp", FT_PERCENT_BP, 0, 0, 0, NULL, NULL, "1300", "税率", "稅率", "Tax rate"},
    {"subtotal", FT_MONEY, F_READONLY | F_COMPUTED | F_LIST | F_SORT | F_FILTER, 0, 0, NULL, NULL, NULL, "不含税金额", "未稅金額", "Subtotal"},
    {"tax", FT_MONEY, F_READONLY | F_COMPUTED, 0, 0, NULL, NULL, NULL, "税额", "稅額", "Tax"},
    {"total", FT_MONEY, F_READONLY | F_COMPUTED | F_LIST | F_SORT | F_FILTER, 0, 100000000000000, NULL, NULL, NULL, "价税合计", "價稅合計", "Total"},
    {"total_qty", FT_QTY, F_READONLY | F_COMPUTED, 0, 0, NULL, NULL, NULL, "总数量", "總數量", "Total quantity"},
    {"rush", FT_BOOL, 0, 0, 0, NULL, NULL, "0", "加急", "加急", "Rush", .group = "delivery"},
    {"rush_reason", FT_TEXT, F_REQUIRED, 0, 200, NULL, NULL, NULL, "加急原因", "加急原因", "Why rush", .group = "delivery", .when = "rush"},
    /* set by the customer through the public "confirm" link, read-only in the app */
    {"customer_confirmed", FT_BOOL, F_READONLY, 0, 0, NULL, NULL, NULL, "客户已确认", "客戶已確認", "Confirmed by customer"},
    {"customer_note", FT_LONGTEXT, F_READONLY, 0, 500, NULL, NULL, NULL, "客户留言", "客戶留言", "Customer's note"},
    /* reviews routed by the data (below): who must review, and what each department reviews */
    {"needs_legal", FT_BOOL, F_FILTER, 0, 0, NULL, NULL, "0", "需法务评审", "需法務評審", "Legal review"},
    {"needs_tech", FT_BOOL, F_FILTER, 0, 0, NULL, NULL, "0", "需技术评审", "需技術評審", "Technical review"},
    {"needs_finance", FT_BOOL, F_FILTER, 0, 0, NULL, NULL, "0", "需财务评审", "需財務評審", "Finance review"},
    {"terms", FT_LONGTEXT, 0, 0, 2000, NULL, NULL, NULL, "合同条款", "合約條款", "Terms"},
    {"spec", FT_LONGTEXT, 0, 0, 2000, NULL, NULL, NULL, "技术要求", "技術要求", "Technical requirements"},
    /* another document this one follows, and one of its lines (FT_LINE: checked to be that document's) */
    {"follows_id", FT_REF, F_REF_KEEP, 0, 0, NULL, "test_documents", NULL, "前序单据", "前序單據", "Follows"},
    {"follows_line_id", FT_LINE, 0, 0, 0, NULL, "lines", NULL, "前序明细行", "前序明細行", "Line followed", .line_of = "follows_id"},
    {NULL},
};
static const FieldGroup doc_groups[] = {{"delivery", "交付", "交付", "Delivery"}, {NULL}};

static const Compute doc_computes[] = {
    {"subtotal", CK_SUM, "lines", "amount"},
    {"total_qty", CK_SUM, "lines", "quantity"},
    {"tax", CK_MUL, "subtotal", "tax_rate_bp"},
    {"total", CK_ADD, "subtotal", "tax"},
    {NULL},
};
/* the printed document (print view and PDF) */
static const char *const doc_print_header[] = {"number", "created_at", "customer_id", "owner_id", "title", "tax_rate_bp", NULL};
static const PrintColumn doc_print_columns[] = {
    {"#", 5}, {"item", 30}, {"quantity", 10}, {"unit_price", 13}, {"discount_bp", 9}, {"amount", 14}, {NULL},
};
static const char *const doc_print_totals[] = {"total_qty", "subtotal", "tax", "total", NULL};
static const PrintLayout doc_print = {
    "测试单据", "測試單據", "Test document", doc_print_header, "lines", doc_print_columns, doc_print_totals, "total",
    "销售代表：＿＿＿＿＿＿    客户签字：＿＿＿＿＿＿    日期：＿＿＿＿＿＿",
    "業務代表：＿＿＿＿＿＿    客戶簽名：＿＿＿＿＿＿    日期：＿＿＿＿＿＿",
    "Sales representative: ____________    Customer signature: ____________    Date: ____________",
};
/* reviews routed by the data: the owner's manager above ¥10,000, then the departments the document
   calls for (needs_*), every verdict collected; a later round asks only those whose fields changed */
static const EnumVal doc_states[] = {
    {"draft", "草稿", "草稿", "Draft"},
    {"submitted", "审批中", "審批中", "In review"},
    {"on_hold", "待补充", "待補充", "On hold"},
    {"approved", "已批准", "已核准", "Approved"},
    {"rejected", "已驳回", "已駁回", "Rejected"},
    {NULL},
};
static const Condition doc_over_threshold[] = {{"total", COND_GT, "1000000"}, {NULL}};
static const Condition doc_legal[] = {{"needs_legal", COND_SET, NULL}, {NULL}};
static const Condition doc_tech[] = {{"needs_tech", COND_SET, NULL}, {NULL}};
static const Condition doc_finance[] = {{"needs_finance", COND_SET, NULL}, {NULL}};

static const Reviewer doc_departments[] = {
    {RB(LEGAL), doc_legal, "terms customer_id"},
    {RB(TECH), doc_tech, "spec lines"},
    {RB(FINANCE), doc_finance, "total tax_rate_bp"},
    {0},
};
static const ApprovalStep doc_steps[] = {
    {"manager_review", RB(SALES_MANAGER), SCOPE_OWNER_MANAGER, 0, "主管审批", "主管審批", "Manager review",
     .when = doc_over_threshold, .concerns = "total customer_id"},
    {"department_review", 0, SCOPE_ANY, 48, "部门会审", "部門會審", "Department review",
     .reviewers = doc_departments, .flags = STEP_COLLECT_ALL},
    {NULL},
};
static const Approval doc_approval = {doc_steps, "approved", "rejected"};

static const Transition doc_transitions[] = {
    {"submit", "draft rejected", "submitted", 0, T_OWNER, NULL, NULL, &doc_approval, "提交审批", "提交審批", "Submit"},
    {"withdraw", "submitted", "draft", 0, T_OWNER, NULL, NULL, NULL, "撤回", "撤回", "Withdraw"},
    {"revise", "approved", "draft", 0, T_OWNER | T_REVISE, NULL, NULL, NULL, "修订", "修訂", "Revise"},
    {"hold", "submitted", "on_hold", 0, T_OWNER, NULL, NULL, NULL, "待补充", "待補充", "Put on hold"},
    {"resume", "on_hold", "submitted", 0, T_OWNER, NULL, NULL, NULL, "继续审核", "繼續審核", "Resume"},
    {"accept", "submitted", "approved", ROLES_MANAGING, 0, NULL, NULL, NULL, "通过", "通過", "Accept"},
    {NULL},
};
/* deadlines: review within 2 working days (paused on hold, managers told a day later), reply in 24 h */
static const Deadline doc_deadlines[] = {
    {"review", "submitted", "on_hold", 2, DU_DAYS, .working = true, .escalate_after = 1, .zh = "审核时限",
     .tw = "審核時限", .en = "Review"},
    {"response", "submitted", NULL, 24, DU_HOURS, .no_escalation = true, .zh = "响应时限", .tw = "響應時限",
     .en = "Response"},
    {NULL},
};
static const Workflow doc_flow = {
    .initial = "draft", .states = doc_states, .final_states = "approved", .transitions = doc_transitions,
    .editable_states = "draft rejected", .deadlines = doc_deadlines,
};
static const Entity doc_entity = {
    .name = "test_documents", .table = "test_documents", .few_rows = true, .zh = "测试单据", .tw = "測試單據", .en = "Test documents",
    .fields = doc_fields, .vis = VIS_OWNER, .default_sort = "-created_at", .title_field = "number",
    .tag = "test", .number_prefix = "TD", .children = doc_children, .computes = doc_computes,
    .attachments = true, .groups = doc_groups,
    .public_purposes = doc_purposes,
    .print = &doc_print,
    .flow = &doc_flow,
};
void test_module_register(void);
void test_module_register(void) {
    entity_register(&doc_entity);
    testdoc_extras_register();
}
