/*
** test_workflow.c — workflow actions and approvals through the real request
** pipeline (request_run) on a temporary SQLite database: a small test entity
** "wf_docs" with a parallel-then-single approval chain and a unit-scoped one.
** SALESLOOP_UNIT_PG=postgres://… runs the same cases on a throw-away
** PostgreSQL database instead (its public schema is dropped first).
*/
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "core/errcodes.h"
#include "flow/flow.h"

/* ---------------------------------------------------------------- the test entity */

static const Field doc_fields[] = {
    {.name = "title",
     .type = FT_TEXT,
     .flags = F_REQUIRED | F_LIST,
     .max = 200,
     .zh = "标题",
     .tw = "標題",
     .en = "Title"},
    {NULL},
};

static const EnumVal doc_states[] = {
    {"draft", "草稿", "草稿", "Draft"},
    {"pending", "审批中", "審批中", "Pending"},
    {"unit_review", "部门审核", "部門審核", "Unit review"},
    {"approved", "已批准", "已批准", "Approved"},
    {"rejected", "已驳回", "已駁回", "Rejected"},
    {"closed", "已关闭", "已關閉", "Closed"},
    {NULL},
};

/* Step 0: finance and legal in parallel; step 1: the GM. */
static const ApprovalStep chain_steps[] = {
    {"review", RB(FINANCE) | RB(LEGAL), SCOPE_ANY, 48, "会审", "會審", "Review"},
    {"sign_off", RB(GM), SCOPE_ANY, 0, "总经理签批", "總經理簽核", "GM sign-off"},
    {NULL},
};
static const Approval chain = {chain_steps, "approved", "rejected"};

/* One step for a sales manager over the row's unit, due in 24 h. */
static const ApprovalStep unit_steps[] = {
    {"manager", RB(SALES_MANAGER), SCOPE_UNIT, 24, "经理审核", "經理審核", "Manager review"},
    {NULL},
};
static const Approval unit_chain = {unit_steps, "approved", "rejected"};

/* Guard of "close": a row titled "locked" may not be closed. */
static int guard_not_locked(Req *r, const Entity *en, json_t *rec, Err *e) {
    (void)r;
    (void)en;
    const char *t = json_string_value(json_object_get(rec, "title"));
    if (t && strcmp(t, "locked") == 0) return err_set(e, 409, EC_GUARD, NULL, "locked");
    return 0;
}

static int effects_run; /* incremented by effect_count */

/* Effect of "submit": counts its runs and checks it sees the new state. */
static int effect_count(Req *r, const Entity *en, json_t *rec, Err *e) {
    (void)r;
    (void)en;
    (void)e;
    if (strcmp(json_string_value(json_object_get(rec, "state")), "pending") == 0) effects_run++;
    return 0;
}

static const Transition doc_transitions[] = {
    {"submit", "draft rejected", "pending", RB(SUPERVISOR), T_OWNER, NULL, effect_count, &chain, "提交", "提交",
     "Submit"},
    {"send_review", "draft", "unit_review", 0, T_OWNER, NULL, NULL, &unit_chain, "送审", "送審", "Send for review"},
    {"close", "*", "closed", RB(SALES_MANAGER), T_COMMENT, guard_not_locked, NULL, NULL, "关闭", "關閉", "Close"},
    {NULL},
};

static const Workflow doc_flow = {
    .initial = "draft", .states = doc_states, .final_states = "closed approved", .transitions = doc_transitions};

static const Entity doc_entity = {
    .name = "wf_docs",
    .table = "wf_docs",
    .zh = "测试单据",
    .tw = "測試單據",
    .en = "Test document",
    .fields = doc_fields,
    .vis = VIS_OWNER,
    .default_sort = "-created_at",
    .title_field = "title",
    .flow = &doc_flow,
    .tag = "test",
};

/* ---------------------------------------------------------------- fixture */

static Db *db;
static char db_path[256]; /* SQLite file, or the PostgreSQL URL */
static int64_t g_now = 1800000000;

/* Users of the test company: name -> id (same order as inserted). */
enum { U_REP = 1, U_REP2, U_FIN, U_FIN2, U_LEGAL, U_GM, U_MGR_EAST, U_MGR_WEST, U_BOTH, U_ADMIN };

static void exec_ok(const char *sql) {
    int rc = db_exec(db, sql);
    if (rc != DB_OK) fprintf(stderr, "SQL failed: %s\n%s\n", db_errmsg(db), sql);
    assert_int_equal(rc, DB_OK);
}

/* Insert a user with roles (space list) in unit, and token "tok-<name>". */
static void add_user(int64_t id, const char *name, int64_t unit, const char *roles) {
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO users (id, username, display_name, locale, password_hash, org_unit_id,"
             " created_at, updated_at) VALUES (%lld, '%s', 'Name %s', 'en', 'x', %lld, 1, 1)",
             (long long)id, name, name, (long long)unit);
    exec_ok(sql);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", roles);
    for (char *save, *r = strtok_r(buf, " ", &save); r; r = strtok_r(NULL, " ", &save)) {
        snprintf(sql, sizeof sql, "INSERT INTO user_roles (user_id, role) VALUES (%lld, '%s')", (long long)id, r);
        exec_ok(sql);
    }
    char tok[64], hex[crypto_hash_sha256_BYTES * 2 + 1];
    unsigned char h[crypto_hash_sha256_BYTES];
    snprintf(tok, sizeof tok, "tok-%s", name);
    crypto_hash_sha256(h, (const unsigned char *)tok, strlen(tok));
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(sql, sizeof sql,
             "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at)"
             " VALUES (%lld, 'test', '%s', 'tok', 1)",
             (long long)id, hex);
    exec_ok(sql);
}

static int setup_all(void **state) {
    (void)state;
    assert_true(sodium_init() >= 0);
    char err[256];
    const char *pg = getenv("SALESLOOP_UNIT_PG");
    if (pg && pg[0]) {
        snprintf(db_path, sizeof db_path, "%s", pg);
        db = db_open(db_path, err, sizeof err);
        assert_non_null(db);
        exec_ok("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    } else {
        snprintf(db_path, sizeof db_path, "/tmp/sl_test_wf_%d.db", (int)getpid());
        unlink(db_path);
        db = db_open(db_path, err, sizeof err);
        assert_non_null(db);
    }
    assert_true(db_migrate(db, err, sizeof err) >= 0);
    exec_ok(db_kind(db) == DB_PG ? "CREATE TABLE wf_docs (id BIGSERIAL PRIMARY KEY, version INTEGER NOT NULL DEFAULT 1,"
                                   " owner_id BIGINT, org_unit_id BIGINT, created_at BIGINT NOT NULL,"
                                   " updated_at BIGINT NOT NULL, created_by BIGINT, updated_by BIGINT,"
                                   " deleted_at BIGINT, state TEXT, title TEXT)"
                                 : "CREATE TABLE wf_docs (id INTEGER PRIMARY KEY, version INTEGER NOT NULL DEFAULT 1,"
                                   " owner_id BIGINT, org_unit_id BIGINT, created_at BIGINT NOT NULL,"
                                   " updated_at BIGINT NOT NULL, created_by BIGINT, updated_by BIGINT,"
                                   " deleted_at BIGINT, state TEXT, title TEXT)");
    exec_ok("INSERT INTO org_units (id, name, parent_id, path, created_at, updated_at) VALUES"
            " (1, 'HQ', NULL, '/1/', 1, 1), (2, 'East', 1, '/1/2/', 1, 1),"
            " (3, 'West', 1, '/1/3/', 1, 1)");
    add_user(U_REP, "rep", 2, "sales_rep");
    add_user(U_REP2, "rep2", 2, "sales_rep");
    add_user(U_FIN, "fin", 1, "finance");
    add_user(U_FIN2, "fin2", 1, "finance");
    add_user(U_LEGAL, "legal", 1, "legal");
    add_user(U_GM, "gm", 1, "gm");
    add_user(U_MGR_EAST, "mgr_east", 2, "sales_manager");
    add_user(U_MGR_WEST, "mgr_west", 3, "sales_manager");
    add_user(U_BOTH, "both", 1, "finance legal");
    add_user(U_ADMIN, "admin", 1, "admin");
    entity_register(&doc_entity);
    flow_routes_register();
    return 0;
}

static int teardown_all(void **state) {
    (void)state;
    db_close(db);
    if (db_path[0] != '/') return 0; /* PostgreSQL: the next run drops the schema */
    char p[300];
    unlink(db_path);
    snprintf(p, sizeof p, "%s-wal", db_path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db_path);
    unlink(p);
    return 0;
}

/* A new draft owned by rep in the East unit; returns its id. */
static int64_t new_doc(const char *title) {
    Stmt *st = db_prepare(db, "INSERT INTO wf_docs (owner_id, org_unit_id, state, title,"
                              " created_at, updated_at, created_by) VALUES (?1, 2, 'draft', ?2,"
                              " 1, 1, ?1)");
    assert_non_null(st);
    db_bind_int64(st, 1, U_REP);
    db_bind_text(st, 2, title, -1);
    assert_int_equal(db_step(st), DB_DONE);
    db_done(st);
    st = db_prepare(db, "SELECT MAX(id) FROM wf_docs");
    assert_int_equal(db_step(st), DB_ROW);
    int64_t id = db_col_int64(st, 0);
    db_done(st);
    return id;
}

/* Run one request as user (NULL: anonymous); *out gets the parsed reply (decref). */
static int call(const char *user, const char *method, const char *path, const char *body, json_t **out) {
    Req r = {0};
    r.a = arena_new();
    r.db = db;
    r.now = g_now;
    r.request_id = "test";
    r.method = method;
    r.path = arena_strdup(r.a, path);
    r.query = "";
    r.client_addr = "127.0.0.1";
    r.accept_language = "en";
    if (body) {
        r.body = arena_strdup(r.a, body);
        r.body_len = strlen(body);
        r.content_type = "application/json";
    }
    if (user) r.authorization = arena_printf(r.a, "Bearer tok-%s", user);
    request_run(&r);
    int status = r.status;
    json_t *j = r.out_len ? json_loadb(r.out, r.out_len, 0, NULL) : NULL;
    if (out)
        *out = j;
    else
        json_decref(j);
    arena_free(r.a);
    return status;
}

/* POST an action on doc id; returns the status, *out as call(). */
static int act(const char *user, int64_t id, const char *action, const char *body, json_t **out) {
    char path[128];
    snprintf(path, sizeof path, "/api/v1/wf_docs/%lld/actions/%s", (long long)id, action);
    return call(user, "POST", path, body, out);
}

/* The error code of a reply (borrowed from j). */
static const char *code_of(json_t *j) {
    return json_string_value(json_object_get(json_object_get(j, "error"), "code"));
}

/* One integer from SQL with one int64 parameter. */
static int64_t sql_int(const char *sql, int64_t p) {
    Stmt *st = db_prepare(db, sql);
    assert_non_null(st);
    db_bind_int64(st, 1, p);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t v = db_col_int64(st, 0);
    db_done(st);
    return v;
}

/* State of doc id (compared in place). */
static void assert_state(int64_t id, const char *want) {
    Stmt *st = db_prepare(db, "SELECT state FROM wf_docs WHERE id = ?1");
    db_bind_int64(st, 1, id);
    assert_int_equal(db_step(st), DB_ROW);
    assert_string_equal(db_col_text(st, 0), want);
    db_done(st);
}

/* Count of approval tasks of doc id with a status. */
static int64_t tasks_with(int64_t id, const char *status) {
    Stmt *st = db_prepare(db, "SELECT COUNT(*) FROM approval_tasks WHERE entity = 'wf_docs'"
                              " AND row_id = ?1 AND status = ?2");
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, status, -1);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t n = db_col_int64(st, 0);
    db_done(st);
    return n;
}

/* Does the _actions array of j name action? */
static bool has_action(json_t *j, const char *action) {
    size_t i;
    json_t *a;
    json_array_foreach(json_object_get(j, "_actions"), i, a) {
        if (strcmp(json_string_value(json_object_get(a, "action")), action) == 0) return true;
    }
    return false;
}

/* ---------------------------------------------------------------- cases */

/* 1. Declared transitions: roles, owner, state, comment, guard, unknown things. */
static void test_transition_rules(void **state) {
    (void)state;
    json_t *j;
    int64_t id = new_doc("first");

    /* 1a. a manager who sees the row but is neither supervisor nor owner */
    assert_int_equal(act("mgr_east", id, "submit", NULL, &j), 403);
    assert_string_equal(code_of(j), EC_FORBIDDEN);
    json_decref(j);
    /* 1b. a user who cannot see the row at all */
    assert_int_equal(act("rep2", id, "submit", NULL, &j), 404);
    json_decref(j);
    /* 1c. unknown action, unknown entity, not signed in */
    assert_int_equal(act("rep", id, "explode", NULL, &j), 400);
    assert_string_equal(code_of(j), EC_NO_ACTION);
    json_decref(j);
    assert_int_equal(call("rep", "POST", "/api/v1/nothing/1/actions/submit", NULL, &j), 404);
    assert_string_equal(code_of(j), EC_NOT_FOUND);
    json_decref(j);
    assert_int_equal(act(NULL, id, "submit", NULL, NULL), 401);
    /* 1d. stale version: 409 with the current row */
    assert_int_equal(act("rep", id, "submit", "{\"version\":7}", &j), 409);
    assert_string_equal(code_of(j), EC_CONFLICT);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "current"), "version")), 1);
    json_decref(j);
    /* 1e. bad body */
    assert_int_equal(act("rep", id, "submit", "{\"comment\":5}", &j), 400);
    assert_string_equal(code_of(j), EC_TYPE);
    json_decref(j);
    assert_int_equal(act("rep", id, "submit", "[1]", NULL), 400);

    /* 1f. comment required by close; guard refuses; then it closes */
    assert_int_equal(act("mgr_east", id, "close", "{\"comment\":\"  \"}", &j), 400);
    assert_string_equal(code_of(j), EC_COMMENT);
    json_decref(j);
    int64_t locked = new_doc("locked");
    assert_int_equal(act("mgr_east", locked, "close", "{\"comment\":\"no\"}", &j), 409);
    assert_string_equal(code_of(j), EC_GUARD);
    json_decref(j);
    assert_state(locked, "draft");
    assert_int_equal(act("mgr_east", id, "close", "{\"comment\":\"done\",\"version\":1}", &j), 200);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "closed");
    assert_int_equal(json_integer_value(json_object_get(j, "version")), 2);
    assert_true(json_is_array(json_object_get(j, "_actions")));
    assert_int_equal(json_array_size(json_object_get(j, "_actions")), 0);
    json_decref(j);
    /* 1g. final state: "*" does not match it, submit's from does not list it */
    assert_int_equal(act("mgr_east", id, "close", "{\"comment\":\"again\"}", &j), 409);
    assert_string_equal(code_of(j), EC_BAD_STATE);
    json_decref(j);
    assert_int_equal(act("rep", id, "submit", NULL, &j), 409);
    assert_string_equal(code_of(j), EC_BAD_STATE);
    json_decref(j);
    /* 1h. audit of the close, with the comment */
    Stmt *st = db_prepare(db, "SELECT action, changes, user_id FROM audit WHERE entity = 'wf_docs'"
                              " AND row_id = ?1");
    db_bind_int64(st, 1, id);
    assert_int_equal(db_step(st), DB_ROW);
    assert_string_equal(db_col_text(st, 0), "close");
    json_t *ch = json_loads(db_col_text(st, 1), 0, NULL);
    assert_string_equal(json_string_value(json_array_get(json_object_get(ch, "state"), 1)), "closed");
    assert_string_equal(json_string_value(json_array_get(json_object_get(ch, "comment"), 1)), "done");
    json_decref(ch);
    assert_int_equal(db_col_int64(st, 2), U_MGR_EAST);
    assert_int_equal(db_step(st), DB_DONE);
    db_done(st);
}

/* 2. Owner submits; the parallel group signs in any order; then the GM. */
static void test_parallel_then_single(void **state) {
    (void)state;
    json_t *j;
    int64_t id = new_doc("parallel");
    int before = effects_run;
    assert_int_equal(act("rep", id, "submit", NULL, &j), 200);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "pending");
    assert_false(has_action(j, "approve"));
    json_decref(j);
    assert_int_equal(effects_run, before + 1);
    assert_int_equal(tasks_with(id, "pending"), 2);
    assert_int_equal(tasks_with(id, "waiting"), 1);

    /* admin sees the row but signing is not implied */
    assert_int_equal(act("admin", id, "approve", NULL, &j), 403);
    assert_string_equal(code_of(j), EC_NOT_SIGNER);
    json_decref(j);
    /* the GM's step waits */
    assert_int_equal(act("gm", id, "approve", NULL, &j), 403);
    assert_string_equal(code_of(j), EC_NOT_SIGNER);
    json_decref(j);
    /* legal first (the group's order is free); the reply offers legal nothing more */
    assert_int_equal(act("legal", id, "approve", "{\"comment\":\"ok\"}", &j), 200);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "pending");
    assert_false(has_action(j, "approve"));
    json_decref(j);
    assert_int_equal(act("legal", id, "approve", NULL, &j), 403);
    json_decref(j);
    assert_int_equal(tasks_with(id, "waiting"), 1);
    /* finance completes the group: the GM's task becomes pending */
    assert_int_equal(act("fin", id, "approve", NULL, &j), 200);
    json_decref(j);
    assert_int_equal(tasks_with(id, "waiting"), 0);
    assert_int_equal(tasks_with(id, "pending"), 1);
    assert_state(id, "pending");
    assert_int_equal(act("gm", id, "approve", NULL, &j), 200);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "approved");
    json_decref(j);
    assert_int_equal(tasks_with(id, "approved"), 3);
    /* one audit entry per transition and signature; the last moved the state */
    assert_int_equal(sql_int("SELECT COUNT(*) FROM audit WHERE entity = 'wf_docs' AND row_id = ?1"
                             " AND action = 'approve'",
                             id),
                     3);
    assert_int_equal(sql_int("SELECT COUNT(*) FROM audit WHERE entity = 'wf_docs' AND row_id = ?1"
                             " AND action = 'submit'",
                             id),
                     1);
    assert_int_equal(sql_int("SELECT COUNT(*) FROM audit WHERE entity = 'wf_docs' AND row_id = ?1"
                             " AND action = 'approve' AND changes LIKE '%approved%'",
                             id),
                     1);

    /* the approvals of the row: one round, two steps, signer names, labels */
    char path[96];
    snprintf(path, sizeof path, "/api/v1/wf_docs/%lld/approvals", (long long)id);
    assert_int_equal(call("fin", "GET", path, NULL, &j), 200);
    json_t *rounds = json_object_get(j, "rounds");
    assert_int_equal(json_array_size(rounds), 1);
    json_t *steps = json_object_get(json_array_get(rounds, 0), "steps");
    assert_int_equal(json_array_size(steps), 2);
    json_t *s0 = json_array_get(steps, 0);
    assert_string_equal(json_string_value(json_object_get(s0, "label")), "Review");
    json_t *tasks = json_object_get(s0, "tasks");
    assert_int_equal(json_array_size(tasks), 2);
    json_t *t1 = json_array_get(tasks, 1);
    assert_string_equal(json_string_value(json_object_get(t1, "role")), "legal");
    assert_string_equal(json_string_value(json_object_get(t1, "signer_name")), "Name legal");
    assert_string_equal(json_string_value(json_object_get(t1, "comment")), "ok");
    json_decref(j);
}

/* 3. A user holding two roles of the group signs one task per call. */
static void test_one_signature_per_call(void **state) {
    (void)state;
    json_t *j;
    int64_t id = new_doc("both");
    assert_int_equal(act("rep", id, "submit", NULL, NULL), 200);
    assert_int_equal(act("both", id, "approve", NULL, &j), 200);
    assert_true(has_action(j, "approve"));
    assert_true(has_action(j, "reject"));
    json_decref(j);
    assert_int_equal(tasks_with(id, "approved"), 1);
    assert_int_equal(tasks_with(id, "waiting"), 1);
    assert_int_equal(act("both", id, "approve", NULL, NULL), 200);
    assert_int_equal(tasks_with(id, "approved"), 2);
    assert_int_equal(tasks_with(id, "waiting"), 0);
    assert_int_equal(act("both", id, "approve", NULL, NULL), 403);
}

/* 4. Reject needs a comment, cancels the round; resubmission opens round 2. */
static void test_reject_and_resubmit(void **state) {
    (void)state;
    json_t *j;
    int64_t id = new_doc("reject");
    assert_int_equal(act("rep", id, "submit", NULL, NULL), 200);
    assert_int_equal(act("fin", id, "reject", NULL, &j), 400);
    assert_string_equal(code_of(j), EC_COMMENT);
    json_decref(j);
    assert_int_equal(act("fin", id, "reject", "{\"comment\":\"price too low\"}", &j), 200);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "rejected");
    json_decref(j);
    assert_int_equal(tasks_with(id, "rejected"), 1);
    assert_int_equal(tasks_with(id, "cancelled"), 2);
    assert_int_equal(tasks_with(id, "pending") + tasks_with(id, "waiting"), 0);
    assert_int_equal(act("gm", id, "approve", NULL, &j), 409); /* no approval open */
    assert_string_equal(code_of(j), EC_BAD_STATE);
    json_decref(j);
    /* resubmit */
    assert_int_equal(act("rep", id, "submit", NULL, NULL), 200);
    assert_int_equal(sql_int("SELECT MAX(round) FROM approval_tasks WHERE entity = 'wf_docs'"
                             " AND row_id = ?1",
                             id),
                     2);
    assert_int_equal(tasks_with(id, "pending"), 2);
    char path[96];
    snprintf(path, sizeof path, "/api/v1/wf_docs/%lld/approvals", (long long)id);
    assert_int_equal(call("rep", "GET", path, NULL, &j), 200);
    assert_int_equal(json_array_size(json_object_get(j, "rounds")), 2);
    json_decref(j);
    assert_int_equal(sql_int("SELECT COUNT(*) FROM audit WHERE entity = 'wf_docs' AND row_id = ?1"
                             " AND action = 'reject' AND changes LIKE '%price too low%'",
                             id),
                     1);
    /* a manager closing the row cancels the open round */
    assert_int_equal(act("mgr_east", id, "close", "{\"comment\":\"stop\"}", NULL), 200);
    assert_int_equal(tasks_with(id, "pending"), 0);
}

/* 5. A unit-scoped step: a manager outside the row's unit cannot sign. */
static void test_scope_unit(void **state) {
    (void)state;
    json_t *j;
    int64_t id = new_doc("scoped");
    assert_int_equal(act("rep", id, "send_review", NULL, NULL), 200);
    assert_int_equal(sql_int("SELECT due_at FROM approval_tasks WHERE entity = 'wf_docs'"
                             " AND row_id = ?1",
                             id),
                     g_now + 24 * 3600);
    /* West manager: refused (404 when the row is invisible to him, 403 when the
       model lets holders of a task's role see it); the task stays pending */
    int st_w = act("mgr_west", id, "approve", NULL, &j);
    assert_true(st_w == 404 || st_w == 403);
    assert_int_equal(tasks_with(id, "pending"), 1);
    json_decref(j);
    /* shared with him he sees it, but still may not sign */
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO shares (entity, row_id, user_id, created_at) VALUES"
             " ('wf_docs', %lld, %d, 1)",
             (long long)id, U_MGR_WEST);
    exec_ok(sql);
    assert_int_equal(act("mgr_west", id, "approve", NULL, &j), 403);
    assert_string_equal(code_of(j), EC_NOT_SIGNER);
    json_decref(j);
    assert_int_equal(act("mgr_east", id, "approve", NULL, &j), 200);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "approved");
    json_decref(j);
}

/* 6. Two finance users approve the same task from the same read: the second gets 409. */
static void test_double_approve(void **state) {
    (void)state;
    json_t *j;
    int64_t id = new_doc("race");
    assert_int_equal(act("rep", id, "submit", NULL, &j), 200);
    int64_t v = json_integer_value(json_object_get(j, "version"));
    json_decref(j);
    /* fin2 keeps seeing the row after fin signs (as if both had loaded it) */
    char sql[256];
    snprintf(sql, sizeof sql,
             "INSERT INTO shares (entity, row_id, user_id, created_at) VALUES"
             " ('wf_docs', %lld, %d, 1)",
             (long long)id, U_FIN2);
    exec_ok(sql);
    char body[64];
    snprintf(body, sizeof body, "{\"version\":%lld}", (long long)v);
    assert_int_equal(act("fin", id, "approve", body, NULL), 200);
    assert_int_equal(act("fin2", id, "approve", body, &j), 409);
    assert_string_equal(code_of(j), EC_CONFLICT);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "current"), "version")), v + 1);
    json_decref(j);
    /* without a version: nothing left for finance */
    assert_int_equal(act("fin2", id, "approve", NULL, &j), 403);
    json_decref(j);
    assert_int_equal(tasks_with(id, "approved"), 1);
}

/* The racing request of case 6b, run on its own thread (on the shared db). */
typedef struct Race {
    int64_t id;  /* row */
    int status;  /* reply status */
    json_t *out; /* reply body */
} Race;

static void *race_main(void *arg) {
    Race *ra = arg;
    ra->status = act("fin2", ra->id, "approve", NULL, &ra->out);
    return NULL;
}

/* 6b. PostgreSQL only: a true race. Another connection signs the finance task
   and holds its transaction open; fin2's approve reads the task as pending,
   blocks on its row lock, and after the commit its conditional UPDATE matches
   nothing: 409, and nothing of fin2's request stays. */
static void test_true_race(void **state) {
    (void)state;
    assert_int_equal(db_kind(db), DB_PG);
    int64_t id = new_doc("true race");
    assert_int_equal(act("rep", id, "submit", NULL, NULL), 200);
    char err[256], sql[256];
    Db *other = db_open(db_path, err, sizeof err), *watch = db_open(db_path, err, sizeof err);
    assert_non_null(other);
    assert_non_null(watch);
    assert_int_equal(db_begin(other), DB_OK);
    snprintf(sql, sizeof sql,
             "UPDATE approval_tasks SET status = 'approved', signer_id = %d"
             " WHERE entity = 'wf_docs' AND row_id = %lld AND role = 'finance'",
             U_FIN, (long long)id);
    assert_int_equal(db_exec(other, sql), DB_OK);
    Race ra = {.id = id};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, race_main, &ra), 0);
    int64_t waiting = 0;
    for (int i = 0; i < 500 && !waiting; i++) {
        usleep(10000);
        Stmt *st = db_prepare(watch, "SELECT COUNT(*) FROM pg_stat_activity"
                                     " WHERE wait_event_type = 'Lock'");
        if (db_step(st) == DB_ROW) waiting = db_col_int64(st, 0);
        db_done(st);
    }
    assert_int_equal(db_commit(other), DB_OK);
    pthread_join(th, NULL);
    assert_int_equal(waiting, 1);
    assert_int_equal(ra.status, 409);
    assert_string_equal(code_of(ra.out), EC_CONFLICT);
    json_decref(ra.out);
    assert_int_equal(tasks_with(id, "approved"), 1);
    assert_int_equal(tasks_with(id, "pending"), 1); /* legal's */
    assert_int_equal(sql_int("SELECT COUNT(*) FROM approval_tasks WHERE entity = 'wf_docs'"
                             " AND row_id = ?1 AND signer_id IS NOT NULL",
                             id),
                     1); /* fin's only */
    db_close(other);
    db_close(watch);
}

/* 7. My work: approvals waiting for me (overdue first) and my open tasks. */
static void test_my_work(void **state) {
    (void)state;
    json_t *j;
    exec_ok("UPDATE approval_tasks SET status = 'cancelled' WHERE status IN ('pending','waiting')");
    int64_t a = new_doc("work A");
    int64_t b = new_doc("work B");
    assert_int_equal(act("rep", a, "submit", NULL, NULL), 200);
    g_now += 3600;
    assert_int_equal(act("rep", b, "submit", NULL, NULL), 200);
    /* a deleted row's tasks are not offered */
    int64_t c = new_doc("work C");
    assert_int_equal(act("rep", c, "submit", NULL, NULL), 200);
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE wf_docs SET deleted_at = 5 WHERE id = %lld", (long long)c);
    exec_ok(sql);
    exec_ok("INSERT INTO tasks (user_id, kind, title, due_at, status, dedupe_key, created_at)"
            " VALUES (3, 'follow_up', 'Call back', 1, 'open', 'k1', 1),"
            " (3, 'follow_up', 'Later', NULL, 'open', 'k2', 1),"
            " (3, 'follow_up', 'Done', 1, 'done', 'k3', 1)");
    g_now += 47 * 3600 + 1; /* a is past its 48 h, b not yet */
    assert_int_equal(call("fin", "GET", "/api/v1/my/work", NULL, &j), 200);
    json_t *ap = json_object_get(j, "approvals");
    assert_int_equal(json_array_size(ap), 2);
    json_t *first = json_array_get(ap, 0);
    assert_int_equal(json_integer_value(json_object_get(first, "row_id")), a);
    assert_true(json_is_true(json_object_get(first, "overdue")));
    assert_string_equal(json_string_value(json_object_get(first, "title")), "work A");
    assert_string_equal(json_string_value(json_object_get(first, "entity_label")), "Test document");
    assert_string_equal(json_string_value(json_object_get(first, "step")), "Review");
    assert_string_equal(json_string_value(json_object_get(first, "role")), "finance");
    assert_true(json_is_false(json_object_get(json_array_get(ap, 1), "overdue")));
    json_t *tk = json_object_get(j, "tasks");
    assert_int_equal(json_array_size(tk), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(tk, 0), "title")), "Call back");
    json_t *counts = json_object_get(j, "counts");
    assert_int_equal(json_integer_value(json_object_get(counts, "approvals")), 2);
    assert_int_equal(json_integer_value(json_object_get(counts, "tasks")), 2);
    assert_int_equal(json_integer_value(json_object_get(counts, "overdue")), 2);
    json_decref(j);
    /* the badge counts agree with the list */
    User fin = {.id = U_FIN,
                .username = "fin",
                .display_name = "Fin",
                .locale = "en",
                .roles = RB(FINANCE),
                .org_unit_id = 1,
                .org_path = "/1/"};
    Req r = {.a = arena_new(), .db = db, .now = g_now, .request_id = "t", .user = &fin, .locale = "en"};
    assert_int_equal(flow_pending_count(&r), 2);
    int64_t na, nt, late;
    assert_int_equal(flow_work_counts(&r, &na, &nt, &late), 0);
    assert_int_equal(na, 2);
    assert_int_equal(nt, 2);
    assert_int_equal(late, 2);
    /* available actions of row a for finance: approve and reject */
    json_t *row = json_pack("{s:I, s:s, s:I, s:I}", "id", (json_int_t)a, "state", "pending", "owner_id",
                            (json_int_t)U_REP, "version", (json_int_t)2);
    json_t *acts = flow_available_actions(&r, &doc_entity, row);
    assert_int_equal(json_array_size(acts), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(acts, 0), "label")), "Approve");
    json_decref(acts);
    json_decref(row);
    arena_free(r.a);
    /* the GM has nothing yet; the rep has nothing to sign */
    assert_int_equal(call("gm", "GET", "/api/v1/my/work", NULL, &j), 200);
    assert_int_equal(json_array_size(json_object_get(j, "approvals")), 0);
    json_decref(j);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_transition_rules),
        cmocka_unit_test(test_parallel_then_single),
        cmocka_unit_test(test_one_signature_per_call),
        cmocka_unit_test(test_reject_and_resubmit),
        cmocka_unit_test(test_scope_unit),
        cmocka_unit_test(test_double_approve),
        cmocka_unit_test(test_my_work),
    };
    /* a true race needs two connections that really run at once: PostgreSQL only (the PostgreSQL
       run of scripts/test-unit.sh), so it is registered there rather than skipped here */
    const struct CMUnitTest pg_only[] = {
        cmocka_unit_test(test_true_race),
    };
    const char *pg = getenv("SALESLOOP_UNIT_PG");
    int failed = cmocka_run_group_tests_name("workflow", tests, setup_all, teardown_all);
    if (pg && pg[0]) failed += cmocka_run_group_tests_name("workflow-postgresql", pg_only, setup_all, teardown_all);
    return failed;
}
