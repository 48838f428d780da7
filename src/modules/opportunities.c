/*
** opportunities.c — sales opportunities (销售机会, R-CUS-5): stages
** prospecting → needs_analysis → proposal → negotiation → won | lost, each
** entered only with what its predecessor must produce (settings), no stage
** skipped except by a manager's recorded override; probability per stage and
** the weighted pipeline; every stage change logged in opportunity_stages for
** the funnel; stage time limits with overdue reminders and escalation to the
** managers (R-CUS-10): a declared deadline clock per stage (flow/deadline.c).
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/errcodes.h"
#include "../flow/flow.h"
#include "../model/calendar.h"
#include "../model/model.h"
#include "../model/settings.h"
#include "modules.h"

/* Who works with opportunities: reps and every managing role (admin reads all). */
#define OPP_ROLES (ROLES_MANAGING | RB(SALES_REP))
/* Who may move an opportunity past a missing prerequisite or skip a stage. */
#define OPP_OVERRIDERS (RB(SALES_MANAGER) | RB(SALES_DIRECTOR) | RB(DEPUTY_DIRECTOR))
/* The stages still open, in order, and every stage a move may target. */
#define OPP_OPEN "prospecting needs_analysis proposal negotiation"
#define OPP_TARGETS "prospecting needs_analysis proposal negotiation won"

/* The stages in pipeline order (index = position). */
static const EnumVal opp_states[] = {
    {"prospecting", "初步接洽", "初步接洽", "Prospecting"},
    {"needs_analysis", "需求分析", "需求分析", "Needs analysis"},
    {"proposal", "方案报价", "方案報價", "Proposal"},
    {"negotiation", "商务谈判", "商務談判", "Negotiation"},
    {"won", "赢单", "贏單", "Won"},
    {"lost", "输单", "輸單", "Lost"},
    {NULL},
};
enum { N_STAGES = 6, N_OPEN = 4 };

static const EnumVal loss_reasons[] = {
    {"price", "价格", "價格", "Price"},
    {"product", "产品不符", "產品不符", "Product fit"},
    {"competitor", "竞争对手", "競爭對手", "Competitor"},
    {"timing", "时机", "時機", "Timing"},
    {"no_budget", "无预算", "無預算", "No budget"},
    {"relationship", "客户关系", "客戶關係", "Relationship"},
    {"other", "其他", "其他", "Other"},
    {NULL},
};

static const Field opp_fields[] = {
    {"number", FT_TEXT, F_READONLY | F_LIST | F_SEARCH | F_SORT, 0, 0, NULL, NULL, NULL, "商机编号", "商機編號",
     "Number", .group = "basic"},
    {"name", FT_TEXT, F_REQUIRED | F_LIST | F_SEARCH | F_SORT | F_SORTKEY, 1, 200, NULL, NULL, NULL, "商机名称",
     "商機名稱", "Name", .group = "basic"},
    {"customer_id", FT_REF, F_REQUIRED | F_LIST | F_FILTER, 0, 0, NULL, "customers", NULL, "客户", "客戶", "Customer",
     .group = "basic"},
    {"contact_id", FT_REF, F_FILTER | F_REF_KEEP, 0, 0, NULL, "contacts", NULL, "联系人", "聯絡人", "Contact",
     .group = "basic"},
    {"lead_id", FT_REF, F_CREATE_ONLY | F_FILTER | F_REF_KEEP, 0, 0, NULL, "leads", NULL, "来源线索", "來源線索",
     "From lead", .group = "basic"},
    {"product_id", FT_REF, F_FILTER, 0, 0, NULL, "products", NULL, "主要产品", "主要產品", "Main product",
     .group = "basic"},
    {"products", FT_TEXT, F_SEARCH, 0, 500, NULL, NULL, NULL, "产品/范围", "產品/範圍", "Products / scope",
     .group = "basic"},
    {"amount", FT_MONEY, F_LIST | F_FILTER | F_SORT | F_NOINDEX, 0, 1000000000000, NULL, NULL, "0", "金额", "金額",
     "Amount", .group = "basic"},
    {"probability_bp", FT_PERCENT_BP, F_LIST | F_SORT | F_NOINDEX, 0, 0, NULL, NULL, NULL, "赢单概率", "贏單機率",
     "Win probability", .group = "basic"},
    {"expected_close", FT_DATE, F_LIST | F_FILTER | F_SORT, 0, 0, NULL, NULL, NULL, "预计成交日期", "預計成交日期",
     "Expected close", .group = "basic"},
    {"needs_analysis", FT_LONGTEXT, 0, 0, 8000, NULL, NULL, NULL, "需求分析", "需求分析", "Needs analysis",
     .group = "stage"},
    {"quote_sent_on", FT_DATE, F_FILTER | F_SORT, 0, 0, NULL, NULL, NULL, "报价发出日期", "報價發出日期",
     "Quote sent on", .group = "stage"},
    {"quote_sent_at", FT_DATETIME, F_READONLY | F_COMPUTED | F_SORT, 0, 0, NULL, NULL, NULL, "最近报价发出",
     "最近報價發出", "Latest quote sent"},
    {"quote_ref", FT_TEXT, F_SEARCH, 0, 100, NULL, NULL, NULL, "报价单号", "報價單號", "Quote number",
     .group = "stage"},
    {"contract_ref", FT_TEXT, F_SEARCH, 0, 100, NULL, NULL, NULL, "合同编号", "合約編號", "Contract number",
     .group = "stage"},
    {"contract_signed_on", FT_DATE, F_READONLY | F_COMPUTED, 0, 0, NULL, NULL, NULL, "合同签订日期", "合約簽訂日期",
     "Contract signed on", .group = "stage"},
    {"loss_reason", FT_ENUM, F_FILTER | F_NOINDEX, 0, 0, loss_reasons, NULL, NULL, "输单原因", "輸單原因",
     "Loss reason", .group = "loss", .when = "state=lost"},
    {"loss_note", FT_LONGTEXT, 0, 0, 2000, NULL, NULL, NULL, "输单说明", "輸單說明", "Loss note", .group = "loss",
     .when = "state=lost"},
    {"competitor", FT_TEXT, F_SEARCH, 0, 200, NULL, NULL, NULL, "竞争对手", "競爭對手", "Competitor", .group = "loss",
     .when = "state=lost"},
    {"state_since", FT_DATETIME, F_READONLY | F_SORT | F_FILTER, 0, 0, NULL, NULL, NULL, "进入当前阶段", "進入目前階段",
     "In stage since", .group = "stage"},
    {"closed_at", FT_DATETIME, F_READONLY | F_SORT | F_FILTER, 0, 0, NULL, NULL, NULL, "关闭时间", "關閉時間",
     "Closed at", .group = "stage"},
    {NULL},
};

/* ---------------------------------------------------------------- settings */

static const Setting opp_settings[] = {
    {"stage.proposal.requires_needs_analysis", ST_BOOL, "1", 0, 0, "进入方案报价须有需求分析记录",
     "進入方案報價須有需求分析記錄", "Proposal requires a needs analysis"},
    {"stage.negotiation.requires_quote", ST_BOOL, "1", 0, 0, "进入商务谈判须已发出报价", "進入商務談判須已發出報價",
     "Negotiation requires a sent quotation"},
    {"stage.won.requires_contract", ST_BOOL, "0", 0, 0, "赢单须有已签合同", "贏單須有已簽合約",
     "Won requires a signed contract"},
    {"stage.prospecting.probability_bp", ST_INT, "1000", 0, 10000, "初步接洽默认赢单概率（基点）",
     "初步接洽預設贏單機率（基點）", "Default probability, prospecting (bp)"},
    {"stage.needs_analysis.probability_bp", ST_INT, "2500", 0, 10000, "需求分析默认赢单概率（基点）",
     "需求分析預設贏單機率（基點）", "Default probability, needs analysis (bp)"},
    {"stage.proposal.probability_bp", ST_INT, "5000", 0, 10000, "方案报价默认赢单概率（基点）",
     "方案報價預設贏單機率（基點）", "Default probability, proposal (bp)"},
    {"stage.negotiation.probability_bp", ST_INT, "7500", 0, 10000, "商务谈判默认赢单概率（基点）",
     "商務談判預設贏單機率（基點）", "Default probability, negotiation (bp)"},
    {"stage.won.probability_bp", ST_INT, "10000", 0, 10000, "赢单概率（基点）", "贏單機率（基點）",
     "Probability, won (bp)"},
    {"stage.lost.probability_bp", ST_INT, "0", 0, 10000, "输单概率（基点）", "輸單機率（基點）",
     "Probability, lost (bp)"},
    {"stage.prospecting.days", ST_INT, "14", 1, 365, "初步接洽标准时限（天）", "初步接洽標準時限（天）",
     "Days allowed in prospecting"},
    {"stage.needs_analysis.days", ST_INT, "14", 1, 365, "需求分析标准时限（天）", "需求分析標準時限（天）",
     "Days allowed in needs analysis"},
    {"stage.proposal.days", ST_INT, "21", 1, 365, "方案报价标准时限（天）", "方案報價標準時限（天）",
     "Days allowed in proposal"},
    {"stage.negotiation.days", ST_INT, "30", 1, 365, "商务谈判标准时限（天）", "商務談判標準時限（天）",
     "Days allowed in negotiation"},
    {"stage.escalate_after_days", ST_INT, "7", 0, 365, "超期后升级给经理的天数", "逾期後升級給經理的天數",
     "Days overdue before the manager is told"},
};

/* Position of a stage in opp_states, -1 when unknown. */
static int stage_index(const char *s) {
    for (int i = 0; s && opp_states[i].value; i++)
        if (!strcmp(opp_states[i].value, s)) return i;
    return -1;
}

/* Default probability of a stage in basis points (setting). */
static int64_t stage_probability(Req *r, const char *stage) {
    char key[64];
    snprintf(key, sizeof key, "stage.%s.probability_bp", stage);
    return stage_index(stage) >= 0 ? req_setting_int(r, key) : 0;
}

/* ---------------------------------------------------------------- hooks */

/* before_save: the contact, when given, works for the opportunity's customer. */
static int opp_check(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    int64_t contact = flow_rec_int(rec, "contact_id"), customer = flow_rec_int(rec, "customer_id");
    if (!contact) return 0;
    Stmt *st = db_prepare(r->db, "SELECT customer_id FROM contacts WHERE id = ?1 AND deleted_at IS NULL");
    if (!st) return flow_db_error(r, e, "contact check");
    db_bind_int64(st, 1, contact);
    bool ok = db_step(st) == DB_ROW && db_col_int64(st, 0) == customer;
    db_done(st);
    if (!ok) {
        err_set(e, 400, EC_REF, "contact_id", NULL);
        e->label = label_for(r->locale, "联系人", "聯絡人", "Contact");
        return -1;
    }
    return 0;
}

/* Append one row to the stage log. */
static int stage_log(Req *r, int64_t opp, const char *from, const char *to, int64_t seconds, const char *reason) {
    static const char zSql[] = "INSERT INTO opportunity_stages(opportunity_id, from_stage, to_stage, at, user_id, "
                               "seconds_in_from, override_reason)\n"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return -1;
    db_bind_int64(st, 1, opp);
    if (from)
        db_bind_text(st, 2, from, -1);
    else
        db_bind_null(st, 2);
    db_bind_text(st, 3, to, -1);
    db_bind_int64(st, 4, r->now);
    if (r->user)
        db_bind_int64(st, 5, r->user->id);
    else
        db_bind_null(st, 5);
    if (from)
        db_bind_int64(st, 6, seconds);
    else
        db_bind_null(st, 6);
    db_bind_text(st, 7, reason, -1); /* NULL binds NULL */
    int rc = db_step(st);
    db_done(st);
    return rc < 0 ? -1 : 0;
}

/* after_save: a new opportunity's first stage-log entry. */
static int opp_created(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    if (old) return 0;
    if (stage_log(r, flow_rec_int(rec, "id"), NULL, flow_rec_str(rec, "state"), 0, NULL) < 0)
        return flow_db_error(r, e, "stage log");
    return 0;
}

/* on_move: log the stage change (with the manager's reason on an override).
   The stage clock itself (and its reminders) follows the move in deadline.c. */
static int opp_moved(Req *r, const Entity *en, json_t *rec, const char *from, int64_t since, Err *e) {
    int64_t id = flow_rec_int(rec, "id");
    const char *action = flow_rec_str(rec, "_action");
    const char *reason = action && !strcmp(action, "override_stage") ? flow_rec_str(rec, "_comment") : NULL;
    if (stage_log(r, id, from, flow_rec_str(rec, "state"), since ? r->now - since : 0, reason) < 0)
        return flow_db_error(r, e, "stage log");
    return 0;
}

/* decorate: the probability that counts (the rep's, else the stage default)
   and the weighted amount, rounded half up to the fen. */
static void opp_decorate(Req *r, const Entity *en, json_t *row) {
    json_t *p = json_object_get(row, "probability_bp");
    int64_t bp = json_is_integer(p) ? json_integer_value(p) : stage_probability(r, flow_rec_str(row, "state"));
    int64_t amount = flow_rec_int(row, "amount");
    json_object_set_new(row, "effective_probability_bp", json_integer(bp));
    json_object_set_new(row, "weighted_amount",
                        json_integer((amount / 10000) * bp + ((amount % 10000) * bp + 5000) / 10000));
}

/* ---------------------------------------------------------------- stage rules */

/* Fill e with 409 flow.guard naming the missing field and what it means. */
static int guard_fail(Req *r, Err *e, const char *field, const char *zh, const char *tw, const char *en) {
    err_set(e, 409, EC_GUARD, field, "%s", label_for(r->locale, zh, tw, en));
    return -1;
}

/* Does the customer have a needs record dated on or after the opportunity's creation? */
static int needs_recorded(Req *r, json_t *rec) {
    static const char zSql[] = "SELECT 1 FROM customer_needs WHERE customer_id = ?1 AND deleted_at IS NULL\n"
                               " AND (created_at >= ?2 OR need_date >= ?3)";
    char day[11];
    int64_t created = flow_rec_int(rec, "created_at");
    company_date(r, created, day);
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return -1;
    db_bind_int64(st, 1, flow_rec_int(rec, "customer_id"));
    db_bind_int64(st, 2, created);
    db_bind_text(st, 3, day, -1);
    int rc = db_step(st);
    db_done(st);
    return rc < 0 ? -1 : rc == DB_ROW;
}

/* What entering stage `to` needs from its predecessor (settings). 0 when it is there. */
static int stage_prerequisite(Req *r, json_t *rec, const char *to, Err *e) {
    const char *s;
    if (!strcmp(to, "proposal") && setting_int(r->db, "stage.proposal.requires_needs_analysis")) {
        s = flow_rec_str(rec, "needs_analysis");
        if (s && *s) return 0;
        int n = needs_recorded(r, rec);
        if (n < 0) return flow_db_error(r, e, "needs check");
        if (n) return 0;
        return guard_fail(
            r, e, "needs_analysis", "进入方案报价前须有需求分析记录（填写需求分析，或为客户登记需求档案）",
            "進入方案報價前須有需求分析記錄（填寫需求分析，或為客戶登記需求檔案）",
            "a needs analysis is required before the proposal (fill in the needs analysis or record a customer need)");
    }
    if (!strcmp(to, "negotiation") && setting_int(r->db, "stage.negotiation.requires_quote")) {
        s = flow_rec_str(rec, "quote_sent_on");
        if ((s && *s) || flow_rec_int(rec, "quote_sent_at")) return 0; /* typed, or a quote sent in salesloop */
        return guard_fail(r, e, "quote_sent_on", "进入商务谈判前须已发出报价（报价发出日期）",
                          "進入商務談判前須已發出報價（報價發出日期）",
                          "a sent quotation is required before negotiation (quote sent on)");
    }
    if (!strcmp(to, "won") && setting_int(r->db, "stage.won.requires_contract")) {
        s = flow_rec_str(rec, "contract_ref");
        if ((s && *s) || flow_rec_str(rec, "contract_signed_on")) return 0; /* typed, or signed in salesloop */
        return guard_fail(r, e, "contract_ref", "赢单前须有已签合同（合同编号）", "贏單前須有已簽合約（合約編號）",
                          "a signed contract is required to win (contract number)");
    }
    return 0;
}

/* guard of the stage actions and of move: back to an earlier stage, or on to the next one with
   its prerequisite. A skip never reaches it: the named actions are bound to their stage and move
   is T_STEPWISE (the core refuses a jump, and meta tells the board which moves are offered). */
static int opp_stage_guard(Req *r, const Entity *en, json_t *rec, Err *e) {
    const char *to = flow_rec_str(rec, "_to");
    if (stage_index(to) <= stage_index(flow_rec_str(rec, "state"))) return 0;
    return stage_prerequisite(r, rec, to, e);
}

/* guard of override_stage: the manager manages the row's unit. */
static int opp_override_guard(Req *r, const Entity *en, json_t *rec, Err *e) {
    static const char zSql[] = "SELECT 1 FROM org_units WHERE id = ?1 AND path LIKE ?2";
    const User *u = r->user;
    int64_t unit = flow_rec_int(rec, "org_unit_id");
    if (!u->org_path || !unit) return err_set(e, 403, EC_FORBIDDEN, NULL, NULL);
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return flow_db_error(r, e, "override check");
    db_bind_int64(st, 1, unit);
    db_bind_text(st, 2, arena_printf(r->a, "%s%%", u->org_path), -1);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0) return flow_db_error(r, e, "override check");
    return rc == DB_ROW ? 0 : err_set(e, 403, EC_FORBIDDEN, NULL, NULL);
}

/* effect of every stage action: closed_at is set on entering won or lost. */
static int opp_closed(Req *r, const Entity *en, json_t *rec, Err *e) {
    const char *s = flow_rec_str(rec, "state");
    if (!s || (strcmp(s, "won") && strcmp(s, "lost"))) return 0;
    json_t *vals = json_pack("{s:I}", "closed_at", (json_int_t)r->now);
    int rc = entity_update_fields(r, en, rec, vals, "close", e);
    json_decref(vals);
    return rc;
}

static const Transition opp_transitions[] = {
    {"to_needs_analysis", "prospecting", "needs_analysis", ROLES_MANAGING, T_OWNER, opp_stage_guard, NULL, NULL,
     "进入需求分析", "進入需求分析", "To needs analysis", "needs_analysis"},
    {"to_proposal", "needs_analysis", "proposal", ROLES_MANAGING, T_OWNER, opp_stage_guard, NULL, NULL, "进入方案报价",
     "進入方案報價", "To proposal", "needs_analysis"},
    {"to_negotiation", "proposal", "negotiation", ROLES_MANAGING, T_OWNER, opp_stage_guard, NULL, NULL, "进入商务谈判",
     "進入商務談判", "To negotiation", "quote_sent_on quote_ref"},
    {"win", "negotiation", "won", ROLES_MANAGING, T_OWNER, opp_stage_guard, opp_closed, NULL, "赢单", "贏單", "Won",
     "contract_ref"},
    {"lose", OPP_OPEN, "lost", ROLES_MANAGING, T_OWNER, NULL, opp_closed, NULL, "输单", "輸單", "Lost",
     "loss_reason loss_note competitor", "loss_reason"},
    {"move", OPP_OPEN, OPP_TARGETS, ROLES_MANAGING, T_OWNER | T_STEPWISE, opp_stage_guard, opp_closed, NULL, "移动阶段",
     "移動階段", "Move to stage", "needs_analysis quote_sent_on quote_ref contract_ref"},
    {"override_stage", OPP_OPEN, OPP_TARGETS, OPP_OVERRIDERS, T_COMMENT, opp_override_guard, opp_closed, NULL,
     "越级调整阶段", "越級調整階段", "Override stage"},
    {NULL},
};

/* Stage time limits (R-CUS-10): each open stage its standard time (stage.<stage>.days), the
   owner reminded past it ("stage_overdue"), the nearest managers after stage.escalate_after_days
   more ("stage_escalated"); a new run on every stage change (deadline.c). */
static const Deadline opp_deadlines[] = {
    {"stage", OPP_OPEN, NULL, 0, DU_DAYS, .setting = "stage.%s.days", .escalate_setting = "stage.escalate_after_days",
     .per_state = true, .zh = "阶段时限", .tw = "階段時限", .en = "Time in stage"},
    {NULL},
};

static const Workflow opp_flow = {
    .initial = "prospecting",
    .states = opp_states,
    .final_states = "won lost",
    .transitions = opp_transitions,
    .editable_states = OPP_OPEN,
    .track_state_since = true,
    .on_move = opp_moved,
    .deadlines = opp_deadlines,
};

static const FieldGroup opp_groups[] = {
    {"basic", "基本信息", "基本資訊", "Basics"},
    {"stage", "阶段资料", "階段資料", "Stage records"},
    {"loss", "输单分析", "輸單分析", "Loss analysis"},
    {NULL},
};

static const Entity opportunities_entity = {
    .name = "opportunities",
    .table = "opportunities",
    .zh = "销售机会",
    .tw = "銷售機會",
    .en = "Opportunities",
    .fields = opp_fields,
    .vis = VIS_OWNER,
    .read_roles = OPP_ROLES,
    .write_roles = OPP_ROLES,
    .default_sort = "-created_at",
    .title_field = "name",
    .flow = &opp_flow,
    .before_save = opp_check,
    .after_save = opp_created,
    .tag = "pipeline",
    .number_prefix = "OP",
    .decorate = opp_decorate,
    .attachments = true,
    .groups = opp_groups,
    /* the latest quotation sent for it (quotes.c): the negotiation stage's prerequisite */
    .rollups = (const Rollup[]){{"quote_sent_at", RU_MAX, "quotes", "opportunity_id", "sent_at"},
                                {"contract_signed_on", RU_MAX, "contracts", "opportunity_id", "signed_on"},
                                {NULL}},
};

/* ---------------------------------------------------------------- pipeline reports */

/* Round a sum of amount×bp split as whole = Σ(amount/10000)×bp and rest =
   Σ(amount%10000)×bp (no 64-bit overflow) to fen, half up. */
static int64_t weighted_of(int64_t whole, int64_t rest) { return whole + (rest + 5000) / 10000; }

/*
** GET /api/v1/pipeline/summary                 roles: reps and managers
** Query: the opportunities list's q / filter[...] (visible rows only)
** 200 {"stages":[{"stage","label","count","amount","weighted_amount","default_probability_bp"}],
**      "open":{"count","amount","weighted_amount"}} — weighted = amount × probability
**      (the row's, else the stage default) / 10000, per stage, rounded half up; open = the
**      four open stages | 400 request.bad_query
*/
static int pipeline_summary(Req *r, Err *e) {
    const Entity *en = &opportunities_entity;
    ListQuery lq;
    if (list_query_parse(r, en, &lq, e) < 0) return -1;
    int64_t def[N_STAGES];
    int pdef[N_STAGES];
    for (int i = 0; i < N_STAGES; i++) {
        def[i] = stage_probability(r, opp_states[i].value);
        pdef[i] = list_query_add_int(&lq, def[i]);
    }
    Buf p;
    buf_init(&p, r->a);
    buf_printf(&p, "COALESCE(t.probability_bp, CASE t.state");
    for (int i = 0; i < N_STAGES; i++)
        buf_printf(&p, " WHEN '%s' THEN ?%d", opp_states[i].value, pdef[i]);
    buf_puts(&p, " ELSE 0 END)");
    char *cols = arena_printf(r->a,
                              "t.state, COUNT(*), CAST(SUM(t.amount) AS BIGINT),"
                              " CAST(SUM((t.amount / 10000) * %s) AS BIGINT),"
                              " CAST(SUM((t.amount %% 10000) * %s) AS BIGINT)",
                              p.p, p.p);
    Stmt *st = db_prepare(r->db, list_query_sql(r, en, &lq, cols, "GROUP BY t.state", false));
    if (!st) return flow_db_error(r, e, "pipeline summary");
    list_query_bind(r, en, &lq, st);
    int64_t cnt[N_STAGES] = {0}, amt[N_STAGES] = {0}, wt[N_STAGES] = {0};
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int i = stage_index(db_col_text(st, 0));
        if (i < 0) continue;
        cnt[i] = db_col_int64(st, 1);
        amt[i] = db_col_int64(st, 2);
        wt[i] = weighted_of(db_col_int64(st, 3), db_col_int64(st, 4));
    }
    db_done(st);
    if (rc < 0) return flow_db_error(r, e, "pipeline summary");
    json_t *stages = json_array();
    int64_t oc = 0, oa = 0, ow = 0;
    for (int i = 0; i < N_STAGES; i++) {
        json_array_append_new(stages,
                              json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "stage", opp_states[i].value, "label",
                                        label_for(r->locale, opp_states[i].zh, opp_states[i].tw, opp_states[i].en),
                                        "count", (json_int_t)cnt[i], "amount", (json_int_t)amt[i], "weighted_amount",
                                        (json_int_t)wt[i], "default_probability_bp", (json_int_t)def[i]));
        if (i < N_OPEN) oc += cnt[i], oa += amt[i], ow += wt[i];
    }
    return reply_json(r, 200,
                      json_pack("{s:o, s:{s:I, s:I, s:I}}", "stages", stages, "open", "count", (json_int_t)oc, "amount",
                                (json_int_t)oa, "weighted_amount", (json_int_t)ow));
}

/*
** GET /api/v1/pipeline/funnel                  roles: reps and managers
** Query: the opportunities list's q / filter[...] (visible rows only)
** 200 {"stages":[{"stage","label","entered","current","left","avg_seconds","avg_days","limit_days"}]}
**     entered: opportunities that ever entered the stage; left / avg_seconds: stage exits
**     and their mean time in the stage (opportunity_stages) | 400 request.bad_query
*/
static int pipeline_funnel(Req *r, Err *e) {
    const Entity *en = &opportunities_entity;
    ListQuery lq;
    if (list_query_parse(r, en, &lq, e) < 0) return -1;
    const char *ids = list_query_sql(r, en, &lq, "t.id", NULL, false);
    int64_t entered[N_STAGES] = {0}, current[N_STAGES] = {0}, left[N_STAGES] = {0}, secs[N_STAGES] = {0};
    const char *sqls[3] = {
        arena_printf(r->a,
                     "SELECT s.to_stage, COUNT(DISTINCT s.opportunity_id), 0 FROM opportunity_stages s"
                     " WHERE s.opportunity_id IN (%s) GROUP BY s.to_stage",
                     ids),
        arena_printf(r->a,
                     "SELECT s.from_stage, COUNT(*), CAST(SUM(s.seconds_in_from) AS BIGINT) FROM opportunity_stages s"
                     " WHERE s.from_stage IS NOT NULL AND s.opportunity_id IN (%s) GROUP BY s.from_stage",
                     ids),
        list_query_sql(r, en, &lq, "t.state, COUNT(*), 0", "GROUP BY t.state", false),
    };
    for (int q = 0; q < 3; q++) {
        Stmt *st = db_prepare(r->db, sqls[q]);
        if (!st) return flow_db_error(r, e, "pipeline funnel");
        list_query_bind(r, en, &lq, st);
        int rc;
        while ((rc = db_step(st)) == DB_ROW) {
            int i = stage_index(db_col_text(st, 0));
            if (i < 0) continue;
            if (q == 0)
                entered[i] = db_col_int64(st, 1);
            else if (q == 1)
                left[i] = db_col_int64(st, 1), secs[i] = db_col_int64(st, 2);
            else
                current[i] = db_col_int64(st, 1);
        }
        db_done(st);
        if (rc < 0) return flow_db_error(r, e, "pipeline funnel");
    }
    json_t *stages = json_array();
    for (int i = 0; i < N_STAGES; i++) {
        int64_t avg = left[i] ? (secs[i] + left[i] / 2) / left[i] : 0;
        json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:f}", "stage", opp_states[i].value, "label",
                              label_for(r->locale, opp_states[i].zh, opp_states[i].tw, opp_states[i].en), "entered",
                              (json_int_t)entered[i], "current", (json_int_t)current[i], "left", (json_int_t)left[i],
                              "avg_seconds", (json_int_t)avg, "avg_days", (double)((avg * 10 + 43200) / 86400) / 10.0);
        if (i < N_OPEN)
            json_object_set_new(
                o, "limit_days",
                json_integer(setting_int(r->db, arena_printf(r->a, "stage.%s.days", opp_states[i].value))));
        json_array_append_new(stages, o);
    }
    return reply_json(r, 200, json_pack("{s:o}", "stages", stages));
}

/*
** GET /api/v1/opportunities/:id/stages         roles: reps and managers (row visible)
** 200 {"items":[{"from_stage","to_stage","at","user_id","user_name","seconds_in_from","override_reason"}]}
**     oldest first | 404 missing or not visible
*/
static int opp_stages(Req *r, Err *e) {
    static const char zSql[] =
        "SELECT s.from_stage, s.to_stage, s.at, s.user_id, u.display_name, s.seconds_in_from, s.override_reason\n"
        " FROM opportunity_stages s LEFT JOIN users u ON u.id = s.user_id\n"
        " WHERE s.opportunity_id = ?1 ORDER BY s.at, s.id";
    int64_t id;
    if (req_param_id(r, 0, &id, e) < 0) return -1;
    json_t *row = entity_load(r, &opportunities_entity, id, e);
    if (!row) return -1;
    json_decref(row);
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return flow_db_error(r, e, "stage history");
    db_bind_int64(st, 1, id);
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *o = json_object();
        json_object_set_new(o, "from_stage", db_col_null(st, 0) ? json_null() : json_string(db_col_text(st, 0)));
        json_object_set_new(o, "to_stage", json_string(db_col_text(st, 1)));
        json_object_set_new(o, "at", json_integer(db_col_int64(st, 2)));
        json_object_set_new(o, "user_id", db_col_null(st, 3) ? json_null() : json_integer(db_col_int64(st, 3)));
        json_object_set_new(o, "user_name", db_col_null(st, 4) ? json_null() : json_string(db_col_text(st, 4)));
        json_object_set_new(o, "seconds_in_from", db_col_null(st, 5) ? json_null() : json_integer(db_col_int64(st, 5)));
        json_object_set_new(o, "override_reason", db_col_null(st, 6) ? json_null() : json_string(db_col_text(st, 6)));
        json_array_append_new(items, o);
    }
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return flow_db_error(r, e, "stage history");
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

static const Route opp_routes[] = {
    {"GET", "/api/v1/pipeline/summary", pipeline_summary, 0, OPP_ROLES, "Weighted pipeline by stage", "pipeline"},
    {"GET", "/api/v1/pipeline/funnel", pipeline_funnel, 0, OPP_ROLES, "Funnel with time in stage", "pipeline"},
    {"GET", "/api/v1/opportunities/:id/stages", opp_stages, 0, OPP_ROLES, "Stage history of an opportunity",
     "pipeline"},
};

void opportunities_register(void) {
    entity_register(&opportunities_entity);
    settings_declare(opp_settings, (int)(sizeof opp_settings / sizeof opp_settings[0]));
    routes_add(opp_routes, (int)(sizeof opp_routes / sizeof opp_routes[0]));
}
