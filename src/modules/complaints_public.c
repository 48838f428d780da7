/*
** complaints_public.c — the customer's voice (R-CMP-4): a public form, without an account, where
** a customer files a complaint or a service request and receives a personal status link (the
** core's public links, purpose "status" of complaints and of service_tickets). Every request of
** the form is counted per client address (complaints.public_form_per_10min) before anything else,
** and a case is filed only with the answer to an arithmetic question the server asked (a row of
** public_challenges, answered once, within 10 minutes): no outside service. The case is created
** through entity_create_row as the intake user (complaints.intake_user_id, else the first service
** specialist), so it is validated, numbered, audited and clocked like any other.
*/
#include <string.h>

#include "../core/errcodes.h"
#include "../flow/flow.h"
#include "../http/internal.h"
#include "../model/model.h"
#include "../model/settings.h"
#include "complaints.h"
#include "modules.h"

#define CHALLENGE_LIFETIME 600

static const Setting public_settings[] = {
    {"complaints.public_form_per_10min", ST_INT, "10", 1, 10000, "客户之声表单：单个地址 10 分钟内允许的请求次数",
     "客戶之聲表單：單一位址 10 分鐘內允許的請求次數",
     "Public complaint form: requests allowed per address in 10 minutes"},
    {"complaints.intake_user_id", ST_INT, "0", 0, 0, "网上表单的受理人（用户编号，0 = 第一位客服专员）",
     "網上表單的受理人（使用者編號，0 = 第一位客服專員）",
     "Who takes in the public form's cases (user id; 0 = the first service specialist)"},
};

/* The error for a failed statement: 503 when the database was busy, else 500. */
static int db_failed(Err *e, int rc) {
    return rc == DB_BUSY ? err_set(e, 503, EC_UNAVAILABLE, NULL, NULL) : err_set(e, 500, EC_INTERNAL, NULL, NULL);
}

/* The user the public form's cases are created as: 1 found (*out), 0 none, -1 database error. */
static int intake_user(Req *r, User **out) {
    int64_t id = req_setting_int(r, "complaints.intake_user_id");
    if (!id) {
        Stmt *st = db_prepare(r->db, "SELECT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id"
                                     " WHERE ur.role = ?1 AND u.disabled = 0 AND u.deleted_at IS NULL"
                                     " ORDER BY u.id LIMIT 1");
        if (!st) return -1;
        db_bind_text(st, 1, role_info[ROLE_CS_SPECIALIST].id, -1);
        int rc = db_step(st);
        id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
        db_done(st);
        if (rc < 0) return -1;
        if (!id) return 0;
    }
    return auth_user_by_id(r->db, r->a, id, out);
}

/* ---------------------------------------------------------------- challenge */

/* Ask a question: a + b with small numbers from random bytes; stored with its answer. */
static int challenge_make(Req *r, Err *e) {
    const char *rnd = random_token(r->a, 8);
    int a = 2 + (unsigned char)rnd[0] % 18, b = 2 + (unsigned char)rnd[1] % 8;
    Stmt *st = db_prepare(r->db, "DELETE FROM public_challenges WHERE expires_at < ?1");
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, r->now - 3600);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0) return db_failed(e, rc);
    st = db_prepare(r->db, "INSERT INTO public_challenges(answer, client_addr, created_at, expires_at)"
                           " VALUES (?1, ?2, ?3, ?4) RETURNING id");
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_text(st, 1, arena_printf(r->a, "%d", a + b), -1);
    db_bind_text(st, 2, r->client_addr ? r->client_addr : "", -1);
    db_bind_int64(st, 3, r->now);
    db_bind_int64(st, 4, r->now + CHALLENGE_LIFETIME);
    rc = db_step(st);
    int64_t id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_done(st);
    if (!id) return db_failed(e, rc < 0 ? rc : DB_ERROR);
    return reply_json(r, 200,
                      json_pack("{s:I, s:s, s:I}", "challenge_id", (json_int_t)id, "question",
                                arena_printf(r->a, "%d + %d = ?", a, b), "expires_at",
                                (json_int_t)(r->now + CHALLENGE_LIFETIME)));
}

/*
** Spend the challenge id: its answer (arena) when it was open, NULL when unknown, used or expired
** (*rc < 0 on a statement error). Spent whatever the answer given, so one question is one try.
*/
static const char *challenge_spend(Req *r, json_t *id, int *rc) {
    *rc = 0;
    if (!json_is_integer(id)) return NULL;
    Stmt *st = db_prepare(r->db, "UPDATE public_challenges SET used_at = ?1"
                                 " WHERE id = ?2 AND used_at IS NULL AND expires_at > ?1 RETURNING answer");
    if (!st) {
        *rc = DB_ERROR;
        return NULL;
    }
    db_bind_int64(st, 1, r->now);
    db_bind_int64(st, 2, json_integer_value(id));
    int s = db_step(st);
    const char *answer = s == DB_ROW ? arena_strdup(r->a, db_col_text(st, 0)) : NULL;
    db_done(st);
    if (s < 0) *rc = s;
    return answer;
}

/* ---------------------------------------------------------------- filing a case */

/* Fields of the form by case type: the common ones, then each type's own. */
static const char common_fields[] =
    "title content reporter_name reporter_company reporter_phone reporter_email customer_locale";
static const char complaint_only[] = "feedback_kind batch_no";
static const char service_only[] = "kind";

/*
** The work of a submission inside its savepoint: the answer checked, the body limited to the form's
** fields, the case created as the intake user with its status link.
*/
static int file_case(Req *r, json_t *body, const char *answer, Err *e) {
    const char *k;
    json_t *v;
    const char *type = json_string_value(json_object_get(body, "type"));
    if (!type || (strcmp(type, "complaint") && strcmp(type, "service")))
        return err_set(e, 400, json_object_get(body, "type") ? EC_ENUM : EC_REQUIRED, "type", "complaint, service");
    bool complaint = !strcmp(type, "complaint");
    json_object_foreach(body, k, v) {
        if (!strcmp(k, "type") || !strcmp(k, "challenge_id") || !strcmp(k, "answer")) continue;
        if (!str_word_in(common_fields, k) && !str_word_in(complaint ? complaint_only : service_only, k))
            return err_set(e, 400, EC_UNKNOWN_FIELD, arena_strdup(r->a, k), NULL);
    }
    json_t *given = json_object_get(body, "answer");
    const char *ans = json_is_string(given) ? json_string_value(given) : NULL;
    char num[32];
    if (json_is_integer(given)) {
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(given));
        ans = num;
    }
    if (!answer || !ans || strcmp(answer, ans)) return err_set(e, 400, EC_CHALLENGE, "answer", NULL);
    static const char *const needed[] = {"reporter_name", "reporter_phone"};
    for (int i = 0; i < 2; i++) {
        const char *s = json_string_value(json_object_get(body, needed[i]));
        if (!s || !*s) return err_set(e, 400, EC_REQUIRED, needed[i], NULL);
    }
    const Entity *en = complaint ? &complaints_entity : entity_find("service_tickets");
    if (!en) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    json_t *in = json_object();
    arena_defer(r->a, (void (*)(void *))json_decref, in);
    json_object_foreach(body, k, v) if (strcmp(k, "type") && strcmp(k, "challenge_id") && strcmp(k, "answer"))
        json_object_set(in, k, v);
    json_object_set_new(in, "channel", json_string("public_form"));
    if (!json_object_get(in, "customer_locale")) json_object_set_new(in, "customer_locale", json_string(r->locale));

    User *u = NULL;
    int rc = intake_user(r, &u);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (!rc) {
        log_error("complaints: the public form has no intake user (complaints.intake_user_id, cs_specialist)");
        return err_set(e, 503, EC_UNAVAILABLE, NULL, NULL);
    }
    r->user = u;
    int64_t id = 0, expires = 0, link = 0;
    const char *token = NULL;
    rc = entity_create_row(r, en, in, &id, e);
    if (rc == 0) rc = publink_issue(r, en, id, "status", 0, &token, &expires, &link, e);
    r->user = NULL;
    if (rc < 0) return -1;
    Stmt *st = db_prepare(r->db, arena_printf(r->a, "SELECT number FROM %s WHERE id = ?1", en->table));
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, id);
    rc = db_step(st);
    const char *number = rc == DB_ROW ? arena_strdup(r->a, db_col_text(st, 0)) : NULL;
    db_done(st);
    if (!number) return db_failed(e, rc < 0 ? rc : DB_ERROR);
    return reply_json(r, 201,
                      json_pack("{s:s, s:s, s:s, s:s, s:I}", "type", type, "number", number, "token", token,
                                "status_path", arena_printf(r->a, "/p/%s", token), "expires_at", (json_int_t)expires));
}

/* The form's own counter and limit. */
static int64_t form_limit(Req *r) { return req_setting_int(r, "complaints.public_form_per_10min"); }

/* before the work of a submission, kept whatever follows: the challenge it names spent. */
static int spend_step(Req *r, Err *e) {
    json_t *body = req_json(r, e);
    if (!body) return -1;
    int rc;
    const char *answer = challenge_spend(r, json_object_get(body, "challenge_id"), &rc);
    if (rc < 0) return db_failed(e, rc);
    json_object_set_new(body, "_expected", answer ? json_string(answer) : json_null());
    return 0;
}
static int submit_step(Req *r, Err *e) {
    json_t *body = r->json_body;
    const char *expected = json_string_value(json_object_get(body, "_expected"));
    const char *answer = expected ? arena_strdup(r->a, expected) : NULL;
    json_object_del(body, "_expected");
    return file_case(r, body, answer, e);
}

/*
** GET /api/v1/public/voice/challenge                public, counted per client address
** 200 {"challenge_id","question":"7 + 5 = ?","expires_at"} | 429 public_link.rate_limited + Retry-After
*/
static int voice_challenge(Req *r, Err *e) { return public_request(r, e, "cf", form_limit(r), NULL, challenge_make); }

/*
** POST /api/v1/public/voice                         public, counted per client address
** Body: {"type": "complaint"|"service", "challenge_id", "answer", "title", "content",
** "reporter_name", "reporter_phone", "reporter_company"?, "reporter_email"?, "customer_locale"?,
** complaint: "feedback_kind"?, "batch_no"?; service: "kind"}
** 201 {"type","number","token","status_path","expires_at"} — the token shown only here |
** 400 public_form.challenge (answer; the question is spent either way), field.* naming the field
** (nothing written) | 429 public_link.rate_limited + Retry-After (nothing written)
*/
static int voice_submit(Req *r, Err *e) { return public_request(r, e, "cf", form_limit(r), spend_step, submit_step); }

void complaints_public_register(void) {
    static const Route routes[] = {
        {"GET", "/api/v1/public/voice/challenge", voice_challenge, R_PUBLIC | R_SLOW | R_OWN_TX | R_WRITE, 0,
         "A check question for the public complaint form", "public"},
        {"POST", "/api/v1/public/voice", voice_submit, R_PUBLIC | R_SLOW | R_OWN_TX | R_WRITE | R_NO_CSRF, 0,
         "File a complaint or service request without an account", "public"},
    };
    routes_add(routes, (int)(sizeof routes / sizeof routes[0]));
    settings_declare(public_settings, (int)(sizeof public_settings / sizeof public_settings[0]));
}
