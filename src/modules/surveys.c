/*
** surveys.c — satisfaction surveys (满意度调查, R-SUR-1..3).
**
** A template holds questions — rating 1–5, single or multiple choice, free text — each rating
** question in a dimension with a weight. A run picks customers by tier, region and a delivery
** within its last N days (the customers the sender sees), and POST /survey_runs/:id/send makes one response per
*customer
** with the template's questions as they are then, and a personal public link for each
** (publink_issue: an unguessable token, expiry, single use) shown once with its path for a QR code.
** The public page accepts one answer: its hook checks every answer against its question, then
** stores the weighted score per dimension and overall; a low score (settings survey.low.*,
** R-SUR-3 defaults: overall < 3 or any dimension <= 2) opens a follow-up task for the
** customer's owner, who owns the response, and, with surveys.low_score_complaint on, a complaint
** linked to the response. GET /survey_runs/:id/results sums a run up.
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

#define SURVEY_WRITERS (RB(CS_SPECIALIST) | ROLES_MANAGING)
#define SURVEY_READERS (RB(CS_SPECIALIST) | ROLES_MANAGING | RB(SALES_REP))

static const Setting survey_settings[] = {
    {"survey.low.overall_x100", ST_INT, "300", 100, 500, "满意度调查：总分低于此值（×100）为低分",
     "滿意度調查：總分低於此值（×100）為低分", "Surveys: an overall score below this (×100) is low"},
    {"survey.low.dimension_x100", ST_INT, "200", 100, 500, "满意度调查：任一维度不高于此值（×100）为低分",
     "滿意度調查：任一維度不高於此值（×100）為低分", "Surveys: any dimension at or below this (×100) is low"},
    {"survey.link_days", ST_INT, "30", 1, 90, "满意度调查链接有效天数", "滿意度調查連結有效天數",
     "Days a survey link stays valid"},
    {"surveys.low_score_complaint", ST_BOOL, "0", 0, 0, "满意度调查低分时自动登记客户投诉",
     "滿意度調查低分時自動登記客戶投訴", "A low survey score also opens a complaint"},
};

/* ---------------------------------------------------------------- templates */

static const EnumVal kinds[] = {
    {"rating", "评分（1–5）", "評分（1–5）", "Rating (1–5)"},
    {"single", "单选", "單選", "Single choice"},
    {"multiple", "多选", "多選", "Multiple choice"},
    {"text", "文字", "文字", "Free text"},
    {NULL},
};
static const Field question_fields[] = {
    {"text", FT_TEXT, F_REQUIRED, 1, 500, NULL, NULL, NULL, "题目", "題目", "Question"},
    {"kind", FT_ENUM, F_REQUIRED, 0, 0, kinds, NULL, "rating", "题型", "題型", "Kind"},
    {"options", FT_TEXT, 0, 0, 1000, NULL, NULL, NULL, "选项（用 | 分隔）", "選項（用 | 分隔）",
     "Options (separated by |)"},
    {"dimension", FT_TEXT, 0, 0, 64, NULL, NULL, NULL, "维度", "維度", "Dimension"},
    {"weight", FT_INT, 0, 0, 100, NULL, NULL, "1", "权重", "權重", "Weight"},
    {"required", FT_BOOL, 0, 0, 0, NULL, NULL, "1", "必答", "必答", "Required"},
    {NULL},
};
static const Child template_children[] = {
    {"questions", "survey_questions", "题目", "題目", "Questions", question_fields, NULL, 1, 100},
    {NULL},
};
static const Field template_fields[] = {
    {"name", FT_TEXT, F_REQUIRED | F_LIST | F_SEARCH | F_SORT, 1, 200, NULL, NULL, NULL, "问卷名称", "問卷名稱",
     "Name"},
    {"intro", FT_LONGTEXT, 0, 0, 2000, NULL, NULL, NULL, "开场说明", "開場說明", "Introduction"},
    {NULL},
};

/* The label of a question's field for an error naming "questions[i].f". */
static int question_fail(Req *r, Err *e, const char *code, size_t i, const char *name, const char *detail) {
    err_set(e, 400, code, arena_printf(r->a, "questions[%zu].%s", i, name), "%s", detail ? detail : "");
    for (const Field *f = question_fields; f->name; f++)
        if (!strcmp(f->name, name)) e->label = field_label(r, f);
    return -1;
}

/* Number of options of a "a|b|c" list (empty entries refused: -1). */
static int options_count(const char *s) {
    if (!s || !*s) return 0;
    int n = 1;
    const char *start = s;
    for (const char *p = s;; p++)
        if (*p == '|' || !*p) {
            if (p == start) return -1;
            if (!*p) break;
            n++;
            start = p + 1;
        }
    return n;
}

/* before_save of a template: choice questions have two options or more, rating questions a
   dimension and a weight, and there is at least one rating question to score. */
static int template_check(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    (void)en, (void)old;
    size_t i;
    json_t *q;
    bool rated = false;
    json_array_foreach(json_object_get(rec, "questions"), i, q) {
        const char *kind = flow_rec_str(q, "kind");
        if (!strcmp(kind, "single") || !strcmp(kind, "multiple")) {
            if (options_count(flow_rec_str(q, "options")) < 2)
                return question_fail(r, e, EC_REQUIRED, i, "options", NULL);
        } else if (!strcmp(kind, "rating")) {
            const char *d = flow_rec_str(q, "dimension");
            if (!d || !*d) return question_fail(r, e, EC_REQUIRED, i, "dimension", NULL);
            if (flow_rec_int(q, "weight") < 1) return question_fail(r, e, EC_RANGE, i, "weight", "1..100");
            rated = true;
        }
    }
    if (!rated) return question_fail(r, e, EC_REQUIRED, 0, "kind", "rating");
    return 0;
}

static const Entity templates_entity = {
    .name = "survey_templates",
    .table = "survey_templates",
    .zh = "满意度调查问卷",
    .tw = "滿意度調查問卷",
    .en = "Survey templates",
    .fields = template_fields,
    .vis = VIS_ALL,
    .read_roles = SURVEY_READERS,
    .write_roles = SURVEY_WRITERS,
    .default_sort = "name",
    .title_field = "name",
    .before_save = template_check,
    .tag = "surveys",
    .children = template_children,
    .few_rows = true,
};

/* ---------------------------------------------------------------- responses */

static const Field response_fields[] = {
    {"run_id", FT_REF, F_REQUIRED | F_LIST | F_FILTER | F_CREATE_ONLY | F_REF_CASCADE, 0, 0, NULL, "survey_runs", NULL,
     "调查批次", "調查批次", "Survey run"},
    {"customer_id", FT_REF, F_REQUIRED | F_LIST | F_FILTER | F_CREATE_ONLY | F_REF_OWNER, 0, 0, NULL, "customers", NULL,
     "客户", "客戶", "Customer"},
    {"title", FT_TEXT, F_READONLY, 0, 0, NULL, NULL, NULL, "问卷", "問卷", "Survey"},
    {"intro", FT_LONGTEXT, F_READONLY, 0, 0, NULL, NULL, NULL, "说明", "說明", "Introduction"},
    {"questions", FT_LONGTEXT, F_READONLY, 0, 0, NULL, NULL, NULL, "题目", "題目", "Questions"},
    {"answers", FT_LONGTEXT, F_READONLY, 0, 20000, NULL, NULL, NULL, "回答", "回答", "Answers"},
    {"answered_at", FT_DATETIME, F_READONLY | F_LIST | F_SORT | F_FILTER, 0, 0, NULL, NULL, NULL, "回答时间",
     "回答時間", "Answered at"},
    {"answered_on", FT_DATE, F_READONLY, 0, 0, NULL, NULL, NULL, "回答日期", "回答日期", "Answered on"},
    {"overall_x100", FT_INT, F_READONLY | F_LIST | F_SORT | F_NOINDEX, 0, 0, NULL, NULL, NULL, "总分（×100）",
     "總分（×100）", "Overall (×100)"},
    {"dimension_scores", FT_LONGTEXT, F_READONLY, 0, 0, NULL, NULL, NULL, "维度得分（×100）", "維度得分（×100）",
     "Dimension scores (×100)"},
    {"low", FT_BOOL, F_READONLY | F_LIST | F_FILTER | F_NOINDEX, 0, 0, NULL, NULL, "0", "低分", "低分", "Low score"},
    {NULL},
};

/* One answer checked against its question (q, index i): 0, or -1 with e naming "answers[i]". */
static int answer_check(Req *r, json_t *q, size_t i, json_t *a, Err *e) {
    const char *kind = flow_rec_str(q, "kind"), *field = arena_printf(r->a, "answers[%zu]", i);
    bool absent = !a || json_is_null(a) || (json_is_string(a) && !*json_string_value(a)) ||
                  (json_is_array(a) && !json_array_size(a));
    if (absent) return json_is_true(json_object_get(q, "required")) ? err_set(e, 400, EC_REQUIRED, field, NULL) : 0;
    if (!strcmp(kind, "rating")) {
        if (!json_is_integer(a) || json_integer_value(a) < 1 || json_integer_value(a) > 5)
            return err_set(e, 400, EC_RANGE, field, "1..5");
        return 0;
    }
    if (!strcmp(kind, "text")) {
        if (!json_is_string(a) || strlen(json_string_value(a)) > 4000) return err_set(e, 400, EC_TYPE, field, "text");
        return 0;
    }
    /* a choice: each picked option is one of the question's, once */
    const char *opts = flow_rec_str(q, "options");
    json_t *picked = json_is_array(a) ? a : NULL;
    if (!strcmp(kind, "single") ? !json_is_string(a) : !picked) return err_set(e, 400, EC_TYPE, field, "%s", kind);
    size_t n = picked ? json_array_size(picked) : 1;
    for (size_t k = 0; k < n; k++) {
        json_t *v = picked ? json_array_get(picked, k) : a;
        const char *s = json_string_value(v);
        bool found = false;
        for (const char *p = opts; s && p && *p;) {
            const char *bar = strchr(p, '|');
            size_t len = bar ? (size_t)(bar - p) : strlen(p);
            if (len == strlen(s) && !strncmp(p, s, len)) found = true;
            p = bar ? bar + 1 : NULL;
        }
        for (size_t j = 0; j < k && found; j++)
            if (json_equal(json_array_get(picked, j), v)) found = false;
        if (!found) return err_set(e, 400, EC_ENUM, field, "%s", opts);
    }
    return 0;
}

/* Weighted mean × 100 of sum(rating × weight) over sum(weight), rounded. */
static int64_t weighted_x100(int64_t sum, int64_t weight) {
    int64_t q = 0;
    if (weight) money_muldiv(sum, 100, 1, weight, &q);
    return q;
}

/*
** R-SUR-3 by setting (surveys.low_score_complaint): a low score also opens a complaint on the
** customer, channel "survey", made through the core by the response's owner (the customer's rep:
** the public answer has no user), and linked to the response ("low_score"). 0, or -1 with e.
*/
static int low_score_complaint(Req *r, json_t *row, const char *customer, const char *overall, const char *dims,
                               Err *e) {
    const Entity *cmp = entity_find("complaints");
    if (!cmp) return 0; /* a build without the complaints module */
    User *owner = NULL;
    int rc = auth_user_by_id(r->db, r->a, flow_rec_int(row, "owner_id"), &owner);
    if (rc < 0) return flow_db_error(r, e, "survey owner");
    if (!rc) return 0; /* the rep is gone: the follow-up task stays the only trace */
    /* subject and content are the complaint's own text, which people edit: written in the company's
       language (zh-CN) from the messages the task uses */
    const char *title =
        msg_render(r->a, "zh-CN", msg_make(r->a, "survey.low_score", "customer", customer, "overall", overall, NULL));
    const char *content = msg_render(r->a, "zh-CN",
                                     msg_make(r->a, "survey.low_score_detail", "survey",
                                              flow_rec_str(row, "title") ? flow_rec_str(row, "title") : "", "overall",
                                              overall, "dimensions", dims, NULL));
    json_t *in = json_pack("{s:s, s:s, s:s, s:s, s:I}", "title", title, "content", content, "channel", "survey",
                           "feedback_kind", "complaint", "customer_id", (json_int_t)flow_rec_int(row, "customer_id"));
    User *was = r->user;
    r->user = owner;
    int64_t id;
    rc = entity_create_row(r, cmp, in, &id, e);
    json_decref(in);
    if (rc == 0 && link_make(r, "survey_responses", flow_rec_int(row, "id"), cmp->name, id, "low_score", NULL, e) < 0)
        rc = -1;
    r->user = was;
    return rc;
}

/* on_submit of the public survey: the answers are a JSON array, one per question; each is
   checked, then the weighted scores per dimension and overall are stored with the answers, and a
   low score opens a follow-up task for the response's owner (the customer's). */
static int response_submit(Req *r, const Entity *en, json_t *row, json_t *vals, Err *e) {
    (void)en;
    json_t *questions = json_loads(flow_rec_str(row, "questions") ? flow_rec_str(row, "questions") : "[]", 0, NULL);
    arena_defer(r->a, (void (*)(void *))json_decref, questions);
    const char *text = json_string_value(json_object_get(vals, "answers"));
    if (!text) return err_set(e, 400, EC_REQUIRED, "answers", NULL);
    json_t *answers = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    arena_defer(r->a, (void (*)(void *))json_decref, answers);
    if (!json_is_array(answers) || json_array_size(answers) != json_array_size(questions))
        return err_set(e, 400, EC_TYPE, "answers", "%zu", json_array_size(questions));
    json_t *dims = json_object(); /* dimension -> [sum of rating × weight, sum of weights] */
    arena_defer(r->a, (void (*)(void *))json_decref, dims);
    int64_t sum = 0, weight = 0;
    size_t i;
    json_t *q;
    json_array_foreach(questions, i, q) {
        json_t *a = json_array_get(answers, i);
        if (answer_check(r, q, i, a, e) < 0) return -1;
        if (strcmp(flow_rec_str(q, "kind"), "rating") || !json_is_integer(a)) continue;
        int64_t w = flow_rec_int(q, "weight"), v = json_integer_value(a) * w;
        sum += v, weight += w;
        const char *d = flow_rec_str(q, "dimension");
        json_t *acc = json_object_get(dims, d);
        if (!acc) json_object_set_new(dims, d, acc = json_pack("[I,I]", (json_int_t)0, (json_int_t)0));
        json_array_set_new(acc, 0, json_integer(json_integer_value(json_array_get(acc, 0)) + v));
        json_array_set_new(acc, 1, json_integer(json_integer_value(json_array_get(acc, 1)) + w));
    }
    int64_t overall = weighted_x100(sum, weight), low_dim = req_setting_int(r, "survey.low.dimension_x100");
    bool low = weight && overall < req_setting_int(r, "survey.low.overall_x100");
    json_t *scores = json_object();
    const char *d;
    json_t *acc;
    json_object_foreach(dims, d, acc) {
        int64_t s =
            weighted_x100(json_integer_value(json_array_get(acc, 0)), json_integer_value(json_array_get(acc, 1)));
        json_object_set_new(scores, d, json_integer(s));
        if (s <= low_dim) low = true;
    }
    char *stext = json_dumps(scores, JSON_COMPACT);
    json_decref(scores);
    json_object_set_new(vals, "dimension_scores", json_string(stext));
    const char *dims_text = arena_strdup(r->a, stext);
    free(stext);
    json_object_set_new(vals, "overall_x100", weight ? json_integer(overall) : json_null());
    json_object_set_new(vals, "answered_at", json_integer(r->now));
    char day[11];
    date_of_epoch(r->now, company_tz(r), day);
    json_object_set_new(vals, "answered_on", json_string(day));
    json_object_set_new(vals, "low", json_boolean(low));
    int64_t owner = flow_rec_int(row, "owner_id"), id = flow_rec_int(row, "id");
    if (!low || !owner) return 0;
    const char *name = "";
    Stmt *st = db_prepare(r->db, "SELECT name FROM customers WHERE id = ?1");
    if (!st) return flow_db_error(r, e, "survey customer");
    db_bind_int64(st, 1, flow_rec_int(row, "customer_id"));
    int rc = db_step(st);
    if (rc == DB_ROW) name = arena_strdup(r->a, db_col_text(st, 0));
    db_done(st);
    if (rc < 0) return flow_db_error(r, e, "survey customer");
    const char *score = arena_printf(r->a, "%lld.%02lld", (long long)overall / 100, (long long)overall % 100);
    const char *title = msg_make(r->a, "survey.low_score", "customer", name, "overall", score, NULL);
    if (task_remind(r->db, owner, "survey_low", "survey_responses", id, title, r->now + 2 * 86400,
                    arena_printf(r->a, "survey:low:%lld", (long long)id), r->now) < 0)
        return flow_db_error(r, e, "survey task");
    if (!req_setting_int(r, "surveys.low_score_complaint")) return 0;
    return low_score_complaint(r, row, name, score, dims_text, e);
}

static int template_snapshot(Req *r, int64_t id, const char **name, const char **intro, char **questions);

/* before_save of a response: on create it keeps the run's template as it is now (name,
   introduction, questions), so a later change of the template leaves a sent survey alone. */
static int response_fill(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    (void)en;
    if (old) return 0;
    Stmt *st = db_prepare(r->db, "SELECT template_id FROM survey_runs WHERE id = ?1");
    if (!st) return flow_db_error(r, e, "survey run");
    db_bind_int64(st, 1, flow_rec_int(rec, "run_id"));
    int rc = db_step(st);
    int64_t tpl = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_done(st);
    const char *name, *intro;
    char *questions;
    if (!tpl || template_snapshot(r, tpl, &name, &intro, &questions) < 0) return flow_db_error(r, e, "survey run");
    json_object_set_new(rec, "title", json_string(name));
    json_object_set_new(rec, "intro", intro ? json_string(intro) : json_null());
    json_object_set_new(rec, "questions", json_string(questions));
    return 0;
}

static const PublicPurpose response_purposes[] = {
    {"survey", "满意度调查", "滿意度調查", "Satisfaction survey", 90, true, "title intro questions", "answers",
     response_submit},
    {NULL},
};

static const Entity responses_entity = {
    .name = "survey_responses",
    .table = "survey_responses",
    .zh = "调查答卷",
    .tw = "調查答卷",
    .en = "Survey responses",
    .fields = response_fields,
    .vis = VIS_OWNER,
    .read_roles = SURVEY_READERS,
    .write_roles = SURVEY_WRITERS,
    .default_sort = "-id",
    .title_field = "title",
    .before_save = response_fill,
    .tag = "surveys",
    .public_purposes = response_purposes,
};

/* ---------------------------------------------------------------- runs */

static const EnumVal tiers[] = {
    {"important", "重要客户", "重要客戶", "Important"},
    {"key", "关键客户", "關鍵客戶", "Key"},
    {"normal", "普通客户", "普通客戶", "Normal"},
    {NULL},
};
static const Field run_fields[] = {
    {"title", FT_TEXT, F_REQUIRED | F_LIST | F_SEARCH, 1, 200, NULL, NULL, NULL, "调查名称", "調查名稱", "Title"},
    {"template_id", FT_REF, F_REQUIRED | F_LIST | F_FILTER | F_NOINDEX, 0, 0, NULL, "survey_templates", NULL, "问卷",
     "問卷", "Template"},
    {"tier", FT_ENUM, F_LIST, 0, 0, tiers, NULL, NULL, "客户等级", "客戶等級", "Customer tier"},
    /* a GB/T 2260 code: a province takes in its cities and districts */
    {"region", FT_CODE, F_LIST, 0, 0, NULL, "regions", NULL, "区域", "區域", "Region"},
    /* R-SUR-2: customers with goods shipped (or arrived) within the last N days of the send */
    {"delivered_days", FT_INT, F_LIST, 1, 365, NULL, NULL, NULL, "近期交付（天内）", "近期交付（天內）",
     "Delivered within (days)"},
    {"sent_at", FT_DATETIME, F_READONLY | F_LIST | F_SORT | F_NOINDEX, 0, 0, NULL, NULL, NULL, "发出时间", "發出時間",
     "Sent at"},
    {"sent_count", FT_INT, F_READONLY | F_LIST, 0, 0, NULL, NULL, NULL, "发出份数", "發出份數", "Sent"},
    {NULL},
};
static const EnumVal run_states[] = {
    {"draft", "草稿", "草稿", "Draft"},
    {"sent", "已发出", "已發出", "Sent"},
    {"closed", "已结束", "已結束", "Closed"},
    {NULL},
};
static const Transition run_transitions[] = {
    {"close", "sent", "closed", SURVEY_WRITERS, T_OWNER, NULL, NULL, NULL, "结束调查", "結束調查", "Close"},
    {NULL},
};
static const Workflow run_flow = {
    .initial = "draft",
    .states = run_states,
    .final_states = "closed",
    .transitions = run_transitions,
    .editable_states = "draft",
};
static const Entity runs_entity = {
    .name = "survey_runs",
    .table = "survey_runs",
    .zh = "满意度调查",
    .tw = "滿意度調查",
    .en = "Survey runs",
    .fields = run_fields,
    .vis = VIS_OWNER,
    .read_roles = SURVEY_READERS,
    .write_roles = SURVEY_WRITERS,
    .default_sort = "-id",
    .title_field = "title",
    .flow = &run_flow,
    .tag = "surveys",
    .few_rows = true,
};

/* The template's questions as the JSON text a response keeps, and its name and intro (arena).
   0, or -1 on a database error. */
static int template_snapshot(Req *r, int64_t id, const char **name, const char **intro, char **questions) {
    Stmt *st = db_prepare(r->db, "SELECT name, intro FROM survey_templates WHERE id = ?1");
    if (!st) return -1;
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *name = arena_strdup(r->a, db_col_text(st, 0));
        *intro = db_col_null(st, 1) ? NULL : arena_strdup(r->a, db_col_text(st, 1));
    }
    db_done(st);
    if (rc != DB_ROW) return -1;
    st = db_prepare(r->db, "SELECT text, kind, options, dimension, weight, required FROM survey_questions"
                           " WHERE parent_id = ?1 ORDER BY idx");
    if (!st) return -1;
    db_bind_int64(st, 1, id);
    json_t *qs = json_array();
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *q = json_pack("{s:s, s:s, s:I, s:b}", "text", db_col_text(st, 0), "kind", db_col_text(st, 1), "weight",
                              (json_int_t)db_col_int64(st, 4), "required", db_col_int64(st, 5) != 0);
        if (!db_col_null(st, 2)) json_object_set_new(q, "options", json_string(db_col_text(st, 2)));
        if (!db_col_null(st, 3)) json_object_set_new(q, "dimension", json_string(db_col_text(st, 3)));
        json_array_append_new(qs, q);
    }
    db_done(st);
    char *text = json_dumps(qs, JSON_COMPACT);
    json_decref(qs);
    *questions = arena_strdup(r->a, text);
    free(text);
    return rc < 0 ? -1 : 0;
}

/* Send the draft run: a response and a personal link for each customer the user sees that
   matches its tier, region and recent delivery, each appended to links as {"response_id","customer_id",
   "customer_name","path","expires_at"}; the run stamped and sent. 0, or -1 with e (409 flow.guard
   when no customer matches). */
static int run_deliver(Req *r, json_t *run, json_t *links, Err *e) {
    int64_t id = flow_rec_int(run, "id");
    const Entity *cust = entity_find("customers");
    const char *tier = flow_rec_str(run, "tier"), *region = flow_rec_str(run, "region");
    int64_t days_back = flow_rec_int(run, "delivered_days");
    Buf sql;
    buf_init(&sql, r->a);
    buf_puts(&sql, "SELECT t.id, t.name FROM customers t WHERE t.deleted_at IS NULL AND t.owner_id IS NOT NULL AND ");
    int n = 1 + entity_visibility_sql(cust, r->user, &sql, 1);
    int ptier = tier ? n++ : 0, pregion = region ? n++ : 0, pdelivered = days_back ? n++ : 0;
    if (ptier) buf_printf(&sql, " AND t.tier = ?%d", ptier);
    if (pregion) buf_printf(&sql, " AND t.region LIKE ?%d || '%%'", pregion);
    /* a live shipment of the customer's, arrived (or, without an arrival date, shipped) since the day */
    if (pdelivered)
        buf_printf(&sql,
                   " AND EXISTS (SELECT 1 FROM order_shipments s WHERE s.customer_id = t.id AND s.deleted_at IS NULL"
                   " AND COALESCE(s.arrival_on, s.shipped_on) >= ?%d)",
                   pdelivered);
    char since[11];
    date_of_epoch(r->now - 86400 * days_back, company_tz(r), since);
    buf_puts(&sql, " ORDER BY t.id LIMIT 5000");
    Stmt *st = db_prepare(r->db, sql.p);
    if (!st) return flow_db_error(r, e, "survey customers");
    entity_visibility_bind(cust, r->user, st, 1);
    if (ptier) db_bind_text(st, ptier, tier, -1);
    if (pregion) db_bind_text(st, pregion, region, -1);
    if (pdelivered) db_bind_text(st, pdelivered, since, -1);
    json_t *targets = json_array();
    arena_defer(r->a, (void (*)(void *))json_decref, targets);
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(targets, json_pack("[I,s]", (json_int_t)db_col_int64(st, 0), db_col_text(st, 1)));
    db_done(st);
    if (rc < 0) return flow_db_error(r, e, "survey customers");
    if (!json_array_size(targets)) return err_set(e, 409, EC_GUARD, "tier", "0");
    size_t i;
    json_t *tg;
    int64_t days = req_setting_int(r, "survey.link_days");
    json_array_foreach(targets, i, tg) {
        int64_t cid = json_integer_value(json_array_get(tg, 0)), rid;
        json_t *in = json_pack("{s:I, s:I}", "run_id", (json_int_t)id, "customer_id", (json_int_t)cid);
        rc = entity_create_row(r, &responses_entity, in, &rid, e);
        json_decref(in);
        if (rc < 0) return -1;
        const char *token;
        int64_t expires, link;
        if (publink_issue(r, &responses_entity, rid, "survey", days, &token, &expires, &link, e) < 0) return -1;
        json_array_append_new(links,
                              json_pack("{s:I, s:I, s:O, s:s, s:I}", "response_id", (json_int_t)rid, "customer_id",
                                        (json_int_t)cid, "customer_name", json_array_get(tg, 1), "path",
                                        arena_printf(r->a, "/p/%s", token), "expires_at", (json_int_t)expires));
    }
    json_t *vals =
        json_pack("{s:I, s:I}", "sent_at", (json_int_t)r->now, "sent_count", (json_int_t)json_array_size(links));
    rc = entity_update_fields(r, &runs_entity, run, vals, "send", e);
    json_decref(vals);
    if (rc < 0 || flow_set_state(r, &runs_entity, run, "sent", e) < 0) return -1;
    return 0;
}

/*
** POST /api/v1/survey_runs/:id/send                      roles: survey writers; the run's owner
** Body: {"version"}. One response per customer the sender sees that matches the run's tier and
** region and recent delivery (live customers), each with a personal single-use link; the run becomes sent.
** 200 {"run", "links":[{"response_id","customer_id","customer_name","path","expires_at"}]} — the
** only time the links are shown | 404 | 409 not a draft, stale version, or no customer matches
*/
static int run_send(Req *r, Err *e) {
    int64_t id;
    if (req_param_id(r, 0, &id, e) < 0) return -1;
    json_t *body = req_json(r, e);
    if (!body) return -1;
    json_t *run = entity_load(r, &runs_entity, id, e);
    if (!run) return -1;
    arena_defer(r->a, (void (*)(void *))json_decref, run);
    if (entity_row_check(r, &runs_entity, run, ACCESS_WRITE, e) < 0) return -1;
    if (!json_is_integer(json_object_get(body, "version"))) return err_set(e, 400, EC_VERSION, "version", NULL);
    if (flow_rec_int(body, "version") != flow_rec_int(run, "version")) return err_set(e, 409, EC_CONFLICT, NULL, NULL);
    if (strcmp(flow_rec_str(run, "state"), "draft"))
        return err_set(e, 409, EC_BAD_STATE, NULL, "%s",
                       entity_state_label(r->locale, &runs_entity, flow_rec_str(run, "state")));
    json_t *links = json_array();
    arena_defer(r->a, (void (*)(void *))json_decref, links);
    if (run_deliver(r, run, links, e) < 0) return -1;
    json_t *out = entity_load(r, &runs_entity, id, e);
    if (!out) return -1;
    row_finish(r, &runs_entity, out);
    return reply_json(r, 200, json_pack("{s:o, s:O}", "run", out, "links", links));
}

/* Add n to the integer member k of object o. */
static void count_add(json_t *o, const char *k, int64_t n) {
    json_object_set_new(o, k, json_integer(json_integer_value(json_object_get(o, k)) + n));
}

/*
** GET /api/v1/survey_runs/:id/results                     roles: survey readers who see the run
** 200 {"run","sent","answered","low","overall_x100" (mean of the answered, null when none),
**      "dimensions":{name: mean × 100}, "questions":[{"text","kind","dimension",
**      "counts":{answer: n} (ratings "1".."5", options), "mean_x100" (ratings), "texts":[…] (latest 20)}],
**      "low_responses":[{"id","customer_id","overall_x100"}]} | 404
*/
static int run_results(Req *r, Err *e) {
    int64_t id;
    if (req_param_id(r, 0, &id, e) < 0) return -1;
    json_t *run = entity_load(r, &runs_entity, id, e);
    if (!run) return -1;
    row_finish(r, &runs_entity, run);
    json_t *out = json_pack("{s:o, s:I, s:I, s:I}", "run", run, "sent", (json_int_t)0, "answered", (json_int_t)0, "low",
                            (json_int_t)0);
    arena_defer(r->a, (void (*)(void *))json_decref, out);
    Stmt *st = db_prepare(r->db, "SELECT id, customer_id, questions, answers, overall_x100, dimension_scores, low,"
                                 " answered_at FROM survey_responses WHERE run_id = ?1 AND deleted_at IS NULL"
                                 " ORDER BY answered_at DESC, id DESC");
    if (!st) return flow_db_error(r, e, "survey results");
    db_bind_int64(st, 1, id);
    json_t *qs = NULL, *dims = json_object(), *lows = json_array(); /* dims: name -> [sum, n] */
    int64_t osum = 0, on = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        count_add(out, "sent", 1);
        if (!qs && !db_col_null(st, 2)) {
            qs = json_loads(db_col_text(st, 2), 0, NULL);
            size_t i;
            json_t *q;
            json_array_foreach(qs, i, q) {
                json_object_set_new(q, "counts", json_object());
                if (!strcmp(flow_rec_str(q, "kind"), "text")) json_object_set_new(q, "texts", json_array());
            }
        }
        if (db_col_null(st, 7)) continue;
        count_add(out, "answered", 1);
        if (!db_col_null(st, 4)) osum += db_col_int64(st, 4), on++;
        if (db_col_int64(st, 6)) {
            count_add(out, "low", 1);
            json_array_append_new(lows, json_pack("{s:I, s:I, s:I}", "id", (json_int_t)db_col_int64(st, 0),
                                                  "customer_id", (json_int_t)db_col_int64(st, 1), "overall_x100",
                                                  (json_int_t)db_col_int64(st, 4)));
        }
        json_t *ds = json_loads(db_col_null(st, 5) ? "{}" : db_col_text(st, 5), 0, NULL);
        const char *d;
        json_t *v;
        json_object_foreach(ds, d, v) {
            json_t *acc = json_object_get(dims, d);
            if (!acc) json_object_set_new(dims, d, acc = json_pack("[I,I]", (json_int_t)0, (json_int_t)0));
            json_array_set_new(acc, 0,
                               json_integer(json_integer_value(json_array_get(acc, 0)) + json_integer_value(v)));
            json_array_set_new(acc, 1, json_integer(json_integer_value(json_array_get(acc, 1)) + 1));
        }
        json_decref(ds);
        json_t *ans = json_loads(db_col_null(st, 3) ? "[]" : db_col_text(st, 3), 0, NULL);
        size_t i;
        json_t *a;
        json_array_foreach(ans, i, a) {
            json_t *q = json_array_get(qs, i);
            if (!q) break;
            json_t *counts = json_object_get(q, "counts"), *texts = json_object_get(q, "texts");
            if (json_is_integer(a))
                count_add(counts, arena_printf(r->a, "%lld", (long long)json_integer_value(a)), 1);
            else if (json_is_string(a) && texts && *json_string_value(a)) {
                if (json_array_size(texts) < 20) json_array_append(texts, a);
            } else if (json_is_string(a))
                count_add(counts, json_string_value(a), 1);
            for (size_t k = 0; json_is_array(a) && k < json_array_size(a); k++)
                count_add(counts, json_string_value(json_array_get(a, k)), 1);
        }
        json_decref(ans);
    }
    db_done(st);
    if (rc < 0) {
        json_decref(qs);
        json_decref(dims);
        json_decref(lows);
        return flow_db_error(r, e, "survey results");
    }
    json_t *dm = json_object();
    const char *d;
    json_t *acc;
    json_object_foreach(dims, d, acc) {
        int64_t q = 0;
        money_muldiv(json_integer_value(json_array_get(acc, 0)), 1, 1, json_integer_value(json_array_get(acc, 1)), &q);
        json_object_set_new(dm, d, json_integer(q));
    }
    json_decref(dims);
    size_t i;
    json_t *q;
    json_array_foreach(qs, i, q) {
        if (strcmp(flow_rec_str(q, "kind"), "rating")) continue;
        int64_t sum = 0, n = 0;
        for (int v = 1; v <= 5; v++) {
            int64_t c = flow_rec_int(json_object_get(q, "counts"), arena_printf(r->a, "%d", v));
            sum += c * v * 100, n += c;
        }
        int64_t mean = 0;
        if (n) money_muldiv(sum, 1, 1, n, &mean);
        json_object_set_new(q, "mean_x100", n ? json_integer(mean) : json_null());
    }
    int64_t mean = 0;
    if (on) money_muldiv(osum, 1, 1, on, &mean);
    json_object_set_new(out, "overall_x100", on ? json_integer(mean) : json_null());
    json_object_set_new(out, "dimensions", dm);
    json_object_set_new(out, "questions", qs ? qs : json_array());
    json_object_set_new(out, "low_responses", lows);
    return reply_json(r, 200, json_incref(out));
}

/* ---------------------------------------------------------------- demo */

int surveys_demo(Db *db, int64_t now, char *err, size_t errlen) {
    Req r;
    job_req_init(&r, db, now);
    Err e = {0};
    int rc = -1;
    int64_t tpl, run_id;
    json_t *qs =
        json_pack("[{s:s, s:s, s:s, s:i}, {s:s, s:s, s:s, s:i}, {s:s, s:s, s:s, s:i}, {s:s, s:s, s:s, s:i},"
                  " {s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:b}]",
                  "text", "产品质量是否满足您的使用要求？", "kind", "rating", "dimension", "产品质量", "weight", 2,
                  "text", "销售与服务人员的态度如何？", "kind", "rating", "dimension", "服务态度", "weight", 1, "text",
                  "问题和需求的响应是否及时？", "kind", "rating", "dimension", "响应速度", "weight", 1, "text",
                  "遇到的问题是否得到有效解决？", "kind", "rating", "dimension", "解决问题能力", "weight", 1, "text",
                  "您是否愿意向同行推荐我们？", "kind", "single", "options", "愿意|不确定|不愿意", "text",
                  "您最希望我们改进哪些方面？", "kind", "multiple", "options", "交期|价格|售后响应|技术资料|培训",
                  "text", "其他意见和建议", "kind", "text", "required", 0);
    json_t *in = json_pack("{s:s, s:s, s:o}", "name", "售后客户满意度调查（标准版）", "intro",
                           "感谢您选择我们的产品。本问卷约需一分钟，您的意见将直接用于改进服务。", "questions", qs);
    if (visits_demo_user(&r, "he.ping") < 0 || entity_create_row(&r, &templates_entity, in, &tpl, &e) < 0) {
        json_decref(in);
        goto out;
    }
    json_decref(in);
    in =
        json_pack("{s:s, s:I, s:s}", "title", "上海客户季度满意度调查", "template_id", (json_int_t)tpl, "region", "31");
    json_t *run = NULL, *links = json_array();
    if (visits_demo_user(&r, "li.qiang") == 0 && entity_create_row(&r, &runs_entity, in, &run_id, &e) == 0 &&
        (run = entity_load(&r, &runs_entity, run_id, &e)) && run_deliver(&r, run, links, &e) == 0)
        rc = 0;
    json_decref(in);
    json_decref(run);
    /* two of three customers answer; every fourth answer is a poor one */
    static const char *const answers[] = {
        "[5,5,4,5,\"愿意\",[\"交期\"],\"设备稳定，服务及时\"]",
        "[4,4,4,4,\"愿意\",[\"价格\",\"培训\"],\"\"]",
        "[4,5,3,4,\"不确定\",[\"售后响应\"],\"希望备件更快到货\"]",
        "[2,3,2,2,\"不愿意\",[\"售后响应\",\"交期\"],\"故障处理太慢，影响生产\"]",
    };
    size_t i;
    json_t *l;
    json_array_foreach(links, i, l) {
        if (rc < 0 || i % 3 == 2) continue;
        json_t *row = entity_load_any(&r, &responses_entity, flow_rec_int(l, "response_id"), &e);
        json_t *vals = json_pack("{s:s}", "answers", answers[i % 4]);
        int64_t at = r.now;
        r.now = now - (int64_t)(i + 1) * 3 * 3600; /* answered over the last days */
        if (!row || response_submit(&r, &responses_entity, row, vals, &e) < 0 ||
            entity_update_fields(&r, &responses_entity, row, vals, "public_submit", &e) < 0)
            rc = -1;
        r.now = at;
        json_decref(vals);
        json_decref(row);
    }
    json_decref(links);
out:
    if (rc < 0) snprintf(err, errlen, "demo surveys: %s %s", e.code ? e.code : "", e.detail);
    job_req_done(&r);
    return rc;
}

/* ---------------------------------------------------------------- registration */

void surveys_register(void) {
    static const Route routes[] = {
        {"POST", "/api/v1/survey_runs/:id/send", run_send, R_WRITE, SURVEY_WRITERS,
         "Send a survey: one response and one personal public link per chosen customer", "surveys"},
        {"GET", "/api/v1/survey_runs/:id/results", run_results, 0, SURVEY_READERS,
         "A survey's scores per dimension and overall, answers per question", "surveys"},
    };
    routes_add(routes, (int)(sizeof routes / sizeof routes[0]));
    settings_declare(survey_settings, (int)(sizeof survey_settings / sizeof survey_settings[0]));
    static const LinkKind links[] = {
        {"low_score", "survey_responses", "complaints", "低分转为投诉", "低分轉為投訴", "Complaint from the low score",
         "源自调查低分", "源自調查低分", "From a low survey score"},
    };
    link_kinds_declare(links, 1);
    entity_register(&templates_entity);
    entity_register(&runs_entity);
    entity_register(&responses_entity);
}
