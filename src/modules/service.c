/*
** service.c — after-sales service (售后服务, R-SVC-1..2) and the service communication log
** (R-CMP-2). Service tickets of six kinds with response and resolution deadlines from the
** settings (working time, the company calendar), assignment to service staff (the assignee must
** hold cs_specialist, and pass the qualification check the team issue installs), on-site records
** as lines, the customer's sign-off, and monthly counts per person; the yearly service plan and
** major service campaigns approved by the GM; every call and letter in and out with its handling
** and result.
*/
#include <stdlib.h>
#include <string.h>

#include "../core/errcodes.h"
#include "../flow/flow.h"
#include "../model/calendar.h"
#include "../model/model.h"
#include "../model/settings.h"
#include "complaints.h"
#include "modules.h"
#include "service.h"

#define SVC_WRITE (RB(CS_SPECIALIST) | RB(SALES_REP) | ROLES_MANAGING | RB(TECH))
#define SVC_ACT (RB(CS_SPECIALIST) | ROLES_MANAGING)

static ServiceQualificationCheck qualification_check;

void service_qualification_hook(ServiceQualificationCheck fn) { qualification_check = fn; }

static const EnumVal ticket_kinds[] = {
    {"installation", "安装调试", "安裝調試", "Installation and commissioning"},
    {"training", "培训", "培訓", "Training"},
    {"consultation", "技术咨询", "技術諮詢", "Technical consultation"},
    {"repair", "维修", "維修", "Repair"},
    {"onsite_support", "现场支持", "現場支援", "On-site support"},
    {"spare_parts", "备品备件", "備品備件", "Spare parts"},
    {NULL},
};
static const EnumVal ticket_channels[] = {
    {"phone", "电话", "電話", "Phone"},
    {"visit", "拜访", "拜訪", "Visit"},
    {"email", "邮件/信函", "郵件/信函", "E-mail or letter"},
    {"public_form", "网上表单", "網上表單", "Public form"},
    {"other", "其他", "其他", "Other"},
    {NULL},
};

static const Field visit_fields[] = {
    {"visit_date", FT_DATE, F_REQUIRED, 0, 0, NULL, NULL, NULL, "服务日期", "服務日期", "Date"},
    {"engineer_id", FT_REF, F_REF_KEEP, 0, 0, NULL, "users", NULL, "服务工程师", "服務工程師", "Engineer"},
    {"arrived_at", FT_DATETIME, 0, 0, 0, NULL, NULL, NULL, "到达时间", "到達時間", "Arrived"},
    {"left_at", FT_DATETIME, 0, 0, 0, NULL, NULL, NULL, "离开时间", "離開時間", "Left"},
    {"work_done", FT_LONGTEXT, F_REQUIRED, 1, 4000, NULL, NULL, NULL, "服务内容", "服務內容", "Work done"},
    {"parts_used", FT_TEXT, 0, 0, 500, NULL, NULL, NULL, "使用备件", "使用備件", "Parts used"},
    {NULL},
};
static const Child ticket_children[] = {
    {"visits", "service_visits", "现场服务记录", "現場服務記錄", "On-site records", visit_fields, NULL, 0, 100},
    {NULL},
};

static const Field ticket_fields[] = {
    {"number", FT_TEXT, F_READONLY | F_LIST | F_SEARCH | F_SORT, 0, 0, NULL, NULL, NULL, "服务单号", "服務單號",
     "Number", .group = "request"},
    {"kind", FT_ENUM, F_REQUIRED | F_LIST | F_FILTER, 0, 0, ticket_kinds, NULL, NULL, "服务类型", "服務類型", "Kind",
     .group = "request"},
    {"channel", FT_ENUM, F_CREATE_ONLY | F_FILTER | F_NOINDEX, 0, 0, ticket_channels, NULL, "phone", "来源渠道",
     "來源管道", "Channel", .group = "request"},
    {"title", FT_TEXT, F_REQUIRED | F_LIST | F_SEARCH, 1, 200, NULL, NULL, NULL, "主题", "主題", "Subject",
     .group = "request"},
    {"content", FT_LONGTEXT, 0, 0, 8000, NULL, NULL, NULL, "需求描述", "需求描述", "Description", .group = "request"},
    {"customer_id", FT_REF, F_LIST | F_FILTER | F_REF_KEEP, 0, 0, NULL, "customers", NULL, "客户", "客戶", "Customer",
     .group = "customer"},
    {"contact_id", FT_REF, F_FILTER | F_REF_KEEP, 0, 0, NULL, "contacts", NULL, "联系人", "聯絡人", "Contact",
     .group = "customer"},
    {"reporter_name", FT_TEXT, F_SEARCH, 0, 100, NULL, NULL, NULL, "报修人", "報修人", "Requested by",
     .group = "customer"},
    {"reporter_company", FT_TEXT, F_SEARCH, 0, 200, NULL, NULL, NULL, "报修单位", "報修單位", "Company",
     .group = "customer"},
    {"reporter_phone", FT_PHONE, 0, 0, 40, NULL, NULL, NULL, "联系电话", "聯絡電話", "Phone", .group = "customer"},
    {"reporter_email", FT_EMAIL, 0, 0, 200, NULL, NULL, NULL, "电子邮箱", "電子郵件", "E-mail", .group = "customer"},
    {"customer_locale", FT_ENUM, 0, 0, 0, complaint_locales, NULL, "zh-CN", "客户语言", "客戶語言",
     "Customer's language", .group = "customer"},
    {"product_id", FT_REF, F_FILTER | F_REF_KEEP, 0, 0, NULL, "products", NULL, "产品", "產品", "Product",
     .group = "customer"},
    /* an order the recorder sees: customer service reads every order (orders.c read_all_roles) */
    {"order_id", FT_REF, F_FILTER | F_REF_KEEP, 0, 0, NULL, "orders", NULL, "订单", "訂單", "Order",
     .group = "customer"},
    {"complaint_id", FT_REF, F_FILTER | F_REF_KEEP, 0, 0, NULL, "complaints", NULL, "相关投诉", "相關投訴", "Complaint",
     .group = "customer"},
    {"assignee_id", FT_REF, F_READONLY | F_LIST | F_FILTER | F_REF_KEEP, 0, 0, NULL, "users", NULL, "服务人员",
     "服務人員", "Assigned to", .group = "work"},
    {"resolution", FT_LONGTEXT, 0, 0, 4000, NULL, NULL, NULL, "处理结果", "處理結果", "Resolution", .group = "work"},
    {"customer_message", FT_LONGTEXT, F_READONLY, 0, 4000, NULL, NULL, NULL, "已告知客户", "已告知客戶",
     "Told the customer", .group = "work"},
    {"resolved_at", FT_DATETIME, F_READONLY | F_SORT | F_FILTER, 0, 0, NULL, NULL, NULL, "解决时间", "解決時間",
     "Resolved at", .group = "work"},
    {"signed_off_by", FT_TEXT, F_READONLY, 0, 100, NULL, NULL, NULL, "客户签收人", "客戶簽收人", "Signed off by",
     .group = "signoff"},
    {"signed_off_at", FT_DATETIME, F_READONLY, 0, 0, NULL, NULL, NULL, "签收时间", "簽收時間", "Signed off at",
     .group = "signoff"},
    {"customer_rating", FT_ENUM, F_READONLY, 0, 0, complaint_satisfaction, NULL, NULL, "客户评价", "客戶評價",
     "Customer's rating", .group = "signoff"},
    {"sign_off_note", FT_LONGTEXT, F_READONLY, 0, 2000, NULL, NULL, NULL, "签收意见", "簽收意見", "Sign-off note",
     .group = "signoff"},
    {NULL},
};
static const FieldGroup ticket_groups[] = {
    {"request", "服务需求", "服務需求", "Request"},
    {"customer", "客户与产品", "客戶與產品", "Customer and product"},
    {"work", "处理", "處理", "Work"},
    {"signoff", "客户签收", "客戶簽收", "Customer sign-off"},
    {NULL},
};

static const Setting service_settings[] = {
    {"service.response_hours", ST_INT, "4", 1, 240, "服务单响应时限（工作小时）", "服務單響應時限（工作小時）",
     "Respond to a service ticket within (working hours)"},
    {"service.resolution_days", ST_INT, "3", 1, 120, "服务单解决时限（工作日）", "服務單解決時限（工作日）",
     "Resolve a service ticket within (working days)"},
};

/* ---------------------------------------------------------------- tickets */

/* before_save: the contact and the order are the customer's (a ticket without one takes the order's). */
static int ticket_check(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    (void)en;
    return complaints_contact_check(r, rec, e) < 0 || complaints_order_check(r, rec, old, e) < 0 ? -1 : 0;
}

/* assign: the assignee must be a live user holding cs_specialist, then pass the team's check. */
static int ticket_assign_guard(Req *r, const Entity *en, json_t *rec, Err *e) {
    (void)en;
    int64_t uid = flow_rec_int(rec, "assignee_id");
    User *u = NULL;
    int rc = auth_user_by_id(r->db, r->a, uid, &u);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (!rc || !(u->roles & RB(CS_SPECIALIST)))
        return err_set(e, 400, EC_SVC_UNQUALIFIED, "assignee_id", "%s", role_info[ROLE_CS_SPECIALIST].id);
    if (qualification_check && qualification_check(r, uid, flow_rec_str(rec, "kind"), e) < 0) {
        if (!e->status) err_set(e, 400, EC_SVC_UNQUALIFIED, "assignee_id", "%s", flow_rec_str(rec, "kind"));
        return -1;
    }
    return 0;
}

/* assign: the ticket goes to the assignee (the owner: their work, their counts). */
static int ticket_assigned(Req *r, const Entity *en, json_t *rec, Err *e) {
    return entity_set_owner(r, en, flow_rec_int(rec, "id"), flow_rec_int(rec, "assignee_id"), 0, "assign", e);
}

/* resolve / sign off: stamped. */
static int ticket_stamp(Req *r, const Entity *en, json_t *rec, const char *field, Err *e) {
    json_t *vals = json_pack("{s:I}", field, (json_int_t)r->now);
    int rc = entity_update_fields(r, en, rec, vals, flow_rec_str(rec, "_action"), e);
    json_decref(vals);
    return rc;
}
static int ticket_resolved(Req *r, const Entity *en, json_t *rec, Err *e) {
    return ticket_stamp(r, en, rec, "resolved_at", e);
}
static int ticket_signed(Req *r, const Entity *en, json_t *rec, Err *e) {
    return ticket_stamp(r, en, rec, "signed_off_at", e);
}

static const EnumVal ticket_states[] = {
    {"open", "待分派", "待分派", "Open"},
    {"assigned", "已分派", "已分派", "Assigned"},
    {"in_progress", "处理中", "處理中", "In progress"},
    {"resolved", "已解决", "已解決", "Resolved"},
    {"signed_off", "客户已签收", "客戶已簽收", "Signed off"},
    {"cancelled", "已取消", "已取消", "Cancelled"},
    {NULL},
};
static const Transition ticket_transitions[] = {
    {"assign", "open assigned", "assigned", SVC_ACT, 0, ticket_assign_guard, ticket_assigned, NULL, "分派", "分派",
     "Assign", .inputs = "assignee_id", .requires = "assignee_id"},
    {"start", "assigned", "in_progress", SVC_ACT, T_OWNER, NULL, NULL, NULL, "开始处理", "開始處理", "Start"},
    {"resolve", "in_progress", "resolved", SVC_ACT, T_OWNER, NULL, ticket_resolved, NULL, "处理完成", "處理完成",
     "Resolve", .inputs = "resolution customer_message", .requires = "resolution"},
    {"reopen", "resolved", "in_progress", SVC_ACT, T_OWNER | T_COMMENT, NULL, NULL, NULL, "重新处理", "重新處理",
     "Reopen"},
    {"sign_off", "resolved", "signed_off", SVC_ACT, T_OWNER, NULL, ticket_signed, NULL, "客户签收", "客戶簽收",
     "Customer sign-off", .inputs = "signed_off_by customer_rating sign_off_note",
     .requires = "signed_off_by customer_rating"},
    {"cancel", "open assigned", "cancelled", SVC_ACT, T_OWNER | T_COMMENT, NULL, NULL, NULL, "取消", "取消", "Cancel"},
    {NULL},
};
static const Deadline ticket_deadlines[] = {
    {"response", "open assigned", NULL, 4, DU_HOURS, .working = true, .setting = "service.response_hours",
     .zh = "响应时限", .tw = "響應時限", .en = "Response"},
    {"resolution", "open assigned in_progress", NULL, 3, DU_DAYS, .working = true, .setting = "service.resolution_days",
     .escalate_after = 1, .zh = "解决时限", .tw = "解決時限", .en = "Resolution"},
    {NULL},
};
static const Workflow ticket_flow = {
    .initial = "open",
    .states = ticket_states,
    .final_states = "signed_off cancelled",
    .transitions = ticket_transitions,
    .editable_states = "open assigned in_progress resolved",
    .deadlines = ticket_deadlines,
};
static const PublicPurpose ticket_purposes[] = {
    {"status", "服务进度", "服務進度", "Service request status", 365, false,
     "number title kind state customer_message resolved_at", NULL, NULL},
    {NULL},
};
static const Entity tickets_entity = {
    .name = "service_tickets",
    .table = "service_tickets",
    .zh = "服务单",
    .tw = "服務單",
    .en = "Service tickets",
    .fields = ticket_fields,
    .vis = VIS_OWNER,
    .write_roles = SVC_WRITE,
    .default_sort = "-created_at",
    .title_field = "title",
    .flow = &ticket_flow,
    .before_save = ticket_check,
    .tag = "service",
    .number_prefix = "SV",
    .children = ticket_children,
    .groups = ticket_groups,
    .attachments = true,
    .public_purposes = ticket_purposes,
};

/*
** GET /api/v1/service_tickets/monthly?month=YYYY-MM    readers of service tickets
** The month's work per person over the tickets the user sees (R-SVC-1): tickets resolved
** (resolved_at in the month, company time zone) and on-site records dated in it.
** 200 {"month","items":[{"user_id","name","resolved","onsite"}]} by name | 400 field.format (month)
*/
static int monthly_counts(Req *r, Err *e) {
    if (!entity_can_read(&tickets_entity, r->user)) return err_set(e, 403, EC_FORBIDDEN, NULL, NULL);
    const char *m = req_query(r, "month");
    bool shape = m && strlen(m) == 7 && m[4] == '-';
    for (int i = 0; shape && i < 7; i++)
        shape = i == 4 || (m[i] >= '0' && m[i] <= '9');
    int y = shape ? atoi(m) : 0, mo = shape ? atoi(m + 5) : 0;
    if (y < 2000 || mo < 1 || mo > 12) return err_set(e, 400, EC_FORMAT, "month", "YYYY-MM");
    char first[32], next[32];
    snprintf(first, sizeof first, "%04d-%02d-01", y, mo);
    snprintf(next, sizeof next, "%04d-%02d-01", mo == 12 ? y + 1 : y, mo == 12 ? 1 : mo + 1);
    int tz = company_tz(r);
    int64_t from = epoch_of_date(y, mo, 1, tz), to = epoch_of_date(mo == 12 ? y + 1 : y, mo == 12 ? 1 : mo + 1, 1, tz);
    Buf sql;
    buf_init(&sql, r->a);
    buf_puts(&sql, "SELECT w.uid, u.display_name, SUM(w.resolved), SUM(w.onsite) FROM (\n"
                   " SELECT t.assignee_id AS uid, 1 AS resolved, 0 AS onsite FROM service_tickets t\n"
                   "  WHERE t.deleted_at IS NULL AND t.assignee_id IS NOT NULL AND t.resolved_at >= ?1"
                   " AND t.resolved_at < ?2 AND ");
    int n = entity_visibility_sql(&tickets_entity, r->user, &sql, 5);
    buf_puts(&sql, "\n UNION ALL\n SELECT v.engineer_id, 0, 1 FROM service_visits v JOIN service_tickets t"
                   " ON t.id = v.parent_id\n  WHERE t.deleted_at IS NULL AND v.engineer_id IS NOT NULL"
                   " AND v.visit_date >= ?3 AND v.visit_date < ?4 AND ");
    entity_visibility_sql(&tickets_entity, r->user, &sql, 5 + n);
    buf_puts(&sql, ") w JOIN users u ON u.id = w.uid GROUP BY w.uid, u.display_name ORDER BY u.display_name, w.uid");
    Stmt *st = db_prepare(r->db, sql.p);
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, from);
    db_bind_int64(st, 2, to);
    db_bind_text(st, 3, first, -1);
    db_bind_text(st, 4, next, -1);
    entity_visibility_bind(&tickets_entity, r->user, st, 5);
    entity_visibility_bind(&tickets_entity, r->user, st, 5 + n);
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(items, json_pack("{s:I, s:s, s:I, s:I}", "user_id", (json_int_t)db_col_int64(st, 0),
                                               "name", db_col_text(st, 1), "resolved", (json_int_t)db_col_int64(st, 2),
                                               "onsite", (json_int_t)db_col_int64(st, 3)));
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    return reply_json(r, 200, json_pack("{s:s, s:o}", "month", m, "items", items));
}

/* ---------------------------------------------------------------- plans and campaigns (R-SVC-2) */

static const EnumVal plan_kinds[] = {
    {"yearly_plan", "年度售后服务计划", "年度售後服務計畫", "Yearly service plan"},
    {"campaign", "重大服务活动", "重大服務活動", "Major service campaign"},
    {NULL},
};
static const Field plan_fields[] = {
    {"number", FT_TEXT, F_READONLY | F_LIST | F_SORT | F_NOINDEX, 0, 0, NULL, NULL, NULL, "编号", "編號", "Number"},
    {"kind", FT_ENUM, F_REQUIRED | F_LIST | F_FILTER | F_NOINDEX, 0, 0, plan_kinds, NULL, NULL, "类型", "類型", "Kind"},
    {"year", FT_INT, F_REQUIRED | F_LIST | F_FILTER | F_SORT, 2000, 2100, NULL, NULL, NULL, "年度", "年度", "Year"},
    {"title", FT_TEXT, F_REQUIRED | F_LIST | F_SEARCH, 1, 200, NULL, NULL, NULL, "名称", "名稱", "Title"},
    {"scope", FT_TEXT, 0, 0, 500, NULL, NULL, NULL, "范围（区域、客户、产品）", "範圍（區域、客戶、產品）",
     "Scope (regions, customers, products)"},
    {"content", FT_LONGTEXT, F_REQUIRED, 1, 8000, NULL, NULL, NULL, "内容与措施", "內容與措施", "Content and measures"},
    {"start_date", FT_DATE, F_LIST, 0, 0, NULL, NULL, NULL, "开始日期", "開始日期", "Start"},
    {"end_date", FT_DATE, 0, 0, 0, NULL, NULL, NULL, "结束日期", "結束日期", "End"},
    {"budget", FT_MONEY, F_LIST, 0, 100000000000, NULL, NULL, NULL, "预算", "預算", "Budget"},
    {NULL},
};
static const EnumVal plan_states[] = {
    {"draft", "草稿", "草稿", "Draft"},
    {"pending_approval", "审批中", "審批中", "Pending approval"},
    {"approved", "已批准", "已核准", "Approved"},
    {"rejected", "已驳回", "已駁回", "Rejected"},
    {NULL},
};
static const ApprovalStep plan_steps[] = {
    {"gm", RB(GM), SCOPE_ANY, 72, "总经理审批", "總經理審批", "General manager"},
    {NULL},
};
static const Approval plan_approval = {plan_steps, "approved", "rejected"};
static const Transition plan_transitions[] = {
    {"submit", "draft rejected", "pending_approval", 0, T_OWNER, NULL, NULL, &plan_approval, "提交审批", "提交審批",
     "Submit"},
    {NULL},
};
static const Workflow plan_flow = {
    .initial = "draft",
    .states = plan_states,
    .final_states = "approved",
    .transitions = plan_transitions,
    .editable_states = "draft rejected",
};
static const Entity plans_entity = {
    .name = "service_plans",
    .table = "service_plans",
    .zh = "服务计划与活动",
    .tw = "服務計畫與活動",
    .en = "Service plans and campaigns",
    .fields = plan_fields,
    .vis = VIS_OWNER,
    .write_roles = RB(CS_SPECIALIST) | ROLES_MANAGING,
    .default_sort = "-year",
    .title_field = "title",
    .flow = &plan_flow,
    .tag = "service",
    .number_prefix = "SP",
    .attachments = true,
    .few_rows = true,
};

/* ---------------------------------------------------------------- communication log */

static const EnumVal directions[] = {
    {"in", "来电/来函", "來電/來函", "Incoming"},
    {"out", "去电/去函", "去電/去函", "Outgoing"},
    {NULL},
};
static const EnumVal media[] = {
    {"phone", "电话", "電話", "Phone"},
    {"letter", "信函", "信函", "Letter"},
    {"email", "电子邮件", "電子郵件", "E-mail"},
    {"fax", "传真", "傳真", "Fax"},
    {"visit", "来访", "來訪", "Visit"},
    {"message", "即时消息", "即時訊息", "Message"},
    {NULL},
};
static const Field comm_fields[] = {
    {"occurred_at", FT_DATETIME, F_REQUIRED | F_LIST | F_SORT, 0, 0, NULL, NULL, NULL, "时间", "時間", "When"},
    {"direction", FT_ENUM, F_REQUIRED | F_LIST | F_FILTER, 0, 0, directions, NULL, NULL, "方向", "方向", "Direction"},
    {"medium", FT_ENUM, F_REQUIRED | F_LIST | F_FILTER | F_NOINDEX, 0, 0, media, NULL, NULL, "方式", "方式", "Medium"},
    {"customer_id", FT_REF, F_LIST | F_FILTER | F_REF_KEEP, 0, 0, NULL, "customers", NULL, "客户", "客戶", "Customer"},
    {"contact_id", FT_REF, F_REF_KEEP, 0, 0, NULL, "contacts", NULL, "联系人", "聯絡人", "Contact"},
    {"counterpart", FT_TEXT, F_SEARCH, 0, 200, NULL, NULL, NULL, "对方", "對方", "Counterpart"},
    {"complaint_id", FT_REF, F_FILTER | F_REF_KEEP, 0, 0, NULL, "complaints", NULL, "相关投诉", "相關投訴",
     "Complaint"},
    {"ticket_id", FT_REF, F_FILTER | F_REF_KEEP, 0, 0, NULL, "service_tickets", NULL, "相关服务单", "相關服務單",
     "Service ticket"},
    {"subject", FT_TEXT, F_REQUIRED | F_LIST | F_SEARCH, 1, 200, NULL, NULL, NULL, "事由", "事由", "Subject"},
    {"content", FT_LONGTEXT, 0, 0, 8000, NULL, NULL, NULL, "内容", "內容", "Content"},
    {"handling", FT_LONGTEXT, 0, 0, 4000, NULL, NULL, NULL, "处理情况", "處理情況", "Handling"},
    {"result", FT_LONGTEXT, F_LIST, 0, 4000, NULL, NULL, NULL, "结果", "結果", "Result"},
    {NULL},
};
/* a record of a call: it happened, so not in the future; the contact is the customer's */
static int comm_check(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    (void)en;
    (void)old;
    if (flow_rec_int(rec, "occurred_at") > r->now + 300) return err_set(e, 400, EC_RANGE, "occurred_at", "<= now");
    return complaints_contact_check(r, rec, e);
}
static const Entity comms_entity = {
    .name = "service_communications",
    .table = "service_communications",
    .zh = "服务沟通记录",
    .tw = "服務溝通記錄",
    .en = "Service communication log",
    .fields = comm_fields,
    .vis = VIS_OWNER,
    .write_roles = SVC_WRITE,
    .default_sort = "-occurred_at",
    .title_field = "subject",
    .before_save = comm_check,
    .tag = "service",
    .attachments = true,
};

void service_register(void) {
    static const Route routes[] = {
        {"GET", "/api/v1/service_tickets/monthly", monthly_counts, 0, 0, "Service work per person in a month",
         "service"},
    };
    entity_register(&tickets_entity);
    entity_register(&plans_entity);
    entity_register(&comms_entity);
    settings_declare(service_settings, (int)(sizeof service_settings / sizeof service_settings[0]));
    routes_add(routes, 1);
}

/* ---------------------------------------------------------------- demo */

/* Tickets in every state, a yearly plan waiting for the GM, an approved campaign, and calls. */
int service_demo(Db *db, int64_t now, char *err, size_t errlen) {
    Req r;
    job_req_init(&r, db, now);
    User *cs = complaints_demo_user(&r, "he.ping"), *lead = complaints_demo_user(&r, "ma.lan");
    /* the customer's rep takes the call (the customer is theirs to see), customer service the work */
    int64_t cust = 0, rep_id = 0;
    Stmt *st = db_prepare(db, "SELECT id, owner_id FROM customers WHERE owner_id IS NOT NULL AND deleted_at IS NULL"
                              " ORDER BY id LIMIT 1");
    int rc = st ? db_step(st) : DB_ERROR;
    if (rc == DB_ROW) {
        cust = db_col_int64(st, 0);
        rep_id = db_col_int64(st, 1);
    }
    db_done(st);
    User *rep = NULL;
    if (rep_id && auth_user_by_id(db, r.a, rep_id, &rep) < 1) rep = NULL;
    if (!cs || !lead || !cust || !rep) {
        snprintf(err, errlen, "demo service: %s", rc < 0 ? db_errmsg(db) : "users or customers missing");
        job_req_done(&r);
        return -1;
    }
    static const struct {
        const char *kind, *title, *to;
    } tickets[] = {
        {"installation", "新购变频控制柜安装调试", "open"},       {"training", "操作人员变频器使用培训", "assigned"},
        {"repair", "伺服驱动器报警 Er.22 维修", "in_progress"},   {"consultation", "PLC 与上位机通讯咨询", "resolved"},
        {"onsite_support", "产线改造现场技术支持", "signed_off"}, {"spare_parts", "散热风扇备件申领", "cancelled"},
    };
    static const char *const path[] = {"open", "assigned", "in_progress", "resolved", "signed_off"};
    Err e = {0};
    rc = 0;
    for (size_t i = 0; i < sizeof tickets / sizeof tickets[0] && rc == 0; i++) {
        r.user = rep;
        json_t *in = json_pack("{s:s, s:s, s:I, s:s}", "kind", tickets[i].kind, "title", tickets[i].title,
                               "customer_id", (json_int_t)cust, "content", "客户来电提出，需安排服务工程师跟进。");
        int64_t id;
        rc = entity_create_row(&r, &tickets_entity, in, &id, &e);
        json_decref(in);
        r.user = lead;
        if (rc == 0) rc = entity_set_owner(&r, &tickets_entity, id, lead->id, lead->org_unit_id, "assign", &e);
        json_t *rec = rc == 0 ? entity_load(&r, &tickets_entity, id, &e) : NULL;
        if (rc == 0 && !rec) rc = -1;
        if (rc == 0 && !strcmp(tickets[i].to, "cancelled"))
            rc = flow_set_state(&r, &tickets_entity, rec, "cancelled", &e);
        for (int s = 1; rc == 0 && rec && s < 5 && strcmp(flow_rec_str(rec, "state"), tickets[i].to) &&
                        strcmp(tickets[i].to, "cancelled");
             s++) {
            json_t *vals = NULL;
            if (s == 1) vals = json_pack("{s:I}", "assignee_id", (json_int_t)cs->id);
            if (s == 3)
                vals = json_pack("{s:s, s:s, s:I}", "resolution", "已远程指导客户完成处理", "customer_message",
                                 "问题已处理，如有疑问请致电客服热线。", "resolved_at", (json_int_t)now);
            if (s == 4)
                vals = json_pack("{s:s, s:s, s:I}", "signed_off_by", "王工", "customer_rating", "very_satisfied",
                                 "signed_off_at", (json_int_t)now);
            if (vals) rc = entity_update_fields(&r, &tickets_entity, rec, vals, path[s], &e);
            json_decref(vals);
            if (rc == 0) rc = flow_set_state(&r, &tickets_entity, rec, path[s], &e);
            if (rc == 0 && s == 1) {
                rc = entity_set_owner(&r, &tickets_entity, id, cs->id, 0, "assign", &e);
                json_decref(rec);
                rec = rc == 0 ? entity_load(&r, &tickets_entity, id, &e) : NULL;
                if (!rec) rc = -1;
            }
        }
        json_decref(rec);
    }
    r.user = lead;
    json_t *plan =
        json_pack("{s:s, s:i, s:s, s:s, s:I}", "kind", "yearly_plan", "year", 2027, "title", "2027 年度售后服务计划",
                  "content", "重点客户季度巡检、年度操作培训两期、备件库存优化。", "budget", (json_int_t)60000000);
    int64_t pid;
    if (rc == 0) rc = entity_create_row(&r, &plans_entity, plan, &pid, &e);
    json_decref(plan);
    json_t *prow = rc == 0 ? entity_load(&r, &plans_entity, pid, &e) : NULL;
    if (prow) {
        rc = flow_set_state(&r, &plans_entity, prow, "pending_approval", &e);
        if (rc == 0) rc = flow_open_round(&r, &plans_entity, prow, &plan_approval, &e);
        json_decref(prow);
    } else if (rc == 0) {
        rc = -1;
    }
    json_t *call = json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s}", "occurred_at", (json_int_t)(now - 7200),
                             "direction", "in", "medium", "phone", "customer_id", (json_int_t)cust, "counterpart",
                             "王工", "subject", "来电反映伺服驱动器报警", "content", "设备运行中报 Er.22，停机。",
                             "handling", "登记服务单并派工程师何平跟进", "result", "已派工");
    int64_t cid;
    r.user = rep;
    if (rc == 0) rc = entity_create_row(&r, &comms_entity, call, &cid, &e);
    if (rc == 0) rc = entity_set_owner(&r, &comms_entity, cid, cs->id, cs->org_unit_id, "assign", &e);
    json_decref(call);
    if (rc < 0) snprintf(err, errlen, "demo service: %s %s", e.code ? e.code : "", e.detail);
    r.user = NULL;
    job_req_done(&r);
    return rc;
}
