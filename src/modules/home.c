/*
** home.c — the day view of the home page (issue 10, item 18), from the data the
** modules keep: follow-ups and plans due today, overdue reminders, the open
** pipeline by stage, this month's won amount against the sales plan, what waits
** for the user's decision, and for a manager the team's funnel and a line per
** rep. Every figure is counted under row visibility, over the user's own rows
** ("mine") or every row they see ("team"), and the screen links each one to
** the list it counts. The metric engine of a later issue replaces the sums.
*/
#include <stdlib.h>
#include <string.h>

#include "../core/errcodes.h"
#include "../flow/flow.h"
#include "../model/calendar.h"
#include "../model/model.h"
#include "modules.h"

/* One query's parameters after visibility: integers or texts, in order. */
typedef struct HomeArg {
    bool text;
    int64_t i;
    const char *s;
} HomeArg;

/* The day view's frame: who, which rows, and the company-local day and month. */
typedef struct Home {
    Req *r;
    bool team;      /* every row the user sees; otherwise their own */
    char today[11]; /* YYYY-MM-DD, company time */
    char month[11]; /* YYYY-MM-01 */
    int64_t month_start, month_end;
} Home;

/*
** Prepare "SELECT <cols> FROM <table> t <join> WHERE live AND visible [AND t.owner_id = me]
** AND <where> <tail>" and bind it. where and tail name their parameters ?1…, bound from args; they
** are renumbered here after the visibility's and the "me" parameter. NULL on a database error.
*/
static Stmt *home_query(Home *h, const Entity *en, const char *cols, const char *join, const char *where,
                        const char *tail, const HomeArg *args, int nargs) {
    Req *r = h->r;
    Buf sql;
    buf_init(&sql, r->a);
    buf_printf(&sql, "SELECT %s FROM %s t%s WHERE t.deleted_at IS NULL AND ", cols, en->table, join ? join : "");
    int nv = entity_visibility_sql(en, r->user, &sql, 1);
    /* the callers' parameters are ?1… in their text: shift them past visibility and "me" */
    int base = nv + 1;
    buf_printf(&sql, " AND (?%d = 0 OR t.owner_id = ?%d)", base, base);
    Buf rest;
    buf_init(&rest, r->a);
    buf_printf(&rest, " AND %s %s", where, tail ? tail : "");
    for (const char *p = rest.p; *p; p++) {
        if (*p == '?' && p[1] >= '1' && p[1] <= '9') {
            char *end;
            long k = strtol(p + 1, &end, 10);
            buf_printf(&sql, "?%ld", k + base);
            p = end - 1;
        } else {
            buf_putc(&sql, *p);
        }
    }
    Stmt *st = db_prepare(r->db, sql.p);
    if (!st) return NULL;
    entity_visibility_bind(en, r->user, st, 1);
    db_bind_int64(st, base, h->team ? 0 : r->user->id);
    for (int i = 0; i < nargs; i++) {
        if (args[i].text)
            db_bind_text(st, base + 1 + i, args[i].s, -1);
        else
            db_bind_int64(st, base + 1 + i, args[i].i);
    }
    return st;
}

/* One integer (COUNT/SUM) from home_query, into *out. 0 or -1. */
static int home_int(Home *h, const Entity *en, const char *col, const char *where, const HomeArg *args, int nargs,
                    int64_t *out) {
    Stmt *st = home_query(h, en, col, NULL, where, NULL, args, nargs);
    if (!st) return -1;
    int rc = db_step(st);
    *out = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_done(st);
    return rc == DB_ROW ? 0 : -1;
}

/* The rep line of user id in reps (created on first use). */
static json_t *home_rep(json_t *reps, int64_t id, const char *name) {
    size_t i;
    json_t *o;
    json_array_foreach(reps, i, o) {
        if (json_integer_value(json_object_get(o, "user_id")) == id) return o;
    }
    o = json_pack("{s:I, s:s, s:I, s:I, s:I, s:I, s:I}", "user_id", (json_int_t)id, "name", name ? name : "",
                  "due_today", (json_int_t)0, "overdue", (json_int_t)0, "open_count", (json_int_t)0, "open_amount",
                  (json_int_t)0, "won_amount", (json_int_t)0);
    json_array_append_new(reps, o);
    return o;
}

/* Add v to the rep line's key. */
static void home_rep_add(json_t *rep, const char *key, int64_t v) {
    json_object_set_new(rep, key, json_integer(json_integer_value(json_object_get(rep, key)) + v));
}

/* Follow-ups and plans due today, per owner into reps (team) and in total. */
static int home_due(Home *h, json_t *out, json_t *reps) {
    const Entity *fu = entity_find("follow_ups"), *pl = entity_find("follow_up_plans");
    HomeArg day[] = {{true, 0, h->today}};
    int64_t nf = 0, np = 0;
    if (fu) {
        Stmt *st = home_query(h, fu, "t.owner_id, u.display_name, count(*)", " LEFT JOIN users u ON u.id = t.owner_id",
                              "t.next_date = ?1", "GROUP BY t.owner_id, u.display_name", day, 1);
        if (!st) return -1;
        int rc;
        while ((rc = db_step(st)) == DB_ROW) {
            nf += db_col_int64(st, 2);
            if (reps)
                home_rep_add(home_rep(reps, db_col_int64(st, 0), db_col_text(st, 1)), "due_today", db_col_int64(st, 2));
        }
        db_done(st);
        if (rc < 0) return -1;
    }
    if (pl && home_int(h, pl, "count(*)", "t.active = 1 AND t.next_date = ?1", day, 1, &np) < 0) return -1;
    json_object_set_new(out, "due_today",
                        json_pack("{s:I, s:I}", "followups", (json_int_t)nf, "plans", (json_int_t)np));
    return 0;
}

/* Overdue reminders (open tasks past due) of the user, or of every user in the manager's subtree. */
static int home_overdue(Home *h, json_t *out, json_t *reps) {
    Req *r = h->r;
    static const char zTeam[] =
        "SELECT k.user_id, u.display_name, count(*) FROM tasks k JOIN users u ON u.id = k.user_id"
        " LEFT JOIN org_units o ON o.id = u.org_unit_id"
        " WHERE k.status = 'open' AND k.due_at IS NOT NULL AND k.due_at < ?1"
        " AND (k.user_id = ?2 OR ?4 = 1 OR o.path LIKE ?3) GROUP BY k.user_id, u.display_name";
    static const char zMine[] = "SELECT k.user_id, NULL, count(*) FROM tasks k"
                                " WHERE k.status = 'open' AND k.due_at IS NOT NULL AND k.due_at < ?1 AND k.user_id = ?2"
                                " GROUP BY k.user_id";
    Stmt *st = db_prepare(r->db, h->team ? zTeam : zMine);
    if (!st) return -1;
    db_bind_int64(st, 1, r->now);
    db_bind_int64(st, 2, r->user->id);
    if (h->team) {
        const User *u = r->user;
        db_bind_text(st, 3, u->org_unit_id > 0 && u->org_path ? arena_printf(r->a, "%s%%", u->org_path) : "", -1);
        db_bind_int64(st, 4, (u->roles & RB(ADMIN)) ? 1 : 0);
    }
    int64_t n = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        n += db_col_int64(st, 2);
        if (reps) home_rep_add(home_rep(reps, db_col_int64(st, 0), db_col_text(st, 1)), "overdue", db_col_int64(st, 2));
    }
    db_done(st);
    if (rc < 0) return -1;
    json_object_set_new(out, "overdue", json_integer(n));
    return 0;
}

/* Open pipeline by stage (every open stage, in order, zeros included) and per rep. */
static int home_pipeline(Home *h, const Entity *op, json_t *out, json_t *reps) {
    Req *r = h->r;
    json_t *stages = json_array();
    json_object_set_new(out, "pipeline", stages);
    for (const EnumVal *s = op->flow->states; s->value; s++) {
        if (str_word_in(op->flow->final_states, s->value)) continue;
        json_array_append_new(stages, json_pack("{s:s, s:s, s:I, s:I}", "stage", s->value, "label",
                                                label_for(r->locale, s->zh, s->tw, s->en), "count", (json_int_t)0,
                                                "amount", (json_int_t)0));
    }
    Stmt *st = home_query(h, op, "t.state, t.owner_id, u.display_name, count(*), COALESCE(SUM(t.amount), 0)",
                          " LEFT JOIN users u ON u.id = t.owner_id", "1 = 1",
                          "GROUP BY t.state, t.owner_id, u.display_name", NULL, 0);
    if (!st) return -1;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *state = db_col_text(st, 0);
        size_t i;
        json_t *o;
        json_array_foreach(stages, i, o) {
            if (strcmp(json_string_value(json_object_get(o, "stage")), state) != 0) continue;
            home_rep_add(o, "count", db_col_int64(st, 3));
            home_rep_add(o, "amount", db_col_int64(st, 4));
            if (reps) {
                json_t *rep = home_rep(reps, db_col_int64(st, 1), db_col_text(st, 2));
                home_rep_add(rep, "open_count", db_col_int64(st, 3));
                home_rep_add(rep, "open_amount", db_col_int64(st, 4));
            }
        }
    }
    db_done(st);
    return rc < 0 ? -1 : 0;
}

/* Won this month (closed_at inside the company-local month), per rep, against the plan. */
static int home_won(Home *h, const Entity *op, json_t *out, json_t *reps) {
    Req *r = h->r;
    HomeArg month[] = {{false, h->month_start, NULL}, {false, h->month_end, NULL}};
    Stmt *st = home_query(h, op, "t.owner_id, u.display_name, count(*), COALESCE(SUM(t.amount), 0)",
                          " LEFT JOIN users u ON u.id = t.owner_id",
                          "t.state = 'won' AND t.closed_at >= ?1 AND t.closed_at < ?2",
                          "GROUP BY t.owner_id, u.display_name", month, 2);
    if (!st) return -1;
    int64_t n = 0, amount = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        n += db_col_int64(st, 2);
        amount += db_col_int64(st, 3);
        if (reps)
            home_rep_add(home_rep(reps, db_col_int64(st, 0), db_col_text(st, 1)), "won_amount", db_col_int64(st, 3));
    }
    db_done(st);
    if (rc < 0) return -1;
    /* the month's plan: the rep's own, or for the team the plan of the manager's unit (no rep) */
    json_t *target = json_null();
    if (entity_find("sales_plans")) {
        st = db_prepare(r->db, h->team ? "SELECT SUM(target_amount) FROM sales_plans WHERE deleted_at IS NULL"
                                         " AND period_kind = 'month' AND period_start = ?1 AND rep_id IS NULL"
                                         " AND plan_unit_id = ?2"
                                       : "SELECT SUM(target_amount) FROM sales_plans WHERE deleted_at IS NULL"
                                         " AND period_kind = 'month' AND period_start = ?1 AND rep_id = ?2");
        if (!st) return -1;
        db_bind_text(st, 1, h->month, -1);
        db_bind_int64(st, 2, h->team ? r->user->org_unit_id : r->user->id);
        rc = db_step(st);
        if (rc == DB_ROW && !db_col_null(st, 0)) target = json_integer(db_col_int64(st, 0));
        db_done(st);
        if (rc < 0) return -1;
    }
    json_object_set_new(out, "won",
                        json_pack("{s:I, s:I, s:o, s:I, s:I}", "count", (json_int_t)n, "amount", (json_int_t)amount,
                                  "target", target, "closed_from", (json_int_t)h->month_start, "closed_to",
                                  (json_int_t)(h->month_end - 1)));
    return 0;
}

/* The team's funnel: how many of the opportunities it sees reached each stage — are in it or a
   later one, or were moved into it or a later one before they were lost (opportunity_stages). */
static int home_funnel(Home *h, const Entity *op, json_t *out) {
    Req *r = h->r;
    json_t *funnel = json_array();
    json_object_set_new(out, "funnel", funnel);
    for (const EnumVal *s = op->flow->states; s->value; s++) {
        if (!strcmp(s->value, "lost")) continue; /* the funnel narrows to won */
        HomeArg a[8];
        int n = 0;
        Buf in;
        buf_init(&in, r->a);
        for (const EnumVal *x = s; x->value && n < 8; x++) {
            if (!strcmp(x->value, "lost")) continue;
            buf_printf(&in, "%s?%d", n ? ", " : "", n + 1);
            a[n++] = (HomeArg){true, 0, x->value};
        }
        int64_t cnt;
        if (home_int(h, op, "count(*)",
                     arena_printf(r->a,
                                  "(t.state IN (%s) OR EXISTS (SELECT 1 FROM opportunity_stages g"
                                  " WHERE g.opportunity_id = t.id AND g.to_stage IN (%s)))",
                                  in.p, in.p),
                     a, n, &cnt) < 0)
            return -1;
        json_array_append_new(funnel, json_pack("{s:s, s:s, s:I}", "stage", s->value, "label",
                                                label_for(r->locale, s->zh, s->tw, s->en), "count", (json_int_t)cnt));
    }
    return 0;
}

/*
** GET /api/v1/home?scope=mine|team                           roles: any signed-in user
** scope: "team" (every row the user sees) is the default of managing roles and admin, "mine"
** (their own rows) of everyone else.
** 200 {"scope","today","month","due_today":{"followups","plans"},"overdue",
**      "pipeline":[{"stage","label","count","amount"}] (open stages in order),
**      "won":{"count","amount","target"|null,"closed_from","closed_to"} (the month, epoch seconds),
**      "waiting":{"approvals","tasks"} (my work: approvals and decisions, open tasks),
**      team only: "funnel":[{"stage","label","count"}], "reps":[{"user_id","name","due_today",
**      "overdue","open_count","open_amount","won_amount"}] (by user id)}
** | 400 request.bad_query scope
*/
static int home_get(Req *r, Err *e) {
    Home h = {.r = r};
    const char *scope = req_query(r, "scope");
    bool managing = (r->user->roles & (ROLES_MANAGING | RB(ADMIN))) != 0;
    if (scope && strcmp(scope, "mine") && strcmp(scope, "team"))
        return err_set(e, 400, EC_BAD_QUERY, "scope", "%s", "mine or team");
    h.team = scope ? !strcmp(scope, "team") : managing;
    int tz = company_tz(r);
    company_date(r, r->now, h.today);
    period_bounds("month", r->now, tz, &h.month_start, &h.month_end);
    memcpy(h.month, h.today, 8);
    memcpy(h.month + 8, "01", 3);
    json_t *out = json_pack("{s:s, s:s, s:s}", "scope", h.team ? "team" : "mine", "today", h.today, "month", h.month);
    json_t *reps = h.team ? json_array() : NULL;
    const Entity *op = entity_find("opportunities");
    int64_t na, nt, late;
    int rc = home_due(&h, out, reps);
    if (rc == 0) rc = home_overdue(&h, out, reps);
    if (rc == 0 && op) rc = home_pipeline(&h, op, out, reps);
    if (rc == 0 && op) rc = home_won(&h, op, out, reps);
    if (rc == 0 && op && h.team) rc = home_funnel(&h, op, out);
    if (rc == 0) rc = flow_work_counts(r, &na, &nt, &late);
    if (rc < 0) {
        json_decref(out);
        json_decref(reps);
        return flow_db_error(r, e, "home");
    }
    json_object_set_new(out, "waiting", json_pack("{s:I, s:I}", "approvals", (json_int_t)na, "tasks", (json_int_t)nt));
    if (reps) { /* by user id: a stable order for the screen and the tests */
        size_t n = json_array_size(reps);
        for (size_t i = 1; i < n; i++)
            for (size_t j = i; j > 0; j--) {
                json_t *a = json_array_get(reps, j - 1), *b = json_array_get(reps, j);
                if (json_integer_value(json_object_get(a, "user_id")) <=
                    json_integer_value(json_object_get(b, "user_id")))
                    break;
                json_incref(a);
                json_array_set(reps, j - 1, b);
                json_array_set_new(reps, j, a);
            }
        json_object_set_new(out, "reps", reps);
    }
    return reply_json(r, 200, out);
}

void home_register(void) {
    static const Route routes[] = {
        {"GET", "/api/v1/home", home_get, 0, 0, "The day view of the home page (mine or my team)", "customers"},
    };
    routes_add(routes, (int)(sizeof routes / sizeof routes[0]));
}
