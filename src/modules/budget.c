/*
** budget.c — expense budgets per org unit, period and category (R-EXP-1),
** approved before use: the sales director and finance sign in parallel,
** then the general manager. Editable only as a draft or after rejection.
*/
#include <string.h>

#include "../core/errcodes.h"
#include "../flow/flow.h"
#include "modules.h"

static const EnumVal period_kinds[] = {
    {"year", "年度", "年度", "Year"},
    {"quarter", "季度", "季度", "Quarter"},
    {"month", "月度", "月度", "Month"},
    {NULL},
};

static const EnumVal categories[] = {
    {"marketing", "市场推广", "市場推廣", "Marketing"},
    {"travel", "差旅", "差旅", "Travel"},
    {"entertainment", "业务招待", "業務招待", "Entertainment"},
    {"training", "培训", "培訓", "Training"},
    {"other", "其他", "其他", "Other"},
    {NULL},
};

static const EnumVal budget_states[] = {
    {"draft", "草稿", "草稿", "Draft"},
    {"submitted", "审批中", "審批中", "In approval"},
    {"approved", "已批准", "已核准", "Approved"},
    {"rejected", "已驳回", "已駁回", "Rejected"},
    {NULL},
};

static const ApprovalStep budget_steps[] = {
    {"department_review", RB(SALES_DIRECTOR) | RB(FINANCE), SCOPE_ANY, 48, "部门会签", "部門會簽", "Department review"},
    {"gm_signoff", RB(GM), SCOPE_ANY, 48, "总经理审批", "總經理審批", "General manager sign-off"},
    {NULL},
};

static const Approval budget_approval = {budget_steps, "approved", "rejected"};

static const Transition budget_transitions[] = {
    {"submit", "draft rejected", "submitted", 0, T_OWNER, NULL, NULL, &budget_approval, "提交审批", "提交審批",
     "Submit"},
    {"withdraw", "submitted", "draft", 0, T_OWNER, NULL, NULL, NULL, "撤回", "撤回", "Withdraw"},
    /* an approved budget is changed through a new version (the approved one is kept) and approved again */
    {"revise", "approved", "draft", RB(SALES_DIRECTOR) | RB(GM), T_OWNER | T_COMMENT | T_REVISE, NULL, NULL, NULL,
     "修订（新版本）", "修訂（新版本）", "Revise (new version)"},
    {NULL},
};

static const Workflow budget_flow = {
    .initial = "draft",
    .states = budget_states,
    .final_states = "approved",
    .transitions = budget_transitions,
    .editable_states = "draft rejected",
};

static const Field budget_fields[] = {
    {"number", FT_TEXT, F_READONLY | F_LIST | F_SEARCH | F_SORT, 0, 0, NULL, NULL, NULL, "预算编号", "預算編號",
     "Number"},
    {"budget_unit_id", FT_REF, F_REQUIRED | F_LIST | F_FILTER, 0, 0, NULL, "org_units", NULL, "预算单位", "預算單位",
     "Budget unit"},
    {"period_kind", FT_ENUM, F_REQUIRED | F_LIST | F_FILTER, 0, 0, period_kinds, NULL, NULL, "期间类型", "期間類型",
     "Period"},
    {"period_start", FT_DATE, F_REQUIRED | F_LIST | F_FILTER | F_SORT, 0, 0, NULL, NULL, NULL, "期间开始", "期間開始",
     "Period start"},
    {"category", FT_ENUM, F_REQUIRED | F_LIST | F_FILTER | F_SORT, 0, 0, categories, NULL, NULL, "费用类别", "費用類別",
     "Category"},
    {"amount", FT_MONEY, F_REQUIRED | F_LIST | F_FILTER | F_SORT, 1, 100000000000, NULL, NULL, NULL, "预算金额",
     "預算金額", "Amount"},
    {"note", FT_LONGTEXT, F_SEARCH, 0, 2000, NULL, NULL, NULL, "说明", "說明", "Note"},
    {NULL},
};

/* The period must start where periods start: a month on day 1, a quarter in Jan/Apr/Jul/Oct, a year on Jan 1. */
static int budget_check(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    const char *kind = json_string_value(json_object_get(rec, "period_kind"));
    const char *start = json_string_value(json_object_get(rec, "period_start"));
    int y, m, d;
    if (!kind || !start || date_parse(start, &y, &m, &d) != 0) return 0; /* field validation reported it */
    bool ok = d == 1 && (!strcmp(kind, "month") || (!strcmp(kind, "quarter") && (m - 1) % 3 == 0) ||
                         (!strcmp(kind, "year") && m == 1));
    if (!ok) {
        err_set(e, 400, EC_FORMAT, "period_start", "%s",
                !strcmp(kind, "year")      ? "YYYY-01-01"
                : !strcmp(kind, "quarter") ? "YYYY-01/04/07/10-01"
                                           : "YYYY-MM-01");
        e->label = label_for(r->locale, "期间开始", "期間開始", "Period start");
        return -1;
    }
    return 0;
}

static const Entity budgets_entity = {
    .name = "budgets",
    .table = "budgets",
    .few_rows = true,
    .zh = "费用预算",
    .tw = "費用預算",
    .en = "Expense budgets",
    .fields = budget_fields,
    .vis = VIS_OWNER,
    .read_roles = 0,
    .write_roles = 0,
    .default_sort = "-period_start",
    .title_field = "number",
    .flow = &budget_flow,
    .before_save = budget_check,
    .tag = "expenses",
    .number_prefix = "BG",
    .after_sign = "note",
    /* an approved budget's note may still change; its amounts need a new version */ .attachments = true,
};

void budget_register(void) { entity_register(&budgets_entity); }
