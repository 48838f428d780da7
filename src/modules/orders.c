/*
** orders.c — orders (订单, R-ORD-1 and R-ORD-4). An order comes from a signed contract (its lines
** copied: product, specification, net price; a contract line may be ordered in several orders,
** never beyond its quantity) or without one through order review (订单评审: the owner's sales
** manager approves, as for a general contract), an oral or phone order being confirmed with the
** customer first (who, when, how). It carries the delivery plan, packaging, transport and the
** quality standard, the customer's property with its handover, the logistics of its shipments
** (shown to the customer through the "status" public link), and the customer's receipt, which
** schedules the follow-up visit task for the owner. Accepting an order tells production and
** purchasing. Inspections, releases and shipments live in the other orders_*.c files.
*/
#include <string.h>

#include "../core/errcodes.h"
#include "../model/calendar.h"
#include "../model/model.h"
#include "../model/settings.h"
#include "demo.h"
#include "modules.h"
#include "orders.h"

static const Field line_fields[] = {
    {"contract_line_id", FT_LINE, 0, 0, 0, NULL, "lines", NULL, "合同明细行", "合約明細行", "Contract line",
     .line_of = "contract_id"},
    {"product_id", FT_REF, 0, 0, 0, NULL, "products", NULL, "产品", "產品", "Product"},
    {"spec", FT_TEXT, 0, 0, 200, NULL, NULL, NULL, "规格型号", "規格型號", "Specification"},
    {"quantity", FT_QTY, F_REQUIRED, 1, 1000000000000, NULL, NULL, NULL, "数量", "數量", "Quantity"},
    {"unit_price", FT_MONEY, 0, 0, 100000000000, NULL, NULL, NULL, "单价", "單價", "Unit price"},
    {"delivery_date", FT_DATE, 0, 0, 0, NULL, NULL, NULL, "交货日期", "交貨日期", "Delivery date"},
    {"amount", FT_MONEY, F_READONLY | F_COMPUTED, 0, 0, NULL, NULL, NULL, "金额", "金額", "Amount"},
    {NULL},
};
static const Compute line_computes[] = {{"amount", CK_MUL, "quantity", "unit_price"}, {NULL}};
static const EnumVal property_kinds[] = {
    {"material", "材料", "材料", "Material"},
    {"drawing", "图纸", "圖紙", "Drawing"},
    {"sample", "样品", "樣品", "Sample"},
    {"other", "其他", "其他", "Other"},
    {NULL},
};
static const Field property_fields[] = {
    {"kind", FT_ENUM, F_REQUIRED, 0, 0, property_kinds, NULL, NULL, "类别", "類別", "Kind"},
    {"description", FT_TEXT, F_REQUIRED, 1, 200, NULL, NULL, NULL, "名称与说明", "名稱與說明", "Description"},
    {"quantity", FT_QTY, 0, 0, 1000000000000, NULL, NULL, NULL, "数量", "數量", "Quantity"},
    {"handed_by", FT_TEXT, 0, 0, 100, NULL, NULL, NULL, "客户交付人", "客戶交付人", "Handed over by"},
    {"received_by", FT_TEXT, 0, 0, 100, NULL, NULL, NULL, "接收人", "接收人", "Received by"},
    {"received_on", FT_DATE, 0, 0, 0, NULL, NULL, NULL, "接收日期", "接收日期", "Received on"},
    {"condition", FT_TEXT, 0, 0, 200, NULL, NULL, NULL, "状况", "狀況", "Condition"},
    {"returned_on", FT_DATE, 0, 0, 0, NULL, NULL, NULL, "归还日期", "歸還日期", "Returned on"},
    {NULL},
};
static const Child order_children[] = {
    {"lines", "order_lines", "订单明细", "訂單明細", "Lines", line_fields, line_computes, 0, 200,
     .label = "product_id spec quantity"},
    {"property", "order_property", "顾客财产", "顧客財產", "Customer property", property_fields, NULL, 0, 100},
    {NULL},
};
static const EnumVal sources[] = {
    {"contract", "合同", "合約", "Contract"},
    {"written", "书面订单", "書面訂單", "Written order"},
    {"oral", "口头订单", "口頭訂單", "Oral order"},
    {"phone", "电话订单", "電話訂單", "Phone order"},
    {NULL},
};
static const EnumVal confirm_ways[] = {
    {"phone", "电话", "電話", "Phone"},  {"visit", "面谈", "面談", "In person"}, {"fax", "传真", "傳真", "Fax"},
    {"email", "邮件", "郵件", "E-mail"}, {"wechat", "微信", "微信", "WeChat"},   {NULL},
};
static const Field order_fields[] = {
    {"number", FT_TEXT, F_READONLY | F_LIST | F_SEARCH | F_SORT, 0, 0, NULL, NULL, NULL, "订单号", "訂單號", "Number",
     .group = "basics"},
    {"customer_id", FT_REF, F_LIST | F_FILTER | F_CREATE_ONLY, 0, 0, NULL, "customers", NULL, "客户", "客戶",
     "Customer", .group = "basics"},
    {"contract_id", FT_REF, F_REQUIRED | F_LIST | F_FILTER | F_CREATE_ONLY | F_REF_KEEP, 0, 0, NULL, "contracts", NULL,
     "合同", "合約", "Contract", .group = "basics", .when = "source=contract"},
    {"contact_id", FT_REF, F_FILTER | F_REF_KEEP, 0, 0, NULL, "contacts", NULL, "联系人", "聯絡人", "Contact",
     .group = "basics"},
    {"source", FT_ENUM, F_FILTER | F_CREATE_ONLY, 0, 0, sources, NULL, "contract", "订单来源", "訂單來源", "Source",
     .group = "basics"},
    {"confirmed_with", FT_TEXT, 0, 0, 100, NULL, NULL, NULL, "客户确认人", "客戶確認人", "Confirmed with",
     .group = "basics", .when = "source=oral|phone|written"},
    {"confirmed_at", FT_DATETIME, 0, 0, 0, NULL, NULL, NULL, "确认时间", "確認時間", "Confirmed at", .group = "basics",
     .when = "source=oral|phone|written"},
    {"confirmed_how", FT_ENUM, 0, 0, 0, confirm_ways, NULL, NULL, "确认方式", "確認方式", "Confirmed by",
     .group = "basics", .when = "source=oral|phone|written"},
    {"emergency", FT_BOOL, F_READONLY | F_LIST | F_FILTER, 0, 0, NULL, NULL, NULL, "紧急放行", "緊急放行",
     "Emergency release", .group = "basics"},
    {"delivery_date", FT_DATE, F_LIST | F_FILTER | F_SORT, 0, 0, NULL, NULL, NULL, "交货日期", "交貨日期",
     "Delivery date", .group = "delivery"},
    {"delivery_plan", FT_LONGTEXT, 0, 0, 2000, NULL, NULL, NULL, "交货计划", "交貨計劃", "Delivery plan",
     .group = "delivery"},
    {"delivery_address", FT_TEXT, 0, 0, 300, NULL, NULL, NULL, "交货地点", "交貨地點", "Delivery address",
     .group = "delivery"},
    {"packaging", FT_TEXT, 0, 0, 500, NULL, NULL, NULL, "包装要求", "包裝要求", "Packaging", .group = "delivery"},
    {"transport", FT_TEXT, 0, 0, 500, NULL, NULL, NULL, "运输要求", "運輸要求", "Transport", .group = "delivery"},
    {"quality_standard", FT_LONGTEXT, 0, 0, 2000, NULL, NULL, NULL, "质量标准与产品要求", "品質標準與產品要求",
     "Quality standard and product requirements", .group = "delivery"},
    {"carrier", FT_TEXT, F_READONLY, 0, 100, NULL, NULL, NULL, "承运商", "承運商", "Carrier", .group = "logistics"},
    {"waybill_no", FT_TEXT, F_READONLY | F_SEARCH, 0, 100, NULL, NULL, NULL, "运单号", "運單號", "Waybill number",
     .group = "logistics"},
    {"shipped_on", FT_DATE, F_READONLY | F_LIST, 0, 0, NULL, NULL, NULL, "发货日期", "出貨日期", "Shipped on",
     .group = "logistics"},
    {"arrival_on", FT_DATE, F_READONLY, 0, 0, NULL, NULL, NULL, "到货日期", "到貨日期", "Arrival",
     .group = "logistics"},
    {"received_by", FT_TEXT, 0, 0, 100, NULL, NULL, NULL, "客户签收人", "客戶簽收人", "Received by",
     .group = "receipt"},
    {"received_at", FT_DATETIME, 0, 0, 0, NULL, NULL, NULL, "签收时间", "簽收時間", "Received at", .group = "receipt"},
    {"service_contact", FT_TEXT, 0, 0, 300, NULL, NULL, NULL, "售后服务联系方式", "售後服務聯絡方式", "Service contact",
     .group = "receipt"},
    {"claim_rules", FT_LONGTEXT, 0, 0, 2000, NULL, NULL, NULL, "索赔规则", "索賠規則", "Claim rules",
     .group = "receipt"},
    {"tax_rate_bp", FT_PERCENT_BP, 0, 0, 10000, NULL, NULL, "1300", "税率", "稅率", "Tax rate", .group = "totals"},
    {"ordered_qty", FT_QTY, F_READONLY | F_COMPUTED, 0, 0, NULL, NULL, NULL, "订货总数", "訂貨總數", "Quantity ordered",
     .group = "totals"},
    {"subtotal", FT_MONEY, F_READONLY | F_COMPUTED, 0, 0, NULL, NULL, NULL, "不含税金额", "未稅金額", "Subtotal",
     .group = "totals"},
    {"tax", FT_MONEY, F_READONLY | F_COMPUTED, 0, 0, NULL, NULL, NULL, "税额", "稅額", "Tax", .group = "totals"},
    {"total", FT_MONEY, F_READONLY | F_COMPUTED | F_LIST | F_SORT | F_FILTER, 0, 0, NULL, NULL, NULL, "价税合计",
     "價稅合計", "Total", .group = "totals"},
    {NULL},
};
static const FieldGroup order_groups[] = {{"basics", "基本信息", "基本資訊", "Basics"},
                                          {"delivery", "交货与质量要求", "交貨與品質要求", "Delivery and quality"},
                                          {"logistics", "物流信息", "物流資訊", "Logistics"},
                                          {"receipt", "交付确认", "交付確認", "Delivery confirmation"},
                                          {"totals", "金额", "金額", "Totals"},
                                          {NULL}};
static const Compute order_computes[] = {
    {"ordered_qty", CK_SUM, "lines", "quantity"},
    {"subtotal", CK_SUM, "lines", "amount"},
    {"tax", CK_MUL, "subtotal", "tax_rate_bp"},
    {"total", CK_ADD, "subtotal", "tax"},
    {NULL},
};

static const EnumVal approver_roles[] = {
    {"gm", "总经理", "總經理", "General manager"},
    {"deputy_director", "副总监", "副總監", "Deputy director"},
    {"sales_director", "销售总监", "銷售總監", "Sales director"},
    {"qc", "质检", "品管", "QC"},
    {NULL},
};
static const Setting order_settings[] = {
    {"order.followup_days", ST_INT, "7", 1, 90, "交付后几天回访", "交付後幾天回訪",
     "Follow-up visit this many days after delivery"},
    {"order.tech_notice_days", ST_INT, "365", 0, 3650, "技术状态变更通知：交付后多少天内的客户",
     "技術狀態變更通知：交付後多少天內的客戶",
     "Announce a product's technical change to customers who received it within this many days"},
    {"order.release_role", ST_ENUM, "gm", 0, 0, "紧急放行批准人（角色）", "緊急放行核准人（角色）",
     "Who approves an emergency release (role)", approver_roles},
};

/* ---------------------------------------------------------------- shared helpers */

int orders_lock(Req *r, const char *table, int64_t id, Err *e) {
    if (db_kind(r->db) != DB_PG) return 0;
    Stmt *st = db_prepare(r->db, arena_printf(r->a, "SELECT id FROM %s WHERE id = ?1 FOR UPDATE", table));
    if (!st) return flow_db_error(r, e, "order lock");
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    db_done(st);
    return rc < 0 ? flow_db_error(r, e, "order lock") : 0;
}

json_t *orders_load(Req *r, int64_t order_id, Err *e) { return entity_load_any(r, &orders_entity, order_id, e); }

int orders_line(Req *r, int64_t order, int64_t line, int64_t *product, int64_t *quantity, Err *e) {
    Stmt *st = db_prepare(r->db, "SELECT product_id, quantity FROM order_lines WHERE id = ?1 AND parent_id = ?2");
    if (!st) return flow_db_error(r, e, "order line");
    db_bind_int64(st, 1, line);
    db_bind_int64(st, 2, order);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *product = db_col_int64(st, 0);
        *quantity = db_col_int64(st, 1);
    }
    db_done(st);
    if (rc < 0) return flow_db_error(r, e, "order line");
    return rc == DB_ROW;
}

int orders_line_default(Req *r, int64_t order, json_t *rec, const char *field, Err *e) {
    if (flow_rec_int(rec, "order_line_id")) return 0;
    Stmt *st = db_prepare(r->db, "SELECT id FROM order_lines WHERE parent_id = ?1 ORDER BY idx LIMIT 2");
    if (!st) return flow_db_error(r, e, "order lines");
    db_bind_int64(st, 1, order);
    int64_t only = 0, n = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        only = db_col_int64(st, 0);
        n++;
    }
    db_done(st);
    if (rc < 0) return flow_db_error(r, e, "order lines");
    if (n != 1) return err_set(e, 400, EC_REQUIRED, field, NULL);
    json_object_set_new(rec, "order_line_id", json_integer(only));
    return 0;
}

int orders_state_in(Req *r, json_t *order, const char *states, Err *e) {
    const char *s = flow_rec_str(order, "state");
    if (s && str_word_in(states, s)) return 0;
    return err_set(e, 409, EC_BAD_STATE, "order_id", "%s", entity_state_label(r->locale, &orders_entity, s));
}

int orders_move(Req *r, json_t *order, const char *to, Err *e) {
    const char *from = arena_strdup(r->a, flow_rec_str(order, "state"));
    if (!strcmp(from, to)) return 0;
    if (flow_set_state(r, &orders_entity, order, to, e) < 0) return -1;
    if (audit_write(r, "orders", flow_rec_int(order, "id"), to, json_pack("{s:[s,s]}", "state", from, to)) < 0)
        return flow_db_error(r, e, "audit");
    return 0;
}

int orders_sum(Req *r, const char *sql, int64_t line, const char *lot, int64_t except, int64_t *out, Err *e) {
    Stmt *st = db_prepare(r->db, sql);
    if (!st) return flow_db_error(r, e, "order sum");
    db_bind_int64(st, 1, line);
    db_bind_text(st, 2, lot, -1);
    db_bind_int64(st, 3, except);
    int rc = db_step(st);
    *out = rc == DB_ROW && !db_col_null(st, 0) ? db_col_int64(st, 0) : 0;
    db_done(st);
    return rc < 0 ? flow_db_error(r, e, "order sum") : 0;
}

const char *orders_qty_text(Req *r, int64_t milli) {
    const char *sign = milli < 0 ? "-" : "";
    int64_t a = milli < 0 ? -milli : milli;
    if (a % 1000 == 0) return arena_printf(r->a, "%s%lld", sign, (long long)(a / 1000));
    char frac[8];
    snprintf(frac, sizeof frac, "%03lld", (long long)(a % 1000));
    for (int i = 2; i > 0 && frac[i] == '0'; i--)
        frac[i] = 0;
    return arena_printf(r->a, "%s%lld.%s", sign, (long long)(a / 1000), frac);
}

int orders_notify(Req *r, const char *const *roles, const char *kind, const char *entity, int64_t id, const char *title,
                  Err *e) {
    for (int k = 0; roles[k]; k++) {
        Stmt *st = db_prepare(r->db, "SELECT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id"
                                     " WHERE ur.role = ?1 AND u.disabled = 0 AND u.deleted_at IS NULL ORDER BY u.id");
        if (!st) return flow_db_error(r, e, "notice");
        db_bind_text(st, 1, roles[k], -1);
        json_t *users = json_array();
        int rc;
        while ((rc = db_step(st)) == DB_ROW)
            json_array_append_new(users, json_integer(db_col_int64(st, 0)));
        db_done(st);
        size_t i;
        json_t *u;
        json_array_foreach(users, i, u) {
            if (rc < 0) break;
            int64_t uid = json_integer_value(u);
            if (task_remind(r->db, uid, kind, entity, id, title, 0,
                            arena_printf(r->a, "%s:%lld:%lld", kind, (long long)id, (long long)uid), r->now) < 0)
                rc = -1;
        }
        json_decref(users);
        if (rc < 0) return flow_db_error(r, e, "notice");
    }
    return 0;
}

/* ---------------------------------------------------------------- orders */

/* What other live orders (not ?<self>) ordered of contract line cl.id. */
#define ORDERED_ELSEWHERE(self)                                                                                        \
    "(SELECT SUM(l.quantity) FROM order_lines l JOIN orders o ON o.id = l.parent_id"                                   \
    " WHERE l.contract_line_id = cl.id AND o.deleted_at IS NULL AND o.state <> 'cancelled' AND o.id <> ?" self ")"

/* The contract's lines left to order, as order lines (every line with something left). */
static int contract_lines_copy(Req *r, int64_t contract, int64_t self, json_t *lines, Err *e) {
    Stmt *st = db_prepare(r->db, "SELECT cl.id, cl.quantity - COALESCE(" ORDERED_ELSEWHERE(
                                     "2") ", 0) FROM contract_lines cl"
                                          " WHERE cl.parent_id = ?1 ORDER BY cl.idx");
    if (!st) return flow_db_error(r, e, "contract lines");
    db_bind_int64(st, 1, contract);
    db_bind_int64(st, 2, self);
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        if (db_col_int64(st, 1) > 0)
            json_array_append_new(lines, json_pack("{s:I, s:I}", "contract_line_id", (json_int_t)db_col_int64(st, 0),
                                                   "quantity", (json_int_t)db_col_int64(st, 1)));
    db_done(st);
    return rc < 0 ? flow_db_error(r, e, "contract lines") : 0;
}

/* One line ordered from the contract: product, specification and net price copied, and the
   quantity within what the contract has left (with this order's other lines on the same one). */
static int contract_line_take(Req *r, int64_t contract, int64_t self, json_t *line, size_t i, json_t *taken, Err *e) {
    const char *fld = arena_printf(r->a, "lines[%zu].contract_line_id", i);
    int64_t cl = flow_rec_int(line, "contract_line_id");
    if (!cl) return err_set(e, 400, EC_REQUIRED, fld, NULL);
    Stmt *st = db_prepare(
        r->db, "SELECT cl.product_id, cl.spec, cl.unit_price, cl.discount_bp, cl.delivery_date, "
               "cl.quantity, " ORDERED_ELSEWHERE("3") " FROM contract_lines cl WHERE cl.id = ?1 AND cl.parent_id = ?2");
    if (!st) return flow_db_error(r, e, "contract line");
    db_bind_int64(st, 1, cl);
    db_bind_int64(st, 2, contract);
    db_bind_int64(st, 3, self);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        int64_t price = db_col_int64(st, 2), disc = db_col_int64(st, 3);
        /* the net price: unit price less the discount, rounded half away from zero to the fen */
        int64_t net = (price * (10000 - disc) + 5000) / 10000;
        json_object_set_new(line, "product_id", json_integer(db_col_int64(st, 0)));
        json_object_set_new(line, "spec", db_col_null(st, 1) ? json_null() : json_string(db_col_text(st, 1)));
        json_object_set_new(line, "unit_price", json_integer(net));
        if (!json_is_string(json_object_get(line, "delivery_date")) && !db_col_null(st, 4))
            json_object_set_new(line, "delivery_date", json_string(db_col_text(st, 4)));
        const char *key = arena_printf(r->a, "%lld", (long long)cl);
        int64_t mine = json_integer_value(json_object_get(taken, key)) + flow_rec_int(line, "quantity");
        json_object_set_new(taken, key, json_integer(mine));
        int64_t left = db_col_int64(st, 5) - (db_col_null(st, 6) ? 0 : db_col_int64(st, 6));
        if (mine > left) {
            db_done(st);
            return err_set(e, 409, EC_ORDER_OVER_CONTRACT, arena_printf(r->a, "lines[%zu].quantity", i), "%s",
                           orders_qty_text(r, left < 0 ? 0 : left));
        }
    }
    db_done(st);
    if (rc < 0) return flow_db_error(r, e, "contract line");
    if (rc != DB_ROW) return err_set(e, 400, EC_REF, fld, NULL); /* checked by the core (FT_LINE); gone since */
    return 0;
}

/* before_save: from a signed contract (customer and lines from it), or without one (customer,
   product and price on every line); totals. */
static int order_check(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    int64_t contract = flow_rec_int(rec, "contract_id"), self = old ? flow_rec_int(old, "id") : 0;
    json_t *lines = json_object_get(rec, "lines");
    if (!json_is_array(lines)) {
        lines = json_array();
        json_object_set_new(rec, "lines", lines);
    }
    const char *source = flow_rec_str(rec, "source");
    if (contract) {
        if (source && strcmp(source, "contract")) return err_set(e, 400, EC_ENUM, "source", "contract");
        if (orders_lock(r, "contracts", contract, e) < 0) return -1;
        Stmt *st = db_prepare(r->db, "SELECT state, customer_id, number FROM contracts WHERE id = ?1"
                                     " AND deleted_at IS NULL");
        if (!st) return flow_db_error(r, e, "contract");
        db_bind_int64(st, 1, contract);
        int rc = db_step(st);
        char state[32] = "", number[64] = "";
        int64_t customer = 0;
        if (rc == DB_ROW) {
            snprintf(state, sizeof state, "%s", db_col_text(st, 0));
            customer = db_col_int64(st, 1);
            snprintf(number, sizeof number, "%s", db_col_null(st, 2) ? "" : db_col_text(st, 2));
        }
        db_done(st);
        if (rc < 0) return flow_db_error(r, e, "contract");
        if (rc != DB_ROW) return err_set(e, 404, EC_REC_NOT_FOUND, "contract_id", NULL);
        /* a new order needs a signed contract; an order made earlier keeps its lines' source */
        if (!old && strcmp(state, "signed") && strcmp(state, "executing"))
            return err_set(e, 409, EC_ORDER_CONTRACT, "contract_id", "%s %s", number,
                           entity_state_label(r->locale, entity_find("contracts"), state));
        int64_t given = flow_rec_int(rec, "customer_id");
        if (given && given != customer) return err_set(e, 400, EC_ORDER_CUSTOMER, "customer_id", NULL);
        json_object_set_new(rec, "customer_id", json_integer(customer));
        if (!old && json_array_size(lines) == 0 && contract_lines_copy(r, contract, self, lines, e) < 0) return -1;
        json_t *taken = json_object();
        size_t i;
        json_t *line;
        int ret = 0;
        json_array_foreach(lines, i, line) {
            if ((ret = contract_line_take(r, contract, self, line, i, taken, e)) < 0) break;
        }
        json_decref(taken);
        if (ret < 0) return -1;
    } else {
        if (!source || !strcmp(source, "contract")) return err_set(e, 400, EC_REQUIRED, "contract_id", NULL);
        if (!flow_rec_int(rec, "customer_id")) return err_set(e, 400, EC_REQUIRED, "customer_id", NULL);
        size_t i;
        json_t *line;
        json_array_foreach(lines, i, line) { /* a contract line without a contract: the core refused it */
            if (!flow_rec_int(line, "product_id"))
                return err_set(e, 400, EC_REQUIRED, arena_printf(r->a, "lines[%zu].product_id", i), NULL);
            if (!json_is_integer(json_object_get(line, "unit_price")))
                return err_set(e, 400, EC_REQUIRED, arena_printf(r->a, "lines[%zu].unit_price", i), NULL);
        }
    }
    if (json_array_size(lines) == 0) return err_set(e, 400, EC_ROWS_MIN, "lines", "1");
    return record_compute(r, en, rec, e);
}

/* submit: an order without a contract is confirmed with the customer first (who, when, how). */
static int order_submit_ok(Req *r, const Entity *en, json_t *rec, Err *e) {
    (void)en;
    if (flow_rec_int(rec, "contract_id")) return 0;
    static const char *const need[] = {"confirmed_with", "confirmed_at", "confirmed_how", NULL};
    for (int i = 0; need[i]; i++) {
        json_t *v = json_object_get(rec, need[i]);
        if (!v || json_is_null(v) || (json_is_string(v) && !*json_string_value(v)))
            return err_set(e, 400, EC_REQUIRED, need[i], NULL);
    }
    (void)r;
    return 0;
}

/* The customer's name for a notice (empty when unreadable; a database error marks the connection). */
static const char *customer_name(Req *r, int64_t id) {
    Stmt *st = db_prepare(r->db, "SELECT name FROM customers WHERE id = ?1");
    const char *name = "";
    if (!st) {
        db_fault_mark(r->db);
        return name;
    }
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW) name = arena_strdup(r->a, db_col_text(st, 0));
    db_done(st);
    if (rc < 0) db_fault_mark(r->db); /* a failed read is no empty name: the request's commit refuses */
    return name;
}

/* Accepted (confirmed): production and purchasing are told, one notice each in "my work". */
static int order_moved(Req *r, const Entity *en, json_t *rec, const char *from, int64_t since, Err *e) {
    (void)en;
    (void)from;
    (void)since;
    if (strcmp(flow_rec_str(rec, "state"), "confirmed")) return 0;
    int64_t id = flow_rec_int(rec, "id");
    const char *number = flow_rec_str(rec, "number");
    const char *title = msg_make(r->a, "order.accepted", "number", number ? number : "", "customer",
                                 customer_name(r, flow_rec_int(rec, "customer_id")), "date",
                                 flow_rec_str(rec, "delivery_date") ? flow_rec_str(rec, "delivery_date") : "-", NULL);
    static const char *const told[] = {"production", "purchasing", NULL};
    return orders_notify(r, told, "order_accepted", "orders", id, title, e);
}

/* Delivered (R-ORD-4): the follow-up visit is the owner's task on the set day after the receipt,
   counted in the company's calendar days, due at 09:00 there. */
static int order_delivered(Req *r, const Entity *en, json_t *rec, Err *e) {
    (void)en;
    int64_t id = flow_rec_int(rec, "id"), owner = flow_rec_int(rec, "owner_id");
    if (!owner) return 0;
    int tz = company_tz(r);
    char day[11], due_day[11];
    date_of_epoch(flow_rec_int(rec, "received_at"), tz, day);
    int y, m, d;
    if (date_parse(day, &y, &m, &d) < 0) return err_set(e, 400, EC_RANGE, "received_at", NULL);
    int64_t due = epoch_of_date(y, m, d, tz) + 86400 * req_setting_int(r, "order.followup_days") + 9 * 3600;
    date_of_epoch(due, tz, due_day);
    const char *number = flow_rec_str(rec, "number");
    const char *title = msg_make(r->a, "order.followup", "number", number ? number : "", "customer",
                                 customer_name(r, flow_rec_int(rec, "customer_id")), "date", day, "due", due_day, NULL);
    if (task_remind(r->db, owner, "order_followup", "orders", id, title, due,
                    arena_printf(r->a, "order_followup:%lld", (long long)id), r->now) < 0)
        return flow_db_error(r, e, "follow-up task");
    return 0;
}

static const EnumVal order_states[] = {
    {"draft", "草稿", "草稿", "Draft"},
    {"in_review", "订单评审中", "訂單評審中", "In review"},
    {"confirmed", "已确认", "已確認", "Confirmed"},
    {"in_production", "生产中", "生產中", "In production"},
    {"ready", "待检验", "待檢驗", "Ready"},
    {"inspected", "已检验", "已檢驗", "Inspected"},
    {"shipped", "已发货", "已出貨", "Shipped"},
    {"delivered", "已交付", "已交付", "Delivered"},
    {"closed", "已关闭", "已關閉", "Closed"},
    {"cancelled", "已取消", "已取消", "Cancelled"},
    {NULL},
};
/* order review (订单评审): an order without a contract is reviewed like a general contract */
static const Condition no_contract[] = {{"source", COND_NE, "contract"}, {NULL}};
static const ApprovalStep order_steps[] = {
    {"manager", RB(SALES_MANAGER), SCOPE_OWNER_MANAGER, 24, "订单评审（销售经理）", "訂單評審（銷售經理）",
     "Order review (sales manager)", .when = no_contract},
    {NULL},
};
static const Approval order_approval = {order_steps, "confirmed", "draft"};
static const Transition order_transitions[] = {
    {"submit", "draft", "in_review", 0, T_OWNER, order_submit_ok, NULL, &order_approval, "提交确认", "提交確認",
     "Submit"},
    {"start_production", "confirmed", "in_production", RB(PRODUCTION), T_OWNER, NULL, NULL, NULL, "投产", "投產",
     "Start production"},
    {"finish_production", "in_production", "ready", RB(PRODUCTION), T_OWNER, NULL, NULL, NULL, "生产完成待检",
     "生產完成待檢", "Production finished"},
    {"confirm_delivery", "shipped", "delivered", RB(CS_SPECIALIST), T_OWNER, NULL, order_delivered, NULL, "客户签收",
     "客戶簽收", "Customer received", .inputs = "received_by received_at service_contact claim_rules",
     .requires = "received_by received_at service_contact claim_rules"},
    {"close", "delivered", "closed", ROLES_MANAGING, T_OWNER, NULL, NULL, NULL, "关闭", "關閉", "Close"},
    {"cancel", "draft in_review confirmed", "cancelled", ROLES_MANAGING, T_OWNER | T_COMMENT, NULL, NULL, NULL,
     "取消订单", "取消訂單", "Cancel"},
    {NULL},
};
static const Workflow order_flow = {
    .initial = "draft",
    .states = order_states,
    .final_states = "closed cancelled",
    .transitions = order_transitions,
    .editable_states = "draft",
    .track_state_since = true,
    .on_move = order_moved,
};

static const char *const print_header[] = {"number",        "customer_id",      "contract_id", "source",
                                           "delivery_date", "delivery_address", "packaging",   "transport",
                                           "emergency",     "quality_standard", "owner_id",    NULL};
static const PrintColumn print_columns[] = {
    {"#", 5},           {"product_id", 26}, {"spec", 20},          {"quantity", 10},
    {"unit_price", 13}, {"amount", 14},     {"delivery_date", 12}, {NULL}};
static const char *const print_totals[] = {
    "subtotal", "tax", "total", "delivery_plan", "received_by", "received_at", "service_contact", "claim_rules", NULL};
static const PrintLayout order_print = {
    "销售订单",
    "銷售訂單",
    "Sales order",
    print_header,
    "lines",
    print_columns,
    print_totals,
    "total",
    "销售代表：＿＿＿＿＿＿    客户确认：＿＿＿＿＿＿    日期：＿＿＿＿＿＿",
    "業務代表：＿＿＿＿＿＿    客戶確認：＿＿＿＿＿＿    日期：＿＿＿＿＿＿",
    "Sales representative: ____________    Customer: ____________    Date: ____________",
};
/* the customer follows the order through a link: its progress and logistics, nothing else */
static const PublicPurpose order_purposes[] = {
    {"status", "订单进度", "訂單進度", "Order status", 90, false,
     "number state delivery_date carrier waybill_no shipped_on arrival_on", NULL, NULL},
    {NULL},
};

const Entity orders_entity = {
    .name = "orders",
    .table = "orders",
    .zh = "订单",
    .tw = "訂單",
    .en = "Orders",
    .fields = order_fields,
    .vis = VIS_OWNER,
    .read_roles = ORDER_READERS,
    .write_roles = RB(SALES_REP) | ROLES_MANAGING,
    .read_all_roles = ORDER_DEPARTMENTS | RB(FINANCE), /* finance invoices against any order */
    .default_sort = "-created_at",
    .title_field = "number",
    .flow = &order_flow,
    .before_save = order_check,
    .tag = "sales",
    .number_prefix = "SO",
    .children = order_children,
    .computes = order_computes,
    .groups = order_groups,
    .attachments = true,
    .print = &order_print,
    .public_purposes = order_purposes,
    .after_sign = "contact_id delivery_plan delivery_address packaging transport property",
};

/* What R-ORD-4 tells: (owner, customer) pairs with an open order of the product, or one received
   since ?2; the customer's latest such order. */
static const char tech_sql[] =
    "SELECT o.owner_id, o.customer_id, MAX(o.id) FROM orders o WHERE o.deleted_at IS NULL AND o.owner_id IS NOT NULL"
    " AND o.customer_id IS NOT NULL AND EXISTS (SELECT 1 FROM order_lines l WHERE l.parent_id = o.id"
    " AND l.product_id = ?1) AND (o.state NOT IN ('delivered', 'closed', 'cancelled')"
    " OR (o.state IN ('delivered', 'closed') AND o.received_at >= ?2))"
    " GROUP BY o.owner_id, o.customer_id ORDER BY o.owner_id, o.customer_id";

int orders_tech_changed(Req *r, int64_t product, const char *name, const char *from, const char *to, int64_t version,
                        Err *e) {
    Stmt *st = db_prepare(r->db, tech_sql);
    if (!st) return flow_db_error(r, e, "technical state");
    db_bind_int64(st, 1, product);
    db_bind_int64(st, 2, r->now - req_setting_int(r, "order.tech_notice_days") * 86400);
    json_t *told = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(told, json_pack("[I,I,I]", (json_int_t)db_col_int64(st, 0),
                                              (json_int_t)db_col_int64(st, 1), (json_int_t)db_col_int64(st, 2)));
    db_done(st);
    size_t i;
    json_t *t;
    json_array_foreach(told, i, t) {
        if (rc < 0) break;
        int64_t owner = json_integer_value(json_array_get(t, 0)), customer = json_integer_value(json_array_get(t, 1));
        int64_t order = json_integer_value(json_array_get(t, 2));
        json_t *o = orders_load(r, order, e);
        if (!o) {
            rc = -2;
            break;
        }
        const char *number = arena_strdup(r->a, flow_rec_str(o, "number") ? flow_rec_str(o, "number") : "");
        json_decref(o);
        const char *title = msg_make(r->a, "order.tech_changed", "product", name, "from", from, "to", to, "customer",
                                     customer_name(r, customer), "number", number, NULL);
        const char *key = arena_printf(r->a, "tech_announce:%lld:%lld:%lld:%lld", (long long)product,
                                       (long long)version, (long long)customer, (long long)owner);
        int made = task_remind(r->db, owner, "tech_announce", "orders", order, title, 0, key, r->now);
        if (made < 0 || (made == 1 && audit_write(r, "orders", order, "tech_announce",
                                                  json_pack("{s:[s,s], s:I}", "tech_state", from, to, "product_id",
                                                            (json_int_t)product)) < 0))
            rc = -1;
    }
    json_decref(told);
    if (rc == -2) return -1;
    return rc < 0 ? flow_db_error(r, e, "technical state") : 0;
}

/*
** POST /api/v1/contracts/:id/make-order           roles: order writers who see the contract
** Body (optional): {"delivery_date", "delivery_address", "delivery_plan", "packaging", "transport",
** "quality_standard"}. A new draft order of the signed contract with a line for each contract line
** that has a quantity left to order (product, specification, net price and that quantity), made
** as POST /api/v1/orders makes it (R-ORD-1): the rep then adjusts the quantities and submits it.
** 201 order | 400 field.unknown | 404 contract not visible | 409 order.contract_not_signed,
** order.contract_fully_ordered (contract_id)
*/
static int make_order(Req *r, Err *e) {
    if (!entity_can_write(&orders_entity, r->user)) return err_set(e, 403, EC_FORBIDDEN, NULL, NULL);
    int64_t cid, id;
    if (req_param_id(r, 0, &cid, e) < 0) return -1;
    json_t *in = r->body_len ? req_json(r, e) : NULL;
    if (r->body_len && !in) return -1;
    static const char *const allowed =
        "delivery_date delivery_address delivery_plan packaging transport quality_standard";
    const char *k;
    json_t *v;
    json_object_foreach(in, k, v) {
        if (!str_word_in(allowed, k)) return err_set(e, 400, EC_UNKNOWN_FIELD, k, NULL);
    }
    const Entity *cen = entity_find("contracts");
    json_t *c = cen ? entity_load(r, cen, cid, e) : NULL;
    if (!c) return cen ? -1 : err_set(e, 404, EC_NOT_FOUND, NULL, NULL);
    arena_defer(r->a, (void (*)(void *))json_decref, c);
    const char *state = flow_rec_str(c, "state");
    if (!state || (strcmp(state, "signed") && strcmp(state, "executing")))
        return err_set(e, 409, EC_ORDER_CONTRACT, "contract_id", "%s %s", flow_rec_str(c, "number"),
                       entity_state_label(r->locale, cen, state));
    if (orders_lock(r, "contracts", cid, e) < 0) return -1;
    json_t *body = json_pack("{s:I, s:s, s:[]}", "contract_id", (json_int_t)cid, "source", "contract", "lines");
    arena_defer(r->a, (void (*)(void *))json_decref, body);
    if (in) json_object_update(body, in);
    if (contract_lines_copy(r, cid, 0, json_object_get(body, "lines"), e) < 0) return -1;
    if (!json_array_size(json_object_get(body, "lines")))
        return err_set(e, 409, EC_ORDER_NOTHING_LEFT, "contract_id", "%s", flow_rec_str(c, "number"));
    if (entity_create_row(r, &orders_entity, body, &id, e) < 0) return -1;
    json_t *row = entity_load(r, &orders_entity, id, e);
    if (!row) return -1;
    row_finish(r, &orders_entity, row);
    return reply_json(r, 201, row);
}

void orders_register(void) {
    static const Route routes[] = {
        {"POST", "/api/v1/contracts/:id/make-order", make_order, R_WRITE, 0,
         "A draft order of what a signed contract has left to order", "sales"},
    };
    routes_add(routes, 1);
    entity_register(&orders_entity);
    settings_declare(order_settings, (int)(sizeof order_settings / sizeof order_settings[0]));
    orders_inspection_register();
    orders_shipments_register();
    orders_trace_register();
}

/* ---------------------------------------------------------------- demo */

/* The demo user of the first live holder of role (in a unit containing path `under`, when given). */
static User *demo_user(Req *r, const char *role, const char *under) {
    int64_t id = demo_role_holder(r->db, role, under);
    User *u = NULL;
    if (id <= 0 || auth_user_by_id(r->db, r->a, id, &u) != 1) u = NULL;
    return u;
}

/* Submit a row whose workflow opens an approval on `to`, as r->user. */
static int demo_submit(Req *r, const Entity *en, int64_t id, const char *to, Err *e) {
    json_t *rec = entity_load_any(r, en, id, e);
    if (!rec) return -1;
    int rc = flow_set_state(r, en, rec, to, e);
    if (rc == 0) rc = flow_open_round(r, en, rec, flow_approval_for_state(en->flow, to), e);
    json_decref(rec);
    return rc;
}

/* r->user signs the row's waiting task. */
static int demo_sign(Req *r, const Entity *en, int64_t id, const char *comment, Err *e) {
    json_t *rec = entity_load_any(r, en, id, e);
    if (!rec) return -1;
    int rc = flow_sign(r, en, rec, true, comment, e);
    json_decref(rec);
    return rc;
}

/* A signed contract of the demo: the first on file with two lines (*prep becomes its owner), else one made by *prep
   and reviewed here through the contract's own workflow (a general contract: the owner's sales
   manager approves). */
static int64_t demo_contract(Req *r, User **prep, User *mgr, int64_t customer, Err *e) {
    Stmt *st = db_prepare(r->db, "SELECT c.id, c.owner_id FROM contracts c WHERE c.state IN ('signed', 'executing')"
                                 " AND c.owner_id IS NOT NULL AND c.deleted_at IS NULL"
                                 " AND (SELECT COUNT(*) FROM contract_lines l WHERE l.parent_id = c.id) >= 2"
                                 " ORDER BY c.id");
    if (!st) return flow_db_error(r, e, "demo contract");
    int rc = db_step(st);
    int64_t id = rc == DB_ROW ? db_col_int64(st, 0) : 0, owner = rc == DB_ROW ? db_col_int64(st, 1) : 0;
    db_done(st);
    if (rc < 0) return flow_db_error(r, e, "demo contract");
    /* an existing contract is ordered by its own rep */
    if (id) return auth_user_by_id(r->db, r->a, owner, prep) == 1 ? id : flow_db_error(r, e, "demo contract owner");
    User *rep = *prep;
    int64_t prod[2] = {0}, price[2] = {0}, qty[2] = {4000, 10000};
    int np = 0;
    st = db_prepare(r->db, "SELECT id, list_price FROM products WHERE deleted_at IS NULL AND list_price > 0"
                           " ORDER BY id LIMIT 2");
    while (st && (rc = db_step(st)) == DB_ROW) {
        prod[np] = db_col_int64(st, 0);
        price[np++] = db_col_int64(st, 1);
    }
    db_done(st);
    if (!st || rc < 0 || np < 2) return flow_db_error(r, e, "demo products");
    int64_t sub = 0;
    for (int i = 0; i < 2; i++)
        sub += qty[i] / 1000 * price[i];
    int64_t total = sub + (sub * 1300 + 5000) / 10000, first = total * 3 / 10;
    json_t *body = json_pack("{s:I, s:s, s:s, s:s, s:s, s:[{s:I, s:s, s:I, s:I}, {s:I, s:s, s:I, s:I}],"
                             " s:[{s:s, s:s, s:I}, {s:s, s:s, s:I}]}",
                             "customer_id", (json_int_t)customer, "title", "变频器及伺服系统供货合同", "delivery_date",
                             "2026-12-20", "quality_terms", "按 GB/T 12668.2 出厂检验，随货提供合格证与使用维护说明书",
                             "delivery_terms", "需方工厂交货，木箱包装，汽运", "lines", "product_id",
                             (json_int_t)prod[0], "spec", "标准型", "quantity", (json_int_t)qty[0], "unit_price",
                             (json_int_t)price[0], "product_id", (json_int_t)prod[1], "spec", "标准型", "quantity",
                             (json_int_t)qty[1], "unit_price", (json_int_t)price[1], "instalments", "term",
                             "prepayment", "due_date", "2026-12-10", "amount", (json_int_t)first, "term", "delivery",
                             "due_date", "2027-01-10", "amount", (json_int_t)(total - first));
    const Entity *ct = entity_find("contracts");
    r->user = rep;
    rc = ct ? entity_create_row(r, ct, body, &id, e) : err_set(e, 500, EC_INTERNAL, NULL, "contracts");
    json_decref(body);
    if (rc == 0) rc = demo_submit(r, ct, id, "in_review", e);
    r->user = mgr;
    if (rc == 0) rc = demo_sign(r, ct, id, "同意签订", e);
    r->user = rep;
    json_t *rec = rc == 0 ? entity_load_any(r, ct, id, e) : NULL;
    if (rec) {
        char day[11];
        company_date(r, r->now, day);
        json_t *vals = json_pack("{s:s}", "signed_on", day);
        rc = entity_update_fields(r, ct, rec, vals, "sign", e);
        json_decref(vals);
        if (rc == 0) rc = flow_set_state(r, ct, rec, "signed", e);
        json_decref(rec);
    }
    return rc < 0 || !rec ? -1 : id;
}

/* An inspection of one lot, made by the warehouse keeper and signed by both. */
static int demo_inspect(Req *r, User *wh, User *qc, int64_t order, int64_t line, const char *lot, int64_t qty, Err *e) {
    json_t *body =
        json_pack("{s:I, s:I, s:s, s:I, s:s, s:b, s:b, s:b, s:s}", "order_id", (json_int_t)order, "order_line_id",
                  (json_int_t)line, "lot_no", lot, "quantity", (json_int_t)qty, "result", "qualified", "certificate", 1,
                  "packaging_ok", 1, "manual", 1, "findings", "外观、铭牌、绝缘电阻及空载运行试验合格");
    int64_t id = 0;
    r->user = wh;
    int rc = entity_create_row(r, &inspections_entity, body, &id, e);
    json_decref(body);
    if (rc == 0) rc = demo_submit(r, &inspections_entity, id, "signing", e);
    if (rc == 0) rc = demo_sign(r, &inspections_entity, id, "数量、包装、随机文件齐全", e);
    r->user = qc;
    if (rc == 0) rc = demo_sign(r, &inspections_entity, id, "检验合格", e);
    return rc;
}

/* Line `i` of a loaded order: its id. */
static int64_t demo_line(json_t *order, size_t i) {
    return flow_rec_int(json_array_get(json_object_get(order, "lines"), i), "id");
}

/* Two orders from a signed contract: one inspected, shipped with its batch and received by the
   customer (its follow-up task waits); one with a partial inspection shipped in part and the rest
   shipped under an emergency release approved by the GM, its inspection still to follow. */
int orders_demo(Db *db, int64_t now, char *err, size_t errlen) {
    Req r;
    job_req_init(&r, db, now);
    Err e = {0};
    int rc = -1;
    int64_t customer = 0, owner = 0;
    Stmt *st = db_prepare(db, "SELECT id, owner_id FROM customers WHERE owner_id IS NOT NULL AND deleted_at IS NULL"
                              " ORDER BY id");
    int s = st ? db_step(st) : DB_ERROR;
    if (s == DB_ROW) {
        customer = db_col_int64(st, 0);
        owner = db_col_int64(st, 1);
    }
    db_done(st);
    User *rep = NULL, *mgr = NULL, *wh = demo_user(&r, "warehouse", NULL), *qc = demo_user(&r, "qc", NULL),
         *gm = demo_user(&r, "gm", NULL);
    if (s == DB_ROW && auth_user_by_id(db, r.a, owner, &rep) == 1)
        mgr = demo_user(&r, "sales_manager", rep->org_path ? rep->org_path : "/");
    if (!rep || !mgr || !wh || !qc || !gm) {
        snprintf(err, errlen, "demo orders: %s", s < 0 ? db_errmsg(db) : "no customer or no people for the roles");
        goto out;
    }
    int64_t contract = demo_contract(&r, &rep, mgr, customer, &e);
    if (contract < 0) goto fail;
    /* the contract's lines, each ordered on its own */
    json_t *lines = json_array();
    st = db_prepare(db, "SELECT id, quantity FROM contract_lines WHERE parent_id = ?1 ORDER BY idx");
    s = st ? DB_DONE : DB_ERROR;
    if (st) {
        db_bind_int64(st, 1, contract);
        while ((s = db_step(st)) == DB_ROW)
            json_array_append_new(lines,
                                  json_pack("[I,I]", (json_int_t)db_col_int64(st, 0), (json_int_t)db_col_int64(st, 1)));
        db_done(st);
    }
    int64_t ids[2] = {0};
    for (size_t i = 0; i < 2 && s == DB_DONE && i < json_array_size(lines); i++) {
        json_t *l = json_array_get(lines, i);
        json_t *body =
            json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:[{s:O, s:O}]}", "contract_id", (json_int_t)contract,
                      "delivery_date", "2026-12-20", "packaging", "木箱包装，防潮防震", "transport", "汽运，到厂卸货",
                      "quality_standard", "GB/T 12668.2，随货合格证与说明书", "delivery_address", "需方工厂成品仓",
                      "lines", "contract_line_id", json_array_get(l, 0), "quantity", json_array_get(l, 1));
        r.user = rep;
        rc = entity_create_row(&r, &orders_entity, body, &ids[i], &e);
        json_decref(body);
        if (rc == 0) rc = demo_submit(&r, &orders_entity, ids[i], "in_review", &e);
        json_t *o = rc == 0 ? orders_load(&r, ids[i], &e) : NULL;
        rc = o ? flow_set_state(&r, &orders_entity, o, "in_production", &e) : -1;
        json_decref(o);
        if (rc < 0) break;
    }
    json_decref(lines);
    if (s != DB_DONE || !ids[1] || rc < 0) goto fail;
    json_t *o1 = orders_load(&r, ids[1], &e), *o0 = orders_load(&r, ids[0], &e);
    int64_t l1 = o1 ? demo_line(o1, 0) : 0,
            q1 = o1 ? flow_rec_int(json_array_get(json_object_get(o1, "lines"), 0), "quantity") : 0;
    int64_t l0 = o0 ? demo_line(o0, 0) : 0,
            q0 = o0 ? flow_rec_int(json_array_get(json_object_get(o0, "lines"), 0), "quantity") : 0;
    json_decref(o1);
    json_decref(o0);
    if (!l1 || !l0) goto fail;
    /* order 2: the whole line inspected, shipped with its batch and serials, received */
    rc = demo_inspect(&r, wh, qc, ids[1], l1, "20261118-B07", q1, &e);
    json_t *ship = json_pack("{s:I, s:s, s:s, s:s, s:s, s:[{s:I, s:s, s:s, s:I}]}", "order_id", (json_int_t)ids[1],
                             "shipped_on", "2026-11-20", "carrier", "德邦物流", "waybill_no", "DPK202611200387",
                             "arrival_on", "2026-11-22", "lines", "order_line_id", (json_int_t)l1, "lot_no",
                             "20261118-B07", "serials", "SL2611B07001-SL2611B07010", "quantity", (json_int_t)q1);
    int64_t sid = 0;
    r.user = wh;
    if (rc == 0) rc = entity_create_row(&r, &shipments_entity, ship, &sid, &e);
    json_decref(ship);
    json_t *o = rc == 0 ? orders_load(&r, ids[1], &e) : NULL;
    if (o) {
        r.user = rep;
        json_t *vals = json_pack("{s:s, s:I, s:s, s:s}", "received_by", "采购部 陈主管", "received_at",
                                 (json_int_t)(now - 86400), "service_contact", "售后服务热线 400-820-6688（何平）",
                                 "claim_rules", "到货 7 日内书面提出数量与外观异议，质量异议在质保期内提出");
        rc = entity_update_fields(&r, &orders_entity, o, vals, "confirm_delivery", &e);
        json_decref(vals);
        if (rc == 0) rc = flow_set_state(&r, &orders_entity, o, "delivered", &e);
        if (rc == 0) rc = order_delivered(&r, &orders_entity, o, &e);
        json_decref(o);
    }
    if (rc < 0 || !o) goto fail;
    /* order 1: half inspected and shipped; the other half released by the GM, inspection to follow */
    int64_t half = q0 / 2;
    rc = demo_inspect(&r, wh, qc, ids[0], l0, "20261125-A03", half, &e);
    ship = json_pack("{s:I, s:s, s:s, s:s, s:[{s:I, s:s, s:s, s:I}]}", "order_id", (json_int_t)ids[0], "shipped_on",
                     "2026-11-27", "carrier", "顺丰快运", "waybill_no", "SF1402266853", "lines", "order_line_id",
                     (json_int_t)l0, "lot_no", "20261125-A03", "serials", "SL2611A03001 SL2611A03002", "quantity",
                     (json_int_t)half);
    r.user = wh;
    if (rc == 0) rc = entity_create_row(&r, &shipments_entity, ship, &sid, &e);
    json_decref(ship);
    json_t *rel = json_pack("{s:I, s:I, s:s, s:I, s:s}", "order_id", (json_int_t)ids[0], "order_line_id",
                            (json_int_t)l0, "lot_no", "20261128-A04", "quantity", (json_int_t)(q0 - half), "reason",
                            "客户产线停线待料，出厂检验排期来不及，先行放行，检验随后补做");
    int64_t rid = 0;
    r.user = qc;
    if (rc == 0) rc = entity_create_row(&r, &releases_entity, rel, &rid, &e);
    json_decref(rel);
    r.user = gm;
    if (rc == 0) rc = orders_release_approve(&r, rid, &e);
    /* the released goods leave at once, labelled 紧急放行 on the delivery note */
    ship = json_pack("{s:I, s:s, s:s, s:s, s:s, s:[{s:I, s:s, s:I, s:s}]}", "order_id", (json_int_t)ids[0],
                     "shipped_on", "2026-11-28", "carrier", "顺丰快运", "waybill_no", "SF1402279140", "note",
                     "紧急放行货物，出厂检验随后补做", "lines", "order_line_id", (json_int_t)l0, "lot_no",
                     "20261128-A04", "quantity", (json_int_t)(q0 - half), "basis", "emergency");
    r.user = wh;
    if (rc == 0) rc = entity_create_row(&r, &shipments_entity, ship, &sid, &e);
    json_decref(ship);
    if (rc < 0) goto fail;
    /* R-ORD-4: the delivered product's technical state is stated, then changed: its rep is told */
    const Entity *pen = entity_find("products");
    st = db_prepare(db, "SELECT product_id FROM order_lines WHERE id = ?1");
    int64_t pid = 0;
    int prc = DB_ERROR;
    if (st) {
        db_bind_int64(st, 1, l1);
        if ((prc = db_step(st)) == DB_ROW) pid = db_col_int64(st, 0);
        db_done(st);
    }
    if (prc != DB_ROW) goto fail; /* the demo's own order line: unreadable or missing fails the load */
    static const char *const states[] = {"A版（2025-03 定型）", "B版：主控板升级至 V2.1 固件，散热风扇改为双滚珠轴承",
                                         NULL};
    r.user = mgr;
    for (int k = 0; pen && pid && states[k] && rc == 0; k++) {
        json_t *p = entity_load_any(&r, pen, pid, &e);
        json_t *body =
            p ? json_pack("{s:O, s:s}", "version", json_object_get(p, "version"), "tech_state", states[k]) : NULL;
        rc = body ? entity_patch_row(&r, pen, p, body, &e) : -1;
        json_decref(body);
        json_decref(p);
    }
    if (rc < 0) goto fail;
    rc = 0;
    goto out;
fail:
    rc = -1;
    snprintf(err, errlen, "demo orders: %s %s %s", e.code ? e.code : "", e.field ? e.field : "", e.detail);
out:
    job_req_done(&r);
    return rc;
}
