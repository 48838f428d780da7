/*
** orders_trace.c — traceability (标识和可追溯性, R-ORD-3): from a batch (lot) number to every
** shipment that carried it — order, contract, customer, product, quantity, serial numbers, the
** basis it shipped on — to the inspection records and emergency releases of that lot, and to
** the list of every customer who got it (the recall list, also as CSV or XLSX). Each part shows
** only the rows the user may read (the entities' own visibility).
**
**   GET /api/v1/trace?batch=L             {batch, shipments[], inspections[], releases[], customers[]}
**   GET /api/v1/trace/export?batch=L&format=csv|xlsx    the recall list as a file
*/
#include <string.h>

#include "../core/errcodes.h"
#include "../model/model.h"
#include "modules.h"
#include "orders.h"

/* The batch of the query: present, one line, at most 64 characters. */
static const char *trace_batch(Req *r, Err *e) {
    const char *b = req_query(r, "batch");
    if (!b || !*b) {
        err_set(e, 400, EC_REQUIRED, "batch", NULL);
        return NULL;
    }
    if (strlen(b) > 64 || strpbrk(b, "\r\n\t")) {
        err_set(e, 400, EC_TOO_LONG, "batch", "64");
        return NULL;
    }
    return b;
}

/* Rows of sql (?1 = the batch, visibility of alias t from ?2) as objects with the given keys;
   keys ending in '#' are integers. New array, or NULL with e. */
static json_t *trace_rows(Req *r, const Entity *en, const char *sql_head, const char *sql_tail, const char *const *keys,
                          const char *batch, Err *e) {
    Buf sql;
    buf_init(&sql, r->a);
    buf_puts(&sql, sql_head);
    buf_puts(&sql, " AND ");
    entity_visibility_sql(en, r->user, &sql, 2);
    buf_puts(&sql, sql_tail);
    Stmt *st = db_prepare(r->db, sql.p);
    if (!st) {
        flow_db_error(r, e, "trace");
        return NULL;
    }
    db_bind_text(st, 1, batch, -1);
    entity_visibility_bind(en, r->user, st, 2);
    json_t *out = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *o = json_object();
        for (int i = 0; keys[i]; i++) {
            size_t n = strlen(keys[i]);
            bool num = keys[i][n - 1] == '#';
            const char *k = num ? arena_strndup(r->a, keys[i], n - 1) : keys[i];
            json_object_set_new(o, k,
                                db_col_null(st, i) ? json_null()
                                : num              ? json_integer(db_col_int64(st, i))
                                                   : json_string(db_col_text(st, i)));
        }
        json_array_append_new(out, o);
    }
    db_done(st);
    if (rc < 0) {
        json_decref(out);
        flow_db_error(r, e, "trace");
        return NULL;
    }
    return out;
}

static const char *const ship_keys[] = {
    "shipment_id#",   "shipment_number", "shipped_on",   "emergency#",    "order_id#",   "order_number",
    "contract_id#",   "contract_number", "customer_id#", "customer_name", "product_id#", "product_name",
    "order_line_id#", "quantity#",       "serials",      "basis",         NULL};
static const char ship_sql[] =
    "SELECT t.id, t.number, t.shipped_on, t.emergency, t.order_id, o.number, o.contract_id, c.number,"
    " t.customer_id, cu.name, l.product_id, p.name, l.order_line_id, l.quantity, l.serials, l.basis"
    " FROM order_shipment_lines l JOIN order_shipments t ON t.id = l.parent_id"
    " JOIN orders o ON o.id = t.order_id LEFT JOIN contracts c ON c.id = o.contract_id"
    " LEFT JOIN customers cu ON cu.id = t.customer_id LEFT JOIN products p ON p.id = l.product_id"
    " WHERE l.lot_no = ?1 AND t.deleted_at IS NULL";
static const char *const insp_keys[] = {
    "id#",    "number", "order_id#",    "order_line_id#", "product_id#",        "quantity#",
    "result", "state",  "inspected_on", "concession#",    "customer_agreement", NULL};
static const char insp_sql[] =
    "SELECT t.id, t.number, t.order_id, t.order_line_id, t.product_id, t.quantity, t.result, t.state,"
    " t.inspected_on, t.concession, t.customer_agreement FROM order_inspections t"
    " WHERE t.lot_no = ?1 AND t.deleted_at IS NULL";
static const char *const rel_keys[] = {"id#",       "number", "order_id#",    "order_line_id#", "product_id#",
                                       "quantity#", "state",  "approved_by#", "approved_at#",   NULL};
static const char rel_sql[] = "SELECT t.id, t.number, t.order_id, t.order_line_id, t.product_id, t.quantity, t.state,"
                              " t.approved_by, t.approved_at FROM order_releases t"
                              " WHERE t.lot_no = ?1 AND t.deleted_at IS NULL";

/* The whole chain of a batch: {batch, shipments, inspections, releases, customers}. NULL with e
   (404 trace.unknown_batch when the user sees no record of it). */
static json_t *trace_chain(Req *r, const char *batch, Err *e) {
    json_t *ships =
        trace_rows(r, &shipments_entity, ship_sql, " ORDER BY t.shipped_on, t.id, l.idx", ship_keys, batch, e);
    if (!ships) return NULL;
    json_t *insp = trace_rows(r, &inspections_entity, insp_sql, " ORDER BY t.id", insp_keys, batch, e);
    json_t *rel = insp ? trace_rows(r, &releases_entity, rel_sql, " ORDER BY t.id", rel_keys, batch, e) : NULL;
    if (!insp || !rel) {
        json_decref(ships);
        json_decref(insp);
        return NULL;
    }
    if (!json_array_size(ships) && !json_array_size(insp) && !json_array_size(rel)) {
        json_decref(ships);
        json_decref(insp);
        json_decref(rel);
        err_set(e, 404, EC_TRACE_UNKNOWN, "batch", "%s", batch);
        return NULL;
    }
    /* the recall list: every customer who got the batch, with the quantity and the orders */
    json_t *customers = json_array(), *index = json_object();
    size_t i;
    json_t *s;
    json_array_foreach(ships, i, s) {
        json_t *id = json_object_get(s, "customer_id");
        const char *key = arena_printf(r->a, "%lld", (long long)json_integer_value(id));
        json_t *c = json_object_get(index, key);
        if (!c) {
            c = json_pack("{s:O, s:O, s:I, s:[]}", "customer_id", id, "customer_name",
                          json_object_get(s, "customer_name"), "quantity", (json_int_t)0, "orders");
            json_object_set(index, key, c);
            json_array_append_new(customers, c);
        }
        json_object_set_new(c, "quantity",
                            json_integer(json_integer_value(json_object_get(c, "quantity")) +
                                         json_integer_value(json_object_get(s, "quantity"))));
        json_t *orders = json_object_get(c, "orders"), *num = json_object_get(s, "order_number"), *o;
        size_t k;
        bool seen = false;
        json_array_foreach(orders, k, o) { seen |= json_equal(o, num); }
        if (!seen) json_array_append(orders, num);
    }
    json_decref(index);
    return json_pack("{s:s, s:o, s:o, s:o, s:o}", "batch", batch, "shipments", ships, "inspections", insp, "releases",
                     rel, "customers", customers);
}

static int trace_get(Req *r, Err *e) {
    const char *batch = trace_batch(r, e);
    if (!batch) return -1;
    json_t *chain = trace_chain(r, batch, e);
    return chain ? reply_json(r, 200, chain) : -1;
}

static const struct {
    const char *key, *zh, *tw, *en;
} recall_cols[] = {
    {"customer_name", "客户", "客戶", "Customer"},
    {"order_number", "订单号", "訂單號", "Order"},
    {"contract_number", "合同号", "合約號", "Contract"},
    {"shipment_number", "发货单号", "出貨單號", "Shipment"},
    {"shipped_on", "发货日期", "出貨日期", "Shipped on"},
    {"product_name", "产品", "產品", "Product"},
    {"batch", "批号", "批號", "Batch"},
    {"serials", "序列号", "序號", "Serial numbers"},
    {"quantity", "数量", "數量", "Quantity"},
    {"basis", "放行依据", "放行依據", "Basis"},
    {NULL, NULL, NULL, NULL},
};

static int trace_export(Req *r, Err *e) {
    const char *batch = trace_batch(r, e);
    if (!batch) return -1;
    const char *format = req_query(r, "format");
    if (format && strcmp(format, "csv") && strcmp(format, "xlsx"))
        return err_set(e, 400, EC_ENUM, "format", "csv xlsx");
    json_t *chain = trace_chain(r, batch, e);
    if (!chain) return -1;
    const Field *basis = NULL; /* the basis in the reader's words, from the shipment line's declaration */
    for (const Field *f = entity_child(&shipments_entity, "lines")->fields; f->name; f++)
        if (!strcmp(f->name, "basis")) basis = f;
    json_t *header = json_array(), *rows = json_array();
    for (int c = 0; recall_cols[c].key; c++)
        json_array_append_new(
            header, json_string(label_for(r->locale, recall_cols[c].zh, recall_cols[c].tw, recall_cols[c].en)));
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(chain, "shipments"), i, s) {
        json_t *row = json_array();
        for (int c = 0; recall_cols[c].key; c++) {
            const char *k = recall_cols[c].key;
            const char *v = !strcmp(k, "batch")      ? batch
                            : !strcmp(k, "quantity") ? orders_qty_text(r, flow_rec_int(s, "quantity"))
                            : !strcmp(k, "basis")    ? enum_label(r, basis, flow_rec_str(s, k))
                                                     : flow_rec_str(s, k);
            json_array_append_new(row, json_string(v ? v : ""));
        }
        json_array_append_new(rows, row);
    }
    int rc = export_table_reply(r, "recall", format ? format : "csv", header, rows, e);
    json_decref(header);
    json_decref(rows);
    json_decref(chain);
    return rc;
}

void orders_trace_register(void) {
    static const Route routes[] = {
        {"GET", "/api/v1/trace", trace_get, 0, ORDER_READERS,
         "Traceability of a batch: shipments, orders, contracts, customers, inspections (R-ORD-3)", "sales"},
        {"GET", "/api/v1/trace/export", trace_export, R_RAW | R_SLOW, ORDER_READERS,
         "The recall list of a batch as CSV or XLSX", "sales"},
    };
    routes_add(routes, (int)(sizeof routes / sizeof routes[0]));
}
