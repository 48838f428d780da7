/*
** approval.c — approval rounds: open a round when a row enters an approval
** state (one task per role per step; the first step with something to sign
** pending, later ones waiting; steps whose condition fails and reviewers the
** record does not call for are recorded as skipped; on a later round an
** earlier approval whose concern the change did not touch is kept, and the
** earlier signers are told what changed), sign tasks (approve moves the step
** on, the last approval moves the row to approved_to; one rejection cancels the
** round and moves it to rejected_to, unless the step collects every verdict
** first; a delegate signs on the delegator's behalf), the approvals of a row as
** JSON, and the overdue-reminder job.
*/
#include <string.h>

#include "../core/errcodes.h"
#include "flow.h"

/* ---------------------------------------------------------------- helpers */

/* Column col as a JSON integer, or null. */
static json_t *flow_col_int(Stmt *st, int col) {
    return db_col_null(st, col) ? json_null() : json_integer(db_col_int64(st, col));
}

/* Column col as a JSON string, or null. */
static json_t *flow_col_str(Stmt *st, int col) {
    const char *s = db_col_text(st, col);
    return s ? json_string(s) : json_null();
}

/* See flow.h. The role is checked bit by bit: admin does not imply signing. */
bool flow_user_signs(const User *u, const char *role, const char *scope_path, bool exact) {
    if (!u || !role) return false;
    int bit = role_by_name(role);
    if (bit < 0 || !(u->roles & (1u << bit))) return false;
    if (!scope_path) return true;
    if (u->org_unit_id <= 0 || !u->org_path || !u->org_path[0])
        return false; /* outside every unit: no unit-scoped signing */
    if (exact) return strcmp(scope_path, u->org_path) == 0;
    return strncmp(scope_path, u->org_path, strlen(u->org_path)) == 0;
}

/* One pending task as read for signing, before deciding who signs it. */
typedef struct PendingTask {
    FlowTask t;             /* what flow_sign needs */
    const char *scope_path; /* arena or NULL */
    bool exact;             /* scope_exact */
} PendingTask;

/* The pending tasks of a row into *out (arena array), in step order. Count or
   -1 with e filled. */
static int flow_pending_tasks(Req *r, const Entity *en, int64_t row_id, PendingTask **out, Err *e) {
    static const char zSql[] = "SELECT id, round, step_no, step_name, role, scope_path, scope_exact"
                               " FROM approval_tasks"
                               " WHERE entity = ?1 AND row_id = ?2 AND status = 'pending'"
                               " ORDER BY step_no, id";
    int n = 0, cap = 0, rc;
    PendingTask *v = NULL;
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return flow_db_error(r, e, "pending tasks");
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, row_id);
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            PendingTask *nv = arena_alloc(r->a, sizeof *nv * (size_t)cap);
            if (n) memcpy(nv, v, sizeof *nv * (size_t)n);
            v = nv;
        }
        PendingTask *p = &v[n++];
        memset(p, 0, sizeof *p);
        p->t.id = db_col_int64(st, 0);
        p->t.round = db_col_int64(st, 1);
        p->t.step_no = db_col_int64(st, 2);
        p->t.step_name = arena_strdup(r->a, db_col_text(st, 3));
        p->t.role = arena_strdup(r->a, db_col_text(st, 4));
        p->scope_path = db_col_null(st, 5) ? NULL : arena_strdup(r->a, db_col_text(st, 5));
        p->exact = db_col_int64(st, 6) != 0;
    }
    db_done(st);
    if (rc != DB_DONE) return flow_db_error(r, e, "pending tasks");
    *out = v;
    return n;
}

/* See flow.h. The user's own tasks come first; then those of the users who
   delegated their approvals to the user (signed on their behalf). */
int flow_signable_task(Req *r, const Entity *en, int64_t row_id, FlowTask *out, Err *e) {
    PendingTask *v = NULL;
    int n = flow_pending_tasks(r, en, row_id, &v, e);
    if (n <= 0) return n;
    for (int i = 0; i < n; i++)
        if (flow_user_signs(r->user, v[i].t.role, v[i].scope_path, v[i].exact)) {
            *out = v[i].t;
            return 1;
        }
    User *d = NULL;
    int nd = flow_delegators(r, &d, e);
    if (nd < 0) return -1;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < nd; k++)
            if (flow_user_signs(&d[k], v[i].t.role, v[i].scope_path, v[i].exact)) {
                *out = v[i].t;
                out->on_behalf_of = d[k].id;
                return 1;
            }
    return 0;
}

/* See flow.h. A delegate reaches the rows whose tasks they may sign for a
   delegator, and the rows they signed on someone's behalf. */
int flow_task_access(Req *r, const Entity *en, int64_t row_id, Err *e) {
    static const char zSql[] = "SELECT 1 FROM approval_tasks"
                               " WHERE entity = ?1 AND row_id = ?2"
                               " AND (signer_id = ?3 OR on_behalf_of = ?3)";
    if (!r->user) return 0;
    FlowTask t;
    int found = flow_signable_task(r, en, row_id, &t, e);
    if (found != 0) return found;
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return flow_db_error(r, e, "task access");
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, row_id);
    db_bind_int64(st, 3, r->user->id);
    int rc = db_step(st);
    db_done(st);
    if (rc == DB_ROW) return 1;
    if (rc == DB_DONE) return 0;
    return flow_db_error(r, e, "task access");
}

/* See flow.h. */
int flow_cancel_open(Req *r, const Entity *en, int64_t row_id, Err *e) {
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
    if (db_step(st) != DB_DONE) ret = flow_db_error(r, e, "cancel round");
out:
    db_done(st);
    return ret;
}

/* Step a bound write statement (NULL when prepare failed) to its end; 0 or -1
   with e filled. The caller still releases it with db_done. */
static int flow_step_done(Req *r, Stmt *st, Err *e, const char *what) {
    if (!st || db_step(st) != DB_DONE) return flow_db_error(r, e, what);
    return 0;
}

/* Materialised path of an org unit into *path (arena), NULL when none. */
static int flow_unit_path(Req *r, int64_t unit_id, const char **path, Err *e) {
    static const char zSql[] = "SELECT path FROM org_units WHERE id = ?1";
    int ret = 0;
    *path = NULL;
    if (unit_id <= 0) return 0;
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
static int flow_step_count(const Approval *ap) {
    int n = 0;
    while (ap->steps && ap->steps[n].name)
        n++;
    return n;
}

/* Deadline of a step activated now, or 0 for none. */
static int64_t flow_due(const Req *r, const ApprovalStep *s) {
    return s && s->due_hours > 0 ? r->now + (int64_t)s->due_hours * 3600 : 0;
}

/* What a new task is when its round opens, and what it carries over. */
typedef struct NewTask {
    const char *status; /* pending | waiting | skipped | kept */
    const char *scope;  /* scope_path or NULL */
    bool exact;         /* scope_exact */
    const char *reason; /* message key (skipped, kept) or NULL */
    /* kept: the earlier approval carried over */
    int64_t kept_from, signer_id, on_behalf_of, signed_at;
} NewTask;

/* Insert one approval task. */
static int flow_insert_task(Req *r, const Entity *en, int64_t row_id, int64_t round, int step_no, const ApprovalStep *s,
                            int role, const NewTask *nt, Err *e) {
    static const char zSql[] = "INSERT INTO approval_tasks"
                               " (entity, row_id, round, step_no, step_name, role, scope_path,"
                               "  status, activated_at, due_at, scope_exact, reason, kept_from,"
                               "  signer_id, on_behalf_of, signed_at)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
                               "  ?14, ?15, ?16)";
    bool pending = strcmp(nt->status, "pending") == 0;
    Stmt *st = db_prepare(r->db, zSql);
    if (st) {
        int64_t due = flow_due(r, s);
        db_bind_text(st, 1, en->name, -1);
        db_bind_int64(st, 2, row_id);
        db_bind_int64(st, 3, round);
        db_bind_int64(st, 4, step_no);
        db_bind_text(st, 5, s->name, -1);
        db_bind_text(st, 6, role_info[role].id, -1);
        if (nt->scope)
            db_bind_text(st, 7, nt->scope, -1);
        else
            db_bind_null(st, 7);
        db_bind_text(st, 8, nt->status, -1);
        if (pending)
            db_bind_int64(st, 9, r->now);
        else
            db_bind_null(st, 9);
        if (pending && due)
            db_bind_int64(st, 10, due);
        else
            db_bind_null(st, 10);
        db_bind_int64(st, 11, nt->exact ? 1 : 0);
        if (nt->reason)
            db_bind_text(st, 12, nt->reason, -1);
        else
            db_bind_null(st, 12);
        int64_t v[4] = {nt->kept_from, nt->signer_id, nt->on_behalf_of, nt->signed_at};
        for (int i = 0; i < 4; i++) {
            if (v[i])
                db_bind_int64(st, 13 + i, v[i]);
            else
                db_bind_null(st, 13 + i);
        }
    }
    int ret = flow_step_done(r, st, e, "insert approval task");
    db_done(st);
    return ret;
}

/* Write the audit entry of a signature (with the delegator it was signed for). */
static int flow_audit_sign(Req *r, const Entity *en, int64_t row_id, const char *action, const FlowTask *t,
                           const char *comment, const char *from, const char *to, Err *e) {
    json_t *changes = json_object();
    json_object_set_new(changes, "step", json_pack("[n,s]", t->step_name));
    json_object_set_new(changes, "role", json_pack("[n,s]", t->role));
    if (comment) json_object_set_new(changes, "comment", json_pack("[n,s]", comment));
    if (t->on_behalf_of) json_object_set_new(changes, "on_behalf_of", json_pack("[n,I]", (json_int_t)t->on_behalf_of));
    if (strcmp(from, to) != 0) json_object_set_new(changes, "state", json_pack("[s,s]", from, to));
    if (audit_write(r, en->name, row_id, action, changes) < 0) return flow_db_error(r, e, "audit");
    return 0;
}

/* ---------------------------------------------------------------- rounds */

/* Title of a row for a reminder (defined with the overdue job below). */
static const char *flow_row_title(Db *db, Arena *a, const Entity *en, int64_t row_id);

/* The latest round of the row before this one: its number into *prev (0 when
   none) and its snapshot (new reference, NULL when none). -1 with e filled. */
static int flow_prev_round(Req *r, const Entity *en, int64_t row_id, int64_t *prev, json_t **snap, Err *e) {
    static const char zSql[] = "SELECT round, snapshot FROM approval_rounds"
                               " WHERE entity = ?1 AND row_id = ?2 ORDER BY round DESC LIMIT 1";
    *prev = 0;
    *snap = NULL;
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return flow_db_error(r, e, "previous round");
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, row_id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *prev = db_col_int64(st, 0);
        const char *txt = db_col_text(st, 1);
        *snap = txt ? json_loads(txt, 0, NULL) : NULL;
    }
    db_done(st);
    if (rc != DB_ROW && rc != DB_DONE) return flow_db_error(r, e, "previous round");
    return 0;
}

/* The approval of (step, role) standing after round prev (approved there, or
   kept from earlier) into nt as a kept task. 1 found, 0 none, -1 error. */
static int flow_prev_approval(Req *r, const Entity *en, int64_t row_id, int64_t prev, const char *step,
                              const char *role, NewTask *nt, Err *e) {
    static const char zSql[] = "SELECT id, kept_from, signer_id, on_behalf_of, signed_at"
                               " FROM approval_tasks"
                               " WHERE entity = ?1 AND row_id = ?2 AND round = ?3"
                               " AND step_name = ?4 AND role = ?5"
                               " AND status IN ('approved', 'kept') AND signer_id IS NOT NULL"
                               " ORDER BY id LIMIT 1";
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return flow_db_error(r, e, "previous approval");
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, row_id);
    db_bind_int64(st, 3, prev);
    db_bind_text(st, 4, step, -1);
    db_bind_text(st, 5, role, -1);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        nt->status = "kept";
        nt->reason = "flow.kept_unchanged";
        nt->kept_from = db_col_null(st, 1) ? db_col_int64(st, 0) : db_col_int64(st, 1);
        nt->signer_id = db_col_int64(st, 2);
        nt->on_behalf_of = db_col_null(st, 3) ? 0 : db_col_int64(st, 3);
        nt->signed_at = db_col_int64(st, 4);
    }
    db_done(st);
    if (rc != DB_ROW && rc != DB_DONE) return flow_db_error(r, e, "previous approval");
    return rc == DB_ROW;
}

/* The unit of the row's owner (users.org_unit_id), else the row's own unit. */
static int flow_owner_unit(Req *r, json_t *rec, int64_t *unit, Err *e) {
    static const char zSql[] = "SELECT org_unit_id FROM users WHERE id = ?1";
    *unit = flow_rec_int(rec, "org_unit_id");
    int64_t owner = flow_rec_int(rec, "owner_id");
    if (owner <= 0) return 0;
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return flow_db_error(r, e, "owner unit");
    db_bind_int64(st, 1, owner);
    int rc = db_step(st);
    if (rc == DB_ROW && !db_col_null(st, 0)) *unit = db_col_int64(st, 0);
    db_done(st);
    if (rc != DB_ROW && rc != DB_DONE) return flow_db_error(r, e, "owner unit");
    return 0;
}

/*
** SCOPE_OWNER_MANAGER: from the owner's unit upwards, the nearest unit where
** someone other than the owner holds role; the task is then signed in exactly
** that unit (*exact). When no unit has one, the task falls back to SCOPE_UNIT
** over the owner's unit. *path NULL when the owner's unit is unknown.
*/
static int flow_owner_manager(Req *r, json_t *rec, int role, const char **path, bool *exact, Err *e) {
    static const char zSql[] = "SELECT o.path FROM org_units o"
                               " WHERE ?1 LIKE (o.path || '%') AND o.deleted_at IS NULL"
                               " AND EXISTS (SELECT 1 FROM users u JOIN user_roles ur ON ur.user_id = u.id"
                               "   WHERE u.org_unit_id = o.id AND ur.role = ?2 AND u.id <> ?3"
                               "   AND u.disabled = 0 AND u.deleted_at IS NULL)"
                               " ORDER BY LENGTH(o.path) DESC LIMIT 1";
    int64_t unit;
    const char *base;
    *path = NULL;
    *exact = false;
    if (flow_owner_unit(r, rec, &unit, e) < 0 || flow_unit_path(r, unit, &base, e) < 0) return -1;
    if (!base) return 0;
    *path = base;
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return flow_db_error(r, e, "owner's manager");
    db_bind_text(st, 1, base, -1);
    db_bind_text(st, 2, role_info[role].id, -1);
    db_bind_int64(st, 3, flow_rec_int(rec, "owner_id"));
    int rc = db_step(st);
    if (rc == DB_ROW) {
        *path = arena_strdup(r->a, db_col_text(st, 0));
        *exact = true;
    }
    db_done(st);
    if (rc != DB_ROW && rc != DB_DONE) return flow_db_error(r, e, "owner's manager");
    return 0;
}

/* Record the round: the row's snapshot and what changed since the last one. */
static int flow_round_record(Req *r, const Entity *en, int64_t row_id, int64_t round, json_t *snap, json_t *changed,
                             Err *e) {
    static const char zSql[] = "INSERT INTO approval_rounds"
                               " (entity, row_id, round, snapshot, changed, opened_at, opened_by)"
                               " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
    char *js = json_dumps(snap, JSON_COMPACT | JSON_SORT_KEYS);
    char *jc = changed ? json_dumps(changed, JSON_COMPACT) : NULL;
    Stmt *st = db_prepare(r->db, zSql);
    if (st) {
        db_bind_text(st, 1, en->name, -1);
        db_bind_int64(st, 2, row_id);
        db_bind_int64(st, 3, round);
        db_bind_text(st, 4, js ? js : "{}", -1);
        if (jc)
            db_bind_text(st, 5, jc, -1);
        else
            db_bind_null(st, 5);
        db_bind_int64(st, 6, r->now);
        if (r->user)
            db_bind_int64(st, 7, r->user->id);
        else
            db_bind_null(st, 7);
    }
    int ret = flow_step_done(r, st, e, "approval round record");
    db_done(st);
    free(js);
    free(jc);
    return ret;
}

/*
** Tell every signer of round prev (and those they signed for) that the row is
** under review again and what changed: a reminder "review_changed" whose title is
** the message review.changed (what, title, the changed fields' labels), shown in
** each reader's language (messages.c).
*/
static int flow_notify_signers(Req *r, const Entity *en, json_t *rec, int64_t prev, int64_t round, json_t *changed,
                               Err *e) {
    static const char zSql[] =
        "SELECT u.id FROM users u"
        " WHERE u.disabled = 0 AND u.deleted_at IS NULL AND u.id IN ("
        "   SELECT signer_id FROM approval_tasks WHERE entity = ?1 AND row_id = ?2 AND round = ?3"
        "   AND signer_id IS NOT NULL"
        "   UNION SELECT on_behalf_of FROM approval_tasks WHERE entity = ?1 AND row_id = ?2"
        "   AND round = ?3 AND on_behalf_of IS NOT NULL)"
        " ORDER BY u.id";
    int64_t row_id = flow_rec_int(rec, "id");
    const char *title = flow_row_title(r->db, r->a, en, row_id);
    if (!title) title = arena_printf(r->a, "#%lld", (long long)row_id);
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return flow_db_error(r, e, "earlier signers");
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, row_id);
    db_bind_int64(st, 3, prev);
    int n = 0, cap = 64, rc;
    int64_t *ids = arena_alloc(r->a, sizeof *ids * (size_t)cap);
    while ((rc = db_step(st)) == DB_ROW && n < cap)
        ids[n++] = db_col_int64(st, 0);
    db_done(st);
    if (rc != DB_ROW && rc != DB_DONE) return flow_db_error(r, e, "earlier signers");
    const char *full =
        json_array_size(changed)
            ? msg_make(r->a, "review.changed", "what", msg_entity_label(r->a, en->name), "title", title, "fields",
                       msg_field_labels(r->a, en->name, changed), NULL)
            : msg_make(r->a, "review.resubmitted", "what", msg_entity_label(r->a, en->name), "title", title, NULL);
    for (int i = 0; i < n; i++) {
        const char *key = arena_printf(r->a, "review_changed:%s:%lld:%lld:%lld", en->name, (long long)row_id,
                                       (long long)round, (long long)ids[i]);
        if (task_remind(r->db, ids[i], "review_changed", en->name, row_id, full, 0, key, r->now) < 0)
            return flow_db_error(r, e, "review reminder");
    }
    return 0;
}

/*
** See flow.h. Round = 1 + the highest round of the row. Each step asks the
** roles flow_step_roles gives for the row now (its conditions and reviewers);
** a declared role it does not ask is recorded as skipped. On a later round a
** role whose approval stands from the previous round and whose concern the
** change since did not touch is recorded as kept. The first step with a task
** to sign is pending, later ones wait; a chain with nothing to sign approves
** at once. The row's snapshot is recorded for the next round.
*/
int flow_open_round(Req *r, const Entity *en, json_t *rec, const Approval *ap, Err *e) {
    static const char zSqlRound[] = "SELECT COALESCE(MAX(round), 0) + 1 FROM approval_tasks"
                                    " WHERE entity = ?1 AND row_id = ?2";
    int ret = -1;
    int64_t row_id = flow_rec_int(rec, "id");
    int64_t round = 1, prev = 0;
    const char *row_path = NULL;
    bool have_path = false;
    int active = -1; /* the first step with something to sign */
    json_t *prev_snap = NULL, *changed = NULL, *touched = NULL;
    json_t *snap = flow_snapshot(en, rec);

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
    if (flow_prev_round(r, en, row_id, &prev, &prev_snap, e) < 0) goto out;
    if (prev_snap) {
        changed = flow_changed(en, prev_snap, snap);
        touched = flow_touched(en, prev_snap, snap);
    }

    for (int i = 0; ap->steps && ap->steps[i].name; i++) {
        const ApprovalStep *s = &ap->steps[i];
        uint32_t declared = flow_step_declared_roles(s);
        uint32_t asked = flow_step_roles(s, rec);
        bool step_holds = flow_conds_hold(s->when, rec);
        for (int role = 0; role < ROLE_COUNT; role++) {
            if (!(declared & (1u << role))) continue;
            NewTask nt = {0};
            if (!(asked & (1u << role))) {
                nt.status = "skipped";
                nt.reason = step_holds ? "flow.skip_not_required" : "flow.skip_condition";
            } else {
                int kept = 0;
                if (touched && !flow_concern_touched(flow_role_concerns(s, role), touched)) {
                    kept = flow_prev_approval(r, en, row_id, prev, s->name, role_info[role].id, &nt, e);
                    if (kept < 0) goto out;
                }
                if (!kept) {
                    if (active < 0) active = i;
                    nt.status = active == i ? "pending" : "waiting";
                    if (s->scope == SCOPE_UNIT) {
                        if (!have_path && flow_unit_path(r, flow_rec_int(rec, "org_unit_id"), &row_path, e) < 0)
                            goto out;
                        have_path = true;
                        nt.scope = row_path;
                    } else if (s->scope == SCOPE_OWNER_MANAGER &&
                               flow_owner_manager(r, rec, role, &nt.scope, &nt.exact, e) < 0) {
                        goto out;
                    }
                }
            }
            if (flow_insert_task(r, en, row_id, round, i, s, role, &nt, e) < 0) goto out;
        }
    }
    if (flow_round_record(r, en, row_id, round, snap, changed, e) < 0) goto out;
    if (prev && flow_approval_rereviews(ap) && flow_notify_signers(r, en, rec, prev, round, changed, e) < 0) goto out;
    if (active < 0) {
        /* Nothing to sign: the chain is approved as soon as it opens. */
        const char *from = arena_strdup(r->a, flow_rec_str(rec, "state"));
        if (flow_set_state(r, en, rec, ap->approved_to, e) < 0) goto out;
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
    json_decref(snap);
    json_decref(prev_snap);
    json_decref(changed);
    json_decref(touched);
    return ret;
}

/* Tasks of a step of a round in status (pending, rejected); -1 on a database error. */
static int64_t flow_pending_in_step(Req *r, const Entity *en, int64_t row_id, int64_t round, int64_t step_no,
                                    const char *status, Err *e) {
    static const char zSql[] = "SELECT COUNT(*) FROM approval_tasks"
                               " WHERE entity = ?1 AND row_id = ?2 AND round = ?3"
                               " AND step_no = ?4 AND status = ?5";
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
    db_bind_text(st, 5, status, -1);
    if (db_step(st) == DB_ROW)
        n = db_col_int64(st, 0);
    else
        flow_db_error(r, e, "pending count");
out:
    db_done(st);
    return n;
}

/* The next waiting step of the round into *next (-1 when none). */
static int flow_next_step(Req *r, const Entity *en, int64_t row_id, int64_t round, int64_t *next, Err *e) {
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
        if (!db_col_null(st, 0)) *next = db_col_int64(st, 0);
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
static int flow_activate_step(Req *r, const Entity *en, const Approval *ap, int64_t row_id, int64_t round,
                              int64_t step_no, Err *e) {
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
static int flow_cancel_round(Req *r, const Entity *en, int64_t row_id, int64_t round, Err *e) {
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
static int flow_mark_task(Req *r, const FlowTask *t, bool approve, const char *comment, Err *e) {
    static const char zSql[] = "UPDATE approval_tasks SET status = ?1, signer_id = ?2,"
                               " comment = ?3, signed_at = ?4, on_behalf_of = ?6"
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
    if (t->on_behalf_of)
        db_bind_int64(st, 6, t->on_behalf_of);
    else
        db_bind_null(st, 6);
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
int flow_sign(Req *r, const Entity *en, json_t *rec, bool approve, const char *comment, Err *e) {
    int64_t row_id = flow_rec_int(rec, "id");
    const char *state = flow_rec_str(rec, "state");
    const Approval *ap = flow_approval_for_state(en->flow, state);
    if (!ap) return err_set(e, 409, EC_BAD_STATE, NULL, "%s", entity_state_label(r->locale, en, state));
    state = arena_strdup(r->a, state);

    FlowTask t;
    int found = flow_signable_task(r, en, row_id, &t, e);
    if (found < 0) return -1;
    if (found == 0) return err_set(e, 403, EC_NOT_SIGNER, NULL, NULL);
    if (!approve && !comment) return err_set(e, 400, EC_COMMENT, "comment", NULL);
    if (flow_mark_task(r, &t, approve, comment, e) < 0) return -1;

    const char *to = state;
    const ApprovalStep *s = t.step_no < flow_step_count(ap) ? &ap->steps[t.step_no] : NULL;
    bool collect = s && (s->flags & STEP_COLLECT_ALL);
    if (approve || collect) {
        int64_t left = flow_pending_in_step(r, en, row_id, t.round, t.step_no, "pending", e);
        if (left < 0) return -1;
        int64_t no = left ? 0 : flow_pending_in_step(r, en, row_id, t.round, t.step_no, "rejected", e);
        if (no < 0) return -1;
        if (no > 0) { /* a collect-all step has every verdict, and one is a rejection */
            if (flow_cancel_round(r, en, row_id, t.round, e) < 0) return -1;
            to = ap->rejected_to;
        } else if (left == 0) {
            int64_t next;
            if (flow_next_step(r, en, row_id, t.round, &next, e) < 0) return -1;
            if (next >= 0) {
                if (flow_activate_step(r, en, ap, row_id, t.round, next, e) < 0) return -1;
            } else {
                to = ap->approved_to;
            }
        }
    } else {
        if (flow_cancel_round(r, en, row_id, t.round, e) < 0) return -1;
        to = ap->rejected_to;
    }
    if (flow_set_state(r, en, rec, to, e) < 0) return -1;
    return flow_audit_sign(r, en, row_id, approve ? "approve" : "reject", &t, comment, state, to, e);
}

/* ---------------------------------------------------------------- handler */

/* The declared step called name in any approval of wf, or NULL. */
static const ApprovalStep *flow_step_decl(const Workflow *wf, const char *name) {
    for (const Transition *t = wf ? wf->transitions : NULL; t && t->action && name; t++)
        for (const ApprovalStep *s = t->approval ? t->approval->steps : NULL; s && s->name; s++)
            if (!strcmp(s->name, name)) return s;
    return NULL;
}

/* The "changed" list of each recorded round of the row, set on the round
   objects of rounds (by "round"). 0 or -1 with e filled. */
static int flow_rounds_changed(Req *r, const Entity *en, int64_t row_id, json_t *rounds, Err *e) {
    static const char zSql[] = "SELECT round, changed FROM approval_rounds"
                               " WHERE entity = ?1 AND row_id = ?2";
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return flow_db_error(r, e, "round changes");
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, row_id);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t rn = db_col_int64(st, 0);
        const char *txt = db_col_text(st, 1);
        size_t i;
        json_t *ro;
        json_array_foreach(rounds, i, ro) {
            if (json_integer_value(json_object_get(ro, "round")) != rn) continue;
            json_t *c = txt ? json_loads(txt, 0, NULL) : NULL;
            json_object_set_new(ro, "changed", c ? c : json_null());
        }
    }
    db_done(st);
    if (rc != DB_DONE) return flow_db_error(r, e, "round changes");
    return 0;
}

/*
** GET /api/v1/{entity}/{id}/approvals        roles: readers of the row, or its signers
** 200 {"rounds":[{"round","changed","steps":[{"step_no","name","label","collect_all","skipped",
**      "tasks":[{"id","role","status","signer_id","signer_name","on_behalf_of_id",
**      "on_behalf_of_name","comment","signed_at","due_at","reason","kept_from"}]}]}]}
**   status: waiting | pending | approved | rejected | cancelled | skipped | kept
**   changed: the fields/lines changed since the previous round (null for the first)
** 404 unknown entity / entity without workflow, row missing or not visible
*/
int flow_h_approvals(Req *r, Err *e) {
    static const char zSql[] = "SELECT a.id, a.round, a.step_no, a.step_name, a.role, a.status, a.signer_id,"
                               " u.display_name, a.comment, a.signed_at, a.due_at, a.on_behalf_of, b.display_name,"
                               " a.reason, a.kept_from"
                               " FROM approval_tasks a LEFT JOIN users u ON u.id = a.signer_id"
                               " LEFT JOIN users b ON b.id = a.on_behalf_of"
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
    if (req_param_id(r, 1, &id, e) < 0) goto out;
    json_t *rec = flow_load(r, en, id, e);
    if (!rec) goto out;
    json_decref(rec);

    st = db_prepare(r->db, zSql);
    if (!st) {
        flow_db_error(r, e, "approvals");
        goto out;
    }
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, id);
    json_t *round = NULL, *steps = NULL, *tasks = NULL, *step = NULL; /* borrowed from rounds */
    int64_t cur_round = -1, cur_step = -1;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t rn = db_col_int64(st, 1), sn = db_col_int64(st, 2);
        if (!round || rn != cur_round) {
            round = json_object();
            steps = json_array();
            json_object_set_new(round, "round", json_integer(rn));
            json_object_set_new(round, "changed", json_null());
            json_object_set_new(round, "steps", steps);
            json_array_append_new(rounds, round);
            cur_round = rn;
            cur_step = -1;
        }
        if (sn != cur_step) {
            const char *name = db_col_text(st, 3);
            const ApprovalStep *decl = flow_step_decl(en->flow, name);
            step = json_object();
            tasks = json_array();
            json_object_set_new(step, "step_no", json_integer(sn));
            json_object_set_new(step, "name", json_string(name ? name : ""));
            json_object_set_new(step, "label", json_string(flow_step_label(en->flow, r->locale, name)));
            json_object_set_new(step, "collect_all", json_boolean(decl && (decl->flags & STEP_COLLECT_ALL)));
            json_object_set_new(step, "skipped", json_true()); /* until a task says otherwise */
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
        json_object_set_new(task, "on_behalf_of_id", flow_col_int(st, 11));
        json_object_set_new(task, "on_behalf_of_name", flow_col_str(st, 12));
        json_object_set_new(task, "reason", flow_col_str(st, 13));
        json_object_set_new(task, "kept_from", flow_col_int(st, 14));
        const char *status = db_col_text(st, 5);
        if (!status || strcmp(status, "skipped") != 0) json_object_set_new(step, "skipped", json_false());
        json_array_append_new(tasks, task);
    }
    if (rc < 0) {
        flow_db_error(r, e, "approvals");
        goto out;
    }
    db_done(st);
    st = NULL;
    if (flow_rounds_changed(r, en, id, rounds, e) < 0) goto out;
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
static const char *flow_row_title(Db *db, Arena *a, const Entity *en, int64_t row_id) {
    const char *title = NULL;
    const char *col = en->title_field ? en->title_field : entity_field(en, "number") ? "number" : "id";
    const char *sql = arena_printf(a, "SELECT %s FROM %s WHERE id = ?1 AND deleted_at IS NULL", col, en->table);
    Stmt *st = db_prepare(db, sql);
    if (!st) goto out;
    db_bind_int64(st, 1, row_id);
    if (db_step(st) == DB_ROW) {
        const char *s = db_col_text(st, 0);
        title = s && s[0] && strcmp(col, "id") != 0 ? arena_strdup(a, s) : arena_printf(a, "#%lld", (long long)row_id);
    }
out:
    db_done(st);
    return title;
}

/* Collect the overdue (task, signer) pairs into *out (arena array); count or -1. */
static int flow_overdue_collect(Db *db, Arena *a, int64_t now, Overdue **out) {
    static const char zSql[] =
        "SELECT a.id, a.entity, a.row_id, a.step_name, a.due_at, u.id, u.locale"
        " FROM approval_tasks a"
        " JOIN user_roles ur ON ur.role = a.role"
        " JOIN users u ON u.id = ur.user_id AND u.disabled = 0 AND u.deleted_at IS NULL"
        " LEFT JOIN org_units o ON o.id = u.org_unit_id"
        " WHERE a.status = 'pending' AND a.due_at IS NOT NULL AND a.due_at < ?1"
        " AND (a.scope_path IS NULL"
        "      OR (a.scope_exact = 0 AND o.path IS NOT NULL AND a.scope_path LIKE (o.path || '%'))"
        "      OR (a.scope_exact = 1 AND o.path = a.scope_path))"
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
            if (n) memcpy(nv, v, sizeof *nv * (size_t)n);
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
    if (rc < 0) n = -1;
out:
    if (n < 0) log_error("approval_overdue: %s", db_errmsg(db));
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
int flow_job_approval_overdue(Db *db, int64_t now) {
    static const char zSqlClose[] = "UPDATE tasks SET status = 'done', done_at = ?1"
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
    if (n < 0) goto out;
    for (int i = 0; i < n; i++) {
        const Entity *en = entity_find(v[i].entity);
        const char *title =
            en ? flow_row_title(db, a, en, v[i].row_id) : arena_printf(a, "#%lld", (long long)v[i].row_id);
        if (!title) continue; /* the row is gone */
        const Workflow *wf = en ? en->flow : NULL;
        const char *step =
            msg_text3(a, flow_step_label(wf, "zh-CN", v[i].step_name), flow_step_label(wf, "zh-TW", v[i].step_name),
                      flow_step_label(wf, "en", v[i].step_name));
        const char *full = msg_make(a, "approval.overdue", "what", msg_entity_label(a, v[i].entity), "title", title,
                                    "step", step, NULL); /* shown in each reader's language */
        const char *key =
            arena_printf(a, "approval_overdue:%lld:%lld", (long long)v[i].task_id, (long long)v[i].user_id);
        if (task_remind(db, v[i].user_id, "approval_overdue", v[i].entity, v[i].row_id, full, v[i].due_at, key, now) <
            0)
            goto out;
    }
    st = db_prepare(db, zSqlClose);
    if (!st) goto out;
    db_bind_int64(st, 1, now);
    if (db_step(st) != DB_DONE) goto out;
    ret = 0;
out:
    if (ret < 0) log_error("approval_overdue: %s", db_errmsg(db));
    db_done(st);
    arena_free(a);
    return ret;
}

/* The job table entry; registered by flow_jobs_register. */
static const Job flow_job_overdue = {"approval_overdue", 300, flow_job_approval_overdue};

/* See flow.h. */
void flow_jobs_register(void) { scheduler_add(&flow_job_overdue); }
