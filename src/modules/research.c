/*
** research.c — market research records (R-PRE-1): date, topic, kind,
** findings, competitors mentioned. Owned by the rep who did the research;
** managers see their unit's.
*/
#include "../model/entity.h"
#include "modules.h"

static const EnumVal research_kinds[] = {
    {"questionnaire", "问卷调查", "問卷調查", "Questionnaire"},
    {"interview", "访谈", "訪談", "Interview"},
    {"trade_show", "展会", "展會", "Trade show"},
    {"seminar", "研讨会", "研討會", "Seminar"},
    {"desk", "案头研究", "案頭研究", "Desk research"},
    {NULL},
};

static const Field research_fields[] = {
    {"research_date", FT_DATE, F_REQUIRED | F_LIST | F_FILTER | F_SORT, 0, 0, NULL, NULL, NULL, "调研日期", "調研日期",
     "Date"},
    {"topic", FT_TEXT, F_REQUIRED | F_LIST | F_SEARCH | F_SORT, 1, 200, NULL, NULL, NULL, "主题", "主題", "Topic"},
    {"kind", FT_ENUM, F_REQUIRED | F_LIST | F_FILTER | F_SORT, 0, 0, research_kinds, NULL, NULL, "调研方式", "調研方式",
     "Method"},
    {"region", FT_TEXT, F_LIST | F_FILTER | F_SEARCH | F_SORT, 0, 64, NULL, NULL, NULL, "区域", "區域", "Region"},
    {"findings", FT_LONGTEXT, F_SEARCH, 0, 20000, NULL, NULL, NULL, "调研结论", "調研結論", "Findings"},
    {"competitors", FT_LONGTEXT, F_SEARCH, 0, 5000, NULL, NULL, NULL, "涉及竞争对手", "涉及競爭對手",
     "Competitors mentioned"},
    {"respondents", FT_INT, F_LIST | F_FILTER | F_SORT, 0, 1000000, NULL, NULL, NULL, "受访数量", "受訪數量",
     "Respondents"},
    {"cost", FT_MONEY, F_LIST | F_FILTER | F_SORT, 0, 100000000000, NULL, NULL, "0", "调研费用", "調研費用", "Cost"},
    {NULL},
};

static const Entity research_entity = {
    .name = "market_research",
    .table = "market_research",
    .few_rows = true,
    .zh = "市场调研",
    .tw = "市場調研",
    .en = "Market research",
    .fields = research_fields,
    .vis = VIS_OWNER,
    .read_roles = 0,
    .write_roles = 0,
    .default_sort = "-research_date",
    .title_field = "topic",
    .tag = "presale",
    .importable = true,
    .attachments = true,
};

void research_register(void) { entity_register(&research_entity); }
