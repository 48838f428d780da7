/*
** complaints.c — customer complaints and feedback (客户投诉, R-CMP-1..3). Intake from any channel
** (phone, visit, email, the public form, a survey) with customer, contact, product, order and
** batch; feedback kinds complaint, grumble (抱怨) and suggestion; the state machine
**     received → acknowledged → investigating → solution_review → solution_approved →
**     solution_proposed → customer_confirmed → closed,   reopened from any later state;
** deadlines for acknowledgement, solution and closure in working days (the core's clocks on the
** company calendar, escalated when overdue); the departments concerned and their findings; the
** root cause; claims, returns and exchanges with amounts; the solution approved by the owner's
** manager, or the GM for a major complaint, before the customer sees it (send copies the approved
** answer to what the status page shows); closing only with the customer's satisfaction; a repeat
** on the same customer and cause within complaints.repeat_days linked and flagged.
** The public form and the challenge it asks are in complaints_public.c.
*/
#include <string.h>

#include "../core/errcodes.h"
#include "../flow/flow.h"
#include "../model/model.h"
#include "../model/settings.h"
#include "complaints.h"
#include "demo.h"
#include "modules.h"

#define CMP_WRITE (RB(CS_SPECIALIST) | RB(SALES_REP) | ROLES_MANAGING | RB(QC) | RB(TECH))
#define CMP_ACT (RB(CS_SPECIALIST) | ROLES_MANAGING)

const EnumVal complaint_locales[] = {
    {"zh-CN", "简体中文", "簡體中文", "Simplified Chinese"},
    {"zh-TW", "繁体中文", "繁體中文", "Traditional Chinese"},
    {"en", "英文", "英文", "English"},
    {NULL},
};
static const EnumVal kinds[] = {
    {"complaint", "投诉", "投訴", "Complaint"},
    {"grumble", "抱怨", "抱怨", "Grumble"},
    {"suggestion", "建议", "建議", "Suggestion"},
    {NULL},
};
static const EnumVal channels[] = {
    {"phone", "电话", "電話", "Phone"},
    {"visit", "拜访", "拜訪", "Visit"},
    {"email", "邮件/信函", "郵件/信函", "E-mail or letter"},
    {"public_form", "网上表单", "網上表單", "Public form"},
    {"survey", "满意度调查", "滿意度調查", "Survey"},
    {"other", "其他", "其他", "Other"},
    {NULL},
};
static const EnumVal severities[] = {
    {"minor", "轻微", "輕微", "Minor"},
    {"normal", "一般", "一般", "Normal"},
    {"major", "重大", "重大", "Major"},
    {NULL},
};
static const EnumVal causes[] = {
    {"product_quality", "产品质量", "產品品質", "Product quality"},
    {"delivery", "交付物流", "交付物流", "Delivery"},
    {"service", "服务", "服務", "Service"},
    {"documentation", "单据资料", "單據資料", "Documentation"},
    {"price_billing", "价格结算", "價格結算", "Price and billing"},
    {"other", "其他", "其他", "Other"},
    {NULL},
};
const EnumVal complaint_satisfaction[] = {
    {"very_satisfied", "非常满意", "非常滿意", "Very satisfied"},
    {"satisfied", "满意", "滿意", "Satisfied"},
    {"neutral", "一般", "普通", "Neutral"},
    {"dissatisfied", "不满意", "不滿意", "Dissatisfied"},
    {"very_dissatisfied", "非常不满意", "非常不滿意", "Very dissatisfied"},
    {NULL},
};
static const EnumVal departments[] = {
    {"quality", "质量部", "品質部", "Quality"},
    {"production", "生产部", "生產部", "Production"},
    {"tech", "技术部", "技術部", "Engineering"},
    {"warehouse", "仓储部", "倉儲部", "Warehouse"},
    {"logistics", "物流部", "物流部", "Logistics"},
    {"sales", "销售部", "銷售部", "Sales"},
    {"finance", "财务部", "財務部", "Finance"},
    {"service", "客服部", "客服部", "Customer service"},
    {NULL},
};
static const EnumVal claim_kinds[] = {
    {"claim", "索赔", "索賠", "Claim"},
    {"return", "退货", "退貨", "Return"},
    {"exchange", "换货", "換貨", "Exchange"},
    {NULL},
};

static const Field dept_fields[] = {
    {"department", FT_ENUM, F_REQUIRED, 0, 0, departments, NULL, NULL, "部门", "部門", "Department"},
    {"user_id", FT_REF, F_REF_KEEP, 0, 0, NULL, "users", NULL, "负责人", "負責人", "Responsible"},
    {"task", FT_TEXT, 0, 0, 500, NULL, NULL, NULL, "任务", "任務", "Task"},
    {"finding", FT_LONGTEXT, 0, 0, 4000, NULL, NULL, NULL, "调查结果", "調查結果", "Finding"},
    {"done", FT_BOOL, 0, 0, 0, NULL, NULL, "0", "已完成", "已完成", "Done"},
    {NULL},
};
static const Field claim_fields[] = {
    {"kind", FT_ENUM, F_REQUIRED, 0, 0, claim_kinds, NULL, NULL, "类型", "類型", "Kind"},
    {"product_id", FT_REF, F_REF_KEEP, 0, 0, NULL, "products", NULL, "产品", "產品", "Product"},
    {"quantity", FT_QTY, 0, 0, 1000000000000, NULL, NULL, NULL, "数量", "數量", "Quantity"},
    {"amount", FT_MONEY, F_REQUIRED, 0, 100000000000, NULL, NULL, NULL, "金额", "金額", "Amount"},
    {"note", FT_TEXT, 0, 0, 500, NULL, NULL, NULL, "说明", "說明", "Note"},
    {NULL},
};
static const Child complaint_children[] = {
    {"departments", "complaint_departments", "责任部门", "責任部門", "Departments", dept_fields, NULL, 0, 20},
    {"claims", "complaint_claims", "索赔与退换货", "索賠與退換貨", "Claims, returns and exchanges", claim_fields, NULL,
     0, 50},
    {NULL},
};
static const Compute complaint_computes[] = {{"claim_total", CK_SUM, "claims", "amount"}, {NULL}};

#define G(g) .group = g
static const Field complaint_fields[] = {
    {"number", FT_TEXT, F_READONLY | F_LIST | F_SEARCH | F_SORT, 0, 0, NULL, NULL, NULL, "投诉编号", "投訴編號",
     "Number", G("intake")},
    {"title", FT_TEXT, F_REQUIRED | F_LIST | F_SEARCH, 1, 200, NULL, NULL, NULL, "主题", "主題", "Subject",
     G("intake")},
    {"feedback_kind", FT_ENUM, F_LIST | F_FILTER, 0, 0, kinds, NULL, "complaint", "反馈类型", "回饋類型",
     "Feedback kind", G("intake")},
    {"channel", FT_ENUM, F_FILTER | F_CREATE_ONLY, 0, 0, channels, NULL, "phone", "来源渠道", "來源管道", "Channel",
     G("intake")},
    {"severity", FT_ENUM, F_LIST | F_FILTER, 0, 0, severities, NULL, "normal", "严重程度", "嚴重程度", "Severity",
     G("intake")},
    {"received_at", FT_DATETIME, F_LIST | F_SORT | F_FILTER, 0, 0, NULL, NULL, NULL, "受理时间", "受理時間",
     "Received at", G("intake")},
    {"content", FT_LONGTEXT, F_REQUIRED | F_SEARCH, 1, 8000, NULL, NULL, NULL, "内容", "內容", "Content", G("intake")},
    {"customer_id", FT_REF, F_LIST | F_FILTER | F_REF_KEEP, 0, 0, NULL, "customers", NULL, "客户", "客戶", "Customer",
     G("customer")},
    {"contact_id", FT_REF, F_FILTER | F_REF_KEEP, 0, 0, NULL, "contacts", NULL, "联系人", "聯絡人", "Contact",
     G("customer")},
    {"reporter_name", FT_TEXT, F_SEARCH, 0, 100, NULL, NULL, NULL, "反映人", "反映人", "Reported by", G("customer")},
    {"reporter_company", FT_TEXT, F_SEARCH, 0, 200, NULL, NULL, NULL, "反映人单位", "反映人單位", "Reporter's company",
     G("customer")},
    {"reporter_phone", FT_PHONE, 0, 0, 40, NULL, NULL, NULL, "联系电话", "聯絡電話", "Phone", G("customer")},
    {"reporter_email", FT_EMAIL, 0, 0, 200, NULL, NULL, NULL, "电子邮箱", "電子郵件", "E-mail", G("customer")},
    {"customer_locale", FT_ENUM, 0, 0, 0, complaint_locales, NULL, "zh-CN", "客户语言", "客戶語言",
     "Customer's language", G("customer")},
    {"product_id", FT_REF, F_FILTER | F_REF_KEEP, 0, 0, NULL, "products", NULL, "产品", "產品", "Product",
     G("product")},
    /* an order the recorder sees: customer service and QC read every order (ORDER_DEPARTMENTS), so
       they file on any rep's order; a rep names only the orders they see, so neither the reference
       nor the batch check below tells anything of other reps' orders (hence no F_REF_ANY) */
    {"order_id", FT_REF, F_FILTER | F_REF_KEEP, 0, 0, NULL, "orders", NULL, "订单", "訂單", "Order", G("product")},
    /* with an order, a batch shipped on it; shown as a link to the traceability page */
    {"batch_no", FT_TEXT, F_FILTER | F_SEARCH, 0, 64, NULL, NULL, NULL, "批号", "批號", "Batch", G("product")},
    {"root_cause_category", FT_ENUM, F_LIST | F_FILTER, 0, 0, causes, NULL, NULL, "原因类别", "原因類別",
     "Root cause category", G("investigation")},
    {"root_cause", FT_LONGTEXT, 0, 0, 4000, NULL, NULL, NULL, "原因分析", "原因分析", "Root cause", G("investigation")},
    {"solution", FT_LONGTEXT, 0, 0, 4000, NULL, NULL, NULL, "处理方案", "處理方案", "Solution", G("investigation")},
    {"customer_reply", FT_LONGTEXT, 0, 0, 4000, NULL, NULL, NULL, "答复客户（待审批）", "答覆客戶（待審批）",
     "Answer to the customer (to be approved)", G("investigation")},
    {"claim_total", FT_MONEY, F_READONLY | F_COMPUTED | F_LIST, 0, 0, NULL, NULL, NULL, "索赔金额合计", "索賠金額合計",
     "Claims total", G("investigation")},
    {"customer_message", FT_LONGTEXT, F_READONLY, 0, 4000, NULL, NULL, NULL, "已告知客户", "已告知客戶",
     "Told the customer", G("result")},
    {"customer_satisfaction", FT_ENUM, F_FILTER | F_READONLY, 0, 0, complaint_satisfaction, NULL, NULL, "客户满意度",
     "客戶滿意度", "Customer's satisfaction", G("result")},
    {"satisfaction_note", FT_LONGTEXT, F_READONLY, 0, 2000, NULL, NULL, NULL, "客户评价", "客戶評價",
     "Customer's comment", G("result")},
    {"is_repeat", FT_BOOL, F_READONLY | F_LIST | F_FILTER, 0, 0, NULL, NULL, "0", "重复投诉", "重複投訴",
     "Repeat complaint", G("result")},
    {"repeat_of", FT_REF, F_READONLY | F_REF_KEEP | F_FILTER, 0, 0, NULL, "complaints", NULL, "重复自", "重複自",
     "Repeats", G("result")},
    {NULL},
};
static const FieldGroup complaint_groups[] = {
    {"intake", "受理", "受理", "Intake"},
    {"customer", "客户", "客戶", "Customer"},
    {"product", "产品与批次", "產品與批次", "Product and batch"},
    {"investigation", "调查与处理", "調查與處理", "Investigation and solution"},
    {"result", "结果", "結果", "Result"},
    {NULL},
};

static const Setting complaint_settings[] = {
    {"complaints.ack_days", ST_INT, "1", 1, 30, "投诉确认受理时限（工作日）", "投訴確認受理時限（工作日）",
     "Acknowledge a complaint within (working days)"},
    {"complaints.solution_days", ST_INT, "3", 1, 60, "提出处理方案时限（工作日）", "提出處理方案時限（工作日）",
     "Propose a solution within (working days)"},
    {"complaints.close_days", ST_INT, "15", 1, 365, "投诉关闭时限（工作日）", "投訴關閉時限（工作日）",
     "Close a complaint within (working days)"},
    {"complaints.escalate_after_days", ST_INT, "1", 0, 30, "投诉超期多少工作日后上报主管",
     "投訴逾期多少工作日後上報主管", "Tell the managers this many working days after a complaint stage is due"},
    {"complaints.repeat_days", ST_INT, "90", 1, 3650, "同一客户同一原因在此天数内再次投诉视为重复投诉",
     "同一客戶同一原因在此天數內再次投訴視為重複投訴",
     "A complaint on the same customer and cause within this many days is a repeat"},
};

/* ---------------------------------------------------------------- hooks */

/*
** The earlier complaint that rec repeats: the latest other live complaint of the same customer
** with the same root cause received within complaints.repeat_days. 1 found (*of), 0 none, -1 error.
*/
static int repeat_find(Req *r, json_t *rec, int64_t *of, Err *e) {
    int64_t cust = flow_rec_int(rec, "customer_id");
    const char *cause = flow_rec_str(rec, "root_cause_category");
    if (!cust || !cause) return 0;
    int64_t at = flow_rec_int(rec, "received_at");
    if (!at) at = r->now;
    Stmt *st = db_prepare(r->db, "SELECT id FROM complaints WHERE customer_id = ?1 AND root_cause_category = ?2"
                                 " AND received_at >= ?3 AND received_at <= ?4 AND id <> ?5 AND deleted_at IS NULL"
                                 " ORDER BY received_at DESC, id DESC LIMIT 1");
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, cust);
    db_bind_text(st, 2, cause, -1);
    db_bind_int64(st, 3, at - 86400 * req_setting_int(r, "complaints.repeat_days"));
    db_bind_int64(st, 4, at);
    db_bind_int64(st, 5, flow_rec_int(rec, "id"));
    int rc = db_step(st);
    *of = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_done(st);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return *of ? 1 : 0;
}

/* The customer of a row of the table named by sql ("SELECT customer_id FROM t WHERE id = ?1"):
 *cust (0: no such row); 0, or -1 with e = 500 (a database error is no "no row"). */
static int customer_of(Req *r, const char *sql, int64_t id, int64_t *cust, Err *e) {
    Stmt *st = db_prepare(r->db, sql);
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    *cust = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_done(st);
    return rc < 0 ? err_set(e, 500, EC_INTERNAL, NULL, NULL) : 0;
}

/* See complaints.h. */
int complaints_contact_check(Req *r, json_t *rec, Err *e) {
    int64_t contact = flow_rec_int(rec, "contact_id"), cust = flow_rec_int(rec, "customer_id"), of;
    if (!contact || !cust) return 0;
    if (customer_of(r, "SELECT customer_id FROM contacts WHERE id = ?1", contact, &of, e) < 0) return -1;
    return of == cust ? 0 : err_set(e, 400, EC_CMP_CONTACT, "contact_id", NULL);
}

/* complaints.h: the order's customer is the record's, or becomes it. Checked when either changes. */
int complaints_order_check(Req *r, json_t *rec, json_t *old, Err *e) {
    int64_t order = flow_rec_int(rec, "order_id");
    if (!order) return 0;
    if (old && flow_rec_int(old, "order_id") == order &&
        flow_rec_int(old, "customer_id") == flow_rec_int(rec, "customer_id"))
        return 0;
    int64_t cust;
    if (customer_of(r, "SELECT customer_id FROM orders WHERE id = ?1", order, &cust, e) < 0) return -1;
    if (!flow_rec_int(rec, "customer_id")) /* the order names the customer */
        json_object_set_new(rec, "customer_id", json_integer(cust));
    else if (cust != flow_rec_int(rec, "customer_id"))
        return err_set(e, 400, EC_CMP_ORDER, "order_id", NULL);
    return 0;
}

/*
** The batch, given with an order, is one shipped on it (a line of a live shipment of the order
** with that lot number). Checked when either changes. 0, or -1 with e.
*/
static int batch_check(Req *r, json_t *rec, json_t *old, Err *e) {
    int64_t order = flow_rec_int(rec, "order_id");
    const char *batch = flow_rec_str(rec, "batch_no");
    if (!order || !batch || !*batch) return 0;
    if (old && flow_rec_int(old, "order_id") == order &&
        json_equal(json_object_get(old, "batch_no"), json_object_get(rec, "batch_no")))
        return 0;
    Stmt *st = db_prepare(r->db, "SELECT 1 FROM order_shipments s JOIN order_shipment_lines l ON l.parent_id = s.id"
                                 " WHERE s.order_id = ?1 AND s.deleted_at IS NULL AND l.lot_no = ?2 LIMIT 1");
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, order);
    db_bind_text(st, 2, batch, -1);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return rc == DB_ROW ? 0 : err_set(e, 400, EC_CMP_BATCH, "batch_no", "%s", batch);
}

/* before_save: received now unless said; the contact the customer's, the order too, and the batch
   one shipped on the order; a repeat of an earlier complaint flagged (R-CMP-3). */
static int complaint_check(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    (void)en;
    if (complaints_contact_check(r, rec, e) < 0 || complaints_order_check(r, rec, old, e) < 0 ||
        batch_check(r, rec, old, e) < 0)
        return -1;
    if (!json_is_integer(json_object_get(rec, "received_at")))
        json_object_set_new(rec, "received_at", json_integer(r->now));
    else if (json_integer_value(json_object_get(rec, "received_at")) > r->now + 300)
        return err_set(e, 400, EC_RANGE, "received_at", "<= now");
    if (flow_rec_int(rec, "repeat_of")) return 0; /* flagged once, kept */
    bool same = old && flow_rec_int(old, "customer_id") == flow_rec_int(rec, "customer_id") &&
                json_equal(json_object_get(old, "root_cause_category"), json_object_get(rec, "root_cause_category"));
    if (same) return 0;
    int64_t of;
    int found = repeat_find(r, rec, &of, e);
    if (found < 0) return -1;
    if (found) {
        json_object_set_new(rec, "repeat_of", json_integer(of));
        json_object_set_new(rec, "is_repeat", json_true());
    }
    return 0;
}

/* after_save: a repeat is linked to the complaint it repeats (the core's links). */
static int complaint_saved(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    int64_t of = flow_rec_int(rec, "repeat_of");
    if (!of || (old && flow_rec_int(old, "repeat_of") == of)) return 0;
    return link_make(r, en->name, flow_rec_int(rec, "id"), en->name, of, "repeats", NULL, e) < 0 ? -1 : 0;
}

/* send: the approved answer becomes what the customer's status page shows. */
static int complaint_send(Req *r, const Entity *en, json_t *rec, Err *e) {
    json_t *vals = json_pack("{s:O}", "customer_message", json_object_get(rec, "customer_reply"));
    int rc = entity_update_fields(r, en, rec, vals, "send", e);
    json_decref(vals);
    return rc;
}

/* ---------------------------------------------------------------- workflow */

static const EnumVal complaint_states[] = {
    {"received", "已接收", "已接收", "Received"},
    {"acknowledged", "已受理", "已受理", "Acknowledged"},
    {"investigating", "调查中", "調查中", "Investigating"},
    {"solution_review", "方案审批中", "方案審批中", "Solution in review"},
    {"solution_approved", "方案已批准", "方案已核准", "Solution approved"},
    {"solution_proposed", "方案已答复", "方案已答覆", "Solution proposed"},
    {"customer_confirmed", "客户已确认", "客戶已確認", "Customer confirmed"},
    {"closed", "已关闭", "已關閉", "Closed"},
    {"reopened", "重新打开", "重新打開", "Reopened"},
    {NULL},
};
/* the responsible leader (the owner's manager) approves; a major complaint's solution the GM */
static const Condition not_major[] = {{"severity", COND_NE, "major"}, {NULL}};
static const Condition major[] = {{"severity", COND_EQ, "major"}, {NULL}};
static const ApprovalStep solution_steps[] = {
    {"leader", RB(SALES_MANAGER), SCOPE_OWNER_MANAGER, 24, "责任领导审批", "責任主管審批", "Responsible leader",
     .when = not_major},
    {"gm", RB(GM), SCOPE_ANY, 48, "总经理审批（重大投诉）", "總經理審批（重大投訴）",
     "General manager (major complaint)", .when = major},
    {NULL},
};
static const Approval solution_approval = {solution_steps, "solution_approved", "investigating"};
#define LATER "acknowledged investigating solution_review solution_approved solution_proposed customer_confirmed closed"
static const Transition complaint_transitions[] = {
    {"acknowledge", "received", "acknowledged", CMP_ACT, T_OWNER, NULL, NULL, NULL, "确认受理", "確認受理",
     "Acknowledge", .inputs = "customer_message", .requires = "customer_id"},
    {"investigate", "acknowledged reopened", "investigating", CMP_ACT, T_OWNER, NULL, NULL, NULL, "开始调查",
     "開始調查", "Investigate"},
    {"propose", "investigating", "solution_review", CMP_ACT, T_OWNER, NULL, NULL, &solution_approval, "提交处理方案",
     "提交處理方案", "Submit the solution", .requires = "root_cause_category solution customer_reply"},
    {"send", "solution_approved", "solution_proposed", CMP_ACT, T_OWNER, NULL, complaint_send, NULL, "答复客户",
     "答覆客戶", "Send to the customer"},
    {"confirm", "solution_proposed", "customer_confirmed", CMP_ACT, T_OWNER, NULL, NULL, NULL, "客户确认方案",
     "客戶確認方案", "Customer confirmed", .inputs = "customer_satisfaction satisfaction_note"},
    {"close", "solution_proposed customer_confirmed", "closed", CMP_ACT, T_OWNER, NULL, NULL, NULL, "关闭", "關閉",
     "Close", .inputs = "customer_satisfaction satisfaction_note", .requires = "customer_satisfaction"},
    {"reopen", LATER, "reopened", CMP_ACT, T_OWNER | T_COMMENT, NULL, NULL, NULL, "重新打开", "重新打開", "Reopen"},
    {NULL},
};
#define OPEN                                                                                                           \
    "received acknowledged investigating solution_review solution_approved solution_proposed customer_confirmed "      \
    "reopened"
static const Deadline complaint_deadlines[] = {
    {"acknowledge", "received", NULL, 1, DU_DAYS, .working = true, .setting = "complaints.ack_days",
     .escalate_setting = "complaints.escalate_after_days", .zh = "受理时限", .tw = "受理時限", .en = "Acknowledge"},
    {"solution", "received acknowledged investigating reopened", NULL, 3, DU_DAYS, .working = true,
     .setting = "complaints.solution_days", .escalate_setting = "complaints.escalate_after_days", .zh = "方案时限",
     .tw = "方案時限", .en = "Solution"},
    {"closure", OPEN, NULL, 15, DU_DAYS, .working = true, .setting = "complaints.close_days",
     .escalate_setting = "complaints.escalate_after_days", .zh = "关闭时限", .tw = "關閉時限", .en = "Closure"},
    {NULL},
};
static const Workflow complaint_flow = {
    .initial = "received",
    .states = complaint_states,
    .final_states = "closed",
    .transitions = complaint_transitions,
    .editable_states = "received acknowledged investigating reopened",
    .deadlines = complaint_deadlines,
};

/* the customer's status page: the case, its state and what the company told them; once the
   solution has reached them, their satisfaction (R-CMP-4) */
static const PublicPurpose complaint_purposes[] = {
    {"status", "投诉进度", "投訴進度", "Complaint status", 365, false,
     "number title feedback_kind received_at state customer_message customer_satisfaction satisfaction_note",
     "customer_satisfaction satisfaction_note", NULL, "solution_proposed customer_confirmed"},
    {NULL},
};

const Entity complaints_entity = {
    .name = "complaints",
    .table = "complaints",
    .zh = "客户投诉",
    .tw = "客戶投訴",
    .en = "Complaints",
    .fields = complaint_fields,
    .vis = VIS_OWNER,
    .write_roles = CMP_WRITE,
    .default_sort = "-received_at",
    .title_field = "title",
    .flow = &complaint_flow,
    .before_save = complaint_check,
    .after_save = complaint_saved,
    .tag = "service",
    .number_prefix = "CP",
    .children = complaint_children,
    .computes = complaint_computes,
    .groups = complaint_groups,
    .attachments = true,
    .public_purposes = complaint_purposes,
};

/* ---------------------------------------------------------------- board */

/*
** GET /api/v1/complaints/board                  readers of complaints (rows they see)
** The complaint board: open complaints, and those closed in the last 30 days, with the nearest due
** time of their running clocks. 200 {"items":[{"id","version","number","title","state","severity",
** "feedback_kind","is_repeat","customer_id","received_at","due_at"|null,"clock"|null}], "now"}
** newest first, at most 500.
*/
static int complaint_board(Req *r, Err *e) {
    const Entity *en = &complaints_entity;
    if (!entity_can_read(en, r->user)) return err_set(e, 403, EC_FORBIDDEN, NULL, NULL);
    Buf sql;
    buf_init(&sql, r->a);
    buf_puts(&sql, "SELECT t.id, t.version, t.number, t.title, t.state, t.severity, t.feedback_kind, t.is_repeat,"
                   " t.customer_id, t.received_at, c.due_at, c.clock FROM complaints t\n"
                   " LEFT JOIN deadline_clocks c ON c.id = (SELECT d.id FROM deadline_clocks d WHERE"
                   " d.entity = 'complaints' AND d.row_id = t.id AND d.stopped_at IS NULL AND d.paused_at IS NULL"
                   " ORDER BY d.due_at, d.id LIMIT 1)\n"
                   " WHERE t.deleted_at IS NULL AND (t.state <> 'closed' OR t.updated_at >= ?1) AND ");
    entity_visibility_sql(en, r->user, &sql, 2);
    buf_puts(&sql, " ORDER BY t.received_at DESC, t.id DESC LIMIT 500");
    Stmt *st = db_prepare(r->db, sql.p);
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, r->now - 30 * 86400);
    entity_visibility_bind(en, r->user, st, 2);
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *o = json_pack("{s:I, s:I, s:s?, s:s, s:s, s:s, s:s, s:b}", "id", (json_int_t)db_col_int64(st, 0),
                              "version", (json_int_t)db_col_int64(st, 1), "number", db_col_text(st, 2), "title",
                              db_col_text(st, 3), "state", db_col_text(st, 4), "severity", db_col_text(st, 5),
                              "feedback_kind", db_col_text(st, 6), "is_repeat", db_col_int64(st, 7) != 0);
        static const char *const ints[] = {"customer_id", "received_at", "due_at"};
        static const int cols[] = {8, 9, 10};
        for (int i = 0; i < 3; i++)
            json_object_set_new(o, ints[i],
                                db_col_null(st, cols[i]) ? json_null() : json_integer(db_col_int64(st, cols[i])));
        json_object_set_new(o, "clock", db_col_null(st, 11) ? json_null() : json_string(db_col_text(st, 11)));
        json_array_append_new(items, o);
    }
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    return reply_json(r, 200, json_pack("{s:o, s:I}", "items", items, "now", (json_int_t)r->now));
}

static const LinkKind complaint_links[] = {
    {"repeats", "complaints", "complaints", "重复投诉自", "重複投訴自", "Repeats", "被重复投诉", "被重複投訴",
     "Repeated by"},
};

void complaints_register(void) {
    entity_register(&complaints_entity);
    settings_declare(complaint_settings, (int)(sizeof complaint_settings / sizeof complaint_settings[0]));
    link_kinds_declare(complaint_links, 1);
    static const Route routes[] = {
        {"GET", "/api/v1/complaints/board", complaint_board, 0, 0, "The complaint board with deadlines", "service"},
    };
    routes_add(routes, 1);
    complaints_public_register();
}

/* ---------------------------------------------------------------- demo */

/* One demo complaint: created as the service specialist and moved along the workflow to `to`
   through the core (state changes with their clocks, the approval signed by the manager). */
typedef struct DemoCase {
    const char *title, *content, *kind, *channel, *severity, *cause, *to;
    int customer;  /* which of the first demo customers */
    bool on_order; /* on the demo's shipped order and its batch, when there is one */
} DemoCase;

/* The demo's shipped order: a complaint on it names the order and the batch it carried. */
typedef struct DemoOrder {
    int64_t id, customer;
    const char *lot;
} DemoOrder;

static int demo_case(Req *r, User *cs, User *leader, User *gm, int64_t cust, int64_t prod, const DemoOrder *order,
                     const DemoCase *d, Err *e) {
    if (order) cust = order->customer;
    /* the customer's rep records it (the customer is theirs to see), customer service takes it over */
    Stmt *st = db_prepare(r->db, "SELECT owner_id FROM customers WHERE id = ?1");
    int64_t rep = 0;
    if (st) {
        db_bind_int64(st, 1, cust);
        if (db_step(st) == DB_ROW) rep = db_col_int64(st, 0);
        db_done(st);
    }
    User *taker = NULL;
    if (!rep || auth_user_by_id(r->db, r->a, rep, &taker) < 1) return err_set(e, 500, EC_INTERNAL, NULL, "rep");
    r->user = cs;
    json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:s}", "title", d->title, "content", d->content, "feedback_kind",
                           d->kind, "channel", d->channel, "severity", d->severity);
    static const char *const path[] = {
        "received",          "acknowledged",       "investigating", "solution_review", "solution_approved",
        "solution_proposed", "customer_confirmed", "closed",        "reopened"};
    int stage = 0;
    while (stage < 8 && strcmp(path[stage], d->to))
        stage++;
    if (stage == 0) {
        json_object_set_new(in, "reporter_name", json_string("吴先生"));
        json_object_set_new(in, "reporter_company", json_string("常州华光电器有限公司"));
        json_object_set_new(in, "reporter_phone", json_string("0519 8666 2301"));
    } else {
        json_object_set_new(in, "customer_id", json_integer(cust));
        json_object_set_new(in, "product_id", json_integer(prod));
        json_object_set_new(in, "batch_no", json_string(order ? order->lot : "B2611-0386"));
        if (order) json_object_set_new(in, "order_id", json_integer(order->id));
    }
    if (stage >= 2) /* investigated: the departments concerned and what they found */
        json_object_set_new(in, "departments",
                            json_pack("[{s:s, s:s}, {s:s, s:s, s:s}]", "department", "quality", "task", "检验返回样品",
                                      "department", "production", "task", "追查批次生产记录", "finding",
                                      "该批次密封件来料检验记录不全"));
    if (stage >= 3) { /* a solution: the cause, the answer and the claim (a repeat is flagged here) */
        json_t *more = json_pack("{s:s, s:s, s:s, s:s, s:[{s:s, s:I, s:s}]}", "root_cause_category", d->cause,
                                 "root_cause", "密封件供应商更换材料未通知，来料检验未覆盖", "solution",
                                 "更换同批次全部密封件，补偿停机损失；供应商纳入重点监控", "customer_reply",
                                 "经调查为密封件批次问题，我们将免费更换并补偿停机损失，给您带来不便深表歉意。",
                                 "claims", "kind", "claim", "amount", (json_int_t)280000, "note", "停机损失补偿");
        json_object_update(in, more);
        json_decref(more);
    }
    int64_t id;
    if (stage > 0) r->user = taker;
    int rc = entity_create_row(r, &complaints_entity, in, &id, e);
    json_decref(in);
    if (rc == 0 && stage > 0) rc = entity_set_owner(r, &complaints_entity, id, cs->id, cs->org_unit_id, "assign", e);
    r->user = cs;
    if (rc < 0) return -1;
    json_t *rec = entity_load(r, &complaints_entity, id, e);
    for (int i = 1; rec && rc == 0 && i <= stage; i++) {
        const char *to = path[i];
        json_t *vals = NULL;
        if (!strcmp(to, "acknowledged"))
            vals = json_pack("{s:s}", "customer_message", "您的反馈已受理，客服专员将在一个工作日内与您联系。");
        else if (!strcmp(to, "customer_confirmed"))
            vals =
                json_pack("{s:s, s:s}", "customer_satisfaction", "satisfied", "satisfaction_note", "处理及时，态度好");
        if (vals) {
            r->user = cs;
            rc = entity_update_fields(r, &complaints_entity, rec, vals, to, e);
            json_decref(vals);
        }
        if (rc == 0 && !strcmp(to, "solution_proposed")) rc = complaint_send(r, &complaints_entity, rec, e);
        if (rc == 0 && !strcmp(to, "solution_approved")) {
            r->user = strcmp(d->severity, "major") ? leader : gm;
            rc = flow_sign(r, &complaints_entity, rec, true, NULL, e);
        } else if (rc == 0) {
            r->user = cs;
            rc = flow_set_state(r, &complaints_entity, rec, to, e);
            if (rc == 0 && !strcmp(to, "solution_review"))
                rc = flow_open_round(r, &complaints_entity, rec, &solution_approval, e);
        }
    }
    if (!rec) rc = -1;
    json_decref(rec);
    r->user = NULL;
    return rc;
}

/* See complaints.h. */
User *complaints_demo_user(Req *r, const char *name) {
    int64_t id = demo_user_named(r->db, name);
    User *u = NULL;
    if (id <= 0 || auth_user_by_id(r->db, r->a, id, &u) < 1) u = NULL;
    if (u) u->locale = "zh-CN";
    return u;
}

int complaints_demo(Db *db, int64_t now, char *err, size_t errlen) {
    Req r;
    job_req_init(&r, db, now);
    User *cs = complaints_demo_user(&r, "he.ping"), *leader = complaints_demo_user(&r, "ma.lan"),
         *gm = complaints_demo_user(&r, "zhou.jianguo");
    int64_t cust[3] = {0}, prod = 0;
    int n = 0, rc = DB_ERROR;
    Stmt *st = db_prepare(db, "SELECT id FROM customers WHERE owner_id IS NOT NULL AND deleted_at IS NULL"
                              " ORDER BY id LIMIT 3");
    while (st && (rc = db_step(st)) == DB_ROW)
        cust[n++] = db_col_int64(st, 0);
    db_done(st);
    if (rc == DB_DONE) {
        st = db_prepare(db, "SELECT min(id) FROM products WHERE deleted_at IS NULL");
        rc = st && db_step(st) == DB_ROW ? DB_DONE : DB_ERROR;
        if (rc == DB_DONE) prod = db_col_int64(st, 0);
        db_done(st);
    }
    DemoOrder shipped = {0};
    if (rc == DB_DONE) { /* orders_demo ran first: its shipped order, if any */
        st = db_prepare(db, "SELECT s.order_id, o.customer_id, l.lot_no FROM order_shipment_lines l"
                            " JOIN order_shipments s ON s.id = l.parent_id JOIN orders o ON o.id = s.order_id"
                            " WHERE s.deleted_at IS NULL ORDER BY s.id, l.idx LIMIT 1");
        rc = st ? db_step(st) : DB_ERROR;
        if (rc == DB_ROW) {
            shipped = (DemoOrder){db_col_int64(st, 0), db_col_int64(st, 1), arena_strdup(r.a, db_col_text(st, 2))};
            rc = DB_DONE;
        }
        db_done(st);
    }
    if (rc != DB_DONE || !cs || !leader || !gm || n < 3 || !prod) {
        snprintf(err, errlen, "demo complaints: %s", rc != DB_DONE ? db_errmsg(db) : "users or customers missing");
        job_req_done(&r);
        return -1;
    }
    static const DemoCase cases[] = {
        {"网上反映：变频器运行中频繁报过流故障", "新购 15kW 变频器运行半小时即报 OC 故障，影响生产。", "complaint",
         "public_form", "normal", "product_quality", "received", 0},
        {"送货单与实物型号不符", "到货的伺服电机型号为 SL-S04，订单为 SL-S10。", "complaint", "phone", "normal",
         "delivery", "acknowledged", 1},
        {"工程师上门不准时", "约定上午九点到场，十一点才到。", "grumble", "visit", "minor", "service", "investigating",
         2},
        {"控制柜批量渗水", "雨季三面变频控制柜柜门密封失效渗水，造成停产。", "complaint", "email", "major",
         "product_quality", "solution_review", 0},
        {"发票抬头错误", "增值税发票抬头少了“有限”二字，无法入账。", "complaint", "phone", "minor", "price_billing",
         "solution_approved", 1},
        {"说明书缺少接线图", "随机说明书中没有 PLC 扩展模块接线图。", "complaint", "email", "normal", "documentation",
         "solution_proposed", 2},
        {"减速机异响", "精密减速机运行两个月后出现异响。", "complaint", "visit", "normal", "product_quality",
         "customer_confirmed", 0, true},
        {"触摸屏界面建议增加中文报警说明", "希望报警画面能显示中文处理建议。", "suggestion", "survey", "minor", "other",
         "closed", 1},
        {"减速机再次异响", "更换后的减速机又出现同样异响。", "complaint", "phone", "normal", "product_quality",
         "reopened", 0, true},
    };
    Err e = {0};
    rc = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0] && rc == 0; i++)
        rc = demo_case(&r, cs, leader, gm, cust[cases[i].customer], prod,
                       cases[i].on_order && shipped.id ? &shipped : NULL, &cases[i], &e);
    if (rc < 0) snprintf(err, errlen, "demo complaints: %s %s", e.code ? e.code : "", e.detail);
    job_req_done(&r);
    return rc;
}
