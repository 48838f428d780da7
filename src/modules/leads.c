/*
** leads.c — sales leads (线索, R-CUS-2): source, referrer, estimated value,
** score and owner; the lead workflow new → contacted → qualified →
** converted | disqualified; duplicate and collision control through
** collision.h (R-CUS-3); and the conversion that creates the customer, its
** contact and an opportunity in the action's one transaction.
*/
#include <string.h>

#include "../core/errcodes.h"
#include "../flow/flow.h"
#include "../model/model.h"
#include "../model/settings.h"
#include "collision.h"
#include "modules.h"
#include "pool.h"

/* Who works with leads: reps and every managing role (admin reads all). */
#define LEAD_ROLES (ROLES_MANAGING | RB(SALES_REP))
/* Managers who may reopen a disqualified lead. */
#define LEAD_MANAGERS (RB(SALES_MANAGER) | RB(SUPERVISOR) | RB(SALES_DIRECTOR) | RB(DEPUTY_DIRECTOR) | RB(GM))

static const EnumVal lead_sources[] = {
    {"online", "网络营销", "網路行銷", "Online marketing"},
    {"trade_show", "展会", "展會", "Trade show"},
    {"referral", "转介绍", "轉介紹", "Referral"},
    {"telemarketing", "电话营销", "電話行銷", "Telemarketing"},
    {"walk_in", "客户来访", "客戶來訪", "Walk-in"},
    {"other", "其他", "其他", "Other"},
    {NULL},
};

static const EnumVal lead_states[] = {
    {"new", "新线索", "新線索", "New"},
    {"contacted", "已联系", "已聯繫", "Contacted"},
    {"qualified", "已确认", "已確認", "Qualified"},
    {"converted", "已转化", "已轉化", "Converted"},
    {"disqualified", "无效", "無效", "Disqualified"},
    {NULL},
};

static const Field lead_fields[] = {
    {"number", FT_TEXT, F_READONLY | F_LIST | F_SEARCH | F_SORT, 0, 0, NULL, NULL, NULL, "线索编号", "線索編號",
     "Number"},
    {"company", FT_TEXT, F_REQUIRED | F_LIST | F_SEARCH | F_SORT | F_SORTKEY, 1, 200, NULL, NULL, NULL, "公司名称",
     "公司名稱", "Company"},
    {"contact_name", FT_TEXT, F_LIST | F_SEARCH, 0, 100, NULL, NULL, NULL, "联系人", "聯絡人", "Contact"},
    {"phone", FT_PHONE, F_LIST | F_SEARCH, 0, 40, NULL, NULL, NULL, "电话", "電話", "Phone"},
    {"email", FT_EMAIL, F_SEARCH, 0, 200, NULL, NULL, NULL, "邮箱", "電子郵件", "Email"},
    {"wechat", FT_TEXT, 0, 0, 100, NULL, NULL, NULL, "微信", "微信", "WeChat"},
    {"tax_id", FT_TEXT, F_SEARCH, 0, 40, NULL, NULL, NULL, "统一社会信用代码", "統一社會信用代碼", "Tax id"},
    {"industry", FT_CODE, F_FILTER | F_NOINDEX, 0, 0, NULL, "industries", NULL, "行业", "行業", "Industry"},
    {"region", FT_CODE, F_FILTER | F_NOINDEX, 0, 0, NULL, "regions", NULL, "地区", "地區", "Region"},
    /* free text of before the codes that matched no name (refdata.h), shown while set */
    {"industry_text", FT_TEXT, 0, 0, 100, NULL, NULL, NULL, "原行业文字", "原行業文字", "Industry as typed before",
     .when = "industry_text"},
    {"region_text", FT_TEXT, 0, 0, 100, NULL, NULL, NULL, "原地区文字", "原地區文字", "Region as typed before",
     .when = "region_text"},
    {"source", FT_ENUM, F_REQUIRED | F_LIST | F_FILTER | F_SORT | F_NOINDEX, 0, 0, lead_sources, NULL, NULL, "线索来源",
     "線索來源", "Source"},
    {"referrer_customer_id", FT_REF, F_FILTER | F_REF_ANY | F_REF_KEEP, 0, 0, NULL, "customers", NULL, "推荐客户",
     "推薦客戶", "Referring customer"},
    {"referrer_name", FT_TEXT, 0, 0, 100, NULL, NULL, NULL, "推荐人", "推薦人", "Referrer"},
    {"estimated_value", FT_MONEY, F_LIST | F_FILTER | F_SORT | F_NOINDEX, 0, 1000000000000, NULL, NULL, "0", "预计价值",
     "預計價值", "Estimated value"},
    {"score", FT_INT, F_LIST | F_FILTER | F_SORT | F_NOINDEX, 0, 100, NULL, NULL, NULL, "潜在价值评分", "潛在價值評分",
     "Score"},
    {"product_interest", FT_TEXT, F_SEARCH, 0, 500, NULL, NULL, NULL, "意向产品", "意向產品", "Products of interest"},
    {"note", FT_LONGTEXT, 0, 0, 4000, NULL, NULL, NULL, "备注", "備註", "Note"},
    {"disqualify_reason", FT_LONGTEXT, F_READONLY, 1, 2000, NULL, NULL, NULL, "无效原因", "無效原因",
     "Reason disqualified"},
    {"state_since", FT_DATETIME, F_READONLY | F_SORT | F_FILTER, 0, 0, NULL, NULL, NULL, "进入当前状态", "進入目前狀態",
     "In state since"},
    {"last_followup_at", FT_DATETIME, F_READONLY | F_COMPUTED | F_LIST | F_SORT | F_FILTER, 0, 0, NULL, NULL, NULL,
     "最近跟进", "最近跟進", "Last follow-up"},
    {"converted_customer_id", FT_REF, F_READONLY | F_REF_KEEP, 0, 0, NULL, "customers", NULL, "转化客户", "轉化客戶",
     "Converted customer"},
    {"converted_contact_id", FT_REF, F_READONLY | F_REF_KEEP, 0, 0, NULL, "contacts", NULL, "转化联系人", "轉化聯絡人",
     "Converted contact"},
    {"converted_opportunity_id", FT_REF, F_READONLY | F_REF_KEEP, 0, 0, NULL, "opportunities", NULL, "转化商机",
     "轉化商機", "Converted opportunity"},
    {"converted_at", FT_DATETIME, F_READONLY | F_SORT, 0, 0, NULL, NULL, NULL, "转化时间", "轉化時間", "Converted at"},
    {"in_pool", FT_BOOL, F_READONLY | F_FILTER, 0, 0, NULL, NULL, NULL, "在公海", "在公海", "In the pool"},
    {"pool_reason", FT_TEXT, F_READONLY | F_MESSAGE, 0, 0, NULL, NULL, NULL, "退回公海原因", "退回公海原因",
     "Why in the pool"},
    {"pool_since", FT_DATETIME, F_READONLY | F_SORT, 0, 0, NULL, NULL, NULL, "退回时间", "退回時間",
     "In the pool since"},
    {NULL},
};

/* ---------------------------------------------------------------- hooks */

/* before_save: the referrer's owner gets a referred lead (R-CUS-3), then a
   match owned by another rep is refused as a collision (collision.h answers). */
static int lead_check(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    if (referral_resolve(r, rec, old, e) < 0) return -1;
    /* only the keys that are new or changed (as customers): an accepted duplicate stays editable */
    return collision_check_save(r, "leads", rec, old, e);
}

/* after_save: the lead's match keys follow its values; a rep whose new lead
   went to the referrer's owner keeps read access (a share), and that owner
   gets a reminder (as customers do). */
static int lead_keys(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    int64_t id = flow_rec_int(rec, "id"), owner = flow_rec_int(rec, "owner_id");
    if (collision_keys_store(r, "leads", id, rec, e) < 0) return -1;
    if (!old && referral_claim_file(r, "leads", rec, e) < 0) return -1;
    if (old || !owner || owner == r->user->id || (r->user->roles & (ROLES_MANAGING | RB(ADMIN)))) return 0;
    Stmt *st = db_prepare(r->db, "INSERT INTO shares(entity, row_id, user_id, created_at, created_by)"
                                 " VALUES ('leads', ?1, ?2, ?3, ?2) ON CONFLICT DO NOTHING");
    if (!st) return flow_db_error(r, e, "lead share");
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, r->user->id);
    db_bind_int64(st, 3, r->now);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0) return flow_db_error(r, e, "lead share");
    const char *title = msg_make(r->a, "referral.lead", "name", flow_rec_str(rec, "company"), "by",
                                 r->user->display_name ? r->user->display_name : "", NULL);
    if (task_remind(r->db, owner, "referral", "leads", id, title, 0,
                    arena_printf(r->a, "referral:leads:%lld", (long long)id), r->now) < 0)
        return flow_db_error(r, e, "referral reminder");
    return 0;
}

/* ---------------------------------------------------------------- conversion */

/* What the body of `convert` may carry, parsed by convert_input. */
typedef struct ConvertInput {
    int64_t customer_id;          /* attach to this existing customer instead of creating one */
    const char *opportunity_name; /* the opportunity's name (default: the company) */
} ConvertInput;

/* Parse and check {"customer_id"?, "opportunity_name"?} (+ version, comment).
   An existing customer must be visible and belong to the lead's owner, or the
   user must manage it: a rep attaches only to their own customer. */
static int convert_input(Req *r, json_t *lead, ConvertInput *in, Err *e) {
    memset(in, 0, sizeof *in);
    json_t *body = r->json_body, *v;
    const char *k;
    json_object_foreach(body, k, v) {
        if (!strcmp(k, "version") || !strcmp(k, "comment")) continue;
        if (!strcmp(k, "customer_id")) {
            if (json_is_null(v)) continue;
            if (!json_is_integer(v) || json_integer_value(v) <= 0) return err_set(e, 400, EC_TYPE, "customer_id", "id");
            in->customer_id = json_integer_value(v);
        } else if (!strcmp(k, "opportunity_name")) {
            if (json_is_null(v)) continue;
            if (!json_is_string(v)) return err_set(e, 400, EC_TYPE, "opportunity_name", "text");
            in->opportunity_name = json_string_value(v);
        } else {
            return err_set(e, 400, EC_UNKNOWN_FIELD, arena_strdup(r->a, k), NULL);
        }
    }
    if (!in->customer_id) return 0;
    const Entity *cu = entity_find("customers");
    Err e2 = {0};
    json_t *c = cu ? entity_load(r, cu, in->customer_id, &e2) : NULL;
    bool ok = c && (flow_rec_int(c, "owner_id") == flow_rec_int(lead, "owner_id") ||
                    (r->user->roles & (ROLES_MANAGING | RB(ADMIN))));
    json_decref(c);
    if (!ok) return err_set(e, 400, EC_REF, "customer_id", NULL);
    return 0;
}

/* guard of convert: the body is well-formed before anything moves. */
static int lead_convert_guard(Req *r, const Entity *en, json_t *rec, Err *e) {
    ConvertInput in;
    return convert_input(r, rec, &in, e);
}

/* Copy rec[from] to obj[to] when target entity declares `to` and the value is set. */
static void put_if(const Entity *target, json_t *obj, const char *to, json_t *rec, const char *from) {
    json_t *v = json_object_get(rec, from);
    if (!v || json_is_null(v) || (json_is_string(v) && !json_string_length(v))) return;
    if (entity_field(target, to)) json_object_set(obj, to, v);
}

/* The owner of what the conversion creates: the lead's owner (its unit when a
   manager converts someone else's lead). */
static void put_owner(Req *r, json_t *obj, json_t *lead) {
    int64_t owner = flow_rec_int(lead, "owner_id");
    if (!owner) return;
    json_object_set_new(obj, "owner_id", json_integer(owner));
    int64_t unit = flow_rec_int(lead, "org_unit_id");
    if (owner != r->user->id && unit) json_object_set_new(obj, "org_unit_id", json_integer(unit));
}

/* Create one row of entity name from obj (stolen); 0 with *id, -1 with e. */
static int create_related(Req *r, const char *name, json_t *obj, int64_t *id, Err *e) {
    const Entity *en = entity_find(name);
    arena_defer(r->a, (void (*)(void *))json_decref, obj);
    if (!en) return err_set(e, 500, EC_INTERNAL, NULL, "%s", r->request_id ? r->request_id : "");
    return entity_create_row(r, en, obj, id, e);
}

/*
** The lead's follow-ups become the customer's history (issue 10, item 3): each keeps its lead
** and gains the customer (and the new opportunity when it named none), through the follow-ups'
** entity (audited, versioned), so the customer's 360 shows what was done before conversion.
*/
static int lead_history_carry(Req *r, int64_t lead_id, int64_t customer_id, int64_t opp_id, Err *e) {
    const Entity *fu = entity_find("follow_ups");
    if (!fu) return 0; /* a build without follow-ups has no history to carry */
    Stmt *st = db_prepare(r->db, "SELECT id, version, opportunity_id FROM follow_ups"
                                 " WHERE lead_id = ?1 AND customer_id IS NULL AND deleted_at IS NULL ORDER BY id");
    if (!st) return flow_db_error(r, e, "lead history");
    db_bind_int64(st, 1, lead_id);
    json_t *rows = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(rows, json_pack("{s:I, s:I, s:n, s:o}", "id", (json_int_t)db_col_int64(st, 0), "version",
                                              (json_int_t)db_col_int64(st, 1), "customer_id", "opportunity_id",
                                              db_col_null(st, 2) ? json_null() : json_integer(db_col_int64(st, 2))));
    db_done(st);
    size_t i;
    json_t *row;
    json_array_foreach(rows, i, row) {
        if (rc < 0) break;
        json_t *vals = json_pack("{s:I}", "customer_id", (json_int_t)customer_id);
        if (json_is_null(json_object_get(row, "opportunity_id")))
            json_object_set_new(vals, "opportunity_id", json_integer(opp_id));
        rc = entity_update_fields(r, fu, row, vals, "convert", e) < 0 ? -2 : 0;
        json_decref(vals);
    }
    json_decref(rows);
    if (rc == -2) return -1;
    return rc < 0 ? flow_db_error(r, e, "lead history") : 0;
}

/*
** effect of convert: customer (or the given existing one), contact (when the
** lead names a person), opportunity; then the lead records what it became.
** Runs inside the action's transaction: any failure — a collision answered by
** the customers' hooks, a validation error — rolls every row back.
*/
static int lead_convert(Req *r, const Entity *en, json_t *rec, Err *e) {
    ConvertInput in;
    if (convert_input(r, rec, &in, e) < 0) return -1;
    int64_t lead_id = flow_rec_int(rec, "id");
    /* the lead becomes the customer: its own keys must not count as a duplicate */
    Stmt *st = db_prepare(r->db, "DELETE FROM match_keys WHERE entity = 'leads' AND row_id = ?1");
    if (!st) return flow_db_error(r, e, "lead keys");
    db_bind_int64(st, 1, lead_id);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0) return flow_db_error(r, e, "lead keys");

    int64_t customer_id = in.customer_id, contact_id = 0, opp_id = 0;
    bool new_customer = !customer_id;
    if (new_customer) {
        const Entity *cu = entity_find("customers");
        if (!cu) return err_set(e, 500, EC_INTERNAL, NULL, "no customers");
        json_t *c = json_object();
        put_if(cu, c, "name", rec, "company");
        static const char *const same[] = {
            "phone", "email", "tax_id", "industry", "region", "source", "referrer_customer_id",
            /* free text that named no code waits on the customer for its owner, as it did on the lead */
            "industry_text", "region_text", NULL};
        for (int i = 0; same[i]; i++)
            put_if(cu, c, same[i], rec, same[i]);
        put_if(cu, c, "potential_value", rec, "estimated_value");
        put_owner(r, c, rec);
        if (create_related(r, "customers", c, &customer_id, e) < 0) return -1;
    }
    const char *person = flow_rec_str(rec, "contact_name");
    if (person && *person) {
        const Entity *co = entity_find("contacts");
        if (!co) return err_set(e, 500, EC_INTERNAL, NULL, "no contacts");
        json_t *c = json_pack("{s:I, s:s}", "customer_id", (json_int_t)customer_id, "name", person);
        put_if(co, c, entity_field(co, "mobile") ? "mobile" : "phone", rec, "phone");
        put_if(co, c, "email", rec, "email");
        put_if(co, c, "wechat", rec, "wechat");
        if (new_customer && entity_field(co, "is_primary")) json_object_set_new(c, "is_primary", json_true());
        put_owner(r, c, rec);
        if (create_related(r, "contacts", c, &contact_id, e) < 0) return -1;
    }
    const char *company = flow_rec_str(rec, "company");
    json_t *o = json_pack("{s:s, s:I, s:I, s:O}", "name",
                          in.opportunity_name ? in.opportunity_name
                          : company           ? company
                                              : "",
                          "customer_id", (json_int_t)customer_id, "lead_id", (json_int_t)lead_id, "amount",
                          json_object_get(rec, "estimated_value"));
    if (contact_id) json_object_set_new(o, "contact_id", json_integer(contact_id));
    const char *interest = flow_rec_str(rec, "product_interest");
    if (interest && *interest) json_object_set_new(o, "products", json_string(interest));
    put_owner(r, o, rec);
    if (create_related(r, "opportunities", o, &opp_id, e) < 0) return -1;
    if (lead_history_carry(r, lead_id, customer_id, opp_id, e) < 0) return -1;

    json_t *vals = json_pack("{s:I, s:I, s:I}", "converted_customer_id", (json_int_t)customer_id,
                             "converted_opportunity_id", (json_int_t)opp_id, "converted_at", (json_int_t)r->now);
    if (contact_id) json_object_set_new(vals, "converted_contact_id", json_integer(contact_id));
    rc = entity_update_fields(r, en, rec, vals, "convert", e);
    json_decref(vals);
    return rc;
}

/* ---------------------------------------------------------------- workflow */

static const Transition lead_transitions[] = {
    {"contact", "new", "contacted", ROLES_MANAGING, T_OWNER, NULL, NULL, NULL, "标记已联系", "標記已聯繫",
     "Mark contacted"},
    {"qualify", "contacted", "qualified", ROLES_MANAGING, T_OWNER, NULL, NULL, NULL, "确认有效", "確認有效", "Qualify"},
    {"convert", "qualified", "converted", ROLES_MANAGING, T_OWNER, lead_convert_guard, lead_convert, NULL, "转化为客户",
     "轉化為客戶", "Convert"},
    {"disqualify", "new contacted qualified", "disqualified", ROLES_MANAGING, T_OWNER, NULL, NULL, NULL, "标记无效",
     "標記無效", "Disqualify", "disqualify_reason", "disqualify_reason"},
    {"reopen", "disqualified", "new", LEAD_MANAGERS, 0, NULL, NULL, NULL, "重新激活", "重新啟用", "Reopen"},
    {NULL},
};

/* Standard time in each open lead state (R-CUS-10): lead.<state>.days, then the owner is
   reminded ("stage_overdue") and after stage.escalate_after_days the nearest managers
   ("stage_escalated"); a new run on every state change (flow/deadline.c). */
static const Deadline lead_deadlines[] = {
    {"stage", "new contacted qualified", NULL, 0, DU_DAYS, .setting = "lead.%s.days",
     .escalate_setting = "stage.escalate_after_days", .per_state = true, .zh = "阶段时限", .tw = "階段時限",
     .en = "Time in state"},
    {NULL},
};

static const Workflow lead_flow = {
    .initial = "new",
    .states = lead_states,
    .final_states = "converted",
    .transitions = lead_transitions,
    .editable_states = "new contacted qualified",
    .track_state_since = true,
    .deadlines = lead_deadlines,
};

static const Entity leads_entity = {
    .name = "leads",
    .table = "leads",
    .zh = "线索",
    .tw = "線索",
    .en = "Leads",
    .fields = lead_fields,
    .vis = VIS_OWNER,
    .read_roles = LEAD_ROLES,
    .write_roles = LEAD_ROLES,
    .default_sort = "-created_at",
    .title_field = "company",
    .flow = &lead_flow,
    .before_save = lead_check,
    .after_save = lead_keys,
    .tag = "pipeline",
    .number_prefix = "LD",
    .importable = true,
    .find_matches = collision_matches,
    .attachments = true,
    .owner_changing = pool_owner_changing,
    .rollups = (const Rollup[]){{"last_followup_at", RU_MAX, "follow_ups", "lead_id", "followed_at"}, {NULL}},
};

/* Standard time in each open lead state (R-CUS-10); read by the lead stage clock (lead_deadlines). */
static const Setting lead_settings[] = {
    {"lead.new.days", ST_INT, "3", 1, 365, "新线索标准时限（天）", "新線索標準時限（天）", "Days a lead may stay new"},
    {"lead.contacted.days", ST_INT, "7", 1, 365, "已联系线索标准时限（天）", "已聯繫線索標準時限（天）",
     "Days a lead may stay contacted"},
    {"lead.qualified.days", ST_INT, "14", 1, 365, "已确认线索标准时限（天）", "已確認線索標準時限（天）",
     "Days a lead may stay qualified"},
};

void leads_register(void) {
    entity_register(&leads_entity);
    settings_declare(lead_settings, (int)(sizeof lead_settings / sizeof lead_settings[0]));
}
