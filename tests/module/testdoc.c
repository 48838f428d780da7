/*
** testdoc.c — a test-only module, compiled into the test build (make
** build/salesloop-test) and nowhere else: a document with lines, computed line
** amounts and totals, on nothing but declarations. It proves that the core
** carries what quotations, orders and expense claims need (docs/ARCHITECTURE.md
** walks through it); tests/api/lines.test.mjs drives it.
*/
#include "../../src/model/entity.h"

/* A line: what, how much, at what price and discount; the amounts are the server's. */
static const Field line_fields[] = {
    {"item", FT_TEXT, F_REQUIRED, 1, 200, NULL, NULL, NULL, "品名", "品名", "Item"},
    {"quantity", FT_QTY, F_REQUIRED, 1, 1000000000000, NULL, NULL, NULL, "数量", "數量", "Quantity"},
    {"unit_price", FT_MONEY, F_REQUIRED, 0, 100000000000, NULL, NULL, NULL, "单价", "單價", "Unit price"},
    {"discount_bp", FT_PERCENT_BP, 0, 0, 0, NULL, NULL, "0", "折扣", "折扣", "Discount"},
    {"gross", FT_MONEY, F_READONLY | F_COMPUTED, 0, 0, NULL, NULL, NULL, "金额", "金額", "Gross"},
    {"discount", FT_MONEY, F_READONLY | F_COMPUTED, 0, 0, NULL, NULL, NULL, "折扣额", "折扣額", "Discount amount"},
    {"amount", FT_MONEY, F_READONLY | F_COMPUTED, 0, 0, NULL, NULL, NULL, "折后金额", "折後金額", "Amount"},
    {NULL},
};

static const Compute line_computes[] = {
    {"gross", CK_MUL, "quantity", "unit_price"},
    {"discount", CK_MUL, "gross", "discount_bp"},
    {"amount", CK_SUB, "gross", "discount"},
    {NULL},
};

static const Child doc_children[] = {
    {"lines", "test_document_lines", "明细", "明細", "Lines", line_fields, line_computes, 1, 50},
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
    {NULL},
};

static const Compute doc_computes[] = {
    {"subtotal", CK_SUM, "lines", "amount"},
    {"total_qty", CK_SUM, "lines", "quantity"},
    {"tax", CK_MUL, "subtotal", "tax_rate_bp"},
    {"total", CK_ADD, "subtotal", "tax"},
    {NULL},
};

/* ---- deadlines (issue 9, mechanism 8): a minimal workflow whose states carry clocks;
   tests/api/deadlines.test.mjs drives it. */
#include "../../src/flow/flow.h"

static const EnumVal doc_states[] = {
    {"draft", "草稿", "草稿", "Draft"},
    {"submitted", "已提交", "已提交", "Submitted"},
    {"on_hold", "待补充", "待補充", "On hold"},
    {"approved", "已通过", "已通過", "Approved"},
    {NULL},
};
static const Transition doc_transitions[] = {
    {"submit", "draft", "submitted", 0, T_OWNER, NULL, NULL, NULL, "提交", "提交", "Submit"},
    {"hold", "submitted", "on_hold", 0, T_OWNER, NULL, NULL, NULL, "待补充", "待補充", "Put on hold"},
    {"resume", "on_hold", "submitted", 0, T_OWNER, NULL, NULL, NULL, "继续审核", "繼續審核", "Resume"},
    {"accept", "submitted", "approved", ROLES_MANAGING, 0, NULL, NULL, NULL, "通过", "通過", "Accept"},
    {NULL},
};
/* review: 2 working days while submitted, paused on hold, the managers told 1 working day
   later; response: 24 calendar hours from submission, ended by anything else. */
static const Deadline doc_deadlines[] = {
    {"review", "submitted", "on_hold", 2, DU_DAYS, .working = true, .escalate_after = 1, .zh = "审核时限",
     .tw = "審核時限", .en = "Review"},
    {"response", "submitted", NULL, 24, DU_HOURS, .no_escalation = true, .zh = "响应时限", .tw = "響應時限",
     .en = "Response"},
    {NULL},
};
static const Workflow doc_flow = {
    .initial = "draft", .states = doc_states, .final_states = "approved", .transitions = doc_transitions,
    .deadlines = doc_deadlines,
};

static const Entity doc_entity = {
    .name = "test_documents", .table = "test_documents", .zh = "测试单据", .tw = "測試單據", .en = "Test documents",
    .fields = doc_fields, .vis = VIS_OWNER, .default_sort = "-created_at", .title_field = "number",
    .tag = "test", .number_prefix = "TD", .children = doc_children, .computes = doc_computes,
    .flow = &doc_flow,
};

void test_module_register(void);
void test_module_register(void) { entity_register(&doc_entity); }
