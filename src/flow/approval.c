/*
** approval.c — approval rounds: open a round when a row enters an approval
** state (one task per role per step; the first step pending, later ones
** waiting), sign tasks (approve moves the step on, the last approval moves the
** row to approved_to; one rejection cancels the round and moves it to
** rejected_to), the approvals of a row as JSON, and the overdue-reminder job.
*/
#include <string.h>

#include "../core/errcodes.h"
#include "flow.h"

/* ---------------------------------------------------------------- helpers */

/* Column col as a JSON integer, or null. */
static json_t *flow_col_int(Stmt *st, int col)
{
    return db_col_null(st, col) ? json_null() : json_integer(db_col_int64(st, col));
}

/* Column col as a JSON string, or null. */
static json_t *flow_col_str(Stmt *st, int col)
{
    const char *s = db_col_text(st, col);
    return s ? json_string(s) : json_null();
}

/* See flow.h. The role is checked bit by bit: admin does not imply signing. */
bool flow_user_signs(const User *u, const char *role, const char *scope_path)
{
    if (!u || !role)
        return false;
    int bit = role_by_name(role);
    if (bit < 0 || !(u->roles & (1u << bit)))
        return false;
    if (!scope_path)
        return true;
    if (u->org_unit_id <= 0 || !u->org_path || !u->org_path[0])
        return false; /* outside every unit: no unit-scoped signing */
    return strncmp(scope_path, u->org_path, strlen(u->org_path)) == 0;
}

/* See flow.h. */
int flow_signable_task(Req *r, const Entity *en, int64_t row_id, FlowTask *out, Err *e)
{
    static const char zSql[] = "SELECT id, round, step_no, step_name, role, scope_path"
                               " FROM approval_tasks"
                               " WHERE entity = ?1 AND row_id = ?2 AND status = 'pending'"
                               " ORDER BY step_no, id";
    int ret = 0;
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) {
        ret = flow_db_error(r, e, "signable task");
        goto out;
    }
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, row_id);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (!flow_user_signs(r->user, db_col_text(st, 4), db_col_text(st, 5)))
            continue;
        out->id = db_col_int64(st, 0);
        out->round = db_col_int64(st, 1);
        out->step_no = db_col_int64(st, 2);
        out->step_name = arena_strdup(r->a, db_col_text(st, 3));
        out->role = arena_strdup(r->a, db_col_text(st, 4));
        ret = 1;
        goto out;
    }
    if (rc < 0)
        ret = flow_db_error(r, e, "signable task");
out:
    db_done(st);
    return ret;
}

/* See flow.h. */
int flow_task_access(Req *r, const Entity *en, int64_t row_id, Err *e)
{
    static const char zSql[] = "SELECT role, scope_path, status, signer_id FROM approval_tasks"
                               " WHERE entity = ?1 AND row_id = ?2"
                               " AND (status = 'pending' OR signer_id = ?3)";
    int ret = 0, rc;
    if (!r->user)
        return 0;
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) {
        ret = flow_db_error(r, e, "task access");
        goto out;
    }
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, row_id);
    db_bind_int64(st, 3, r->user->id);
    while ((rc = db_step(st)) == DB_ROW) {
        const char *status = db_col_text(st, 2);
        if ((!db_col_null(st, 3) && db_col_int64(st, 3) == r->user->id) ||
            (status && strcmp(status, "pending") == 0 &&
             flow_user_signs(r->user, db_col_text(st, 0), db_col_text(st, 1)))) {
            ret = 1;
            goto out;
        }
    }
    if (rc < 0)
        ret = flow_db_error(r, e, "task access");
out:
    db_done(st);
    return ret;
}

/* See flow.h. */
int flow_cancel_open(Req *r, const Entity *en, int64_t row_id, Err *e)
{
    static const char zSql[] = "UPDATE approval_tasks SET status = 'cancelled'"
                               " WHERE entity = ?1 AND row_id = ?2"
                               " AND status IN ('pending', 'waiting')";
    int ret = 0;
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) {
        ret = flow_db_error(r, e, "cancel round");
        goto out;
    }
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, row_id);
    if (db_step(st) != DB_DONE)
        ret = flow_db_error(r, e, "cancel round");
out:
    db_done(st);
    return ret;
}

/* Step a bound write statement (NULL when prepare failed) to its end; 0 or -1
   with e filled. The caller still releases it with db_done. */
static int flow_step_done(Req *r, Stmt *st, Err *e, const char *what)
{
    if (!st || db_step(st) != DB_DONE)
        return flow_db_error(r, e, what);
    return 0;
}

/* Materialised path of an org unit into *path (arena), NULL when none. */
static int flow_unit_path(Req *r, int64_t unit_id, const char **path, Err *e)
{
    static const char zSql[] = "SELECT path FROM org_units WHERE id = ?1";
    int ret = 0;
    *path = NULL;
    if (unit_id <= 0)
        return 0;
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) {
        ret = flow_db_error(r, e, "unit path");
        goto out;
    }
    db_bind_int64(st, 1, unit_id);
    int rc = db_step(st);
    if (rc == DB_ROW)
        *path = arena_strdup(r->a, db_col_text(st, 0));
    else if (rc < 0)
        ret = flow_db_error(r, e, "unit path");
out:
    db_done(st);
    return ret;
}

/* Number of declared steps of ap. */
static int flow_step_count(const Approval *ap)
{
    int n = 0;
    while (ap->steps && ap->steps[n].name)
        n++;
    return n;
}

/* Deadline of a step activated now, or 0 for none. */
static int64_t flow_due(const Req *r, const ApprovalStep *s)
{
    return s && s->due_hours > 0 ? r->now + (int64_t)s->due_hours * 3600 : 0;
}

/* Insert one approval task. */
static int flow_insert_task(Req *r, const Entity *en, int64_t row_id, int64_t round, int step_no,
                            const ApprovalStep *s, int role, const char *scope, bool pending,
                            Err *e)
{
    static const char zSql[] = "INSERT INTO approval_tasks"
                               " (entity, row_id, round, step_no, step_name, role, scope_path,"
                               "  status, activated_at, due_at)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
    Stmt *st = db_prepare(r->db, zSql);
    if (st) {
        int64_t due = flow_due(r, s);
        db_bind_text(st, 1, en->name, -1);
        db_bind_int64(st, 2, row_id);
        db_bind_int64(st, 3, round);
        db_bind_int64(st, 4, step_no);
        db_bind_text(st, 5, s->name, -1);
        db_bind_text(st, 6, role_info[role].id, -1);
        if (scope)
            db_bind_text(st, 7, scope, -1);
        else
            db_bind_null(st, 7);
        db_bind_text(st, 8, pending ? "pending" : "waiting", -1);
        if (pending)
            db_bind_int64(st, 9, r->now);
        else
            db_bind_null(st, 9);
        if (pending && due)
            db_bind_int64(st, 10, due);
        else
            db_bind_null(st, 10);
    }
    int ret = flow_step_done(r, st, e, "insert approval task");
    db_done(st);
    return ret;
}

/* Write the audit entry of a signature. */
static int flow_audit_sign(Req *r, const Entity *en, int64_t row_id, const char *action,
                           const FlowTask *t, const char *comment, const char *from,
                           const char *to, Err *e)
{
    json_t *changes = json_object();
    json_object_set_new(changes, "step", json_pack("[n,s]", t->step_name));
    json_object_set_new(changes, "role", json_pack("[n,s]", t->role));
    if (comment)
        json_object_set_new(changes, "comment", json_pack("[n,s]", comment));
    if (strcmp(from, to) != 0)
        json_object_set_new(changes, "state", json_pack("[s,s]", from, to));
    if (audit_write(r, en->name, row_id, action, changes) < 0)
        return flow_db_error(r, e, "audit");
    return 0;
}

/* ---------------------------------------------------------------- rounds */

/* See flow.h. Round = 1 + the highest round of the row; one task per role bit
   of each step; the first step with roles is pending, the others wait. A chain
   without steps approves at once. */
int flow_open_round(Req *r, const Entity *en, json_t *rec, const Approval *ap, Err *e)
{
    static const char zSqlRound[] = "SELECT COALESCE(MAX(round), 0) + 1 FROM approval_tasks"
                                    " WHERE entity = ?1 AND row_id = ?2";
    int ret = -1;
    int64_t row_id = flow_rec_int(rec, "id");
    int64_t round = 1;
    const char *scope = NULL;
    bool first = true;

    Stmt *st = db_prepare(r->db, zSqlRound);
    if (!st) {
        flow_db_error(r, e, "approval round");
        goto out;
    }
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, row_id);
    if (db_step(st) != DB_ROW) {
        flow_db_error(r, e, "approval round");
        goto out;
    }
    round = db_col_int64(st, 0);
    db_done(st);
    st = NULL;

    for (int i = 0; ap->steps && ap->steps[i].name; i++) {
        const ApprovalStep *s = &ap->steps[i];
        if (s->scope == SCOPE_UNIT && !scope &&
            flow_unit_path(r, flow_rec_int(rec, "org_unit_id"), &scope, e) < 0)
            goto out;
        bool any = false;
        for (int role = 0; role < ROLE_COUNT; role++) {
            if (!(s->roles & (1u << role)))
                continue;
            if (flow_insert_task(r, en, row_id, round, i, s, role,
                                 s->scope == SCOPE_UNIT ? scope : NULL, first, e) < 0)
                goto out;
            any = true;
        }
        if (any)
            first = false;
    }
    if (first) {
        /* Nothing to sign: the chain is approved as soon as it opens. */
        const char *from = arena_strdup(r->a, flow_rec_str(rec, "state"));
        if (flow_set_state(r, en, rec, ap->approved_to, e) < 0)
            goto out;
        json_t *changes = json_object();
        json_object_set_new(changes, "state", json_pack("[s,s]", from, ap->approved_to));
        if (audit_write(r, en->name, row_id, "approve", changes) < 0) {
            flow_db_error(r, e, "audit");
            goto out;
        }
    }
    ret = 0;
out:
    db_done(st);
    return ret;
}

/* Pending tasks left in a step of a round; -1 on a database error. */
static int64_t flow_pending_in_step(Req *r, const Entity *en, int64_t row_id, int64_t round,
                                    int64_t step_no, Err *e)
{
    static const char zSql[] = "SELECT COUNT(*) FROM approval_tasks"
                               " WHERE entity = ?1 AND row_id = ?2 AND round = ?3"
                               " AND step_no = ?4 AND status = 'pending'";
    int64_t n = -1;
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) {
        flow_db_error(r, e, "pending count");
        goto out;
    }
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, row_id);
    db_bind_int64(st, 3, round);
    db_bind_int64(st, 4, step_no);
    if (db_step(st) == DB_ROW)
        n = db_col_int64(st, 0);
    else
        flow_db_error(r, e, "pending count");
out:
    db_done(st);
    return n;
}

/* The next waiting step of the round into *next (-1 when none). */
static int flow_next_step(Req *r, const Entity *en, int64_t row_id, int64_t round, int64_t *next,
                          Err *e)
{
    static const char zSql[] = "SELECT MIN(step_no) FROM approval_tasks"
                               " WHERE entity = ?1 AND row_id = ?2 AND round = ?3"
                               " AND status = 'waiting'";
    int ret = -1;
    *next = -1;
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) {
        flow_db_error(r, e, "next step");
        goto out;
    }
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, row_id);
    db_bind_int64(st, 3, round);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        if (!db_col_null(st, 0))
            *next = db_col_int64(st, 0);
        ret = 0;
    } else if (rc == DB_DONE) {
        ret = 0;
    } else {
        flow_db_error(r, e, "next step");
    }
out:
    db_done(st);
    return ret;
}

/* Make the waiting tasks of step step_no pending, with their deadline. */
static int flow_activate_step(Req *r, const Entity *en, const Approval *ap, int64_t row_id,
                              int64_t round, int64_t step_no, Err *e)
{
    static const char zSql[] = "UPDATE approval_tasks SET status = 'pending',"
                               " activated_at = ?1, due_at = ?2"
                               " WHERE entity = ?3 AND row_id = ?4 AND round = ?5"
                               " AND step_no = ?6 AND status = 'waiting'";
    const ApprovalStep *s = step_no < flow_step_count(ap) ? &ap->steps[step_no] : NULL;
    int64_t due = flow_due(r, s);
    Stmt *st = db_prepare(r->db, zSql);
    if (st) {
        db_bind_int64(st, 1, r->now);
        if (due)
            db_bind_int64(st, 2, due);
        else
            db_bind_null(st, 2);
        db_bind_text(st, 3, en->name, -1);
        db_bind_int64(st, 4, row_id);
        db_bind_int64(st, 5, round);
        db_bind_int64(st, 6, step_no);
    }
    int ret = flow_step_done(r, st, e, "activate step");
    db_done(st);
    return ret;
}

/* Cancel the rest of a round after a rejection. */
static int flow_cancel_round(Req *r, const Entity *en, int64_t row_id, int64_t round, Err *e)
{
    static const char zSql[] = "UPDATE approval_tasks SET status = 'cancelled'"
                               " WHERE entity = ?1 AND row_id = ?2 AND round = ?3"
                               " AND status IN ('pending', 'waiting')";
    Stmt *st = db_prepare(r->db, zSql);
    if (st) {
        db_bind_text(st, 1, en->name, -1);
        db_bind_int64(st, 2, row_id);
        db_bind_int64(st, 3, round);
    }
    int ret = flow_step_done(r, st, e, "cancel round");
    db_done(st);
    return ret;
}

/* Record the signature on the task, if it is still pending (409 otherwise). */
static int flow_mark_task(Req *r, const FlowTask *t, bool approve, const char *comment, Err *e)
{
    static const char zSql[] = "UPDATE approval_tasks SET status = ?1, signer_id = ?2,"
                               " comment = ?3, signed_at = ?4"
                               " WHERE id = ?5 AND status = 'pending'";
    int ret = -1;
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) {
        flow_db_error(r, e, "sign task");
        goto out;
    }
    db_bind_text(st, 1, approve ? "approved" : "rejected", -1);
    db_bind_int64(st, 2, r->user->id);
    if (comment)
        db_bind_text(st, 3, comment, -1);
    else
        db_bind_null(st, 3);
    db_bind_int64(st, 4, r->now);
    db_bind_int64(st, 5, t->id);
    if (db_step(st) != DB_DONE) {
        flow_db_error(r, e, "sign task");
        goto out;
    }
    if (db_changes(r->db) == 0) {
        err_set(e, 409, EC_CONFLICT, NULL, NULL);
        goto out;
    }
    ret = 0;
out:
    db_done(st);
    return ret;
}

/*
** See flow.h. Every signature also bumps the row's version through the
** conditional state UPDATE (state unchanged unless the chain ends): two
** signatures racing on one row serialise on it, and the loser gets 409, so a
** parallel step can never be left with every task signed and nobody moving on.
*/
int flow_sign(Req *r, const Entity *en, json_t *rec, bool approve, const char *comment, Err *e)
{
    int64_t row_id = flow_rec_int(rec, "id");
    const char *state = flow_rec_str(rec, "state");
    const Approval *ap = flow_approval_for_state(en->flow, state);
    if (!ap)
        return err_set(e, 409, EC_BAD_STATE, NULL, "%s", state ? state : "");
    state = arena_strdup(r->a, state);

    FlowTask t;
    int found = flow_signable_task(r, en, row_id, &t, e);
    if (found < 0)
        return -1;
    if (found == 0)
        return err_set(e, 403, EC_NOT_SIGNER, NULL, NULL);
    if (!approve && !comment)
        return err_set(e, 400, EC_COMMENT, "comment", NULL);
    if (flow_mark_task(r, &t, approve, comment, e) < 0)
        return -1;

    const char *to = state;
    if (approve) {
        int64_t left = flow_pending_in_step(r, en, row_id, t.round, t.step_no, e);
        if (left < 0)
            return -1;
        if (left == 0) {
            int64_t next;
            if (flow_next_step(r, en, row_id, t.round, &next, e) < 0)
                return -1;
            if (next >= 0) {
                if (flow_activate_step(r, en, ap, row_id, t.round, next, e) < 0)
                    return -1;
            } else {
                to = ap->approved_to;
            }
        }
    } else {
        if (flow_cancel_round(r, en, row_id, t.round, e) < 0)
            return -1;
        to = ap->rejected_to;
    }
    if (flow_set_state(r, en, rec, to, e) < 0)
        return -1;
    return flow_audit_sign(r, en, row_id, approve ? "approve" : "reject", &t, comment, state, to,
                           e);
}

/* ---------------------------------------------------------------- handler */

/*
** GET /api/v1/{entity}/{id}/approvals        roles: readers of the row, or its signers
** 200 {"rounds":[{"round","steps":[{"step_no","name","label","tasks":[{"id","role","status",
**      "signer_id","signer_name","comment","signed_at","due_at"}]}]}]}
** 404 unknown entity / entity without workflow, row missing or not visible
*/
int flow_h_approvals(Req *r, Err *e)
{
    static const char zSql[] =
        "SELECT a.id, a.round, a.step_no, a.step_name, a.role, a.status, a.signer_id,"
        " u.display_name, a.comment, a.signed_at, a.due_at"
        " FROM approval_tasks a LEFT JOIN users u ON u.id = a.signer_id"
        " WHERE a.entity = ?1 AND a.row_id = ?2"
        " ORDER BY a.round, a.step_no, a.id";
    int ret = -1;
    Stmt *st = NULL;
    json_t *rounds = json_array();
    const Entity *en = entity_find(r->params[0]);
    if (!en || !en->flow) {
        err_set(e, 404, EC_NOT_FOUND, NULL, NULL);
        goto out;
    }
    int64_t id;
    if (req_param_id(r, 1, &id, e) < 0)
        goto out;
    json_t *rec = flow_load(r, en, id, e);
    if (!rec)
        goto out;
    json_decref(rec);

    st = db_prepare(r->db, zSql);
    if (!st) {
        flow_db_error(r, e, "approvals");
        goto out;
    }
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, id);
    json_t *round = NULL, *steps = NULL, *tasks = NULL; /* borrowed from rounds */
    int64_t cur_round = -1, cur_step = -1;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t rn = db_col_int64(st, 1), sn = db_col_int64(st, 2);
        if (!round || rn != cur_round) {
            round = json_object();
            steps = json_array();
            json_object_set_new(round, "round", json_integer(rn));
            json_object_set_new(round, "steps", steps);
            json_array_append_new(rounds, round);
            cur_round = rn;
            cur_step = -1;
        }
        if (sn != cur_step) {
            const char *name = db_col_text(st, 3);
            json_t *step = json_object();
            tasks = json_array();
            json_object_set_new(step, "step_no", json_integer(sn));
            json_object_set_new(step, "name", json_string(name ? name : ""));
            json_object_set_new(step, "label",
                                json_string(flow_step_label(en->flow, r->locale, name)));
            json_object_set_new(step, "tasks", tasks);
            json_array_append_new(steps, step);
            cur_step = sn;
        }
        json_t *task = json_object();
        json_object_set_new(task, "id", json_integer(db_col_int64(st, 0)));
        json_object_set_new(task, "role", flow_col_str(st, 4));
        json_object_set_new(task, "status", flow_col_str(st, 5));
        json_object_set_new(task, "signer_id", flow_col_int(st, 6));
        json_object_set_new(task, "signer_name", flow_col_str(st, 7));
        json_object_set_new(task, "comment", flow_col_str(st, 8));
        json_object_set_new(task, "signed_at", flow_col_int(st, 9));
        json_object_set_new(task, "due_at", flow_col_int(st, 10));
        json_array_append_new(tasks, task);
    }
    if (rc < 0) {
        flow_db_error(r, e, "approvals");
        goto out;
    }
    db_done(st);
    st = NULL;
    ret = reply_json(r, 200, json_pack("{s:o}", "rounds", rounds));
    rounds = NULL;
out:
    db_done(st);
    json_decref(rounds);
    return ret;
}

/* ---------------------------------------------------------------- overdue job */

/* One reminder to write: an overdue task and a user who may sign it. */
typedef struct Overdue {
    int64_t task_id, row_id, due_at, user_id;
    const char *entity, *step_name, *locale; /* in the job's arena */
} Overdue;

/* Title of a row for a reminder: its title field, else number, else "#id".
   Returns an arena string, or NULL when the row is gone (or on error). */
static const char *flow_row_title(Db *db, Arena *a, const Entity *en, int64_t row_id)
{
    const char *title = NULL;
    const char *col = en->title_field ? en->title_field
                      : entity_field(en, "number") ? "number"
                                                   : "id";
    const char *sql = arena_printf(a, "SELECT %s FROM %s WHERE id = ?1 AND deleted_at IS NULL",
                                   col, en->table);
    Stmt *st = db_prepare(db, sql);
    if (!st)
        goto out;
    db_bind_int64(st, 1, row_id);
    if (db_step(st) == DB_ROW) {
        const char *s = db_col_text(st, 0);
        title = s && s[0] && strcmp(col, "id") != 0 ? arena_strdup(a, s)
                                                    : arena_printf(a, "#%lld", (long long)row_id);
    }
out:
    db_done(st);
    return title;
}

/* Collect the overdue (task, signer) pairs into *out (arena array); count or -1. */
static int flow_overdue_collect(Db *db, Arena *a, int64_t now, Overdue **out)
{
    static const char zSql[] =
        "SELECT a.id, a.entity, a.row_id, a.step_name, a.due_at, u.id, u.locale"
        " FROM approval_tasks a"
        " JOIN user_roles ur ON ur.role = a.role"
        " JOIN users u ON u.id = ur.user_id AND u.disabled = 0 AND u.deleted_at IS NULL"
        " LEFT JOIN org_units o ON o.id = u.org_unit_id"
        " WHERE a.status = 'pending' AND a.due_at IS NOT NULL AND a.due_at < ?1"
        " AND (a.scope_path IS NULL"
        "      OR (o.path IS NOT NULL AND a.scope_path LIKE (o.path || '%')))"
        " ORDER BY a.id, u.id";
    int n = 0, cap = 0, rc;
    Overdue *v = NULL;
    Stmt *st = db_prepare(db, zSql);
    if (!st) {
        n = -1;
        goto out;
    }
    db_bind_int64(st, 1, now);
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            Overdue *nv = arena_alloc(a, sizeof *nv * (size_t)cap);
            if (n)
                memcpy(nv, v, sizeof *nv * (size_t)n);
            v = nv;
        }
        Overdue *o = &v[n++];
        o->task_id = db_col_int64(st, 0);
        o->entity = arena_strdup(a, db_col_text(st, 1));
        o->row_id = db_col_int64(st, 2);
        o->step_name = arena_strdup(a, db_col_text(st, 3));
        o->due_at = db_col_int64(st, 4);
        o->user_id = db_col_int64(st, 5);
        o->locale = arena_strdup(a, db_col_text(st, 6));
    }
    if (rc < 0)
        n = -1;
out:
    if (n < 0)
        log_error("approval_overdue: %s", db_errmsg(db));
    db_done(st);
    *out = v;
    return n;
}

/*
** Job "approval_overdue": a reminder in tasks for every active holder of the
** role (inside the task's scope) of each pending approval task past its
** deadline; reminders whose task is no longer pending are closed. Idempotent
** through tasks.dedupe_key.
*/
int flow_job_approval_overdue(Db *db, int64_t now)
{
    static const char zSqlClose[] =
        "UPDATE tasks SET status = 'done', done_at = ?1"
        " WHERE kind = 'approval_overdue' AND status = 'open'"
        " AND NOT EXISTS (SELECT 1 FROM approval_tasks a"
        "   WHERE a.entity = tasks.entity AND a.row_id = tasks.row_id"
        "   AND a.status = 'pending'"
        "   AND tasks.dedupe_key = 'approval_overdue:' || CAST(a.id AS TEXT) || ':'"
        "       || CAST(tasks.user_id AS TEXT))";
    int ret = -1;
    Arena *a = arena_new();
    Stmt *st = NULL;
    Overdue *v;
    int n = flow_overdue_collect(db, a, now, &v);
    if (n < 0)
        goto out;
    for (int i = 0; i < n; i++) {
        const Entity *en = entity_find(v[i].entity);
        const char *loc = i18n_locale(v[i].locale);
        const char *title = en ? flow_row_title(db, a, en, v[i].row_id)
                               : arena_printf(a, "#%lld", (long long)v[i].row_id);
        if (!title)
            continue; /* the row is gone */
        const char *what = en ? label_for(loc, en->zh, en->tw, en->en) : v[i].entity;
        const char *step = flow_step_label(en ? en->flow : NULL, loc, v[i].step_name);
        const char *full = arena_printf(a, "%s%s %s · %s",
                                        label_for(loc, "审批超时：", "審批逾時：",
                                                  "Approval overdue: "),
                                        what, title, step);
        const char *key = arena_printf(a, "approval_overdue:%lld:%lld", (long long)v[i].task_id,
                                       (long long)v[i].user_id);
        if (task_remind(db, v[i].user_id, "approval_overdue", v[i].entity, v[i].row_id, full, v[i].due_at, key,
                        now) < 0)
            goto out;
    }
    st = db_prepare(db, zSqlClose);
    if (!st)
        goto out;
    db_bind_int64(st, 1, now);
    if (db_step(st) != DB_DONE)
        goto out;
    ret = 0;
out:
    if (ret < 0)
        log_error("approval_overdue: %s", db_errmsg(db));
    db_done(st);
    arena_free(a);
    return ret;
}

/* The job table entry; registered by flow_jobs_register. */
static const Job flow_job_overdue = {"approval_overdue", 300, flow_job_approval_overdue};

/* See flow.h. */
void flow_jobs_register(void)
{
    scheduler_add(&flow_job_overdue);
}
