/*
** mywork.c — "my work": the approval tasks the signed-in user can sign now
** (role held, row's unit inside the user's unit for unit-scoped steps, or the
** very unit for the owner's-manager scope, row still live) — their own and,
** during a delegation, those of the users they stand in for — the decisions
** modules declare as waiting for someone (a collision claim for its
** arbitrators: WaitingDecision), and the user's open tasks and reminders, with
** the counts the navigation shows.
*/
#include <stdlib.h>
#include <string.h>

#include "../core/errcodes.h"
#include "flow.h"

/* Most items of each list in one answer. */
#define WORK_LIMIT 200

/* One approval waiting for the user, gathered across entities before sorting. */
typedef struct WorkItem {
    int64_t task_id, row_id;
    int64_t activated_at, due_at; /* valid when has_act / has_due */
    bool has_act, has_due;
    const Entity *en;
    const char *title, *step, *role; /* arena strings */
    const User *behalf;              /* the delegator signed for, NULL for the user's own */
    const char *action;              /* a waiting decision's transition; NULL for an approval task */
} WorkItem;

/* The decisions modules declared as waiting for someone (flow_decisions_declare, at start). */
#define DECISIONS_MAX 16
static const WaitingDecision *aDecision[DECISIONS_MAX];
static int nDecision;

/* See flow.h. */
void flow_decisions_declare(const WaitingDecision *d) {
    if (nDecision == DECISIONS_MAX) {
        log_error("flow: too many waiting decisions (%s.%s)", d->entity, d->action);
        abort();
    }
    aDecision[nDecision++] = d;
}

/* ---------------------------------------------------------------- helpers */

/* The scope condition of approval_tasks a for a user whose LIKE pattern is
   parameter ?like and whose unit path is ?path (see work_scope_pattern). */
#define WORK_SCOPE_SQL(like, path)                                                                                     \
    " AND (a.scope_path IS NULL OR (a.scope_exact = 0 AND a.scope_path LIKE ?" #like ")"                               \
    " OR (a.scope_exact = 1 AND a.scope_path = ?" #path "))"

/* Append "?first, ?first+1, …" for each role the user holds; returns the count. */
static int work_role_list(const User *u, Buf *sql, int first) {
    int n = 0;
    for (int i = 0; i < ROLE_COUNT; i++) {
        if (!(u->roles & (1u << i))) continue;
        buf_printf(sql, "%s?%d", n ? ", " : "", first + n);
        n++;
    }
    return n;
}

/* Bind the role ids of the user from parameter first on (order of work_role_list). */
static void work_role_bind(const User *u, Stmt *st, int first) {
    int n = 0;
    for (int i = 0; i < ROLE_COUNT; i++)
        if (u->roles & (1u << i)) db_bind_text(st, first + n++, role_info[i].id, -1);
}

/* LIKE pattern matching scope paths inside the user's unit ("" matches none). */
static const char *work_scope_pattern(Req *r, const User *u) {
    const char *p = u->org_path;
    return u->org_unit_id > 0 && p && p[0] ? arena_printf(r->a, "%s%%", p) : "";
}

/* The user's unit path for exact scopes ("" matches none). */
static const char *work_scope_path(const User *u) {
    return u->org_unit_id > 0 && u->org_path && u->org_path[0] ? u->org_path : "";
}

/* Does any transition of the entity's workflow open an approval? */
static bool work_entity_signs(const Entity *en) { return en->flow && flow_has_approval(en->flow); }

/* ---------------------------------------------------------------- counts */

static json_t *work_approvals(Req *r);
static int work_collect_decisions(Req *r, WorkItem **items, int *n, int *cap);

/* Add what one count statement answers (two bounded counts) to *n and *late. -1 on error. */
static int work_count_add(Stmt *st, int64_t *n, int64_t *late) {
    if (!st || db_step(st) != DB_ROW) return -1;
    *n += db_col_int64(st, 0);
    *late += db_col_int64(st, 1);
    return 0;
}

/* Pending tasks of one entity the user can sign, and how many are overdue, each counted to
   WORK_COUNT_CAP at most (the badge's "99+"): a count reads that many rows, not every pending one. */
static int work_count_entity(Req *r, const Entity *en, int64_t *n, int64_t *late) {
    Buf where, sql;
    buf_init(&where, r->a);
    buf_init(&sql, r->a);
    buf_printf(&where,
               " FROM approval_tasks a JOIN %s t ON t.id = a.row_id"
               " WHERE a.entity = ?1 AND a.status = 'pending' AND t.deleted_at IS NULL" WORK_SCOPE_SQL(
                   2, 4) " AND a.role IN (",
               en->table);
    work_role_list(r->user, &where, 5);
    buf_puts(&where, ")");
    buf_printf(&sql,
               "SELECT (SELECT COUNT(*) FROM (SELECT 1%s LIMIT %d) AS w),"
               " (SELECT COUNT(*) FROM (SELECT 1%s AND a.due_at < ?3 LIMIT %d) AS l)",
               where.p, WORK_COUNT_CAP, where.p, WORK_COUNT_CAP);
    Stmt *st = db_prepare(r->db, sql.p);
    if (st) {
        db_bind_text(st, 1, en->name, -1);
        db_bind_text(st, 2, work_scope_pattern(r, r->user), -1);
        db_bind_int64(st, 3, r->now);
        db_bind_text(st, 4, work_scope_path(r->user), -1);
        work_role_bind(r->user, st, 5);
    }
    int ret = work_count_add(st, n, late);
    db_done(st);
    return ret;
}

/* See flow.h. */
int flow_work_counts(Req *r, int64_t *approvals, int64_t *tasks, int64_t *overdue) {
    static const char zSqlTasks[] =
        "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM tasks WHERE user_id = ?1 AND status = 'open' LIMIT ?3) AS w),"
        " (SELECT COUNT(*) FROM (SELECT 1 FROM tasks WHERE user_id = ?1 AND status = 'open' AND due_at < ?2"
        " LIMIT ?3) AS l)";
    int ret = -1;
    Stmt *st = NULL;
    *approvals = *tasks = *overdue = 0;
    if (!r->user) return 0;
    User *dl;
    Err e = {0};
    int nd = flow_delegators(r, &dl, &e);
    if (nd < 0) goto out;
    if (nd > 0) { /* standing in for someone: count the merged list itself */
        json_t *a = work_approvals(r);
        if (!a) goto out;
        size_t i;
        json_t *x;
        json_array_foreach(a, i, x) {
            (*approvals)++;
            *overdue += json_is_true(json_object_get(x, "overdue"));
        }
        json_decref(a);
    } else if (r->user->roles) {
        int n;
        const Entity *const *all = entity_all(&n);
        for (int i = 0; i < n; i++)
            if (work_entity_signs(all[i]) && work_count_entity(r, all[i], approvals, overdue) < 0) goto out;
        WorkItem *dec = NULL;
        int nd2 = 0, cap = 0;
        if (work_collect_decisions(r, &dec, &nd2, &cap) < 0) goto out;
        *approvals += nd2;
    }
    st = db_prepare(r->db, zSqlTasks);
    if (!st) goto out;
    db_bind_int64(st, 1, r->user->id);
    db_bind_int64(st, 2, r->now);
    db_bind_int64(st, 3, WORK_COUNT_CAP);
    if (work_count_add(st, tasks, overdue) < 0) goto out;
    if (*approvals > WORK_COUNT_CAP) *approvals = WORK_COUNT_CAP;
    if (*overdue > WORK_COUNT_CAP) *overdue = WORK_COUNT_CAP;
    ret = 0;
out:
    if (ret < 0) log_error("flow: work counts failed: %s", db_errmsg(r->db));
    db_done(st);
    return ret;
}

/* See flow.h. 0 on a database error (logged): a badge is not worth a 500. */
int64_t flow_pending_count(Req *r) {
    int64_t approvals = 0, tasks, late;
    if (!r->user) return 0;
    if (flow_work_counts(r, &approvals, &tasks, &late) < 0) return 0;
    return approvals;
}

/* ---------------------------------------------------------------- lists */

/* A free slot at the end of *items (grown in the arena). */
static WorkItem *work_item_add(Req *r, WorkItem **items, int *n, int *cap) {
    if (*n == *cap) {
        int nc = *cap ? *cap * 2 : 32;
        WorkItem *nv = arena_alloc(r->a, sizeof *nv * (size_t)nc);
        if (*n) memcpy(nv, *items, sizeof *nv * (size_t)*n);
        *items = nv;
        *cap = nc;
    }
    WorkItem *w = &(*items)[(*n)++];
    memset(w, 0, sizeof *w);
    return w;
}

/* Append the rows of one declared decision waiting for the signed-in user (see flow.h). */
static int work_collect_decision(Req *r, const WaitingDecision *d, WorkItem **items, int *n, int *cap) {
    const Entity *en = entity_find(d->entity);
    const Transition *t = NULL;
    for (const Transition *x = en && en->flow ? en->flow->transitions : NULL; x && x->action && !t; x++)
        if (!strcmp(x->action, d->action)) t = x;
    if (!t || !(r->user->roles & t->roles)) return 0; /* not theirs to decide */
    const char *title_col = en->title_field ? en->title_field : "id";
    Buf sql;
    buf_init(&sql, r->a);
    buf_printf(&sql,
               "SELECT t.id, t.%s, t.created_at FROM %s t LEFT JOIN org_units o ON o.id = t.org_unit_id"
               " WHERE t.deleted_at IS NULL AND (t.owner_id IS NULL OR t.owner_id <> ?1)"
               " AND (t.org_unit_id IS NULL OR o.path LIKE ?2) AND t.state IN (",
               title_col, en->table);
    int ns = 0;
    for (const char *p = t->from; *p;) { /* the states the decision leaves from, ?3 on */
        size_t len = strcspn(p, " ");
        if (len) {
            buf_printf(&sql, "%s?%d", ns ? ", " : "", 3 + ns);
            ns++;
        }
        p += len;
        p += strspn(p, " ");
    }
    if (!ns) return 0;
    buf_printf(&sql, ") ORDER BY t.created_at, t.id LIMIT %d", WORK_LIMIT);
    Stmt *st = db_prepare(r->db, sql.p);
    if (!st) goto fail;
    db_bind_int64(st, 1, r->user->id);
    db_bind_text(st, 2, work_scope_pattern(r, r->user), -1);
    ns = 0;
    for (const char *p = t->from; *p;) {
        size_t len = strcspn(p, " ");
        if (len) {
            db_bind_text(st, 3 + ns, p, (int)len);
            ns++;
        }
        p += len;
        p += strspn(p, " ");
    }
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        WorkItem *w = work_item_add(r, items, n, cap);
        w->row_id = db_col_int64(st, 0);
        const char *title = db_col_text(st, 1);
        w->title = title && *title ? arena_strdup(r->a, title) : arena_printf(r->a, "#%lld", (long long)w->row_id);
        w->has_act = !db_col_null(st, 2);
        w->activated_at = db_col_int64(st, 2);
        w->en = en;
        w->action = t->action;
        w->step = label_for(r->locale, t->zh, t->tw, t->en);
        w->role = "";
    }
    db_done(st);
    if (rc == DB_DONE) return 0;
fail:
    log_error("flow: waiting decisions (%s) failed: %s", d->entity, db_errmsg(r->db));
    return -1;
}

/* Append every declared decision waiting for the signed-in user. */
static int work_collect_decisions(Req *r, WorkItem **items, int *n, int *cap) {
    for (int i = 0; i < nDecision; i++)
        if (work_collect_decision(r, aDecision[i], items, n, cap) < 0) return -1;
    return 0;
}

/* Append the approvals of one entity waiting for user u to *items; behalf is
   the delegator u stands for (u itself then), NULL for the user's own. Tasks
   already listed (skip the first `seen` items) are not listed twice. */
static int work_collect_entity(Req *r, const User *u, const User *behalf, const Entity *en, WorkItem **items, int *n,
                               int *cap, int seen) {
    int ret = -1;
    const char *title_col = en->title_field ? en->title_field : NULL;
    const char *number_col = entity_field(en, "number") ? "number" : NULL;
    Buf sql;
    buf_init(&sql, r->a);
    buf_printf(&sql,
               "SELECT a.id, a.row_id, a.step_name, a.role, a.activated_at, a.due_at,"
               " %s%s, %s%s"
               " FROM approval_tasks a JOIN %s t ON t.id = a.row_id"
               " WHERE a.entity = ?1 AND a.status = 'pending' AND t.deleted_at IS NULL" WORK_SCOPE_SQL(
                   2, 3) " AND a.role IN (",
               title_col ? "t." : "", title_col ? title_col : "NULL", number_col ? "t." : "",
               number_col ? number_col : "NULL", en->table);
    if (work_role_list(u, &sql, 4) == 0) return 0; /* no role: nothing to sign */
    buf_printf(&sql,
               ")"
               " ORDER BY CASE WHEN a.due_at IS NULL THEN 1 ELSE 0 END, a.due_at, a.id"
               " LIMIT %d",
               WORK_LIMIT);
    Stmt *st = db_prepare(r->db, sql.p);
    if (!st) goto out;
    db_bind_text(st, 1, en->name, -1);
    db_bind_text(st, 2, work_scope_pattern(r, u), -1);
    db_bind_text(st, 3, work_scope_path(u), -1);
    work_role_bind(u, st, 4);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        int64_t tid = db_col_int64(st, 0);
        bool dup = false;
        for (int k = 0; k < seen && !dup; k++)
            dup = (*items)[k].task_id == tid && (*items)[k].en == en;
        if (dup) continue;
        WorkItem *w = work_item_add(r, items, n, cap);
        w->task_id = db_col_int64(st, 0);
        w->row_id = db_col_int64(st, 1);
        w->step = flow_step_label(en->flow, r->locale, arena_strdup(r->a, db_col_text(st, 2)));
        w->role = arena_strdup(r->a, db_col_text(st, 3));
        w->has_act = !db_col_null(st, 4);
        w->activated_at = db_col_int64(st, 4);
        w->has_due = !db_col_null(st, 5);
        w->due_at = db_col_int64(st, 5);
        w->en = en;
        w->behalf = behalf;
        const char *t = db_col_text(st, 6);
        if (!t || !t[0]) t = db_col_text(st, 7);
        w->title = t && t[0] ? arena_strdup(r->a, t) : arena_printf(r->a, "#%lld", (long long)w->row_id);
    }
    if (rc == DB_DONE) ret = 0;
out:
    if (ret < 0) log_error("flow: my work (%s) failed: %s", en->name, db_errmsg(r->db));
    db_done(st);
    return ret;
}

/* Order of my work: items with a deadline first, earliest first (so overdue
   ones lead), then the others by task id. */
static int work_cmp(const void *pa, const void *pb) {
    const WorkItem *a = pa, *b = pb;
    if (a->has_due != b->has_due) return a->has_due ? -1 : 1;
    if (a->has_due && a->due_at != b->due_at) return a->due_at < b->due_at ? -1 : 1;
    if (a->task_id != b->task_id) return a->task_id < b->task_id ? -1 : 1;
    return a->row_id < b->row_id ? -1 : a->row_id > b->row_id;
}

/* The approvals array of my work: the user's own, then those of the users
   they stand in for (delegations), each task once; NULL on a database error. */
static json_t *work_approvals(Req *r) {
    WorkItem *items = NULL;
    int n = 0, cap = 0, ne;
    User *dl;
    Err e = {0};
    int nd = flow_delegators(r, &dl, &e);
    if (nd < 0) return NULL;
    const Entity *const *all = entity_all(&ne);
    for (int k = -1; k < nd; k++) {
        const User *u = k < 0 ? r->user : &dl[k];
        int seen = n;
        for (int i = 0; i < ne && u->roles; i++)
            if (work_entity_signs(all[i]) &&
                work_collect_entity(r, u, k < 0 ? NULL : u, all[i], &items, &n, &cap, seen) < 0)
                return NULL;
    }
    if (r->user->roles && work_collect_decisions(r, &items, &n, &cap) < 0) return NULL;
    if (n > 1) qsort(items, (size_t)n, sizeof *items, work_cmp);
    json_t *a = json_array();
    for (int i = 0; i < n && i < WORK_LIMIT; i++) {
        const WorkItem *w = &items[i];
        json_t *o = json_object();
        json_object_set_new(o, "kind", json_string(w->action ? "decision" : "approval"));
        json_object_set_new(o, "task_id", w->action ? json_null() : json_integer(w->task_id));
        json_object_set_new(o, "action", w->action ? json_string(w->action) : json_null());
        json_object_set_new(o, "entity", json_string(w->en->name));
        json_object_set_new(o, "entity_label", json_string(label_for(r->locale, w->en->zh, w->en->tw, w->en->en)));
        json_object_set_new(o, "row_id", json_integer(w->row_id));
        json_object_set_new(o, "title", json_string(w->title));
        json_object_set_new(o, "step", json_string(w->step ? w->step : ""));
        json_object_set_new(o, "role", json_string(w->role ? w->role : ""));
        json_object_set_new(o, "activated_at", w->has_act ? json_integer(w->activated_at) : json_null());
        json_object_set_new(o, "due_at", w->has_due ? json_integer(w->due_at) : json_null());
        json_object_set_new(o, "overdue", json_boolean(w->has_due && w->due_at < r->now));
        json_object_set_new(o, "on_behalf_of_id", w->behalf ? json_integer(w->behalf->id) : json_null());
        json_object_set_new(o, "on_behalf_of_name",
                            w->behalf ? json_string(w->behalf->display_name ? w->behalf->display_name : "")
                                      : json_null());
        json_array_append_new(a, o);
    }
    return a;
}

/* The user's open tasks; NULL on a database error. */
static json_t *work_tasks(Req *r) {
    static const char zSql[] = "SELECT id, kind, entity, row_id, title, due_at FROM tasks"
                               " WHERE user_id = ?1 AND status = 'open'"
                               " ORDER BY CASE WHEN due_at IS NULL THEN 1 ELSE 0 END, due_at, id"
                               " LIMIT 200";
    json_t *a = json_array();
    Stmt *st = db_prepare(r->db, zSql);
    int rc = DB_ERROR;
    if (!st) goto out;
    db_bind_int64(st, 1, r->user->id);
    while ((rc = db_step(st)) == DB_ROW) {
        const char *ent = db_col_text(st, 2), *kind = db_col_text(st, 1), *title = db_col_text(st, 4);
        bool has_due = !db_col_null(st, 5);
        int64_t due = db_col_int64(st, 5);
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(db_col_int64(st, 0)));
        json_object_set_new(o, "kind", json_string(kind ? kind : ""));
        json_object_set_new(o, "entity", ent ? json_string(ent) : json_null());
        json_object_set_new(o, "row_id", db_col_null(st, 3) ? json_null() : json_integer(db_col_int64(st, 3)));
        json_object_set_new(o, "title", json_string(title ? msg_render(r->a, r->locale, title) : ""));
        json_object_set_new(o, "due_at", has_due ? json_integer(due) : json_null());
        json_object_set_new(o, "overdue", json_boolean(has_due && due < r->now));
        json_array_append_new(a, o);
    }
out:
    db_done(st);
    if (rc != DB_DONE) {
        log_error("flow: my tasks failed: %s", db_errmsg(r->db));
        json_decref(a);
        a = NULL;
    }
    return a;
}

/* ---------------------------------------------------------------- handler */

/*
** GET /api/v1/my/work        roles: any signed-in user
** 200 {"approvals":[{"kind":"approval"|"decision","task_id","action","entity","entity_label","row_id",
**      "title","step","role","activated_at","due_at","overdue"}],"tasks":[{"id","kind","entity","row_id","title",
**      "due_at","overdue"}],"counts":{"approvals","tasks","overdue"}}
** Both lists: overdue first, then by due date; at most 200 each.
*/
int flow_h_my_work(Req *r, Err *e) {
    int ret = -1;
    json_t *approvals = NULL, *tasks = NULL;
    int64_t na, nt, late;
    if (!r->user) return err_set(e, 401, EC_AUTH_REQUIRED, NULL, NULL);
    approvals = work_approvals(r);
    tasks = approvals ? work_tasks(r) : NULL;
    if (!tasks || flow_work_counts(r, &na, &nt, &late) < 0) {
        flow_db_error(r, e, "my work");
        goto out;
    }
    ret = reply_json(r, 200,
                     json_pack("{s:O, s:O, s:{s:I, s:I, s:I}}", "approvals", approvals, "tasks", tasks, "counts",
                               "approvals", (json_int_t)na, "tasks", (json_int_t)nt, "overdue", (json_int_t)late));
out:
    json_decref(approvals);
    json_decref(tasks);
    return ret;
}
