/*
** orders_inspection.c — pre-delivery inspection (交付前检验, R-ORD-2) and emergency release
** (紧急放行). An inspection is one lot of one order line, possibly part of its quantity, with
** its status (qualified, unqualified, pending, pending_disposal, scrapped) and the pre-delivery
** checklist (certificate of conformity, packaging, user and maintenance manual); it counts only
** once the warehouse keeper and the QC inspector have both signed it (a parallel approval of the
** two roles). An unqualified lot may ship by concession (让步接收) only when the customer's
** agreement is recorded on it. An emergency release is for goods not yet inspected: refused for
** a lot found unqualified, approved by the role of the setting order.release_role (GM by
** default), and it flags the order; the inspection still follows.
*/
#include <string.h>

#include "../core/errcodes.h"
#include "../model/model.h"
#include "../model/settings.h"
#include "modules.h"
#include "orders.h"

#define QUALITY_WRITERS (RB(WAREHOUSE) | RB(QC))

static const EnumVal results[] = {
    {"qualified", "合格", "合格", "Qualified"}, {"unqualified", "不合格", "不合格", "Unqualified"},
    {"pending", "待检", "待檢", "Pending"},     {"pending_disposal", "待处理", "待處理", "Pending disposal"},
    {"scrapped", "报废", "報廢", "Scrapped"},   {NULL},
};
static const Field inspection_fields[] = {
    {"number", FT_TEXT, F_READONLY | F_LIST | F_SEARCH | F_SORT, 0, 0, NULL, NULL, NULL, "检验单号", "檢驗單號",
     "Number", .group = "lot"},
    {"order_id", FT_REF, F_REQUIRED | F_LIST | F_FILTER | F_CREATE_ONLY | F_REF_OWNER | F_REF_CASCADE, 0, 0, NULL,
     "orders", NULL, "订单", "訂單", "Order", .group = "lot"},
    {"order_line_id", FT_LINE, F_CREATE_ONLY, 0, 0, NULL, "lines", NULL, "订单明细行", "訂單明細行", "Order line",
     .group = "lot", .line_of = "order_id"},
    {"product_id", FT_REF, F_READONLY | F_LIST, 0, 0, NULL, "products", NULL, "产品", "產品", "Product",
     .group = "lot"},
    {"lot_no", FT_TEXT, F_REQUIRED | F_LIST | F_FILTER | F_SEARCH | F_CREATE_ONLY, 1, 64, NULL, NULL, NULL, "批号",
     "批號", "Lot / batch", .group = "lot"},
    {"quantity", FT_QTY, F_REQUIRED | F_LIST, 1, 1000000000000, NULL, NULL, NULL, "检验数量", "檢驗數量", "Quantity",
     .group = "lot"},
    {"result", FT_ENUM, F_REQUIRED | F_LIST | F_FILTER, 0, 0, results, NULL, "pending", "检验结论", "檢驗結論",
     "Result", .group = "lot"},
    {"inspected_on", FT_DATE, F_LIST, 0, 0, NULL, NULL, NULL, "检验日期", "檢驗日期", "Inspected on", .group = "lot"},
    {"certificate", FT_BOOL, 0, 0, 0, NULL, NULL, "false", "合格证", "合格證", "Certificate of conformity",
     .group = "checklist"},
    {"packaging_ok", FT_BOOL, 0, 0, 0, NULL, NULL, "false", "包装检查", "包裝檢查", "Packaging checked",
     .group = "checklist"},
    {"manual", FT_BOOL, 0, 0, 0, NULL, NULL, "false", "使用维护说明书", "使用維護說明書", "User and maintenance manual",
     .group = "checklist"},
    {"findings", FT_LONGTEXT, 0, 0, 2000, NULL, NULL, NULL, "检验记录", "檢驗記錄", "Findings", .group = "checklist"},
    {"concession", FT_BOOL, 0, 0, 0, NULL, NULL, "false", "让步接收", "讓步接收", "Concession", .group = "concession",
     .when = "result=unqualified"},
    {"customer_agreement", FT_TEXT, F_REQUIRED, 0, 300, NULL, NULL, NULL, "客户同意记录（人、方式）",
     "客戶同意記錄（人、方式）", "Customer's agreement (who, how)", .group = "concession", .when = "concession"},
    {"agreed_on", FT_DATE, F_REQUIRED, 0, 0, NULL, NULL, NULL, "同意日期", "同意日期", "Agreed on",
     .group = "concession", .when = "concession"},
    {NULL},
};
static const FieldGroup inspection_groups[] = {{"lot", "检验批", "檢驗批", "Lot"},
                                               {"checklist", "交付前检查", "交付前檢查", "Pre-delivery checklist"},
                                               {"concession", "让步接收", "讓步接收", "Concession"},
                                               {NULL}};

/* The order line of a lot record (inspection or release; the core checked it is the order's, FT_LINE):
   the only one when none is named, product copied, the order in a state where goods are made or
   shipped. Only the warehouse and QC create them. */
static int lot_check(Req *r, json_t *rec, json_t *old, Err *e) {
    if (!old && !user_has_role(r->user, QUALITY_WRITERS | RB(ADMIN))) return err_set(e, 403, EC_FORBIDDEN, NULL, NULL);
    int64_t order = flow_rec_int(rec, "order_id"), product = 0, qty = 0;
    if (orders_line_default(r, order, rec, "order_line_id", e) < 0) return -1;
    int rc = orders_line(r, order, flow_rec_int(rec, "order_line_id"), &product, &qty, e);
    if (rc < 0) return -1;
    if (rc == 0) return err_set(e, 400, EC_REF, "order_line_id", NULL); /* deleted meanwhile */
    if (flow_rec_int(rec, "quantity") > qty)
        return err_set(e, 400, EC_RANGE, "quantity", "≤ %s", orders_qty_text(r, qty));
    json_object_set_new(rec, "product_id", json_integer(product));
    if (!old) {
        json_t *o = orders_load(r, order, e);
        if (!o) return -1;
        rc = orders_state_in(r, o, "confirmed in_production ready inspected shipped", e);
        json_decref(o);
        if (rc < 0) return -1;
    }
    return 0;
}

/* before_save of an inspection: the lot, and concession only for unqualified goods. */
static int inspection_check(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    (void)en;
    if (lot_check(r, rec, old, e) < 0) return -1;
    if (json_is_true(json_object_get(rec, "concession")) && strcmp(flow_rec_str(rec, "result"), "unqualified"))
        return err_set(e, 400, EC_ENUM, "concession", "result = unqualified");
    return 0;
}

/* Both signed: the order is inspected (goods are ready to ship, in part or whole). */
static int inspection_moved(Req *r, const Entity *en, json_t *rec, const char *from, int64_t since, Err *e) {
    (void)en;
    (void)from;
    (void)since;
    if (strcmp(flow_rec_str(rec, "state"), "signed")) return 0;
    json_t *o = orders_load(r, flow_rec_int(rec, "order_id"), e);
    if (!o) return -1;
    int rc = 0;
    if (str_word_in("confirmed in_production ready", flow_rec_str(o, "state"))) rc = orders_move(r, o, "inspected", e);
    json_decref(o);
    return rc;
}

static const EnumVal inspection_states[] = {
    {"draft", "草稿", "草稿", "Draft"},
    {"signing", "待签字", "待簽字", "Awaiting signatures"},
    {"signed", "已签字", "已簽字", "Signed"},
    {NULL},
};
/* the warehouse keeper and the QC inspector both sign (R-ORD-2) */
static const ApprovalStep inspection_steps[] = {
    {"sign", RB(WAREHOUSE) | RB(QC), SCOPE_ANY, 24, "仓库与质检签字", "倉庫與品管簽字", "Warehouse and QC sign",
     .flags = STEP_COLLECT_ALL},
    {NULL},
};
static const Approval inspection_approval = {inspection_steps, "signed", "draft"};
static const Transition inspection_transitions[] = {
    {"submit", "draft", "signing", QUALITY_WRITERS, T_OWNER, NULL, NULL, &inspection_approval, "提交签字", "提交簽字",
     "Submit for signatures"},
    {NULL},
};
static const Workflow inspection_flow = {
    .initial = "draft",
    .states = inspection_states,
    .final_states = "signed",
    .transitions = inspection_transitions,
    .editable_states = "draft",
    .track_state_since = true,
    .on_move = inspection_moved,
};

const Entity inspections_entity = {
    .name = "order_inspections",
    .table = "order_inspections",
    .zh = "交付前检验",
    .tw = "交付前檢驗",
    .en = "Pre-delivery inspections",
    .fields = inspection_fields,
    .vis = VIS_OWNER,
    .read_roles = ORDER_READERS,
    .write_roles = QUALITY_WRITERS | RB(SALES_REP) | ROLES_MANAGING,
    .write_any_roles = QUALITY_WRITERS,
    .read_all_roles = ORDER_DEPARTMENTS,
    .default_sort = "-created_at",
    .title_field = "number",
    .flow = &inspection_flow,
    .before_save = inspection_check,
    .tag = "sales",
    .number_prefix = "IN",
    .groups = inspection_groups,
    .attachments = true,
    /* the customer's agreement to a concession is recorded on the signed inspection */
    .after_sign = "concession customer_agreement agreed_on",
};

/* ---------------------------------------------------------------- emergency release */

static const Field release_fields[] = {
    {"number", FT_TEXT, F_READONLY | F_LIST | F_SEARCH | F_SORT, 0, 0, NULL, NULL, NULL, "放行单号", "放行單號",
     "Number"},
    {"order_id", FT_REF, F_REQUIRED | F_LIST | F_FILTER | F_CREATE_ONLY | F_REF_OWNER | F_REF_CASCADE, 0, 0, NULL,
     "orders", NULL, "订单", "訂單", "Order"},
    {"order_line_id", FT_LINE, F_CREATE_ONLY, 0, 0, NULL, "lines", NULL, "订单明细行", "訂單明細行", "Order line",
     .line_of = "order_id"},
    {"product_id", FT_REF, F_READONLY | F_LIST, 0, 0, NULL, "products", NULL, "产品", "產品", "Product"},
    {"lot_no", FT_TEXT, F_REQUIRED | F_LIST | F_FILTER | F_SEARCH | F_CREATE_ONLY, 1, 64, NULL, NULL, NULL, "批号",
     "批號", "Lot / batch"},
    {"quantity", FT_QTY, F_REQUIRED | F_LIST | F_CREATE_ONLY, 1, 1000000000000, NULL, NULL, NULL, "放行数量",
     "放行數量", "Quantity"},
    {"reason", FT_LONGTEXT, F_REQUIRED, 1, 2000, NULL, NULL, NULL, "来不及检验的原因", "來不及檢驗的原因", "Reason"},
    {"approved_by", FT_REF, F_READONLY | F_LIST | F_REF_KEEP, 0, 0, NULL, "users", NULL, "批准人", "核准人",
     "Approved by"},
    {"approved_at", FT_DATETIME, F_READONLY, 0, 0, NULL, NULL, NULL, "批准时间", "核准時間", "Approved at"},
    {NULL},
};

/* before_save of a release: only goods not yet inspected; unqualified ones go by concession. */
static int release_check(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    (void)en;
    if (lot_check(r, rec, old, e) < 0) return -1;
    if (old) return 0;
    int64_t bad = 0;
    const char *lot = flow_rec_str(rec, "lot_no");
    if (orders_sum(r,
                   "SELECT COUNT(*) FROM order_inspections WHERE order_line_id = ?1 AND lot_no = ?2 AND id <> ?3"
                   " AND state = 'signed' AND result IN ('unqualified', 'pending_disposal', 'scrapped')"
                   " AND deleted_at IS NULL",
                   flow_rec_int(rec, "order_line_id"), lot, 0, &bad, e) < 0)
        return -1;
    if (bad) return err_set(e, 409, EC_RELEASE_INSPECTED, "lot_no", "%s", lot);
    return 0;
}

/* A release is requested: the approvers of the setting are told. */
static int release_saved(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    (void)en;
    if (old) return 0;
    json_t *o = orders_load(r, flow_rec_int(rec, "order_id"), e);
    if (!o) return -1;
    const char *number = arena_strdup(r->a, flow_rec_str(o, "number") ? flow_rec_str(o, "number") : "");
    json_decref(o);
    int64_t id = flow_rec_int(rec, "id");
    const char *title = msg_make(r->a, "order.release_requested", "number", number, "lot", flow_rec_str(rec, "lot_no"),
                                 "quantity", orders_qty_text(r, flow_rec_int(rec, "quantity")), NULL);
    const char *roles[] = {req_setting_text(r, "order.release_role"), NULL};
    return orders_notify(r, roles, "order_release", "order_releases", id, title, e);
}

/* release / refuse: only the approver role of the setting decides. */
static int release_approver(Req *r, const Entity *en, json_t *rec, Err *e) {
    (void)en;
    (void)rec;
    const char *role = req_setting_text(r, "order.release_role");
    int ri = role_by_name(role);
    if (ri >= 0 && (r->user->roles & (1u << ri))) return 0;
    return err_set(e, 403, EC_RELEASE_APPROVER, NULL, "%s",
                   ri >= 0 ? label_for(r->locale, role_info[ri].zh, role_info[ri].tw, role_info[ri].en) : role);
}

/* Released: the approver is recorded, the order flagged (紧急放行) and the approver's notices done. */
static int release_done(Req *r, const Entity *en, json_t *rec, Err *e) {
    json_t *vals = json_pack("{s:I, s:I}", "approved_by", (json_int_t)r->user->id, "approved_at", (json_int_t)r->now);
    int rc = entity_update_fields(r, en, rec, vals, "release", e);
    json_decref(vals);
    if (rc < 0) return -1;
    json_t *o = orders_load(r, flow_rec_int(rec, "order_id"), e);
    if (!o) return -1;
    if (!json_is_true(json_object_get(o, "emergency"))) {
        vals = json_pack("{s:b}", "emergency", 1);
        rc = entity_update_fields(r, &orders_entity, o, vals, "emergency_release", e);
        json_decref(vals);
    }
    json_decref(o);
    if (rc == 0 &&
        task_close(r->db, arena_printf(r->a, "order_release:%lld:", (long long)flow_rec_int(rec, "id")), r->now) < 0)
        rc = flow_db_error(r, e, "release notice");
    return rc;
}

static int release_refused(Req *r, const Entity *en, json_t *rec, Err *e) {
    (void)en;
    if (task_close(r->db, arena_printf(r->a, "order_release:%lld:", (long long)flow_rec_int(rec, "id")), r->now) < 0)
        return flow_db_error(r, e, "release notice");
    return 0;
}

static const EnumVal release_states[] = {
    {"requested", "待批准", "待核准", "Requested"},
    {"approved", "已放行", "已放行", "Released"},
    {"refused", "不予放行", "不予放行", "Refused"},
    {NULL},
};
#define RELEASE_DECIDERS (RB(GM) | RB(DEPUTY_DIRECTOR) | RB(SALES_DIRECTOR) | RB(QC))
static const Transition release_transitions[] = {
    {"release", "requested", "approved", RELEASE_DECIDERS, 0, release_approver, release_done, NULL, "批准放行",
     "核准放行", "Approve release"},
    {"refuse", "requested", "refused", RELEASE_DECIDERS, T_COMMENT, release_approver, release_refused, NULL, "不予放行",
     "不予放行", "Refuse"},
    {NULL},
};
static const Workflow release_flow = {
    .initial = "requested",
    .states = release_states,
    .final_states = "approved refused",
    .transitions = release_transitions,
    .editable_states = "requested",
};

const Entity releases_entity = {
    .name = "order_releases",
    .table = "order_releases",
    .zh = "紧急放行",
    .tw = "緊急放行",
    .en = "Emergency releases",
    .fields = release_fields,
    .vis = VIS_OWNER,
    .read_roles = ORDER_READERS,
    .write_roles = QUALITY_WRITERS | ROLES_MANAGING,
    .write_any_roles = QUALITY_WRITERS,
    .read_all_roles = ORDER_DEPARTMENTS,
    .default_sort = "-created_at",
    .title_field = "number",
    .flow = &release_flow,
    .before_save = release_check,
    .after_save = release_saved,
    .tag = "sales",
    .number_prefix = "ER",
};

int orders_release_approve(Req *r, int64_t id, Err *e) {
    json_t *rec = entity_load_any(r, &releases_entity, id, e);
    if (!rec) return -1;
    int rc = release_approver(r, &releases_entity, rec, e);
    if (rc == 0) rc = flow_set_state(r, &releases_entity, rec, "approved", e);
    if (rc == 0) rc = release_done(r, &releases_entity, rec, e);
    json_decref(rec);
    return rc;
}

void orders_inspection_register(void) {
    entity_register(&inspections_entity);
    entity_register(&releases_entity);
}
