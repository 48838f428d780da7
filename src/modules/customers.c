/*
** customers.c — customers (R-CUS-1), their contacts, the customer needs
** archive (R-PRE-3) and competitor intelligence (R-PRE-1) as declared
** entities, plus the customer 360 page (GET /customers/:id/overview).
** Collision control runs in the customers' hooks (collision.c); the pool,
** tiering and care live in pool.c, tiering.c and care.c.
**
** Contacts and needs belong to their customer (F_REF_OWNER): the core gives
** them its owner and unit when created, and they follow it when it changes
** hands, so whoever sees the customer sees its people and needs.
*/
#include <stdio.h>
#include <string.h>

#include "../core/errcodes.h"
#include "../flow/flow.h"
#include "../model/model.h"
#include "../model/settings.h"
#include "collision.h"
#include "customers.h"
#include "modules.h"

/* ---------------------------------------------------------------- shared helpers */

/* ---------------------------------------------------------------- customers */

static const EnumVal sources[] = {
    {"online", "网络营销", "網路行銷", "Online marketing"},
    {"trade_show", "展会", "展會", "Trade show"},
    {"referral", "客户转介绍", "客戶轉介紹", "Referral"},
    {"telemarketing", "电话营销", "電話行銷", "Telemarketing"},
    {"walk_in", "上门咨询", "上門諮詢", "Walk-in"},
    {"other", "其他", "其他", "Other"},
    {NULL},
};

static const EnumVal tiers[] = {
    {"important", "重要客户", "重要客戶", "Important"},
    {"key", "关键客户", "關鍵客戶", "Key"},
    {"normal", "普通客户", "普通客戶", "Normal"},
    {NULL},
};

static const EnumVal frequencies[] = {
    {"monthly", "每月", "每月", "Monthly"},
    {"quarterly", "每季度", "每季", "Quarterly"},
    {"half_yearly", "每半年", "每半年", "Half-yearly"},
    {"yearly", "每年", "每年", "Yearly"},
    {NULL},
};

static const Field customer_fields[] = {
    {"number", FT_TEXT, F_READONLY | F_LIST | F_SEARCH | F_SORT, 0, 0, NULL, NULL, NULL, "客户编号", "客戶編號",
     "Number", .group = "basic"},
    {"name", FT_TEXT, F_REQUIRED | F_LIST | F_SEARCH | F_SORT | F_SORTKEY, 2, 200, NULL, NULL, NULL, "客户名称",
     "客戶名稱", "Customer name", .group = "basic"},
    {"tax_id", FT_TEXT, F_SEARCH | F_FILTER, 0, 32, NULL, NULL, NULL, "统一社会信用代码", "統一編號", "Tax id",
     .group = "basic"},
    {"industry", FT_CODE, F_LIST | F_SEARCH | F_FILTER | F_SORT | F_OWNER_INDEXED, 0, 0, NULL, "industries", NULL,
     "行业", "行業", "Industry", .group = "basic"},
    {"region", FT_CODE, F_LIST | F_SEARCH | F_FILTER | F_SORT | F_OWNER_INDEXED, 0, 0, NULL, "regions", NULL, "区域",
     "區域", "Region", .group = "basic"},
    /* free text that was in industry/region before they took codes and matched no name (refdata.h):
       shown while it holds something, so the owner picks the value and clears it */
    {"industry_text", FT_TEXT, 0, 0, 100, NULL, NULL, NULL, "原行业文字", "原行業文字", "Industry as typed before",
     .group = "basic", .when = "industry_text"},
    {"region_text", FT_TEXT, 0, 0, 100, NULL, NULL, NULL, "原区域文字", "原區域文字", "Region as typed before",
     .group = "basic", .when = "region_text"},
    {"address", FT_TEXT, F_SEARCH, 0, 300, NULL, NULL, NULL, "地址", "地址", "Address", .group = "basic"},
    {"phone", FT_PHONE, F_SEARCH, 0, 40, NULL, NULL, NULL, "总机电话", "總機電話", "Phone", .group = "contact"},
    {"email", FT_EMAIL, F_SEARCH, 0, 254, NULL, NULL, NULL, "邮箱", "電子郵件", "Email", .group = "contact"},
    {"website", FT_TEXT, 0, 0, 200, NULL, NULL, NULL, "网站", "網站", "Website", .group = "contact"},
    {"source", FT_ENUM, F_LIST | F_FILTER, 0, 0, sources, NULL, NULL, "客户来源", "客戶來源", "Source",
     .group = "basic"},
    {"referrer_customer_id", FT_REF, F_FILTER | F_REF_ANY | F_REF_KEEP, 0, 0, NULL, "customers", NULL, "转介绍客户",
     "轉介紹客戶", "Referred by", .group = "basic", .when = "source=referral"},
    {"tier", FT_ENUM, F_READONLY | F_LIST | F_FILTER | F_SORT, 0, 0, tiers, NULL, "normal", "客户等级", "客戶等級",
     "Tier", .group = "value"},
    {"tier_manual", FT_BOOL, F_READONLY | F_FILTER | F_NOINDEX, 0, 0, NULL, NULL, "0", "人工定级", "人工定級",
     "Tier set by hand", .group = "value"},
    {"tier_reason", FT_TEXT, F_READONLY | F_MESSAGE, 0, 0, NULL, NULL, NULL, "定级依据", "定級依據", "Tier reason",
     .group = "value"},
    {"visit_frequency", FT_ENUM, F_LIST | F_FILTER | F_NOINDEX, 0, 0, frequencies, NULL, NULL, "拜访频率", "拜訪頻率",
     "Visit frequency", .group = "value"},
    {"potential_value", FT_MONEY, F_FILTER | F_SORT | F_NOINDEX, 0, 100000000000000, NULL, NULL, "0", "潜在价值",
     "潛在價值", "Potential value", .group = "value"},
    {"purchase_12m", FT_MONEY, F_READONLY | F_LIST | F_FILTER | F_SORT, 0, 0, NULL, NULL, "0", "近12个月采购额",
     "近12個月採購額", "Purchases, 12 months", .group = "value"},
    {"orders_12m", FT_INT, F_READONLY | F_FILTER | F_SORT | F_NOINDEX, 0, 0, NULL, NULL, "0", "近12个月采购次数",
     "近12個月採購次數", "Orders, 12 months", .group = "value"},
    {"credit_limit", FT_MONEY, F_FILTER | F_SORT | F_NOINDEX, 0, 100000000000000, NULL, NULL, "0", "信用额度",
     "信用額度", "Credit limit", .group = "value"},
    {"payment_terms", FT_TEXT, 0, 0, 200, NULL, NULL, NULL, "付款条件", "付款條件", "Payment terms", .group = "value"},
    {"tags", FT_TEXT, F_SEARCH, 0, 500, NULL, NULL, NULL, "标签", "標籤", "Tags", .group = "basic"},
    {"in_pool", FT_BOOL, F_READONLY | F_FILTER, 0, 0, NULL, NULL, "0", "在公海", "在公海", "In the pool",
     .group = "ownership"},
    {"pool_reason", FT_TEXT, F_READONLY | F_MESSAGE, 0, 0, NULL, NULL, NULL, "退回原因", "退回原因", "Pool reason",
     .group = "ownership", .when = "in_pool"},
    {"pool_since", FT_DATETIME, F_READONLY | F_SORT, 0, 0, NULL, NULL, NULL, "退回时间", "退回時間",
     "In the pool since", .group = "ownership", .when = "in_pool"},
    {"previous_owner_id", FT_REF, F_READONLY | F_FILTER | F_REF_KEEP, 0, 0, NULL, "users", NULL, "前负责人", "前負責人",
     "Previous owner", .group = "ownership"},
    {"owned_since", FT_DATETIME, F_READONLY | F_SORT, 0, 0, NULL, NULL, NULL, "领取/分配时间", "領取/分配時間",
     "Owned since", .group = "ownership"},
    {"last_followup_at", FT_DATETIME, F_READONLY | F_COMPUTED | F_LIST | F_SORT, 0, 0, NULL, NULL, NULL, "最近跟进",
     "最近跟進", "Last follow-up", .group = "ownership"},
    {NULL},
};

/* Has the string/number member k changed between old and rec? (always true on create) */
static bool changed(json_t *rec, json_t *old, const char *k) {
    if (!old) return true;
    json_t *a = json_object_get(rec, k), *b = json_object_get(old, k);
    if (!a) a = json_null();
    if (!b) b = json_null();
    return !json_equal(a, b);
}

/*
** Customers: only a manager (or admin) hands a customer to someone else; the referral rule
** on create; owned_since; visit frequency defaulted from the
** tier; collision control on the match keys that are new or changed.
*/
static int customer_before_save(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    bool manager = (r->user->roles & (ROLES_MANAGING | RB(ADMIN))) != 0;
    if (old && changed(rec, old, "owner_id") && !manager) return err_set(e, 403, EC_FORBIDDEN, "owner_id", NULL);
    if (old && changed(rec, old, "referrer_customer_id") &&
        json_integer_value(json_object_get(rec, "referrer_customer_id")) ==
            json_integer_value(json_object_get(rec, "id")))
        return err_set(e, 400, EC_REF, "referrer_customer_id", NULL);
    /* the referral rule decides the owner of a new customer only: changing the referrer of an
       existing one does not move it (ownership changes go through managers, claims and the pool);
       a referrer the creator cannot see goes to the managers as a claim (collision.h) */
    if (referral_resolve(r, rec, old, e) < 0) return -1;
    if (!old) json_object_set_new(rec, "owned_since", json_integer(r->now));
    json_t *vf = json_object_get(rec, "visit_frequency");
    if (!vf || json_is_null(vf)) {
        const char *tier = json_string_value(json_object_get(rec, "tier"));
        json_object_set_new(rec, "visit_frequency",
                            json_string(tier_visit_default(r->db, r->a, tier ? tier : "normal")));
    }
    /* only the keys that are new or changed: an old duplicate does not block unrelated edits */
    return collision_check_save(r, "customers", rec, old, e);
}

/* Share a row with a user (the rep who entered a customer that the referral rule gave to another). */
static int share_row(Req *r, const char *entity, int64_t id, int64_t uid) {
    Stmt *st = db_prepare(
        r->db, "INSERT INTO shares(entity, row_id, user_id, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?3)"
               " ON CONFLICT DO NOTHING");
    if (!st) return -1;
    db_bind_text(st, 1, entity, -1);
    db_bind_int64(st, 2, id);
    db_bind_int64(st, 3, uid);
    db_bind_int64(st, 4, r->now);
    int rc = db_step(st);
    db_done(st);
    return rc < 0 ? -1 : 0;
}

/* After a write: match keys; a rep whose new customer
   went to the referrer's owner keeps read access (a share) and that owner gets a reminder. */
static int customer_after_save(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    int64_t id = json_integer_value(json_object_get(rec, "id"));
    if (customers_keys_refresh(r, id, e) < 0) return -1;
    int64_t owner = json_integer_value(json_object_get(rec, "owner_id"));
    if (!old && referral_claim_file(r, "customers", rec, e) < 0) return -1;
    if (!old && owner && owner != r->user->id && !(r->user->roles & (ROLES_MANAGING | RB(ADMIN)))) {
        if (share_row(r, "customers", id, r->user->id) < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        const char *title = msg_make(r->a, "referral.customer", "name", json_string_value(json_object_get(rec, "name")),
                                     "by", r->user->display_name, NULL);
        if (task_remind(r->db, owner, "referral", "customers", id, title, 0,
                        arena_printf(r->a, "referral:customers:%lld", (long long)id), r->now) < 0)
            return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    return 0;
}

int customers_keys_refresh(Req *r, int64_t customer_id, Err *e) {
    Stmt *st =
        db_prepare(r->db, "SELECT name, phone, email, tax_id FROM customers WHERE id = ?1 AND deleted_at IS NULL");
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, customer_id);
    json_t *rec = json_object();
    int krc = db_step(st);
    if (krc == DB_ROW) {
        static const char *const cols[] = {"name", "phone", "email", "tax_id"};
        for (int i = 0; i < 4; i++)
            if (!db_col_null(st, i)) json_object_set_new(rec, cols[i], json_string(db_col_text(st, i)));
    }
    db_done(st);
    if (krc < 0) { /* keys from an unread row would drop the customer's keys: fail closed */
        json_decref(rec);
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    int rc = collision_keys_store(r, "customers", customer_id, rec, e);
    json_decref(rec);
    return rc;
}

static const FieldGroup customer_groups[] = {
    {"basic", "基本信息", "基本資訊", "Basics"},
    {"contact", "联系方式", "聯絡方式", "Contact"},
    {"value", "等级与信用", "等級與信用", "Tier and credit"},
    {"ownership", "归属与公海", "歸屬與公海", "Ownership and pool"},
    {NULL},
};

/* after_merge: the kept customer's match keys now include the moved contacts' phones; the merged
   one's keys go, and its tier history and pool events are read with the kept one. */
static int customer_after_merge(Req *r, const Entity *en, int64_t id, int64_t from, Err *e) {
    static const char *const sql[] = {
        "DELETE FROM match_keys WHERE entity = 'customers' AND row_id = ?2 AND row_id <> ?1", /* both bound */
        "UPDATE tier_history SET customer_id = ?1 WHERE customer_id = ?2",
        "UPDATE pool_events SET row_id = ?1 WHERE entity = 'customers' AND row_id = ?2",
    };
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
        Stmt *st = db_prepare(r->db, sql[i]);
        if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        db_bind_int64(st, 1, id);
        db_bind_int64(st, 2, from);
        int rc = db_step(st);
        db_done(st);
        if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    return customers_keys_refresh(r, id, e);
}

static const Entity customers_entity = {
    .name = "customers",
    .table = "customers",
    .zh = "客户",
    .tw = "客戶",
    .en = "Customers",
    .fields = customer_fields,
    .vis = VIS_OWNER,
    .default_sort = "-created_at",
    .title_field = "name",
    .before_save = customer_before_save,
    .after_save = customer_after_save,
    .tag = "customers",
    .number_prefix = "CU",
    .importable = true,
    .find_matches = collision_matches,
    .attachments = true,
    .groups = customer_groups,
    .owner_changing = pool_owner_changing,
    .rollups = (const Rollup[]){{"last_followup_at", RU_MAX, "follow_ups", "customer_id", "followed_at"}, {NULL}},
    .mergeable = true,
    .after_merge = customer_after_merge,
};

/* ---------------------------------------------------------------- contacts */

static const EnumVal contact_roles[] = {
    {"purchasing", "采购", "採購", "Purchasing"},
    {"technical", "技术负责人", "技術負責人", "Technical lead"},
    {"user_dept", "使用部门", "使用部門", "User department"},
    {"management", "管理层", "管理層", "Management"},
    {"finance", "财务", "財務", "Finance"},
    {"other", "其他", "其他", "Other"},
    {NULL},
};

static const Field contact_fields[] = {
    {"customer_id", FT_REF, F_REQUIRED | F_LIST | F_FILTER | F_REF_CASCADE | F_REF_OWNER, 0, 0, NULL, "customers", NULL,
     "客户", "客戶", "Customer"},
    {"name", FT_TEXT, F_REQUIRED | F_LIST | F_SEARCH | F_SORT | F_SORTKEY, 1, 100, NULL, NULL, NULL, "姓名", "姓名",
     "Name"},
    {"role", FT_ENUM, F_LIST | F_FILTER | F_NOINDEX, 0, 0, contact_roles, NULL, NULL, "角色", "角色", "Role"},
    {"title", FT_TEXT, F_LIST | F_SEARCH, 0, 100, NULL, NULL, NULL, "职务", "職務", "Job title"},
    {"phone", FT_PHONE, F_SEARCH, 0, 40, NULL, NULL, NULL, "电话", "電話", "Phone"},
    {"mobile", FT_PHONE, F_LIST | F_SEARCH, 0, 40, NULL, NULL, NULL, "手机", "手機", "Mobile"},
    {"email", FT_EMAIL, F_SEARCH, 0, 254, NULL, NULL, NULL, "邮箱", "電子郵件", "Email"},
    {"wechat", FT_TEXT, F_SEARCH, 0, 64, NULL, NULL, NULL, "微信", "微信", "WeChat"},
    {"birthday", FT_DATE, F_FILTER | F_SORT, 0, 0, NULL, NULL, NULL, "生日", "生日", "Birthday"},
    {"is_primary", FT_BOOL, F_LIST | F_FILTER | F_NOINDEX, 0, 0, NULL, NULL, "0", "主要联系人", "主要聯絡人",
     "Primary contact"},
    {"note", FT_LONGTEXT, 0, 0, 2000, NULL, NULL, NULL, "备注", "備註", "Note"},
    {NULL},
};

/* A contact's phones and email are match keys of its customer (and of the old one when moved). */
static int contact_after_save(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    if (customers_keys_refresh(r, json_integer_value(json_object_get(rec, "customer_id")), e) < 0) return -1;
    if (old && changed(rec, old, "customer_id"))
        return customers_keys_refresh(r, json_integer_value(json_object_get(old, "customer_id")), e);
    return 0;
}

static const Entity contacts_entity = {
    .name = "contacts",
    .table = "contacts",
    .zh = "联系人",
    .tw = "聯絡人",
    .en = "Contacts",
    .fields = contact_fields,
    .vis = VIS_OWNER,
    .default_sort = "name",
    .title_field = "name",
    .after_save = contact_after_save,
    .tag = "customers",
    .importable = true,
    .attachments = true,
};

/* ---------------------------------------------------------------- needs (R-PRE-3) */

static const EnumVal need_kinds[] = {
    {"explicit", "明示要求", "明示要求", "Explicit"},
    {"implicit", "隐含要求", "隱含要求", "Implicit"},
    {"legal", "法律法规要求", "法律法規要求", "Legal / regulatory"},
    {"company", "公司附加要求", "公司附加要求", "Company-added"},
    {NULL},
};

static const EnumVal power_levels[] = {
    {"high", "高", "高", "High"},
    {"medium", "中", "中", "Medium"},
    {"low", "低", "低", "Low"},
    {NULL},
};

static const EnumVal need_states[] = {
    {"open", "待满足", "待滿足", "Open"},
    {"addressed", "已满足", "已滿足", "Addressed"},
    {"obsolete", "已失效", "已失效", "Obsolete"},
    {NULL},
};

static const Field need_fields[] = {
    {"customer_id", FT_REF, F_REQUIRED | F_LIST | F_FILTER | F_REF_CASCADE | F_REF_OWNER, 0, 0, NULL, "customers", NULL,
     "客户", "客戶", "Customer"},
    {"need_date", FT_DATE, F_REQUIRED | F_LIST | F_FILTER | F_SORT, 0, 0, NULL, NULL, NULL, "记录日期", "記錄日期",
     "Date"},
    {"kind", FT_ENUM, F_REQUIRED | F_LIST | F_FILTER | F_NOINDEX, 0, 0, need_kinds, NULL, NULL, "需求类型", "需求類型",
     "Kind"},
    {"description", FT_LONGTEXT, F_REQUIRED | F_LIST | F_SEARCH, 1, 5000, NULL, NULL, NULL, "需求描述", "需求描述",
     "Need"},
    {"pain_points", FT_LONGTEXT, F_SEARCH, 0, 5000, NULL, NULL, NULL, "痛点", "痛點", "Pain points"},
    {"budget", FT_MONEY, F_LIST | F_FILTER | F_SORT | F_NOINDEX, 0, 100000000000000, NULL, NULL, NULL, "预算", "預算",
     "Budget"},
    {"purchasing_power", FT_ENUM, F_FILTER | F_NOINDEX, 0, 0, power_levels, NULL, NULL, "购买力", "購買力",
     "Purchasing power"},
    {"review_date", FT_DATE, F_LIST | F_FILTER | F_SORT, 0, 0, NULL, NULL, NULL, "下次复核", "下次複核", "Next review"},
    {"status", FT_ENUM, F_LIST | F_FILTER | F_NOINDEX, 0, 0, need_states, NULL, "open", "状态", "狀態", "Status"},
    {NULL},
};

static const Entity needs_entity = {
    .name = "customer_needs",
    .table = "customer_needs",
    .zh = "客户需求档案",
    .tw = "客戶需求檔案",
    .en = "Customer needs",
    .fields = need_fields,
    .vis = VIS_OWNER,
    .default_sort = "-need_date",
    .title_field = "description",
    .tag = "presale",
};

/* ---------------------------------------------------------------- competitors (R-PRE-1) */

static const EnumVal price_levels[] = {
    {"higher", "高于我方", "高於我方", "Higher than ours"},
    {"similar", "相当", "相當", "Similar"},
    {"lower", "低于我方", "低於我方", "Lower than ours"},
    {NULL},
};

static const EnumVal intel_sources[] = {
    {"research", "市场调研", "市場調研", "Market research"},
    {"visit", "客户拜访", "客戶拜訪", "Customer visit"},
    {"trade_show", "展会", "展會", "Trade show"},
    {"customer", "客户反馈", "客戶回饋", "Customer feedback"},
    {"other", "其他", "其他", "Other"},
    {NULL},
};

static const Field competitor_fields[] = {
    {"name", FT_TEXT, F_REQUIRED | F_LIST | F_SEARCH | F_SORT, 1, 200, NULL, NULL, NULL, "竞争对手", "競爭對手",
     "Competitor"},
    {"products", FT_LONGTEXT, F_SEARCH, 0, 5000, NULL, NULL, NULL, "竞品", "競品", "Competing products"},
    {"strengths", FT_LONGTEXT, F_SEARCH, 0, 5000, NULL, NULL, NULL, "优势", "優勢", "Strengths"},
    {"weaknesses", FT_LONGTEXT, F_SEARCH, 0, 5000, NULL, NULL, NULL, "劣势", "劣勢", "Weaknesses"},
    {"price_level", FT_ENUM, F_LIST | F_FILTER, 0, 0, price_levels, NULL, NULL, "价格水平", "價格水準", "Price level"},
    {"market_share_bp", FT_PERCENT_BP, F_LIST | F_SORT, 0, 0, NULL, NULL, NULL, "估计市场份额", "估計市佔率",
     "Estimated share"},
    {"region", FT_CODE, F_LIST | F_SEARCH | F_FILTER | F_SORT, 0, 0, NULL, "regions", NULL, "区域", "區域", "Region"},
    /* free text that was in region before it took codes and matched no name (refdata.h) */
    {"region_text", FT_TEXT, 0, 0, 64, NULL, NULL, NULL, "原区域文字", "原區域文字", "Region as typed before",
     .when = "region_text"},
    {"source", FT_ENUM, F_LIST | F_FILTER, 0, 0, intel_sources, NULL, NULL, "情报来源", "情報來源", "Source"},
    {"research_id", FT_REF, F_FILTER | F_REF_KEEP, 0, 0, NULL, "market_research", NULL, "来源调研", "來源調研",
     "Research record"},
    {"observed_on", FT_DATE, F_LIST | F_FILTER | F_SORT, 0, 0, NULL, NULL, NULL, "获取日期", "取得日期", "Observed on"},
    {"note", FT_LONGTEXT, F_SEARCH, 0, 5000, NULL, NULL, NULL, "备注", "備註", "Note"},
    {NULL},
};

static const Entity competitors_entity = {
    .name = "competitors",
    .table = "competitors",
    .few_rows = true,
    .zh = "竞争对手情报",
    .tw = "競爭對手情報",
    .en = "Competitors",
    .fields = competitor_fields,
    .vis = VIS_ALL,
    .default_sort = "-observed_on",
    .title_field = "name",
    .tag = "presale",
};

/* ---------------------------------------------------------------- 360 overview */

/* Live rows of a declared entity that belong to the customer, typed per its declaration;
   an empty array when the entity is not registered (a build without that module) or the
   user's roles may not read it (customer service reads follow-ups, not opportunities). */
static json_t *rows_of(Req *r, const char *entity, const char *order, int64_t customer_id, int limit, Err *e,
                       int *fail) {
    json_t *a = json_array();
    const Entity *en = entity_find(entity);
    if (!en || !entity_can_read(en, r->user)) return a; /* the entity's read roles hold here too */
    Stmt *st = db_prepare(r->db, arena_printf(r->a,
                                              "SELECT %s FROM %s t WHERE t.customer_id = ?1 AND t.deleted_at IS NULL"
                                              " ORDER BY %s LIMIT %d",
                                              entity_info(en)->select_cols, en->table, order, limit));
    if (!st) {
        *fail = 1;
        err_set(e, 500, EC_INTERNAL, NULL, NULL);
        return a;
    }
    db_bind_int64(st, 1, customer_id);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *row = entity_row_json(en, st);
        if (en->decorate) en->decorate(r, en, row); /* computed values, as in the entity's own list */
        json_array_append_new(a, row);
    }
    db_done(st);
    if (rc < 0) {
        *fail = 1;
        err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    return a;
}

/*
** GET /api/v1/customers/:id/overview                   roles: customers read roles
** The customer 360 page: everything attached to a customer the user may see. Whoever sees
** the customer (owner, share, managers over its unit) sees its history, whoever wrote it:
** a rep who takes a customer over needs the previous owner's follow-ups.
** 200 {"customer","contacts","needs","follow_ups" (latest 50),"opportunities","tier_history",
**      "audit" (latest 50)} | 404 missing or not visible
*/
static int customer_overview(Req *r, Err *e) {
    const Entity *en = &customers_entity;
    int64_t id;
    if (req_param_id(r, 0, &id, e) < 0) return -1;
    json_t *cust = entity_load(r, en, id, e);
    if (!cust) return -1;
    json_t *out = json_object();
    arena_defer(r->a, (void (*)(void *))json_decref, out);
    row_finish(r, en, cust);
    json_object_set_new(out, "customer", cust);
    int fail = 0;
    json_object_set_new(out, "contacts", rows_of(r, "contacts", "t.is_primary DESC, t.id", id, 200, e, &fail));
    json_object_set_new(out, "needs", rows_of(r, "customer_needs", "t.need_date DESC, t.id DESC", id, 200, e, &fail));
    json_object_set_new(out, "follow_ups", rows_of(r, "follow_ups", "t.followed_at DESC, t.id DESC", id, 50, e, &fail));
    json_object_set_new(out, "opportunities", rows_of(r, "opportunities", "t.id DESC", id, 200, e, &fail));
    if (fail) return -1;
    json_t *th = json_array();
    json_object_set_new(out, "tier_history", th);
    Stmt *st = db_prepare(r->db, "SELECT h.at, h.old_tier, h.new_tier, h.source, h.reason, h.user_id, u.display_name, "
                                 "h.purchase_12m, h.orders_12m"
                                 " FROM tier_history h LEFT JOIN users u ON u.id = h.user_id WHERE h.customer_id = ?1 "
                                 "ORDER BY h.at DESC, h.id DESC LIMIT 100");
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, id);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *o = json_object();
        json_object_set_new(o, "at", json_integer(db_col_int64(st, 0)));
        json_object_set_new(o, "old_tier", db_col_null(st, 1) ? json_null() : json_string(db_col_text(st, 1)));
        json_object_set_new(o, "new_tier", json_string(db_col_text(st, 2)));
        json_object_set_new(o, "source", json_string(db_col_text(st, 3)));
        json_object_set_new(o, "reason",
                            db_col_null(st, 4) ? json_null()
                                               : json_string(msg_render(r->a, r->locale, db_col_text(st, 4))));
        json_object_set_new(o, "user_id", db_col_null(st, 5) ? json_null() : json_integer(db_col_int64(st, 5)));
        json_object_set_new(o, "user_name", db_col_null(st, 6) ? json_null() : json_string(db_col_text(st, 6)));
        json_object_set_new(o, "purchase_12m", db_col_null(st, 7) ? json_null() : json_integer(db_col_int64(st, 7)));
        json_object_set_new(o, "orders_12m", db_col_null(st, 8) ? json_null() : json_integer(db_col_int64(st, 8)));
        json_array_append_new(th, o);
    }
    db_done(st);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL); /* a 360 view is whole or not at all */
    json_t *au = json_array();
    json_object_set_new(out, "audit", au);
    st = db_prepare(r->db, "SELECT a.id, a.at, a.user_id, u.display_name, a.action, a.changes FROM audit a LEFT JOIN "
                           "users u ON u.id = a.user_id"
                           " WHERE a.entity = 'customers' AND a.row_id = ?1 ORDER BY a.at DESC, a.id DESC LIMIT 50");
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, id);
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *ch = db_col_null(st, 5) ? NULL : json_loads(db_col_text(st, 5), 0, NULL);
        json_array_append_new(au,
                              json_pack("{s:I, s:I, s:o, s:o, s:s, s:o}", "id", (json_int_t)db_col_int64(st, 0), "at",
                                        (json_int_t)db_col_int64(st, 1), "user_id",
                                        db_col_null(st, 2) ? json_null() : json_integer(db_col_int64(st, 2)),
                                        "user_name", db_col_null(st, 3) ? json_null() : json_string(db_col_text(st, 3)),
                                        "action", db_col_text(st, 4), "changes", ch ? ch : json_null()));
    }
    db_done(st);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return reply_json(r, 200, json_incref(out));
}

/* ---------------------------------------------------------------- registration */

static const Setting customer_settings[] = {
    {"tier.visit.important", ST_ENUM, "monthly", 0, 0, "重要客户默认拜访频率", "重要客戶預設拜訪頻率",
     "Default visit frequency, important", frequencies},
    {"tier.visit.key", ST_ENUM, "quarterly", 0, 0, "关键客户默认拜访频率", "關鍵客戶預設拜訪頻率",
     "Default visit frequency, key", frequencies},
    {"tier.visit.normal", ST_ENUM, "half_yearly", 0, 0, "普通客户默认拜访频率", "普通客戶預設拜訪頻率",
     "Default visit frequency, normal", frequencies},
};

const char *tier_visit_default(Db *db, Arena *a, const char *tier) {
    const char *key = !strcmp(tier, "important") ? "tier.visit.important"
                      : !strcmp(tier, "key")     ? "tier.visit.key"
                                                 : "tier.visit.normal";
    const char *v = setting_text(db, a, key);
    for (const EnumVal *f = frequencies; f->value; f++)
        if (!strcmp(f->value, v)) return v;
    return !strcmp(tier, "important") ? "monthly" : !strcmp(tier, "key") ? "quarterly" : "half_yearly";
}

void customers_register(void) {
    static const Route routes[] = {
        {"GET", "/api/v1/customers/:id/overview", customer_overview, 0, 0,
         "Customer 360: contacts, needs, follow-ups, opportunities, tiers, audit", "customers"},
    };
    routes_add(routes, 1);
    settings_declare(customer_settings, (int)(sizeof customer_settings / sizeof customer_settings[0]));
    entity_register(&customers_entity);
    entity_register(&contacts_entity);
    entity_register(&needs_entity);
    entity_register(&competitors_entity);
    collision_register();
}
