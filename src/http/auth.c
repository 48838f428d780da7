/*
** auth.c — who is asking: sessions (browser), API tokens (integrations),
** sign-in with rate limiting and lockout, password change, Argon2id hashing.
** Cookies and tokens are random; only their SHA-256 is stored.
*/
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "../core/errcodes.h"
#include "../model/calendar.h"
#include "../model/settings.h"
#include "internal.h"

#define SESSION_COOKIE "sl_session"

static const Setting auth_settings[] = {
    {"auth.lockout_failures", ST_INT, "5", 1, 100, "连续登录失败锁定次数", "連續登入失敗鎖定次數",
     "Failed sign-ins before lockout"},
    {"auth.lockout_minutes", ST_INT, "15", 1, 10080, "锁定时长（分钟）", "鎖定時長（分鐘）",
     "Lockout duration (minutes)"},
    {"auth.ip_failures_per_10min", ST_INT, "30", 1, 100000, "单个地址 10 分钟内允许的失败次数",
     "單一位址 10 分鐘內允許的失敗次數", "Failed sign-ins allowed per address in 10 minutes"},
    {"auth.session_hours", ST_INT, "12", 1, 720, "会话有效期（小时）", "工作階段有效期（小時）",
     "Session lifetime (hours)"},
    {"auth.min_password_length", ST_INT, "8", 6, 128, "密码最短长度", "密碼最短長度", "Minimum password length"},
};

/* ---------------------------------------------------------------- crypto helpers */

char *sha256_hex(Arena *a, const char *s) {
    unsigned char h[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
    char *out = arena_alloc(a, sizeof h * 2 + 1);
    sodium_bin2hex(out, sizeof h * 2 + 1, h, sizeof h);
    return out;
}

char *random_token(Arena *a, size_t nbytes) {
    unsigned char buf[64];
    if (nbytes > sizeof buf) nbytes = sizeof buf;
    randombytes_buf(buf, nbytes);
    size_t len = sodium_base64_ENCODED_LEN(nbytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = arena_alloc(a, len);
    sodium_bin2base64(out, len, buf, nbytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

/* Argon2id with t=2, m=19 MiB: the OWASP baseline, ~20-40 ms here, bounded memory. The test build
   takes a lower cost from SALESLOOP_TEST_PW_OPS and SALESLOOP_TEST_PW_KIB (tunable.c), which the API
   and browser suites set: they sign in and make users ~1,000 times an engine, each hash ~50 ms of CPU
   and 19 MiB of fresh pages, and no test's answer depends on the cost (test_password checks the
   baseline; a hash of any cost verifies, its parameters are in the string). */
#define PW_OPS ((unsigned long long)test_tunable("SALESLOOP_TEST_PW_OPS", 2))
#define PW_MEM ((size_t)test_tunable("SALESLOOP_TEST_PW_KIB", 19 * 1024) * 1024u)

char *password_hash(Arena *a, const char *password) {
    char *out = arena_alloc(a, crypto_pwhash_STRBYTES);
    if (crypto_pwhash_str_alg(out, password, strlen(password), PW_OPS, PW_MEM, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return NULL;
    return out;
}

int password_verify(const char *hash, const char *password) {
    return crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
}

/* ---------------------------------------------------------------- loading the user */

/* The user with their roles, one row per role (a user without roles: one row, role NULL): every
   request signs in, and on PostgreSQL the roles' own statement was a third of a get's round trips. */
static const char zSqlSession[] =
    "SELECT s.id, s.user_id, s.csrf, s.expires_at, u.username, u.display_name, u.locale,\n"
    "       u.org_unit_id, o.path, u.disabled, u.deleted_at, ur.role\n"
    "  FROM sessions s JOIN users u ON u.id = s.user_id\n"
    "  LEFT JOIN org_units o ON o.id = u.org_unit_id\n"
    "  LEFT JOIN user_roles ur ON ur.user_id = u.id\n"
    " WHERE s.token_hash = ?1";
static const char zSqlToken[] = "SELECT t.id, t.user_id, NULL, t.expires_at, u.username, u.display_name, u.locale,\n"
                                "       u.org_unit_id, o.path, u.disabled, u.deleted_at, ur.role\n"
                                "  FROM api_tokens t JOIN users u ON u.id = t.user_id\n"
                                "  LEFT JOIN org_units o ON o.id = u.org_unit_id\n"
                                "  LEFT JOIN user_roles ur ON ur.user_id = u.id\n"
                                " WHERE t.token_hash = ?1 AND t.revoked_at IS NULL";
static const char zSqlRoles[] = "SELECT role FROM user_roles WHERE user_id = ?1";

/* Role bit set of a user. */
static uint32_t load_roles(Db *db, int64_t user_id) {
    uint32_t mask = 0;
    Stmt *st = db_prepare(db, zSqlRoles);
    if (!st) return 0;
    db_bind_int64(st, 1, user_id);
    while (db_step(st) == DB_ROW) {
        int role = role_by_name(db_col_text(st, 0));
        if (role >= 0) mask |= 1u << role;
    }
    db_done(st);
    return mask;
}

/* Load the user of a session or token hash; 1 found, 0 not, -1 db error. */
static int load_by_hash(Req *r, const char *sql, const char *hash, bool session) {
    Stmt *st = db_prepare(r->db, sql);
    if (!st) return -1;
    db_bind_text(st, 1, hash, -1);
    int rc = db_step(st);
    if (rc != DB_ROW) {
        db_done(st);
        return rc < 0 ? -1 : 0;
    }
    int64_t expires = db_col_null(st, 3) ? 0 : db_col_int64(st, 3);
    bool ok = !db_col_int64(st, 9) && db_col_null(st, 10) && (expires == 0 || expires > r->now);
    if (session && expires == 0) ok = false;
    if (ok) {
        User *u = arena_alloc(r->a, sizeof *u);
        u->id = db_col_int64(st, 1);
        u->session_id = session ? db_col_int64(st, 0) : 0;
        u->token_id = session ? 0 : db_col_int64(st, 0);
        u->csrf = session ? arena_strdup(r->a, db_col_text(st, 2)) : NULL;
        u->username = arena_strdup(r->a, db_col_text(st, 4));
        u->display_name = arena_strdup(r->a, db_col_text(st, 5));
        u->locale = arena_strdup(r->a, db_col_text(st, 6));
        u->org_unit_id = db_col_int64(st, 7);
        u->org_path = db_col_text(st, 8) ? arena_strdup(r->a, db_col_text(st, 8)) : NULL; /* NULL: in no unit */
        /* the roles, a row each */
        do {
            int role = db_col_null(st, 11) ? -1 : role_by_name(db_col_text(st, 11));
            if (role >= 0) u->roles |= 1u << role;
        } while ((rc = db_step(st)) == DB_ROW);
        if (rc < 0) { /* a database error is never read as "fewer roles" */
            db_done(st);
            return -1;
        }
        r->user = u;
    }
    db_done(st);
    return r->user ? 1 : 0;
}

/*
** Record that the request's API token was used, at most once a minute. Only
** called where a write is cheap and cannot block an event loop: on the
** SQLite writer (write requests) and on PostgreSQL workers.
*/
void token_touch(Req *r) {
    if (!r->user || !r->user->token_id) return;
    Stmt *st = db_prepare(r->db, "UPDATE api_tokens SET last_used_at = ?1 WHERE id = ?2"
                                 " AND (last_used_at IS NULL OR last_used_at < ?3)");
    if (!st) return;
    db_bind_int64(st, 1, r->now);
    db_bind_int64(st, 2, r->user->token_id);
    db_bind_int64(st, 3, r->now - 60);
    db_step(st);
    db_done(st);
}

int auth_user_by_id(Db *db, Arena *a, int64_t id, User **out) {
    static const char zSql[] = "SELECT u.id, u.username, u.display_name, u.locale, u.org_unit_id, o.path\n"
                               "  FROM users u LEFT JOIN org_units o ON o.id = u.org_unit_id\n"
                               " WHERE u.id = ?1 AND u.disabled = 0 AND u.deleted_at IS NULL";
    *out = NULL;
    Stmt *st = db_prepare(db, zSql);
    if (!st) return -1;
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        User *u = arena_alloc(a, sizeof *u);
        memset(u, 0, sizeof *u);
        u->id = db_col_int64(st, 0);
        u->username = arena_strdup(a, db_col_text(st, 1));
        u->display_name = arena_strdup(a, db_col_text(st, 2));
        u->locale = arena_strdup(a, db_col_text(st, 3));
        u->org_unit_id = db_col_int64(st, 4);
        u->org_path = db_col_text(st, 5) ? arena_strdup(a, db_col_text(st, 5)) : NULL;
        *out = u;
    }
    db_done(st);
    if (rc < 0) return -1;
    if (*out) (*out)->roles = load_roles(db, id);
    return *out ? 1 : 0;
}

int auth_load_user(Req *r) {
    r->user = NULL;
    if (r->authorization && strncasecmp(r->authorization, "Bearer ", 7) == 0) {
        const char *tok = r->authorization + 7;
        while (*tok == ' ')
            tok++;
        if (!*tok) return 0;
        return load_by_hash(r, zSqlToken, sha256_hex(r->a, tok), false) < 0 ? -1 : 0;
    }
    const char *cookie = req_cookie(r, SESSION_COOKIE);
    if (cookie && *cookie) return load_by_hash(r, zSqlSession, sha256_hex(r->a, cookie), true) < 0 ? -1 : 0;
    return 0;
}

/* The public view of a user: {"id","username","display_name","locale","roles":[...],"org_unit_id"}. */
json_t *user_json(const User *u) {
    json_t *roles = json_array();
    for (int i = 0; i < ROLE_COUNT; i++)
        if (u->roles & (1u << i)) json_array_append_new(roles, json_string(role_info[i].id));
    return json_pack("{s:I, s:s, s:s, s:s, s:o, s:I}", "id", (json_int_t)u->id, "username", u->username, "display_name",
                     u->display_name, "locale", u->locale, "roles", roles, "org_unit_id", (json_int_t)u->org_unit_id);
}

/* ---------------------------------------------------------------- sign-in */

/* Commit the sign-in bookkeeping; on failure roll back so no savepoint or transaction stays open. */
static int commit_or_rollback(Db *db) {
    if (db_commit(db) == DB_OK) return 0;
    db_rollback(db);
    return -1;
}

/* The error for a failed statement: 503 when the database was busy, else 500. */
static int db_failed(Err *e, int rc) {
    return rc == DB_BUSY ? err_set(e, 503, EC_UNAVAILABLE, NULL, NULL) : err_set(e, 500, EC_INTERNAL, NULL, NULL);
}

/* Roll back the open sign-in transaction and answer the failed statement's error. */
static int rollback_failed(Req *r, Err *e, int rc) {
    db_rollback(r->db);
    return db_failed(e, rc);
}

/* Step a statement that returns no row we need, then release it: DB_DONE or an error (< 0). */
static int step_done(Stmt *st) {
    if (!st) return DB_ERROR;
    int rc = db_step(st);
    db_done(st);
    return rc < 0 ? rc : DB_DONE;
}

/* Read a required string member of the body, or fill e. */
static const char *body_string(json_t *body, const char *key, size_t maxlen, Err *e) {
    json_t *v = json_object_get(body, key);
    if (!v || json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0)) {
        err_set(e, 400, EC_REQUIRED, key, NULL);
        return NULL;
    }
    if (!json_is_string(v)) {
        err_set(e, 400, EC_TYPE, key, "text");
        return NULL;
    }
    if (json_string_length(v) > maxlen) {
        err_set(e, 400, EC_TOO_LONG, key, "%zu", maxlen);
        return NULL;
    }
    return json_string_value(v);
}

/* A hash to verify against when the user does not exist, so timing does not tell. */
static char dummy[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;
static void dummy_make(void) {
    if (crypto_pwhash_str_alg(dummy, "not a password", 14, PW_OPS, PW_MEM, crypto_pwhash_ALG_ARGON2ID13) != 0)
        dummy[0] = 0; /* verify then fails, as it should */
}
static const char *dummy_hash(void) {
    pthread_once(&dummy_once, dummy_make);
    return dummy;
}

/* "; Secure" when the request came over https (a trusted proxy said so), else "". */
static const char *cookie_secure(const Req *r) { return r->secure ? "; Secure" : ""; }

/* What the reservation of a sign-in attempt found (login_reserve). */
typedef struct Reservation {
    bool rate_limited;    /* the address is over auth.ip_failures_per_10min: nothing was reserved */
    int64_t attempt_id;   /* the login_attempts row, recorded as a failure until the password is right */
    int64_t failures;     /* the name's reserved attempts since its last success or lockout, this one included */
    int64_t locked_until; /* > now: the name is locked, the password must not be verified */
} Reservation;

/*
** Reserve one sign-in attempt, inside the caller's transaction, BEFORE any password is verified.
** Every step writes, so parallel attempts are serialised (SQLite: BEGIN IMMEDIATE; PostgreSQL:
** the row locks of the guard rows, held to the commit, and each later statement sees what the
** previous holder committed):
**   1. lock the address's guard row, count its failures of the last 10 minutes; at the limit the
**      answer is 429 and nothing is recorded;
**   2. record the attempt as a failure (it becomes a success only after the right password);
**   3. count the attempt on the user name's guard row — whether or not the user exists, so an
**      unknown name locks exactly like an account. With `limit` attempts already reserved, this
**      one locks the name instead (failures back to 0) and is refused unverified.
** At most `limit` passwords of a name are ever verified between a success and a lockout, and at
** most auth.ip_failures_per_10min of an address in 10 minutes. 0 ok, else the db_step error.
*/
static int login_reserve(Req *r, const char *username, Reservation *res) {
    const char *addr = r->client_addr ? r->client_addr : "";
    int64_t limit = req_setting_int(r, "auth.lockout_failures");
    int64_t lock_for = req_setting_int(r, "auth.lockout_minutes") * 60;
    int64_t ip_limit = req_setting_int(r, "auth.ip_failures_per_10min");
    memset(res, 0, sizeof *res);
    /* this handler commits as it goes (R_OWN_TX): limits it could not read refuse it here */
    if (db_fault_take(r->db)) return DB_ERROR;

    static const char zSqlAddr[] = "INSERT INTO login_guards(name, updated_at) VALUES (?1, ?2)\n"
                                   " ON CONFLICT (name) DO UPDATE SET updated_at = ?2";
    Stmt *st = db_prepare(r->db, zSqlAddr);
    if (!st) return DB_ERROR;
    db_bind_text(st, 1, arena_printf(r->a, "a:%s", addr), -1);
    db_bind_int64(st, 2, r->now);
    int rc = step_done(st);
    if (rc < 0) return rc;

    static const char zSqlFails[] = "SELECT count(*) FROM login_attempts WHERE client_addr = ?1 AND ok = 0 AND at > ?2";
    st = db_prepare(r->db, zSqlFails);
    if (!st) return DB_ERROR;
    db_bind_text(st, 1, addr, -1);
    db_bind_int64(st, 2, r->now - 600);
    rc = db_step(st);
    int64_t fails = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_done(st);
    if (rc != DB_ROW) return rc < 0 ? rc : DB_ERROR; /* count(*) always has a row */
    if (fails >= ip_limit) {
        res->rate_limited = true;
        return 0;
    }

    static const char zSqlAttempt[] = "INSERT INTO login_attempts(at, username, client_addr, ok)\n"
                                      " VALUES (?1, ?2, ?3, 0) RETURNING id";
    st = db_prepare(r->db, zSqlAttempt);
    if (!st) return DB_ERROR;
    db_bind_int64(st, 1, r->now);
    db_bind_text(st, 2, username, -1);
    db_bind_text(st, 3, addr, -1);
    rc = db_step(st);
    res->attempt_id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_done(st);
    if (rc != DB_ROW) return rc < 0 ? rc : DB_ERROR;

    static const char zSqlName[] =
        "INSERT INTO login_guards(name, failures, locked_until, updated_at) VALUES (?1, 1, 0, ?2)\n"
        " ON CONFLICT (name) DO UPDATE SET\n"
        "   failures = CASE WHEN login_guards.locked_until > ?2 THEN login_guards.failures\n"
        "                   WHEN login_guards.failures >= ?3 THEN 0\n"
        "                   ELSE login_guards.failures + 1 END,\n"
        "   locked_until = CASE WHEN login_guards.locked_until <= ?2 AND login_guards.failures >= ?3 THEN ?4\n"
        "                       ELSE login_guards.locked_until END,\n"
        "   updated_at = ?2\n"
        " RETURNING failures, locked_until";
    st = db_prepare(r->db, zSqlName);
    if (!st) return DB_ERROR;
    db_bind_text(st, 1, arena_printf(r->a, "u:%s", username), -1);
    db_bind_int64(st, 2, r->now);
    db_bind_int64(st, 3, limit);
    db_bind_int64(st, 4, r->now + lock_for);
    rc = db_step(st);
    if (rc == DB_ROW) {
        res->failures = db_col_int64(st, 0);
        res->locked_until = db_col_int64(st, 1);
    }
    db_done(st);
    return rc == DB_ROW ? 0 : rc < 0 ? rc : DB_ERROR;
}

/*
** The answer for a locked user name: 423 auth.locked with the end of the lock in the company's
** zone (company.time_zone) — the same for an account and for a name no one has.
*/
static int locked_answer(Req *r, Err *e, int64_t locked_until) {
    char when[11];
    int tz = company_tz(r);
    date_of_epoch(locked_until, tz, when);
    int64_t local = locked_until + (int64_t)tz * 60;
    int hh = (int)(((local % 86400) + 86400) % 86400 / 3600), mm = (int)(((local % 3600) + 3600) % 3600 / 60);
    return err_set(e, 423, EC_AUTH_LOCKED, NULL, "%s %02d:%02d", when, hh, mm);
}

/*
** POST /api/v1/auth/login                                       public, slow
** Body: {"username": string, "password": string}
** 200 {"user", "csrf_token"} + session cookie (Secure behind a trusted https proxy; a session
** cookie the request carried is ended) | 401 auth.bad_credentials | 423 auth.locked (known and
** unknown names alike) | 429 auth.rate_limited | 403 auth.disabled
** Runs on a worker in its own transactions: the attempt is reserved and committed (login_reserve)
** before the Argon2id verify, the outcome recorded after it.
*/
static int auth_login(Req *r, Err *e) {
    json_t *body = req_json(r, e);
    if (!body) return -1;
    const char *username = body_string(body, "username", 100, e);
    if (!username) return -1;
    const char *password = body_string(body, "password", 1024, e);
    if (!password) return -1;
    username = str_ascii_lower(arena_strdup(r->a, username)); /* user names are stored in lower case */
    const char *ukey = arena_printf(r->a, "u:%s", username);

    /* 1. reserve the attempt and read the user, committed before the password is looked at */
    if (db_begin(r->db) != DB_OK) return err_set(e, 503, EC_UNAVAILABLE, NULL, NULL);
    Reservation res;
    int rc = login_reserve(r, username, &res);
    if (rc < 0) return rollback_failed(r, e, rc);
    int64_t uid = 0, disabled = 0;
    const char *hash = NULL;
    if (!res.rate_limited && res.locked_until <= r->now) {
        static const char zSqlUser[] = "SELECT id, password_hash, disabled FROM users\n"
                                       " WHERE username = ?1 AND deleted_at IS NULL";
        Stmt *st = db_prepare(r->db, zSqlUser);
        if (!st) return rollback_failed(r, e, DB_ERROR);
        db_bind_text(st, 1, username, -1);
        rc = db_step(st);
        if (rc == DB_ROW) {
            uid = db_col_int64(st, 0);
            hash = arena_strdup(r->a, db_col_text(st, 1));
            disabled = db_col_int64(st, 2);
        }
        db_done(st);
        if (rc < 0) return rollback_failed(r, e, rc);
    }
    if (commit_or_rollback(r->db) < 0) return err_set(e, 503, EC_UNAVAILABLE, NULL, NULL);
    if (res.rate_limited) return err_set(e, 429, EC_AUTH_RATE, NULL, NULL);
    if (res.locked_until > r->now) return locked_answer(r, e, res.locked_until);

    /* 2. verify: against a dummy hash for an unknown name, so the time does not tell */
    int ok = password_verify(hash ? hash : dummy_hash(), password) && hash != NULL;

    /* 3. record the outcome */
    if (db_begin(r->db) != DB_OK) return err_set(e, 503, EC_UNAVAILABLE, NULL, NULL);
    Stmt *st;
    if (!ok) {
        int64_t limit = req_setting_int(r, "auth.lockout_failures");
        if (res.failures >= limit) { /* the last allowed attempt failed: lock the name */
            static const char zSqlLock[] = "UPDATE login_guards SET failures = 0, locked_until = ?2, updated_at = ?3\n"
                                           " WHERE name = ?1 AND failures >= ?4 AND locked_until <= ?3";
            st = db_prepare(r->db, zSqlLock);
            if (!st) return rollback_failed(r, e, DB_ERROR);
            db_bind_text(st, 1, ukey, -1);
            db_bind_int64(st, 2, r->now + req_setting_int(r, "auth.lockout_minutes") * 60);
            db_bind_int64(st, 3, r->now);
            db_bind_int64(st, 4, limit);
            if ((rc = step_done(st)) < 0) return rollback_failed(r, e, rc);
        }
        if (commit_or_rollback(r->db) < 0) return err_set(e, 503, EC_UNAVAILABLE, NULL, NULL);
        return err_set(e, 401, EC_AUTH_BAD, NULL, NULL);
    }
    /* the right password: the name's count starts again */
    st = db_prepare(r->db, "UPDATE login_guards SET failures = 0, locked_until = 0, updated_at = ?2 WHERE name = ?1");
    if (!st) return rollback_failed(r, e, DB_ERROR);
    db_bind_text(st, 1, ukey, -1);
    db_bind_int64(st, 2, r->now);
    if ((rc = step_done(st)) < 0) return rollback_failed(r, e, rc);
    if (disabled) { /* the attempt stays recorded as a failure, as before */
        if (commit_or_rollback(r->db) < 0) return err_set(e, 503, EC_UNAVAILABLE, NULL, NULL);
        return err_set(e, 403, EC_AUTH_DISABLED, NULL, NULL);
    }
    st = db_prepare(r->db, "UPDATE login_attempts SET ok = 1 WHERE id = ?1");
    if (!st) return rollback_failed(r, e, DB_ERROR);
    db_bind_int64(st, 1, res.attempt_id);
    if ((rc = step_done(st)) < 0) return rollback_failed(r, e, rc);

    /* signing in again from the same browser replaces its session: the old one ends */
    const char *old_cookie = req_cookie(r, SESSION_COOKIE);
    if (old_cookie && *old_cookie) {
        st = db_prepare(r->db, "DELETE FROM sessions WHERE token_hash = ?1");
        if (!st) return rollback_failed(r, e, DB_ERROR);
        db_bind_text(st, 1, sha256_hex(r->a, old_cookie), -1);
        if ((rc = step_done(st)) < 0) return rollback_failed(r, e, rc);
    }

    char *token = random_token(r->a, 32);
    char *csrf = random_token(r->a, 24);
    int64_t hours = req_setting_int(r, "auth.session_hours");
    static const char zSqlNew[] =
        "INSERT INTO sessions(token_hash, user_id, csrf, created_at, expires_at, client_addr)\n"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
    st = db_prepare(r->db, zSqlNew);
    if (!st) return rollback_failed(r, e, DB_ERROR);
    db_bind_text(st, 1, sha256_hex(r->a, token), -1);
    db_bind_int64(st, 2, uid);
    db_bind_text(st, 3, csrf, -1);
    db_bind_int64(st, 4, r->now);
    db_bind_int64(st, 5, r->now + hours * 3600);
    db_bind_text(st, 6, r->client_addr ? r->client_addr : "", -1);
    if ((rc = step_done(st)) < 0) return rollback_failed(r, e, rc);
    if (commit_or_rollback(r->db) < 0) return err_set(e, 503, EC_UNAVAILABLE, NULL, NULL);
    reply_header(r, "Set-Cookie",
                 arena_printf(r->a, SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%lld%s", token,
                              (long long)(hours * 3600), cookie_secure(r)));
    /* load the user as later requests will see it */
    r->user = NULL;
    if (load_by_hash(r, zSqlSession, sha256_hex(r->a, token), true) != 1)
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return reply_json(r, 200, json_pack("{s:o, s:s}", "user", user_json(r->user), "csrf_token", csrf));
}

/*
** POST /api/v1/auth/logout                                      signed in
** 204, the session is deleted and the cookie cleared.
*/
static int auth_logout(Req *r, Err *e) {
    if (r->user->session_id) {
        Stmt *st = db_prepare(r->db, "DELETE FROM sessions WHERE id = ?1");
        if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        db_bind_int64(st, 1, r->user->session_id);
        int rc = db_step(st);
        db_done(st);
        if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL); /* the session would stay valid */
    }
    reply_header(r, "Set-Cookie",
                 arena_printf(r->a, SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0%s", cookie_secure(r)));
    return reply_empty(r, 204);
}

/* Who counts a user's waiting work: the flow layer registers it at start (auth_set_work_counts),
   so that this layer calls nothing above it. */
static AuthWorkCounts work_counter;

void auth_set_work_counts(AuthWorkCounts fn) { work_counter = fn; }

/* Waiting work of the user for the navigation badges: the same counts as /my/work; null when
   they cannot be read (never zeros that are not true). */
static json_t *work_counts(Req *r) {
    int64_t approvals = 0, tasks = 0, overdue = 0;
    if (!work_counter || work_counter(r, &approvals, &tasks, &overdue) < 0) return json_null();
    return json_pack("{s:I, s:I, s:I}", "approvals", (json_int_t)approvals, "tasks", (json_int_t)tasks, "overdue",
                     (json_int_t)overdue);
}

/*
** GET /api/v1/auth/me                                           signed in
** 200 {"user", "csrf_token", "counts"}
*/
static int auth_me(Req *r, Err *e) {
    json_t *o = json_pack("{s:o, s:o}", "user", user_json(r->user), "counts", work_counts(r));
    if (r->user->csrf) json_object_set_new(o, "csrf_token", json_string(r->user->csrf));
    return reply_json(r, 200, o);
}

/*
** PATCH /api/v1/auth/me                                         signed in
** Body: {"locale"?: "zh-CN"|"zh-TW"|"en", "display_name"?: string}
** 200 {"user"} | 400 field.enum / field.unknown
*/
static int auth_me_patch(Req *r, Err *e) {
    json_t *body = req_json(r, e);
    if (!body) return -1;
    /* every field checked before anything is written */
    const char *locale = NULL, *name = NULL, *key;
    json_t *v;
    json_object_foreach(body, key, v) {
        if (strcmp(key, "locale") == 0) {
            locale = json_string_value(v);
            if (!locale || (strcmp(locale, "zh-CN") && strcmp(locale, "zh-TW") && strcmp(locale, "en")))
                return err_set(e, 400, EC_ENUM, "locale", "zh-CN, zh-TW, en");
        } else if (strcmp(key, "display_name") == 0) {
            name = json_string_value(v);
            if (!name || !*name) return err_set(e, 400, EC_REQUIRED, "display_name", NULL);
            if (utf8_len(name, strlen(name)) > 100) return err_set(e, 400, EC_TOO_LONG, "display_name", "100");
        } else {
            return err_set(e, 400, EC_UNKNOWN_FIELD, arena_strdup(r->a, key), NULL);
        }
    }
    if (locale || name) {
        Stmt *st = db_prepare(r->db, "UPDATE users SET locale = COALESCE(?1, locale),"
                                     " display_name = COALESCE(?2, display_name), updated_at = ?3 WHERE id = ?4");
        if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        db_bind_text(st, 1, locale, -1); /* NULL binds NULL: the column kept */
        db_bind_text(st, 2, name, -1);
        db_bind_int64(st, 3, r->now);
        db_bind_int64(st, 4, r->user->id);
        int rc = db_step(st);
        db_done(st);
        if (rc != DB_DONE) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        if (locale) r->locale = r->user->locale = arena_strdup(r->a, locale);
        if (name) r->user->display_name = arena_strdup(r->a, name);
    }
    if (audit_write(r, "users", r->user->id, "update_profile", json_deep_copy(body)) < 0)
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return reply_json(r, 200, json_pack("{s:o}", "user", user_json(r->user)));
}

/*
** POST /api/v1/auth/password                                    signed in, slow
** Body: {"old_password", "new_password"}
** 204; the user's other sessions and nothing else are ended | 400 auth.weak_password /
** auth.password_has_username / auth.password_common (field new_password) | 401 wrong old password
*/
static int auth_password(Req *r, Err *e) {
    json_t *body = req_json(r, e);
    if (!body) return -1;
    const char *oldpw = body_string(body, "old_password", 1024, e);
    if (!oldpw) return -1;
    const char *newpw = body_string(body, "new_password", 1024, e);
    if (!newpw) return -1;
    if (password_policy_check(r->db, r->user->username, newpw, "new_password", e) < 0) return -1;
    Stmt *st = db_prepare(r->db, "SELECT password_hash FROM users WHERE id = ?1");
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, r->user->id);
    int rc = db_step(st);
    const char *hash = rc == DB_ROW ? arena_strdup(r->a, db_col_text(st, 0)) : NULL;
    db_done(st);
    if (rc < 0) return db_failed(e, rc);
    if (!hash || !password_verify(hash, oldpw)) return err_set(e, 401, EC_AUTH_BAD, "old_password", NULL);
    char *nh = password_hash(r->a, newpw);
    if (!nh) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (db_begin(r->db) != DB_OK) return err_set(e, 503, EC_UNAVAILABLE, NULL, NULL);
    st = db_prepare(r->db, "UPDATE users SET password_hash = ?1, password_changed_at = ?2 WHERE id = ?3");
    if (!st) return rollback_failed(r, e, DB_ERROR);
    db_bind_text(st, 1, nh, -1);
    db_bind_int64(st, 2, r->now);
    db_bind_int64(st, 3, r->user->id);
    if ((rc = step_done(st)) < 0) return rollback_failed(r, e, rc);
    st = db_prepare(r->db, "DELETE FROM sessions WHERE user_id = ?1 AND id <> ?2");
    if (!st) return rollback_failed(r, e, DB_ERROR);
    db_bind_int64(st, 1, r->user->id);
    db_bind_int64(st, 2, r->user->session_id);
    if ((rc = step_done(st)) < 0) return rollback_failed(r, e, rc);
    if (audit_write(r, "users", r->user->id, "change_password", NULL) < 0) return rollback_failed(r, e, DB_ERROR);
    if (db_commit(r->db) != DB_OK) {
        db_rollback(r->db);
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    return reply_empty(r, 204);
}

/* ---------------------------------------------------------------- API tokens */

/*
** GET /api/v1/tokens                                            signed in
** 200 {"items":[{"id","name","prefix","created_at","expires_at","last_used_at","revoked_at"}]}
*/
static int tokens_list(Req *r, Err *e) {
    static const char zSql[] = "SELECT id, name, prefix, created_at, expires_at, last_used_at, revoked_at\n"
                               "  FROM api_tokens WHERE user_id = ?1 ORDER BY id DESC LIMIT 200";
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, r->user->id);
    json_t *items = json_array();
    while (db_step(st) == DB_ROW) {
        json_t *o = json_pack("{s:I, s:s, s:s, s:I}", "id", (json_int_t)db_col_int64(st, 0), "name", db_col_text(st, 1),
                              "prefix", db_col_text(st, 2), "created_at", (json_int_t)db_col_int64(st, 3));
        static const char *const opt[] = {"expires_at", "last_used_at", "revoked_at"};
        for (int i = 0; i < 3; i++)
            json_object_set_new(o, opt[i],
                                db_col_null(st, 4 + i) ? json_null() : json_integer(db_col_int64(st, 4 + i)));
        json_array_append_new(items, o);
    }
    db_done(st);
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/*
** POST /api/v1/tokens                                           signed in
** Body: {"name": string, "expires_days"?: 1..3650}
** 201 {"id","name","token"} — the token is shown only here
*/
static int tokens_create(Req *r, Err *e) {
    json_t *body = req_json(r, e);
    if (!body) return -1;
    const char *name = body_string(body, "name", 100, e);
    if (!name) return -1;
    json_t *days = json_object_get(body, "expires_days");
    int64_t expires = 0;
    if (days && !json_is_null(days)) {
        if (!json_is_integer(days)) return err_set(e, 400, EC_TYPE, "expires_days", "integer");
        if (json_integer_value(days) < 1 || json_integer_value(days) > 3650)
            return err_set(e, 400, EC_RANGE, "expires_days", "1..3650");
        expires = r->now + json_integer_value(days) * 86400;
    }
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v) if (strcmp(key, "name") && strcmp(key, "expires_days")) return err_set(
        e, 400, EC_UNKNOWN_FIELD, arena_strdup(r->a, key), NULL);
    char *token = arena_printf(r->a, "slt_%s", random_token(r->a, 32));
    static const char zSql[] = "INSERT INTO api_tokens(user_id, name, token_hash, prefix, created_at, expires_at)\n"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6) RETURNING id";
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, r->user->id);
    db_bind_text(st, 2, name, -1);
    db_bind_text(st, 3, sha256_hex(r->a, token), -1);
    db_bind_text(st, 4, token, 10);
    db_bind_int64(st, 5, r->now);
    if (expires)
        db_bind_int64(st, 6, expires);
    else
        db_bind_null(st, 6);
    int64_t id = db_step(st) == DB_ROW ? db_col_int64(st, 0) : 0;
    db_done(st);
    if (!id) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (audit_write(r, "api_tokens", id, "create", json_pack("{s:[n,s]}", "name", name)) < 0)
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return reply_json(r, 201, json_pack("{s:I, s:s, s:s}", "id", (json_int_t)id, "name", name, "token", token));
}

/*
** DELETE /api/v1/tokens/:id                                     owner of the token
** 204 | 404 not yours or unknown
*/
static int tokens_revoke(Req *r, Err *e) {
    int64_t id;
    if (req_param_id(r, 0, &id, e) < 0) return -1;
    Stmt *st = db_prepare(
        r->db, "UPDATE api_tokens SET revoked_at = ?1 WHERE id = ?2 AND user_id = ?3 AND revoked_at IS NULL");
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, r->now);
    db_bind_int64(st, 2, id);
    db_bind_int64(st, 3, r->user->id);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (db_changes(r->db) != 1) return err_set(e, 404, EC_REC_NOT_FOUND, NULL, NULL);
    if (audit_write(r, "api_tokens", id, "revoke", NULL) < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return reply_empty(r, 204);
}

void auth_routes_register(void) {
    static const Route routes[] = {
        {"POST", "/api/v1/auth/login", auth_login, R_PUBLIC | R_SLOW | R_OWN_TX | R_NO_CSRF | R_WRITE, 0, "Sign in",
         "auth"},
        {"POST", "/api/v1/auth/logout", auth_logout, R_WRITE, 0, "Sign out", "auth"},
        {"GET", "/api/v1/auth/me", auth_me, 0, 0, "The signed-in user", "auth"},
        {"PATCH", "/api/v1/auth/me", auth_me_patch, R_WRITE, 0, "Change own locale or name", "auth"},
        {"POST", "/api/v1/auth/password", auth_password, R_SLOW | R_OWN_TX | R_WRITE, 0, "Change own password", "auth"},
        {"GET", "/api/v1/tokens", tokens_list, 0, 0, "List own API tokens", "auth"},
        {"POST", "/api/v1/tokens", tokens_create, R_WRITE, 0, "Create an API token", "auth"},
        {"DELETE", "/api/v1/tokens/:id", tokens_revoke, R_WRITE, 0, "Revoke an API token", "auth"},
    };
    routes_add(routes, (int)(sizeof routes / sizeof routes[0]));
    settings_declare(auth_settings, (int)(sizeof auth_settings / sizeof auth_settings[0]));
}
