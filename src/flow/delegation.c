/*
** delegation.c — delegation while away: a user lets another user sign their
** approvals for a period (table delegations). The delegate then sees the
** delegator's approval tasks in "my work" and signs them on the delegator's
** behalf (approval_tasks.on_behalf_of, the audit entry says so). Anyone
** manages their own delegations; admin manages anyone's.
*/
#include <stdlib.h>
#include <string.h>

#include "../core/errcodes.h"
#include "flow.h"

/* Longest note accepted on a delegation, in characters. */
#define DELEG_NOTE_MAX 500

/* ---------------------------------------------------------------- delegators */

/* Load the roles of user u from user_roles into u->roles. 0 or -1. */
static int deleg_roles(Req *r, User *u) {
    static const char zSql[] = "SELECT role FROM user_roles WHERE user_id = ?1";
    int ret = -1, rc;
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) goto out;
    db_bind_int64(st, 1, u->id);
    u->roles = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        int bit = role_by_name(db_col_text(st, 0));
        if (bit >= 0) u->roles |= 1u << bit;
    }
    if (rc == DB_DONE) ret = 0;
out:
    db_done(st);
    return ret;
}

/* See flow.h. A delegator who is disabled or deleted delegates nothing. */
int flow_delegators(Req *r, User **out, Err *e) {
    static const char zSql[] = "SELECT u.id, u.username, u.display_name, u.org_unit_id, o.path"
                               " FROM delegations d JOIN users u ON u.id = d.from_user_id"
                               " LEFT JOIN org_units o ON o.id = u.org_unit_id"
                               " WHERE d.to_user_id = ?1 AND d.ended_at IS NULL"
                               " AND d.starts_at <= ?2 AND d.ends_at > ?2"
                               " AND u.disabled = 0 AND u.deleted_at IS NULL"
                               " ORDER BY d.id LIMIT 16";
    int n = 0, rc;
    User *v = NULL;
    *out = NULL;
    if (!r->user) return 0;
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return flow_db_error(r, e, "delegators");
    db_bind_int64(st, 1, r->user->id);
    db_bind_int64(st, 2, r->now);
    v = arena_alloc(r->a, sizeof *v * 16);
    while ((rc = db_step(st)) == DB_ROW) {
        User *u = &v[n];
        memset(u, 0, sizeof *u);
        u->id = db_col_int64(st, 0);
        u->username = arena_strdup(r->a, db_col_text(st, 1));
        u->display_name = arena_strdup(r->a, db_col_text(st, 2));
        u->org_unit_id = db_col_null(st, 3) ? 0 : db_col_int64(st, 3);
        u->org_path = db_col_null(st, 4) ? NULL : arena_strdup(r->a, db_col_text(st, 4));
        u->locale = "zh-CN";
        if (u->id != r->user->id) n++;
    }
    db_done(st);
    if (rc != DB_DONE) return flow_db_error(r, e, "delegators");
    for (int i = 0; i < n; i++)
        if (deleg_roles(r, &v[i]) < 0) return flow_db_error(r, e, "delegator roles");
    *out = v;
    return n;
}

/* ---------------------------------------------------------------- rows */

/* The columns every delegation answer carries, for the SELECTs below. */
#define DELEG_COLS                                                                                                     \
    "d.id, d.from_user_id, fu.display_name, d.to_user_id, tu.display_name, d.starts_at,"                               \
    " d.ends_at, d.note, d.created_at, d.created_by, d.ended_at, d.ended_by"                                           \
    " FROM delegations d JOIN users fu ON fu.id = d.from_user_id"                                                      \
    " JOIN users tu ON tu.id = d.to_user_id"

/* One delegation row (DELEG_COLS) as JSON, with "active" judged at now. */
static json_t *deleg_json(Stmt *st, int64_t now) {
    bool ended = !db_col_null(st, 10);
    int64_t starts = db_col_int64(st, 5), ends = db_col_int64(st, 6);
    const char *note = db_col_text(st, 7);
    json_t *o = json_object();
    json_object_set_new(o, "id", json_integer(db_col_int64(st, 0)));
    json_object_set_new(o, "from_user_id", json_integer(db_col_int64(st, 1)));
    json_object_set_new(o, "from_user_name", json_string(db_col_text(st, 2) ? db_col_text(st, 2) : ""));
    json_object_set_new(o, "to_user_id", json_integer(db_col_int64(st, 3)));
    json_object_set_new(o, "to_user_name", json_string(db_col_text(st, 4) ? db_col_text(st, 4) : ""));
    json_object_set_new(o, "starts_at", json_integer(starts));
    json_object_set_new(o, "ends_at", json_integer(ends));
    json_object_set_new(o, "note", note ? json_string(note) : json_null());
    json_object_set_new(o, "created_at", json_integer(db_col_int64(st, 8)));
    json_object_set_new(o, "created_by", db_col_null(st, 9) ? json_null() : json_integer(db_col_int64(st, 9)));
    json_object_set_new(o, "ended_at", ended ? json_integer(db_col_int64(st, 10)) : json_null());
    json_object_set_new(o, "ended_by", db_col_null(st, 11) ? json_null() : json_integer(db_col_int64(st, 11)));
    json_object_set_new(o, "active", json_boolean(!ended && starts <= now && now < ends));
    return o;
}

/* The delegation id as JSON (new reference), or NULL with e filled (404 / 500).
   Only its two users and admin see it. */
static json_t *deleg_load(Req *r, int64_t id, Err *e) {
    static const char zSql[] = "SELECT " DELEG_COLS " WHERE d.id = ?1";
    json_t *o = NULL;
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) {
        flow_db_error(r, e, "delegation");
        return NULL;
    }
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        bool admin = (r->user->roles & RB(ADMIN)) != 0;
        if (admin || db_col_int64(st, 1) == r->user->id || db_col_int64(st, 3) == r->user->id)
            o = deleg_json(st, r->now);
        else
            err_set(e, 404, EC_REC_NOT_FOUND, NULL, NULL);
    } else if (rc == DB_DONE) {
        err_set(e, 404, EC_REC_NOT_FOUND, NULL, NULL);
    } else {
        flow_db_error(r, e, "delegation");
    }
    db_done(st);
    return o;
}

/* An optional integer member of body into *out (false when absent or null). */
static int deleg_int(json_t *body, const char *key, int64_t *out, bool *has, Err *e) {
    json_t *v = json_object_get(body, key);
    *has = v && !json_is_null(v);
    if (!*has) return 0;
    if (!json_is_integer(v)) return err_set(e, 400, EC_TYPE, key, "integer");
    *out = (int64_t)json_integer_value(v);
    return 0;
}

/* Is user id a live, enabled user? 1 yes, 0 no, -1 database error (e filled). */
static int deleg_user_ok(Req *r, int64_t id, Err *e) {
    static const char zSql[] = "SELECT 1 FROM users WHERE id = ?1 AND disabled = 0 AND deleted_at IS NULL";
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return flow_db_error(r, e, "delegation user");
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    db_done(st);
    if (rc == DB_ROW) return 1;
    if (rc == DB_DONE) return 0;
    return flow_db_error(r, e, "delegation user");
}

/* The id of a live delegation of from_user overlapping [starts, ends) into
 *id (0 none). 0 or -1 with e filled. */
static int deleg_overlap(Req *r, int64_t from_user, int64_t starts, int64_t ends, int64_t *id, Err *e) {
    static const char zSql[] = "SELECT id FROM delegations"
                               " WHERE from_user_id = ?1 AND ended_at IS NULL"
                               " AND starts_at < ?3 AND ends_at > ?2 AND ends_at > ?4"
                               " ORDER BY id LIMIT 1";
    *id = 0;
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return flow_db_error(r, e, "delegation overlap");
    db_bind_int64(st, 1, from_user);
    db_bind_int64(st, 2, starts);
    db_bind_int64(st, 3, ends);
    db_bind_int64(st, 4, r->now);
    int rc = db_step(st);
    if (rc == DB_ROW) *id = db_col_int64(st, 0);
    db_done(st);
    if (rc != DB_ROW && rc != DB_DONE) return flow_db_error(r, e, "delegation overlap");
    return 0;
}

/* ---------------------------------------------------------------- handlers */

/*
** GET /api/v1/delegations                    any signed-in user
** Query: user_id (admin only: the delegations given or received by that user)
** 200 {"items":[{"id","from_user_id","from_user_name","to_user_id","to_user_name",
**      "starts_at","ends_at","note","created_at","created_by","ended_at","ended_by","active"}]}
**   — the user's own (given and received), newest first; admin without user_id: everyone's
*/
static int deleg_h_list(Req *r, Err *e) {
    static const char zSqlOwn[] = "SELECT " DELEG_COLS " WHERE d.from_user_id = ?1 OR d.to_user_id = ?1"
                                  " ORDER BY d.id DESC LIMIT 200";
    static const char zSqlAll[] = "SELECT " DELEG_COLS " ORDER BY d.id DESC LIMIT 200";
    bool admin = (r->user->roles & RB(ADMIN)) != 0;
    int64_t who = r->user->id;
    const char *q = req_query(r, "user_id");
    if (q && admin) {
        char *end;
        long long v = strtoll(q, &end, 10);
        if (!*q || *end || v <= 0) return err_set(e, 400, EC_BAD_QUERY, "user_id", "id");
        who = (int64_t)v;
    }
    bool all = admin && !q;
    Stmt *st = db_prepare(r->db, all ? zSqlAll : zSqlOwn);
    if (!st) return flow_db_error(r, e, "delegations");
    if (!all) db_bind_int64(st, 1, who);
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(items, deleg_json(st, r->now));
    db_done(st);
    if (rc != DB_DONE) {
        json_decref(items);
        return flow_db_error(r, e, "delegations");
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/*
** POST /api/v1/delegations                   any signed-in user (admin: for anyone)
** Body: {"to_user_id", "ends_at", "starts_at"? (default now), "note"?, "from_user_id"? (admin)}
** 201 delegation | 400 field.required/field.type/field.reference (to_user_id, from_user_id),
** delegation.self, delegation.bad_period (ends_at), field.too_long (note) |
** 403 auth.forbidden (from_user_id of someone else, not admin) | 409 delegation.overlap
*/
static int deleg_h_create(Req *r, Err *e) {
    static const char zSql[] = "INSERT INTO delegations(from_user_id, to_user_id, starts_at, ends_at,"
                               " note, created_at, created_by)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id";
    json_t *body = req_json(r, e);
    if (!body) return -1;
    int64_t from = r->user->id, to = 0, starts = r->now, ends = 0, other;
    bool has;
    if (deleg_int(body, "from_user_id", &other, &has, e) < 0) return -1;
    if (has && other != from) {
        if (!(r->user->roles & RB(ADMIN))) return err_set(e, 403, EC_FORBIDDEN, "from_user_id", NULL);
        int ok = deleg_user_ok(r, other, e);
        if (ok <= 0) return ok < 0 ? -1 : err_set(e, 400, EC_REF, "from_user_id", NULL);
        from = other;
    }
    if (deleg_int(body, "to_user_id", &to, &has, e) < 0) return -1;
    if (!has) return err_set(e, 400, EC_REQUIRED, "to_user_id", NULL);
    if (to == from) return err_set(e, 400, EC_DELEG_SELF, "to_user_id", NULL);
    int ok = deleg_user_ok(r, to, e);
    if (ok <= 0) return ok < 0 ? -1 : err_set(e, 400, EC_REF, "to_user_id", NULL);
    if (deleg_int(body, "starts_at", &starts, &has, e) < 0) return -1;
    if (!has) starts = r->now;
    if (deleg_int(body, "ends_at", &ends, &has, e) < 0) return -1;
    if (!has) return err_set(e, 400, EC_REQUIRED, "ends_at", NULL);
    if (ends <= starts || ends <= r->now) return err_set(e, 400, EC_DELEG_PERIOD, "ends_at", NULL);
    json_t *nv = json_object_get(body, "note");
    const char *note = NULL;
    if (nv && !json_is_null(nv)) {
        if (!json_is_string(nv)) return err_set(e, 400, EC_TYPE, "note", "string");
        if (utf8_len(json_string_value(nv), json_string_length(nv)) > DELEG_NOTE_MAX)
            return err_set(e, 400, EC_TOO_LONG, "note", "%d", DELEG_NOTE_MAX);
        if (memchr(json_string_value(nv), 0, json_string_length(nv))) return err_set(e, 400, EC_FORMAT, "note", "NUL");
        note = json_string_value(nv);
    }
    int64_t clash;
    if (deleg_overlap(r, from, starts, ends, &clash, e) < 0) return -1;
    if (clash) return err_set(e, 409, EC_DELEG_OVERLAP, NULL, "%lld", (long long)clash);

    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return flow_db_error(r, e, "delegation insert");
    db_bind_int64(st, 1, from);
    db_bind_int64(st, 2, to);
    db_bind_int64(st, 3, starts);
    db_bind_int64(st, 4, ends);
    if (note)
        db_bind_text(st, 5, note, -1);
    else
        db_bind_null(st, 5);
    db_bind_int64(st, 6, r->now);
    db_bind_int64(st, 7, r->user->id);
    int rc = db_step(st);
    int64_t id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_done(st);
    if (rc != DB_ROW) return flow_db_error(r, e, "delegation insert");
    json_t *ch = json_pack("{s:[n,I], s:[n,I], s:[n,I], s:[n,I]}", "from_user_id", (json_int_t)from, "to_user_id",
                           (json_int_t)to, "starts_at", (json_int_t)starts, "ends_at", (json_int_t)ends);
    if (audit_write(r, "delegations", id, "create", ch) < 0) return flow_db_error(r, e, "audit");
    json_t *o = deleg_load(r, id, e);
    return o ? reply_json(r, 201, o) : -1;
}

/*
** POST /api/v1/delegations/:id/end           the delegator, or admin
** 200 delegation (ended_at set) | 403 auth.forbidden (the delegate) | 404 not theirs |
** 409 delegation.ended (ended before, or its period is over)
*/
static int deleg_h_end(Req *r, Err *e) {
    static const char zSql[] = "UPDATE delegations SET ended_at = ?1, ended_by = ?2"
                               " WHERE id = ?3 AND ended_at IS NULL AND ends_at > ?1";
    int64_t id;
    if (req_param_id(r, 0, &id, e) < 0) return -1;
    json_t *o = deleg_load(r, id, e);
    if (!o) return -1;
    int64_t from = json_integer_value(json_object_get(o, "from_user_id"));
    json_decref(o);
    if (from != r->user->id && !(r->user->roles & RB(ADMIN))) return err_set(e, 403, EC_FORBIDDEN, NULL, NULL);
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return flow_db_error(r, e, "delegation end");
    db_bind_int64(st, 1, r->now);
    db_bind_int64(st, 2, r->user->id);
    db_bind_int64(st, 3, id);
    int rc = db_step(st);
    db_done(st);
    if (rc != DB_DONE) return flow_db_error(r, e, "delegation end");
    if (db_changes(r->db) == 0) return err_set(e, 409, EC_DELEG_ENDED, NULL, NULL);
    if (audit_write(r, "delegations", id, "end", json_pack("{s:[n,I]}", "ended_at", (json_int_t)r->now)) < 0)
        return flow_db_error(r, e, "audit");
    o = deleg_load(r, id, e);
    return o ? reply_json(r, 200, o) : -1;
}

/* See flow.h. */
void delegation_routes_register(void) {
    static const Route routes[] = {
        {"GET", "/api/v1/delegations", deleg_h_list, 0, 0,
         "My delegations of approvals (given and received; admin: everyone's)", "workflow"},
        {"POST", "/api/v1/delegations", deleg_h_create, R_WRITE, 0,
         "Delegate my approvals to another user for a period (admin: anyone's)", "workflow"},
        {"POST", "/api/v1/delegations/:id/end", deleg_h_end, R_WRITE, 0, "End a delegation now", "workflow"},
    };
    routes_add(routes, (int)(sizeof routes / sizeof routes[0]));
}
