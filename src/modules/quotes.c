/*
** quotes.c — quotations (报价单, R-QUO-1..3). Lines from the product catalogue with
** quantity × unit price × (1 − discount), cost and margin, tax and total computed by
** the core; an approval record on every quote, routed by its discount and margin
** (R-QUO-2 defaults as settings: within the rep's limits it is approved at once and
** the skipped steps say why); sent, accepted, rejected; expiry after the validity
** date by the scheduler; revision of an approved quote through a new version; the
** printed quotation with the total in 大写. The opportunity's latest sent quote is
** a rollup it declares (opportunities.c), so nothing here writes opportunities.
*/
#include <string.h>

#include "../core/errcodes.h"
#include "../flow/flow.h"
#include "../model/calendar.h"
#include "../model/model.h"
#include "../model/settings.h"
#include "modules.h"

#define QUOTE_ROLES (RB(SALES_REP) | ROLES_MANAGING | RB(FINANCE))

static const Field line_fields[] = {
    {"product_id", FT_REF, F_REQUIRED, 0, 0, NULL, "products", NULL, "产品", "產品", "Product"},
    {"spec", FT_TEXT, 0, 0, 200, NULL, NULL, NULL, "规格型号", "規格型號", "Specification"},
    {"quantity", FT_QTY, F_REQUIRED, 1, 1000000000000, NULL, NULL, NULL, "数量", "數量", "Quantity"},
    {"unit_price", FT_MONEY, F_REQUIRED, 0, 100000000000, NULL, NULL, NULL, "单价", "單價", "Unit price"},
    {"discount_bp", FT_PERCENT_BP, 0, 0, 10000, NULL, NULL, "0", "折扣", "折扣", "Discount"},
    {"unit_cost", FT_MONEY, 0, 0, 100000000000, NULL, NULL, NULL, "单位成本", "單位成本", "Unit cost"},
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
static const Child quote_children[] = {
    {"lines", "quote_lines", "报价明细", "報價明細", "Lines", line_fields, line_computes, 1, 200},
    {NULL},
};
static const EnumVal levels[] = {
    {"auto", "权限内自动通过", "權限內自動通過", "Within the rep's limits"},
    {"manager", "需销售经理审批", "需銷售經理審批", "Sales manager approves"},
    {"director", "需销售总监审批", "需銷售總監審批", "Sales director approves"},
    {NULL},
};
#define MONEY_RO(name, zh, tw, en, more)                                                                               \
    { name, FT_MONEY, F_READONLY | F_COMPUTED | (more), 0, 0, NULL, NULL, NULL, zh, tw, en, .group = "totals" }
static const Field quote_fields[] = {
    {"number", FT_TEXT, F_READONLY | F_LIST | F_SEARCH | F_SORT, 0, 0, NULL, NULL, NULL, "报价单号", "報價單號",
     "Number", .group = "basics"},
    {"customer_id", FT_REF, F_REQUIRED | F_LIST | F_FILTER | F_CREATE_ONLY, 0, 0, NULL, "customers", NULL, "客户",
     "客戶", "Customer", .group = "basics"},
    {"opportunity_id", FT_REF, F_FILTER | F_REF_KEEP, 0, 0, NULL, "opportunities", NULL, "销售机会", "銷售機會",
     "Opportunity", .group = "basics"},
    {"contact_id", FT_REF, F_FILTER | F_REF_KEEP, 0, 0, NULL, "contacts", NULL, "联系人", "聯絡人", "Contact",
     .group = "basics"},
    {"valid_until", FT_DATE, F_LIST | F_FILTER | F_SORT, 0, 0, NULL, NULL, NULL, "有效期至", "有效期至", "Valid until",
     .group = "basics"},
    {"tax_rate_bp", FT_PERCENT_BP, 0, 0, 10000, NULL, NULL, "1300", "税率", "稅率", "Tax rate", .group = "basics"},
    {"service_content", FT_LONGTEXT, 0, 0, 4000, NULL, NULL, NULL, "服务内容", "服務內容", "Service content",
     .group = "terms"},
    {"delivery_term", FT_TEXT, 0, 0, 500, NULL, NULL, NULL, "交货期", "交貨期", "Delivery term", .group = "terms"},
    {"payment_terms", FT_TEXT, 0, 0, 500, NULL, NULL, NULL, "付款方式", "付款方式", "Payment terms", .group = "terms"},
    {"price_basis", FT_LONGTEXT, 0, 0, 4000, NULL, NULL, NULL, "价格依据（市场价、竞品价）",
     "價格依據（市場價、競品價）", "Price basis (market and competitors' prices)", .group = "terms"},
    MONEY_RO("gross_total", "原价合计", "原價合計", "Gross total", 0),
    MONEY_RO("discount_total", "折扣合计", "折扣合計", "Discount total", 0),
    MONEY_RO("subtotal", "不含税金额", "未稅金額", "Subtotal", F_SORT | F_NOINDEX),
    MONEY_RO("cost_total", "成本合计", "成本合計", "Cost total", 0),
    MONEY_RO("profit", "毛利", "毛利", "Gross profit", 0),
    MONEY_RO("tax", "税额", "稅額", "Tax", 0),
    MONEY_RO("total", "价税合计", "價稅合計", "Total", F_LIST | F_SORT | F_FILTER),
    {"discount_rate_bp", FT_PERCENT_BP, F_READONLY | F_COMPUTED | F_LIST, 0, 0, NULL, NULL, NULL, "综合折扣率",
     "綜合折扣率", "Discount rate", .group = "totals"},
    {"margin_bp", FT_PERCENT_BP, F_READONLY | F_COMPUTED | F_LIST, 0, 0, NULL, NULL, NULL, "毛利率", "毛利率", "Margin",
     .group = "totals"},
    {"approval_level", FT_ENUM, F_READONLY | F_FILTER | F_NOINDEX, 0, 0, levels, NULL, NULL, "审批级别", "審批級別",
     "Approval level", .group = "totals"},
    {"sent_at", FT_DATETIME, F_READONLY | F_SORT | F_NOINDEX, 0, 0, NULL, NULL, NULL, "发出时间", "發出時間", "Sent at",
     .group = "totals"},
    {NULL},
};
static const FieldGroup quote_groups[] = {{"basics", "基本信息", "基本資訊", "Basics"},
                                          {"terms", "服务与条款", "服務與條款", "Service and terms"},
                                          {"totals", "金额与审批", "金額與審批", "Totals and approval"},
                                          {NULL}};
static const Compute quote_computes[] = {
    {"gross_total", CK_SUM, "lines", "gross"},     {"discount_total", CK_SUM, "lines", "discount"},
    {"subtotal", CK_SUM, "lines", "amount"},       {"cost_total", CK_SUM, "lines", "cost"},
    {"profit", CK_SUB, "subtotal", "cost_total"},  {"tax", CK_MUL, "subtotal", "tax_rate_bp"},
    {"total", CK_ADD, "subtotal", "tax"},          {"discount_rate_bp", CK_RATIO, "discount_total", "gross_total"},
    {"margin_bp", CK_RATIO, "profit", "subtotal"}, {NULL},
};

static const Setting quote_settings[] = {
    {"quote.validity_days", ST_INT, "30", 1, 365, "报价默认有效天数", "報價預設有效天數",
     "Default validity of a quote (days)"},
    {"quote.manager.discount_bp", ST_INT, "500", 0, 10000, "折扣超过此值（基点）需经理审批",
     "折扣超過此值（基點）需經理審批", "Discount above this (basis points) needs the sales manager"},
    {"quote.manager.margin_bp", ST_INT, "2000", -10000, 10000, "毛利率低于此值（基点）需经理审批",
     "毛利率低於此值（基點）需經理審批", "Margin below this (basis points) needs the sales manager"},
    {"quote.director.discount_bp", ST_INT, "1500", 0, 10000, "折扣超过此值（基点）需总监审批",
     "折扣超過此值（基點）需總監審批", "Discount above this (basis points) needs the sales director"},
    {"quote.director.margin_bp", ST_INT, "1000", -10000, 10000, "毛利率低于此值（基点）需总监审批",
     "毛利率低於此值（基點）需總監審批", "Margin below this (basis points) needs the sales director"},
};

/* before_save: validity defaulted, costs from the catalogue, and the approval level the
   discount and margin call for (run again after the core's second compute pass). */
static int quote_check(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    if (!json_is_string(json_object_get(rec, "valid_until"))) {
        char day[11];
        date_of_epoch(r->now + 86400 * req_setting_int(r, "quote.validity_days"), company_tz(r), day);
        json_object_set_new(rec, "valid_until", json_string(day));
    }
    if (catalogue_line_costs(r, json_object_get(rec, "lines"), e) < 0) return -1;
    if (record_compute(r, en, rec, e) < 0) return -1;
    int64_t d = flow_rec_int(rec, "discount_rate_bp"), m = flow_rec_int(rec, "margin_bp");
    const char *level =
        d > req_setting_int(r, "quote.director.discount_bp") || m < req_setting_int(r, "quote.director.margin_bp")
            ? "director"
        : d > req_setting_int(r, "quote.manager.discount_bp") || m < req_setting_int(r, "quote.manager.margin_bp")
            ? "manager"
            : "auto";
    json_object_set_new(rec, "approval_level", json_string(level));
    return 0;
}

/* send: stamped when it goes to the customer (the opportunity reads it through its rollup). */
static int quote_sent(Req *r, const Entity *en, json_t *rec, Err *e) {
    json_t *vals = json_pack("{s:I}", "sent_at", (json_int_t)r->now);
    int rc = entity_update_fields(r, en, rec, vals, "send", e);
    json_decref(vals);
    return rc;
}

static const EnumVal quote_states[] = {
    {"draft", "草稿", "草稿", "Draft"},
    {"pending_approval", "审批中", "審批中", "Pending approval"},
    {"approved", "已批准", "已核准", "Approved"},
    {"sent", "已发送", "已發送", "Sent"},
    {"accepted", "客户接受", "客戶接受", "Accepted"},
    {"rejected", "已拒绝", "已拒絕", "Rejected"},
    {"expired", "已过期", "已過期", "Expired"},
    {NULL},
};
/* R-QUO-2: the owner's manager when the discount or margin leaves the rep's limits, the sales
   director beyond the manager's; within limits every step is skipped and the quote approved */
static const Condition over_rep[] = {{"approval_level", COND_IN, "manager director"}, {NULL}};
static const Condition over_manager[] = {{"approval_level", COND_EQ, "director"}, {NULL}};
static const ApprovalStep quote_steps[] = {
    {"manager", RB(SALES_MANAGER), SCOPE_OWNER_MANAGER, 24, "销售经理审批", "銷售經理審批", "Sales manager",
     .when = over_rep},
    {"director", RB(SALES_DIRECTOR), SCOPE_UNIT, 48, "销售总监审批", "銷售總監審批", "Sales director",
     .when = over_manager},
    {NULL},
};
static const Approval quote_approval = {quote_steps, "approved", "draft"};
static const Transition quote_transitions[] = {
    {"submit", "draft", "pending_approval", 0, T_OWNER, NULL, NULL, &quote_approval, "提交审批", "提交審批", "Submit"},
    {"send", "approved", "sent", 0, T_OWNER, NULL, quote_sent, NULL, "发送客户", "發送客戶", "Send to customer"},
    {"accept", "sent", "accepted", 0, T_OWNER, NULL, NULL, NULL, "客户接受", "客戶接受", "Customer accepted"},
    {"reject", "sent", "rejected", 0, T_OWNER | T_COMMENT, NULL, NULL, NULL, "客户拒绝", "客戶拒絕",
     "Customer rejected"},
    {"revise", "approved sent rejected expired", "draft", 0, T_OWNER | T_REVISE, NULL, NULL, NULL, "修订报价",
     "修訂報價", "Revise"},
    {NULL},
};
static const Workflow quote_flow = {
    .initial = "draft",
    .states = quote_states,
    .final_states = "accepted",
    .transitions = quote_transitions,
    .editable_states = "draft",
};

static const char *const print_header[] = {"number",   "created_at",  "customer_id", "contact_id",
                                           "owner_id", "valid_until", "tax_rate_bp", NULL};
static const PrintColumn print_columns[] = {{"#", 5},           {"product_id", 24}, {"spec", 18},   {"quantity", 10},
                                            {"unit_price", 13}, {"discount_bp", 8}, {"amount", 14}, {NULL}};
static const char *const print_totals[] = {"subtotal",      "tax",           "total", "service_content",
                                           "delivery_term", "payment_terms", NULL};
static const PrintLayout quote_print = {
    "报价单",
    "報價單",
    "Quotation",
    print_header,
    "lines",
    print_columns,
    print_totals,
    "total",
    "销售代表：＿＿＿＿＿＿    客户确认：＿＿＿＿＿＿    日期：＿＿＿＿＿＿",
    "業務代表：＿＿＿＿＿＿    客戶確認：＿＿＿＿＿＿    日期：＿＿＿＿＿＿",
    "Sales representative: ____________    Customer: ____________    Date: ____________",
};

static const Entity quotes_entity = {
    .name = "quotes",
    .table = "quotes",
    .zh = "报价单",
    .tw = "報價單",
    .en = "Quotations",
    .fields = quote_fields,
    .vis = VIS_OWNER,
    .read_roles = QUOTE_ROLES,
    .write_roles = QUOTE_ROLES,
    .default_sort = "-created_at",
    .title_field = "number",
    .flow = &quote_flow,
    .before_save = quote_check,
    .tag = "sales",
    .number_prefix = "QT",
    .children = quote_children,
    .computes = quote_computes,
    .groups = quote_groups,
    .attachments = true,
    .print = &quote_print,
    .after_sign = "contact_id",
};

/* Daily: an approved or sent quote past its validity date expires (audited, no user). */
static int quote_expiry_job(Db *db, int64_t now) {
    Req r;
    job_req_init(&r, db, now);
    char today[11];
    date_of_epoch(now, company_tz_db(db), today);
    Stmt *st = db_prepare(db, "SELECT id, state FROM quotes WHERE state IN ('approved', 'sent') AND valid_until < ?1"
                              " AND deleted_at IS NULL ORDER BY id LIMIT 1000");
    int rc = st ? DB_DONE : -1;
    json_t *due = json_array();
    if (st) {
        db_bind_text(st, 1, today, -1);
        while ((rc = db_step(st)) == DB_ROW)
            json_array_append_new(due, json_pack("[I,s]", (json_int_t)db_col_int64(st, 0), db_col_text(st, 1)));
        db_done(st);
    }
    size_t i;
    json_t *q;
    json_array_foreach(due, i, q) {
        if (rc < 0) break;
        int64_t id = json_integer_value(json_array_get(q, 0));
        st =
            db_prepare(db, "UPDATE quotes SET state = 'expired', version = version + 1, updated_at = ?1 WHERE id = ?2");
        rc = st ? DB_DONE : -1;
        if (st) {
            db_bind_int64(st, 1, now);
            db_bind_int64(st, 2, id);
            rc = db_step(st);
            db_done(st);
        }
        if (rc >= 0 && audit_write(&r, "quotes", id, "expire",
                                   json_pack("{s:[O,s]}", "state", json_array_get(q, 1), "expired")) < 0)
            rc = -1;
    }
    json_decref(due);
    job_req_done(&r);
    return rc < 0 ? -1 : 0;
}

/* ---------------------------------------------------------------- demo */

/* A rep of the demo company as the user of a request (roles: sales_rep). 0, or -1 when none. */
static int demo_rep(Req *r, User *u, int64_t owner) {
    Stmt *st = db_prepare(r->db, "SELECT u.display_name, u.org_unit_id, o.path FROM users u"
                                 " LEFT JOIN org_units o ON o.id = u.org_unit_id WHERE u.id = ?1");
    if (!st) return -1;
    db_bind_int64(st, 1, owner);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        memset(u, 0, sizeof *u);
        u->id = owner;
        u->username = u->display_name = arena_strdup(r->a, db_col_text(st, 0));
        u->locale = "zh-CN";
        u->roles = RB(SALES_REP);
        u->org_unit_id = db_col_int64(st, 1);
        u->org_path = db_col_null(st, 2) ? NULL : arena_strdup(r->a, db_col_text(st, 2));
    }
    db_done(st);
    r->user = rc == DB_ROW ? u : NULL;
    return rc == DB_ROW ? 0 : -1;
}

int quotes_demo(Db *db, int64_t now, char *err, size_t errlen) {
    /* the first demo customers with an owner, and two products of the catalogue */
    Req r;
    job_req_init(&r, db, now);
    int64_t cust[3] = {0}, owner[3] = {0}, prod[2] = {0}, price[2] = {0};
    int nc = 0, np = 0, rc = DB_ERROR;
    Stmt *st = db_prepare(db, "SELECT id, owner_id FROM customers WHERE owner_id IS NOT NULL AND deleted_at IS NULL"
                              " ORDER BY id LIMIT 3");
    while (st && (rc = db_step(st)) == DB_ROW) {
        cust[nc] = db_col_int64(st, 0);
        owner[nc++] = db_col_int64(st, 1);
    }
    db_done(st);
    if (rc == DB_DONE) {
        rc = DB_ERROR;
        st =
            db_prepare(db, "SELECT id, list_price FROM products WHERE deleted_at IS NULL AND list_price > standard_cost"
                           " ORDER BY id LIMIT 2");
        while (st && (rc = db_step(st)) == DB_ROW) {
            prod[np] = db_col_int64(st, 0);
            price[np++] = db_col_int64(st, 1);
        }
        db_done(st);
    }
    if (rc != DB_DONE) { /* a failed read is no reason to load a demo without quotes */
        snprintf(err, errlen, "demo quotes: %s", db_errmsg(db));
        job_req_done(&r);
        return -1;
    }
    rc = 0;
    /* draft within limits; approved at once and sent; 9 % off, waiting for the manager */
    static const struct {
        int64_t discount_bp;
        const char *to;
    } plan[] = {{300, NULL}, {200, "sent"}, {900, "pending_approval"}};
    for (int i = 0; i < nc && np == 2 && rc == 0; i++) {
        User u;
        Err e = {0};
        int64_t id;
        json_t *body =
            json_pack("{s:I, s:s, s:s, s:s, s:[{s:I, s:s, s:I, s:I, s:I}, {s:I, s:I, s:I, s:I}]}", "customer_id",
                      (json_int_t)cust[i], "service_content", "免费安装调试，整机质保十二个月，7×24 小时电话支持",
                      "delivery_term", "合同签订后 30 天内交货", "payment_terms", "预付 30%，发货前付 60%，验收后 10%",
                      "lines", "product_id", (json_int_t)prod[0], "spec", "标准型", "quantity",
                      (json_int_t)(2000 + 1000 * i), "unit_price", (json_int_t)price[0], "discount_bp",
                      (json_int_t)plan[i].discount_bp, "product_id", (json_int_t)prod[1], "quantity", (json_int_t)10000,
                      "unit_price", (json_int_t)price[1], "discount_bp", (json_int_t)plan[i].discount_bp);
        /* for the customer's first opportunity, when it has one (its rollup shows the sent quote) */
        st = db_prepare(db, "SELECT id FROM opportunities WHERE customer_id = ?1 AND deleted_at IS NULL ORDER BY id");
        int orc = DB_ERROR;
        if (st) {
            db_bind_int64(st, 1, cust[i]);
            if ((orc = db_step(st)) == DB_ROW)
                json_object_set_new(body, "opportunity_id", json_integer(db_col_int64(st, 0)));
            db_done(st);
        }
        if (orc < 0 || demo_rep(&r, &u, owner[i]) < 0 || entity_create_row(&r, &quotes_entity, body, &id, &e) < 0)
            rc = -1;
        json_decref(body);
        json_t *rec = rc == 0 && plan[i].to ? entity_load(&r, &quotes_entity, id, &e) : NULL;
        if (rec) {
            rc = flow_set_state(&r, &quotes_entity, rec, "pending_approval", &e);
            if (rc == 0) rc = flow_open_round(&r, &quotes_entity, rec, &quote_approval, &e);
            json_decref(rec);
            /* sent only once its approval went through (within the limits: at once) */
            if (rc == 0 && !strcmp(plan[i].to, "sent") && (rec = entity_load(&r, &quotes_entity, id, &e))) {
                if (!strcmp(flow_rec_str(rec, "state"), "approved")) {
                    rc = quote_sent(&r, &quotes_entity, rec, &e);
                    if (rc == 0) rc = flow_set_state(&r, &quotes_entity, rec, "sent", &e);
                }
                json_decref(rec);
            }
        }
        if (rc < 0) snprintf(err, errlen, "demo quotes: %s %s", e.code ? e.code : "", e.detail);
    }
    job_req_done(&r);
    return rc;
}

void quotes_register(void) {
    static const Job job = {"quote_expiry", 3600, quote_expiry_job};
    entity_register(&quotes_entity);
    settings_declare(quote_settings, (int)(sizeof quote_settings / sizeof quote_settings[0]));
    scheduler_add(&job);
}
