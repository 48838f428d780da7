/*
** orders_shipments.c — shipments (发货, R-ORD-2 and R-ORD-3): quantities of the order's lines
** with their batch and serial numbers. Each shipped quantity has a basis — qualified (signed
** inspections found it qualified), emergency (an approved release of a lot not yet inspected)
** or concession (an unqualified lot the customer agreed to take) — and never exceeds what that
** basis allows for the lot less what earlier shipments took, nor what the order line has left.
** Shipments of one order are serialised on the order's row, so two racing never ship more than
** is qualified. The order takes the logistics of its latest shipment, and moves to shipped when
** every line has gone. The printed delivery note (送货单) says 紧急放行 when it carries
** released goods.
*/
#include <string.h>

#include "../core/errcodes.h"
#include "../model/model.h"
#include "modules.h"
#include "orders.h"

static const EnumVal bases[] = {
    {"qualified", "检验合格", "檢驗合格", "Qualified"},
    {"emergency", "紧急放行", "緊急放行", "Emergency release"},
    {"concession", "让步接收", "讓步接收", "Concession"},
    {NULL},
};
static const Field line_fields[] = {
    {"order_line_id", FT_LINE, 0, 0, 0, NULL, "lines", NULL, "订单明细行", "訂單明細行", "Order line",
     .line_of = "order_id"},
    {"product_id", FT_REF, F_READONLY, 0, 0, NULL, "products", NULL, "产品", "產品", "Product"},
    {"lot_no", FT_TEXT, F_REQUIRED, 1, 64, NULL, NULL, NULL, "批号", "批號", "Lot / batch"},
    {"serials", FT_TEXT, 0, 0, 2000, NULL, NULL, NULL, "序列号", "序號", "Serial numbers"},
    {"quantity", FT_QTY, F_REQUIRED, 1, 1000000000000, NULL, NULL, NULL, "数量", "數量", "Quantity"},
    {"basis", FT_ENUM, 0, 0, 0, bases, NULL, "qualified", "放行依据", "放行依據", "Basis"},
    {NULL},
};
static const Child shipment_children[] = {
    {"lines", "order_shipment_lines", "发货明细", "出貨明細", "Lines", line_fields, NULL, 1, 200},
    {NULL},
};
static const Field shipment_fields[] = {
    {"number", FT_TEXT, F_READONLY | F_LIST | F_SEARCH | F_SORT, 0, 0, NULL, NULL, NULL, "发货单号", "出貨單號",
     "Number"},
    {"order_id", FT_REF, F_REQUIRED | F_LIST | F_FILTER | F_CREATE_ONLY | F_REF_OWNER | F_REF_CASCADE, 0, 0, NULL,
     "orders", NULL, "订单", "訂單", "Order"},
    {"customer_id", FT_REF, F_READONLY | F_LIST | F_FILTER, 0, 0, NULL, "customers", NULL, "客户", "客戶", "Customer"},
    {"shipped_on", FT_DATE, F_REQUIRED | F_LIST | F_FILTER | F_SORT, 0, 0, NULL, NULL, NULL, "发货日期", "出貨日期",
     "Shipped on"},
    {"carrier", FT_TEXT, F_LIST, 0, 100, NULL, NULL, NULL, "承运商", "承運商", "Carrier"},
    {"waybill_no", FT_TEXT, F_LIST | F_SEARCH, 0, 100, NULL, NULL, NULL, "运单号", "運單號", "Waybill number"},
    {"arrival_on", FT_DATE, 0, 0, 0, NULL, NULL, NULL, "预计/实际到货", "預計/實際到貨", "Arrival"},
    {"emergency", FT_BOOL, F_READONLY | F_LIST | F_FILTER, 0, 0, NULL, NULL, NULL, "紧急放行", "緊急放行",
     "Emergency release"},
    {"concession", FT_BOOL, F_READONLY, 0, 0, NULL, NULL, NULL, "让步接收", "讓步接收", "Concession"},
    {"note", FT_TEXT, 0, 0, 500, NULL, NULL, NULL, "备注", "備註", "Note"},
    {NULL},
};

/* What a basis allows for one lot of one line, and what other shipments took of it (?3: this one). */
static const char *const allowed_sql[] = {
    "SELECT SUM(quantity) FROM order_inspections WHERE order_line_id = ?1 AND lot_no = ?2 AND id <> ?3"
    " AND state = 'signed' AND result = 'qualified' AND deleted_at IS NULL",
    "SELECT SUM(quantity) FROM order_releases WHERE order_line_id = ?1 AND lot_no = ?2 AND id <> ?3"
    " AND state = 'approved' AND deleted_at IS NULL",
    "SELECT SUM(quantity) FROM order_inspections WHERE order_line_id = ?1 AND lot_no = ?2 AND id <> ?3"
    " AND state = 'signed' AND result = 'unqualified' AND concession = 1 AND customer_agreement IS NOT NULL"
    " AND deleted_at IS NULL",
};
static const char shipped_sql[] =
    "SELECT SUM(l.quantity) FROM order_shipment_lines l JOIN order_shipments s ON s.id = l.parent_id"
    " WHERE l.order_line_id = ?1 AND l.lot_no = ?2 AND s.id <> ?3 AND s.deleted_at IS NULL AND l.basis = ?4";
static const char lot_shipped_sql[] =
    "SELECT SUM(l.quantity) FROM order_shipment_lines l JOIN order_shipments s ON s.id = l.parent_id"
    " WHERE l.order_line_id = ?1 AND l.lot_no = ?2 AND s.id <> ?3 AND s.deleted_at IS NULL";
static const char line_shipped_sql[] =
    "SELECT SUM(l.quantity) FROM order_shipment_lines l JOIN order_shipments s ON s.id = l.parent_id"
    " WHERE l.order_line_id = ?1 AND l.lot_no <> ?2 AND s.id <> ?3 AND s.deleted_at IS NULL";

/* Quantity of (line, lot) on basis b shipped by other shipments. */
static int shipped_by_basis(Req *r, int64_t line, const char *lot, int64_t self, const char *basis, int64_t *out,
                            Err *e) {
    Stmt *st = db_prepare(r->db, shipped_sql);
    if (!st) return flow_db_error(r, e, "shipped");
    db_bind_int64(st, 1, line);
    db_bind_text(st, 2, lot, -1);
    db_bind_int64(st, 3, self);
    db_bind_text(st, 4, basis, -1);
    int rc = db_step(st);
    *out = rc == DB_ROW && !db_col_null(st, 0) ? db_col_int64(st, 0) : 0;
    db_done(st);
    return rc < 0 ? flow_db_error(r, e, "shipped") : 0;
}

/*
** The goods of a lot, whatever basis they ship on: released goods are inspected afterwards, so a
** lot holds the larger of what inspections passed (qualified, or conceded) and what was released,
** never their sum (the released goods found qualified later are the same goods). 0, or -1 with e.
*/
static int lot_left(Req *r, int64_t line, const char *lot, int64_t self, int64_t *left, Err *e) {
    int64_t q = 0, rel = 0, con = 0, out = 0;
    if (orders_sum(r, allowed_sql[0], line, lot, 0, &q, e) < 0 ||
        orders_sum(r, allowed_sql[1], line, lot, 0, &rel, e) < 0 ||
        orders_sum(r, allowed_sql[2], line, lot, 0, &con, e) < 0 ||
        orders_sum(r, lot_shipped_sql, line, lot, self, &out, e) < 0)
        return -1;
    *left = (q + con > rel ? q + con : rel) - out;
    return 0;
}

/* The quantity of one order line shipped by other shipments, every lot (a lot is never empty). */
static int line_shipped(Req *r, int64_t line, int64_t self, int64_t *out, Err *e) {
    return orders_sum(r, line_shipped_sql, line, "", self, out, e);
}

/* before_save: the order's lines, the basis of every quantity, the order's remaining quantity. */
static int shipment_check(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    (void)en;
    int64_t order = flow_rec_int(rec, "order_id"), self = old ? flow_rec_int(old, "id") : 0;
    if (!old && !user_has_role(r->user, RB(WAREHOUSE) | RB(ADMIN))) return err_set(e, 403, EC_FORBIDDEN, NULL, NULL);
    if (orders_lock(r, "orders", order, e) < 0) return -1;
    json_t *o = orders_load(r, order, e);
    if (!o) return -1;
    int rc = old ? 0 : orders_state_in(r, o, "in_production ready inspected", e);
    json_object_set(rec, "customer_id", json_object_get(o, "customer_id"));
    json_decref(o);
    if (rc < 0) return -1;
    /* what this shipment takes, per (line, lot, basis) and per line, summed over its lines */
    json_t *took = json_object(), *per_line = json_object(), *per_lot = json_object();
    bool emergency = false, concession = false;
    size_t i;
    json_t *line;
    json_array_foreach(json_object_get(rec, "lines"), i, line) {
        if ((rc = orders_line_default(r, order, line, arena_printf(r->a, "lines[%zu].order_line_id", i), e)) < 0) break;
        int64_t lid = flow_rec_int(line, "order_line_id"), product = 0, ordered = 0;
        const char *lot = flow_rec_str(line, "lot_no"), *basis = flow_rec_str(line, "basis");
        if (!basis) basis = "qualified";
        rc = orders_line(r, order, lid, &product, &ordered, e);
        if (rc < 0) break;
        if (rc == 0) { /* the core checked it is the order's (FT_LINE): deleted meanwhile */
            rc = err_set(e, 400, EC_REF, arena_printf(r->a, "lines[%zu].order_line_id", i), NULL);
            break;
        }
        json_object_set_new(line, "product_id", json_integer(product));
        emergency |= !strcmp(basis, "emergency");
        concession |= !strcmp(basis, "concession");
        int b = !strcmp(basis, "qualified") ? 0 : !strcmp(basis, "emergency") ? 1 : 2;
        const char *key = arena_printf(r->a, "%lld\x1f%s\x1f%s", (long long)lid, lot, basis);
        const char *lkey = arena_printf(r->a, "%lld", (long long)lid);
        const char *lotkey = arena_printf(r->a, "%lld\x1f%s", (long long)lid, lot);
        int64_t qty = flow_rec_int(line, "quantity");
        int64_t mine = json_integer_value(json_object_get(took, key)) + qty;
        int64_t mine_line = json_integer_value(json_object_get(per_line, lkey)) + qty;
        json_object_set_new(took, key, json_integer(mine));
        json_object_set_new(per_line, lkey, json_integer(mine_line));
        int64_t mine_lot = json_integer_value(json_object_get(per_lot, lotkey)) + qty;
        json_object_set_new(per_lot, lotkey, json_integer(mine_lot));
        int64_t allowed = 0, shipped = 0, line_out = 0, in_lot = 0;
        if (orders_sum(r, allowed_sql[b], lid, lot, 0, &allowed, e) < 0 ||
            shipped_by_basis(r, lid, lot, self, basis, &shipped, e) < 0) {
            rc = -1;
            break;
        }
        const char *qfield = arena_printf(r->a, "lines[%zu].quantity", i);
        if (lot_left(r, lid, lot, self, &in_lot, e) < 0) {
            rc = -1;
            break;
        }
        if (mine > allowed - shipped || mine_lot > in_lot) {
            int64_t left =
                allowed - shipped < in_lot - (mine_lot - mine) ? allowed - shipped : in_lot - (mine_lot - mine);
            rc = err_set(e, 409, EC_ORDER_NOT_QUALIFIED, qfield, "%s %s: %s", lot,
                         label_for(r->locale, bases[b].zh, bases[b].tw, bases[b].en),
                         orders_qty_text(r, left < 0 ? 0 : left));
            break;
        }
        if (line_shipped(r, lid, self, &line_out, e) < 0) {
            rc = -1;
            break;
        }
        if (mine_line > ordered - line_out) {
            int64_t left = ordered - line_out;
            rc = err_set(e, 409, EC_ORDER_OVER_ORDER, qfield, "%s", orders_qty_text(r, left < 0 ? 0 : left));
            break;
        }
        rc = 0;
    }
    json_decref(took);
    json_decref(per_line);
    json_decref(per_lot);
    if (rc < 0) return -1;
    json_object_set_new(rec, "emergency", json_boolean(emergency));
    json_object_set_new(rec, "concession", json_boolean(concession));
    return 0;
}

/* after_save: the order shows this shipment's logistics, and is shipped once nothing is left. */
static int shipment_saved(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    (void)en;
    (void)old;
    json_t *o = orders_load(r, flow_rec_int(rec, "order_id"), e);
    if (!o) return -1;
    json_t *vals = json_object();
    static const char *const copy[] = {"carrier", "waybill_no", "shipped_on", "arrival_on", NULL};
    for (int i = 0; copy[i]; i++) {
        json_t *v = json_object_get(rec, copy[i]);
        if (!json_equal(v ? v : json_null(), json_object_get(o, copy[i])))
            json_object_set(vals, copy[i], v ? v : json_null());
    }
    int rc = json_object_size(vals) ? entity_update_fields(r, &orders_entity, o, vals, "logistics", e) : 0;
    json_decref(vals);
    int64_t left = 0;
    if (rc == 0) {
        Stmt *st =
            db_prepare(r->db, "SELECT COUNT(*) FROM order_lines ol WHERE ol.parent_id = ?1 AND ol.quantity >"
                              " COALESCE((SELECT SUM(l.quantity) FROM order_shipment_lines l JOIN order_shipments s"
                              " ON s.id = l.parent_id WHERE l.order_line_id = ol.id AND s.deleted_at IS NULL), 0)");
        if (!st) rc = flow_db_error(r, e, "shipped");
        if (st) {
            db_bind_int64(st, 1, flow_rec_int(o, "id"));
            int s = db_step(st);
            left = s == DB_ROW ? db_col_int64(st, 0) : 0;
            db_done(st);
            if (s < 0) rc = flow_db_error(r, e, "shipped");
        }
    }
    if (rc == 0 && left == 0 && str_word_in("in_production ready inspected", flow_rec_str(o, "state")))
        rc = orders_move(r, o, "shipped", e);
    json_decref(o);
    return rc;
}

static const char *const print_header[] = {"number",     "order_id",   "customer_id", "shipped_on", "carrier",
                                           "waybill_no", "arrival_on", "emergency",   "concession", NULL};
static const PrintColumn print_columns[] = {{"#", 5},         {"product_id", 26}, {"lot_no", 16}, {"serials", 24},
                                            {"quantity", 10}, {"basis", 12},      {NULL}};
static const char *const print_totals[] = {"note", NULL};
static const PrintLayout delivery_note = {
    "送货单",
    "送貨單",
    "Delivery note",
    print_header,
    "lines",
    print_columns,
    print_totals,
    NULL,
    "放行依据为“紧急放行”的货物已贴紧急放行标识，检验随后完成。\n发货人：＿＿＿＿＿＿    承运人：＿＿＿＿＿＿    "
    "收货人签收：＿＿＿＿＿＿    日期：＿＿＿＿＿＿",
    "放行依據為「緊急放行」的貨物已貼緊急放行標識，檢驗隨後完成。\n出貨人：＿＿＿＿＿＿    承運人：＿＿＿＿＿＿    "
    "收貨人簽收：＿＿＿＿＿＿    日期：＿＿＿＿＿＿",
    "Goods whose basis is \"emergency release\" carry the emergency release label; their inspection follows.\n"
    "Shipped by: ____________    Carrier: ____________    Received by: ____________    Date: ____________",
};

const Entity shipments_entity = {
    .name = "order_shipments",
    .table = "order_shipments",
    .zh = "发货单",
    .tw = "出貨單",
    .en = "Shipments",
    .fields = shipment_fields,
    .vis = VIS_OWNER,
    .read_roles = ORDER_READERS,
    .write_roles = RB(WAREHOUSE) | RB(CS_SPECIALIST) | ROLES_MANAGING,
    .write_any_roles = RB(WAREHOUSE) | RB(CS_SPECIALIST),
    .read_all_roles = ORDER_DEPARTMENTS,
    .default_sort = "-created_at",
    .title_field = "number",
    .before_save = shipment_check,
    .after_save = shipment_saved,
    .tag = "sales",
    .number_prefix = "SH",
    .children = shipment_children,
    .attachments = true,
    .print = &delivery_note,
};

void orders_shipments_register(void) { entity_register(&shipments_entity); }
