/*
** deadline.c — declared deadlines on workflow states (flow.h Deadline): clock
** runs started, paused, resumed and stopped with the row's state changes
** (deadline_on_state, called by flow_set_state and on create), shown in every
** single-row reply as "_clocks", and one scheduler job that reminds the owner
** of a run past due and tells the managers over the row after a further delay.
** The job reads only the clocks whose next_at has come (a partial index), so
** its cost follows the number of deadlines falling due, not of rows.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/errcodes.h"
#include "../model/calendar.h"
#include "../model/settings.h"
#include "flow.h"

#define DL_BATCH 500      /* clocks read per query of the job */
#define DL_MAX_BATCHES 40 /* batches per run: the rest waits for the next run */
/* Clocks visited, and clocks a sweep gives, per transaction of the job (scheduler_chunk_commit): a
   pass over 20,000 due clocks in one transaction held SQLite's write lock for minutes (FINDINGS 34).
   Each visit is whole and moves its clock's next_at, each sweep insert gives one row its clock, so a
   run that stops between chunks goes on from there. */
#define DL_CHUNK 100
#define DL_SWEEP_CHUNK 1000

/* the test build may commit after every unit of work (test_tunable) */
static int dl_chunk(int dflt) { return (int)test_tunable("SALESLOOP_DEADLINE_CHUNK", dflt); }
#define DL_MAX_MANAGERS 32 /* managers told per escalation */

/* ---------------------------------------------------------------- declarations */

/* Is state one of the space-separated words of list? */
static bool dl_in(const char *list, const char *state) {
    if (!list || !state) return false;
    size_t n = strlen(state);
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, " ");
        if (len == n && strncmp(p, state, n) == 0) return true;
        p += len;
        while (*p == ' ')
            p++;
    }
    return false;
}

/* The declared clock of the entity's workflow by name, or NULL. */
static const Deadline *dl_find(const Entity *en, const char *clock) {
    if (!en || !en->flow || !en->flow->deadlines) return NULL;
    for (const Deadline *d = en->flow->deadlines; d->clock; d++)
        if (strcmp(d->clock, clock) == 0) return d;
    return NULL;
}

/* The limit of d in units for a run in state: its setting ("%s" = the state) or amount. */
static int64_t dl_amount(Req *r, const Deadline *d, const char *state) {
    if (!d->setting) return d->amount;
    Buf k;
    buf_init(&k, r->a);
    buf_puts(&k, "");
    for (const char *p = d->setting; *p; p++) {
        if (p[0] == '%' && p[1] == 's') {
            buf_puts(&k, state);
            p++;
        } else {
            buf_putc(&k, *p);
        }
    }
    return req_setting_int(r, k.p);
}

/* Units d waits past due before the managers are told. */
static int64_t dl_escalate_amount(Req *r, const Deadline *d) {
    return d->escalate_setting ? req_setting_int(r, d->escalate_setting) : d->escalate_after;
}

/* Seconds (of working time when d->working) in one unit of d. */
static int64_t dl_unit_seconds(const Deadline *d, const Calendar *c) {
    if (d->unit == DU_HOURS) return 3600;
    return d->working ? calendar_day_seconds(c) : 86400;
}

/* The moment secs of d's kind of time have passed after t. */
static int64_t dl_after(const Deadline *d, const Calendar *c, int64_t t, int64_t secs) {
    return d->working ? cal_add_working_seconds(c, t, secs) : t + secs;
}

/* The unit's word in reminder titles (zh-CN, as the other reminders are). */
static const char *dl_unit_word(Arena *a, const Deadline *d) {
    if (d->unit == DU_HOURS) return msg_make(a, d->working ? "unit.working_hours" : "unit.hours", NULL);
    return msg_make(a, d->working ? "unit.working_days" : "unit.days", NULL);
}

/* ---------------------------------------------------------------- state changes */

/* An open run of a clock as stored. */
typedef struct ClockRun {
    int64_t id;        /* deadline_clocks.id; 0 when there is none */
    const char *state; /* the state it started in (arena) */
    int64_t paused_at; /* 0 when running */
    int64_t due_at;
    int level; /* escalated_level */
} ClockRun;

/* The open run of (entity, row, clock) into *run (id 0: none). 0 or -1 database error. */
static int dl_open_run(Req *r, const Entity *en, int64_t row_id, const char *clock, ClockRun *run) {
    static const char zSql[] = "SELECT id, state, paused_at, due_at, escalated_level FROM deadline_clocks\n"
                               " WHERE entity = ?1 AND row_id = ?2 AND clock = ?3 AND stopped_at IS NULL\n"
                               " ORDER BY id DESC";
    memset(run, 0, sizeof *run);
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return -1;
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, row_id);
    db_bind_text(st, 3, clock, -1);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        run->id = db_col_int64(st, 0);
        run->state = arena_strdup(r->a, db_col_text(st, 1));
        run->paused_at = db_col_null(st, 2) ? 0 : db_col_int64(st, 2);
        run->due_at = db_col_int64(st, 3);
        run->level = (int)db_col_int64(st, 4);
    }
    db_done(st);
    return rc < 0 ? -1 : 0;
}

/* Close the open reminders of one run (its cause is gone). 0 or -1. */
static int dl_close_reminders(Db *db, const char *entity, int64_t row_id, int64_t run_id, int64_t now) {
    char prefix[160];
    snprintf(prefix, sizeof prefix, "clock:%s:%lld:%lld:", entity, (long long)row_id, (long long)run_id);
    return task_close(db, prefix, now) < 0 ? -1 : 0;
}

/* Run one UPDATE/INSERT of a run with bound integers ?1..?n (INT64_MIN binds NULL). 0 or -1. */
static int dl_exec(Db *db, const char *sql, int n, const int64_t *v) {
    Stmt *st = db_prepare(db, sql);
    if (!st) return -1;
    for (int i = 0; i < n; i++) {
        if (v[i] == INT64_MIN)
            db_bind_null(st, i + 1);
        else
            db_bind_int64(st, i + 1, v[i]);
    }
    int rc = db_step(st);
    db_done(st);
    return rc == DB_DONE ? 0 : -1;
}

/* Stop a run at now: a pause in progress is counted, a late stop records the breach. */
static int dl_stop(Db *db, const char *entity, int64_t row_id, const ClockRun *run, int64_t now) {
    static const char zSql[] =
        "UPDATE deadline_clocks SET stopped_at = ?1, next_at = NULL,\n"
        " paused_total = paused_total + CASE WHEN paused_at IS NULL THEN 0 ELSE ?1 - paused_at END,\n"
        " paused_at = NULL,\n"
        " breached_at = CASE WHEN breached_at IS NULL AND paused_at IS NULL AND due_at < ?1 THEN due_at ELSE "
        "breached_at END\n"
        " WHERE id = ?2 AND stopped_at IS NULL";
    int64_t v[] = {now, run->id};
    if (dl_exec(db, zSql, 2, v) < 0) return -1;
    return dl_close_reminders(db, entity, row_id, run->id, now);
}

/* Start a run of d for the row entering state. */
static int dl_start(Req *r, const Entity *en, int64_t row_id, const Deadline *d, const char *state, const Calendar *c) {
    static const char zSql[] =
        "INSERT INTO deadline_clocks(entity, row_id, clock, state, started_at, due_at, next_at)\n"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)";
    int64_t due = dl_after(d, c, r->now, dl_amount(r, d, state) * dl_unit_seconds(d, c));
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return -1;
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, row_id);
    db_bind_text(st, 3, d->clock, -1);
    db_bind_text(st, 4, state, -1);
    db_bind_int64(st, 5, r->now);
    db_bind_int64(st, 6, due);
    int rc = db_step(st);
    db_done(st);
    return rc == DB_DONE ? 0 : -1;
}

/* Pause a running run: it leaves the job's index; its reminders are closed (no one must act). */
static int dl_pause(Req *r, const Entity *en, int64_t row_id, const ClockRun *run) {
    static const char zSql[] = "UPDATE deadline_clocks SET paused_at = ?1, next_at = NULL WHERE id = ?2";
    int64_t v[] = {r->now, run->id};
    if (dl_exec(r->db, zSql, 2, v) < 0) return -1;
    return dl_close_reminders(r->db, en->name, row_id, run->id, r->now);
}

/* Resume a paused run: the time left when it paused is left again from now (working time for
   a working clock); a run already past due when it paused stays due. */
static int dl_resume(Req *r, const Deadline *d, const ClockRun *run, const Calendar *c) {
    static const char zSql[] =
        "UPDATE deadline_clocks SET paused_total = paused_total + (?1 - paused_at), paused_at = NULL,\n"
        " due_at = ?2, next_at = CASE WHEN escalated_level >= 2 THEN NULL ELSE CAST(?2 AS BIGINT) END\n"
        " WHERE id = ?3";
    int64_t due = run->due_at;
    if (due > run->paused_at) {
        int64_t left = d->working ? cal_working_seconds_between(c, run->paused_at, due) : due - run->paused_at;
        due = dl_after(d, c, r->now, left);
    }
    int64_t v[] = {r->now, due, run->id};
    return dl_exec(r->db, zSql, 3, v);
}

int deadline_on_state(Req *r, const Entity *en, int64_t row_id, const char *from, const char *to, Err *e) {
    if (!en->flow || !en->flow->deadlines) return 0;
    Calendar cal;
    bool have_cal = false;
    for (const Deadline *d = en->flow->deadlines; d->clock; d++) {
        bool runs = dl_in(d->states, to), pauses = dl_in(d->pause, to);
        ClockRun run;
        if (from && dl_open_run(r, en, row_id, d->clock, &run) < 0) return flow_db_error(r, e, "deadline clock");
        if (!from) memset(&run, 0, sizeof run);
        if (!have_cal) { /* once per state change */
            if (calendar_get(r, &cal) < 0) return flow_db_error(r, e, "calendar");
            have_cal = true;
        }
        int rc = 0;
        if (runs) {
            if (run.id && d->per_state && strcmp(run.state, to) != 0) {
                rc = dl_stop(r->db, en->name, row_id, &run, r->now);
                run.id = 0;
            }
            if (rc == 0 && run.id && run.paused_at)
                rc = dl_resume(r, d, &run, &cal);
            else if (rc == 0 && !run.id)
                rc = dl_start(r, en, row_id, d, to, &cal);
        } else if (pauses) {
            if (run.id && !run.paused_at) rc = dl_pause(r, en, row_id, &run);
        } else if (run.id) {
            rc = dl_stop(r->db, en->name, row_id, &run, r->now);
        }
        if (rc < 0) return flow_db_error(r, e, "deadline clock");
    }
    return 0;
}

/* ---------------------------------------------------------------- reading */

json_t *deadline_row_clocks(Req *r, const Entity *en, int64_t row_id) {
    static const char zSql[] =
        "SELECT clock, state, started_at, paused_at, paused_total, due_at, breached_at, escalated_level\n"
        " FROM deadline_clocks WHERE entity = ?1 AND row_id = ?2 AND stopped_at IS NULL ORDER BY id";
    json_t *out = json_array();
    if (!en->flow || !en->flow->deadlines) return out;
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) {
        json_decref(out);
        return NULL;
    }
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, row_id);
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const Deadline *d = dl_find(en, db_col_text(st, 0));
        bool paused = !db_col_null(st, 3);
        int64_t due = db_col_int64(st, 5);
        /* while paused the clock stands still: what was left when it paused */
        int64_t ref = paused ? db_col_int64(st, 3) : r->now;
        json_t *o = json_pack("{s:s, s:s, s:s, s:I, s:I, s:b, s:b, s:I, s:i}", "clock", db_col_text(st, 0), "label",
                              d ? label_for(r->locale, d->zh, d->tw, d->en) : db_col_text(st, 0), "state",
                              db_col_text(st, 1), "started_at", (json_int_t)db_col_int64(st, 2), "due_at",
                              (json_int_t)due, "paused", paused, "working", d && d->working, "paused_seconds",
                              (json_int_t)(db_col_int64(st, 4) + (paused ? r->now - db_col_int64(st, 3) : 0)),
                              "escalated_level", (int)db_col_int64(st, 7));
        if (due >= ref)
            json_object_set_new(o, "remaining_seconds", json_integer(due - ref));
        else
            json_object_set_new(o, "overdue_seconds", json_integer(ref - due));
        json_object_set_new(o, "breached", json_boolean(due < ref || !db_col_null(st, 6)));
        json_array_append_new(out, o);
    }
    db_done(st);
    if (rc < 0) {
        json_decref(out);
        return NULL;
    }
    return out;
}

json_t *deadline_meta(Req *r, const Entity *en) {
    json_t *out = json_array();
    if (!en->flow || !en->flow->deadlines) return out;
    for (const Deadline *d = en->flow->deadlines; d->clock; d++) {
        json_t *states = json_array(), *pause = json_array(), *limits = json_object();
        for (const char *p = d->states; *p;) {
            size_t len = strcspn(p, " ");
            const char *s = arena_strndup(r->a, p, len);
            json_array_append_new(states, json_string(s));
            json_object_set_new(limits, s, json_integer(dl_amount(r, d, s)));
            p += len;
            while (*p == ' ')
                p++;
        }
        for (const char *p = d->pause ? d->pause : ""; *p;) {
            size_t len = strcspn(p, " ");
            json_array_append_new(pause, json_string(arena_strndup(r->a, p, len)));
            p += len;
            while (*p == ' ')
                p++;
        }
        json_t *o =
            json_pack("{s:s, s:s, s:o, s:o, s:o, s:s, s:b, s:b}", "clock", d->clock, "label",
                      label_for(r->locale, d->zh, d->tw, d->en), "states", states, "pause", pause, "limits", limits,
                      "unit", d->unit == DU_HOURS ? "hours" : "days", "working", d->working, "per_state", d->per_state);
        json_object_set_new(o, "escalate_after",
                            d->no_escalation ? json_null() : json_integer(dl_escalate_amount(r, d)));
        json_array_append_new(out, o);
    }
    return out;
}

/* ---------------------------------------------------------------- the job */

/* A clock the job looks at, read before anything is written. */
typedef struct DueClock {
    int64_t id, row_id, due_at;
    int level;
    const char *entity, *clock, *state; /* arena */
} DueClock;

/* The row a clock belongs to, as the job needs it. */
typedef struct ClockRow {
    bool live;           /* exists, not deleted */
    const char *state;   /* current state (arena) */
    const char *title;   /* the title field's text (arena) */
    int64_t owner, unit; /* 0 when none */
} ClockRow;

/* Read the row of a clock. 0 or -1 database error. */
static int dl_row(Req *r, const Entity *en, int64_t id, ClockRow *out) {
    memset(out, 0, sizeof *out);
    const char *tf = en->title_field ? en->title_field : "id";
    Stmt *st = db_prepare(r->db, arena_printf(r->a,
                                              "SELECT state, owner_id, org_unit_id, %s FROM %s\n"
                                              " WHERE id = ?1 AND deleted_at IS NULL",
                                              tf, en->table));
    if (!st) return -1;
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        out->live = true;
        out->state = arena_strdup(r->a, db_col_text(st, 0));
        out->owner = db_col_null(st, 1) ? 0 : db_col_int64(st, 1);
        out->unit = db_col_null(st, 2) ? 0 : db_col_int64(st, 2);
        out->title = arena_strdup(r->a, db_col_text(st, 3) ? db_col_text(st, 3) : "");
    }
    db_done(st);
    return rc < 0 ? -1 : 0;
}

/* Tell the managers over the row: holders of the escalation roles in the nearest unit at or
   above the row's unit that has any, not the owner. Returns how many, or -1. */
static int dl_escalate(Req *r, const Deadline *d, const DueClock *k, const ClockRow *row, const char *title,
                       int64_t due) {
    uint32_t roles = d->escalate_roles ? d->escalate_roles : RB(SALES_MANAGER) | RB(SUPERVISOR);
    Buf in;
    buf_init(&in, r->a);
    buf_puts(&in, "");
    for (int i = 0; i < ROLE_COUNT; i++)
        if (roles & (1u << i)) buf_printf(&in, "%s'%s'", in.n ? ", " : "", role_info[i].id); /* declared ids */
    const char *sql = arena_printf(r->a,
                                   "SELECT u.id, LENGTH(o.path) FROM users u\n"
                                   " JOIN org_units o ON o.id = u.org_unit_id\n"
                                   " JOIN org_units ro ON ro.id = ?1 AND ro.path LIKE o.path || '%%'\n"
                                   " WHERE u.deleted_at IS NULL AND u.disabled = 0 AND u.id <> ?2\n"
                                   " AND u.id IN (SELECT ur.user_id FROM user_roles ur WHERE ur.role IN (%s))\n"
                                   " ORDER BY LENGTH(o.path) DESC, u.id",
                                   in.p);
    Stmt *st = db_prepare(r->db, sql);
    if (!st) return -1;
    db_bind_int64(st, 1, row->unit);
    db_bind_int64(st, 2, row->owner);
    int64_t ids[DL_MAX_MANAGERS], best = -1;
    int n = 0, rc;
    while ((rc = db_step(st)) == DB_ROW && n < DL_MAX_MANAGERS) {
        int64_t len = db_col_int64(st, 1);
        if (best >= 0 && len < best) break;
        best = len;
        ids[n++] = db_col_int64(st, 0);
    }
    db_done(st);
    if (rc < 0) return -1;
    for (int i = 0; i < n; i++) {
        char key[200];
        snprintf(key, sizeof key, "clock:%s:%lld:%lld:%lld:mgr:%lld", k->entity, (long long)k->row_id, (long long)k->id,
                 (long long)k->due_at, (long long)ids[i]);
        if (task_remind(r->db, ids[i], arena_printf(r->a, "%s_escalated", k->clock), k->entity, k->row_id, title, due,
                        key, r->now) < 0)
            return -1;
    }
    return n;
}

/* The job's work on one clock whose next_at has come. 0 or -1. */
static int dl_visit(Req *r, const DueClock *k, const Calendar *cal) {
    static const char zSqlStep[] =
        "UPDATE deadline_clocks SET escalated_level = ?1, breached_at = COALESCE(breached_at, due_at), next_at = ?2\n"
        " WHERE id = ?3";
    const Entity *en = entity_find(k->entity);
    const Deadline *d = dl_find(en, k->clock);
    ClockRow row = {0};
    if (d && dl_row(r, en, k->row_id, &row) < 0) return -1;
    bool running = d && row.live && dl_in(d->states, row.state) && (!d->per_state || strcmp(row.state, k->state) == 0);
    if (!running) { /* declaration gone, row deleted or moved without us: the run is over */
        ClockRun run = {.id = k->id};
        return dl_stop(r->db, k->entity, k->row_id, &run, r->now);
    }
    const char *label = msg_text3(r->a, d->zh, d->tw, d->en);
    if (d->per_state)
        for (const EnumVal *s = en->flow->states; s && s->value; s++)
            if (strcmp(s->value, k->state) == 0) label = msg_text3(r->a, s->zh, s->tw, s->en);
    int64_t amount = dl_amount(r, d, k->state), esc = dl_escalate_amount(r, d);
    int level = k->level;
    if (level == 0) {
        if (row.owner) {
            char key[200];
            snprintf(key, sizeof key, "clock:%s:%lld:%lld:%lld:owner", k->entity, (long long)k->row_id,
                     (long long)k->id, (long long)k->due_at);
            const char *title = msg_make(
                r->a, "deadline.overdue", "what", msg_entity_label(r->a, en->name), "title", row.title, "label", label,
                "amount", arena_printf(r->a, "%lld", (long long)amount), "unit", dl_unit_word(r->a, d), NULL);
            if (task_remind(r->db, row.owner, arena_printf(r->a, "%s_overdue", k->clock), k->entity, k->row_id, title,
                            k->due_at, key, r->now) < 0)
                return -1;
        }
        level = 1;
    }
    int64_t next = INT64_MIN; /* NULL: nothing more to do */
    if (level == 1 && !d->no_escalation && row.unit) {
        int64_t at = dl_after(d, cal, k->due_at, esc * dl_unit_seconds(d, cal));
        if (r->now >= at) {
            const char *title =
                msg_make(r->a, "deadline.escalated", "what", msg_entity_label(r->a, en->name), "title", row.title,
                         "label", label, "amount", arena_printf(r->a, "%lld", (long long)(amount + esc)), "unit",
                         dl_unit_word(r->a, d), NULL);
            if (dl_escalate(r, d, k, &row, title, at) < 0) return -1;
            level = 2;
        } else {
            next = at;
        }
    }
    int64_t v[] = {level, next, k->id};
    return dl_exec(r->db, zSqlStep, 3, v);
}

/* Give clocks to rows that are in a clock's states without one: rows older than the
   declaration, or written without the workflow (demo data). Once per (entity, clock) —
   deadline_sweeps remembers — and the clock starts at the row's state_since when kept. */
static int dl_sweep(Req *r, const Entity *en, const Deadline *d, const Calendar *cal) {
    static const char zSqlDone[] = "SELECT 1 FROM deadline_sweeps WHERE entity = ?1 AND clock = ?2";
    static const char zSqlMark[] = "INSERT INTO deadline_sweeps(entity, clock, swept_at) VALUES (?1, ?2, ?3)\n"
                                   " ON CONFLICT (entity, clock) DO NOTHING";
    Stmt *st = db_prepare(r->db, zSqlDone);
    if (!st) return -1;
    db_bind_text(st, 1, en->name, -1);
    db_bind_text(st, 2, d->clock, -1);
    int rc = db_step(st);
    db_done(st);
    if (rc != DB_DONE) return rc == DB_ROW ? 0 : -1;
    bool since = en->flow->track_state_since;
    const char *sql =
        arena_printf(r->a,
                     "SELECT t.id, t.state, %s FROM %s t WHERE t.deleted_at IS NULL\n"
                     " AND NOT EXISTS (SELECT 1 FROM deadline_clocks c WHERE c.entity = ?1 AND c.row_id = t.id\n"
                     "   AND c.clock = ?2 AND c.stopped_at IS NULL)\n"
                     " ORDER BY t.id",
                     since ? "COALESCE(t.state_since, t.updated_at)" : "t.updated_at", en->table);
    st = db_prepare(r->db, sql);
    if (!st) return -1;
    db_bind_text(st, 1, en->name, -1);
    db_bind_text(st, 2, d->clock, -1);
    typedef struct {
        int64_t id;        /* the row */
        int64_t at;        /* when its current state began (the run's start) */
        const char *state; /* its state (arena) */
    } Missing;
    Missing *m = NULL;
    size_t n = 0, cap = 0;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *s = db_col_text(st, 1);
        if (!dl_in(d->states, s) && !dl_in(d->pause, s)) continue;
        if (n == cap) m = xrealloc(m, (cap = cap ? cap * 2 : 64) * sizeof *m);
        m[n++] = (Missing){db_col_int64(st, 0), db_col_int64(st, 2), arena_strdup(r->a, s)};
    }
    db_done(st);
    int ret = rc < 0 ? -1 : 0;
    static const char zSqlAdd[] =
        "INSERT INTO deadline_clocks(entity, row_id, clock, state, started_at, paused_at, due_at, next_at)\n"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
    for (size_t i = 0; i < n && ret == 0; i++) {
        bool paused = !dl_in(d->states, m[i].state);
        int64_t due = dl_after(d, cal, m[i].at, dl_amount(r, d, m[i].state) * dl_unit_seconds(d, cal));
        Stmt *ins = db_prepare(r->db, zSqlAdd);
        if (!ins) {
            ret = -1;
            break;
        }
        db_bind_text(ins, 1, en->name, -1);
        db_bind_int64(ins, 2, m[i].id);
        db_bind_text(ins, 3, d->clock, -1);
        db_bind_text(ins, 4, m[i].state, -1);
        db_bind_int64(ins, 5, m[i].at);
        if (paused)
            db_bind_int64(ins, 6, r->now); /* the time before is unknown: paused from now */
        else
            db_bind_null(ins, 6);
        db_bind_int64(ins, 7, due);
        if (paused)
            db_bind_null(ins, 8);
        else
            db_bind_int64(ins, 8, due);
        if (db_step(ins) != DB_DONE) ret = -1;
        db_done(ins);
        if (ret == 0 && (i + 1) % (size_t)dl_chunk(DL_SWEEP_CHUNK) == 0) ret = scheduler_chunk_commit(r->db);
    }
    free(m);
    if (ret < 0) return -1;
    st = db_prepare(r->db, zSqlMark);
    if (!st) return -1;
    db_bind_text(st, 1, en->name, -1);
    db_bind_text(st, 2, d->clock, -1);
    db_bind_int64(st, 3, r->now);
    rc = db_step(st);
    db_done(st);
    return rc == DB_DONE ? 0 : -1;
}

int deadline_job_run(Db *db, int64_t now) {
    static const char zSql[] = "SELECT id, entity, row_id, clock, state, due_at, escalated_level FROM deadline_clocks\n"
                               " WHERE next_at IS NOT NULL AND next_at <= ?1 ORDER BY next_at, id LIMIT 500";
    Req r;
    memset(&r, 0, sizeof r);
    r.a = arena_new();
    r.db = db;
    r.now = now;
    r.locale = "zh-CN";
    r.request_id = "scheduler";
    r.client_addr = "";
    Calendar cal;
    int ret = calendar_get(&r, &cal);
    /* clocks of rows the workflow did not write */
    int n_ent = 0;
    const Entity *const *ents = entity_all(&n_ent);
    for (int i = 0; i < n_ent && ret == 0; i++)
        if (ents[i]->flow && ents[i]->flow->deadlines)
            for (const Deadline *d = ents[i]->flow->deadlines; d->clock && ret == 0; d++)
                ret = dl_sweep(&r, ents[i], d, &cal);
    int visited = 0;
    for (int batch = 0; batch < DL_MAX_BATCHES && ret == 0; batch++) {
        Stmt *st = db_prepare(db, zSql);
        if (!st) {
            ret = -1;
            break;
        }
        db_bind_int64(st, 1, now);
        DueClock k[DL_BATCH];
        int n = 0, rc = DB_DONE;
        while (n < DL_BATCH && (rc = db_step(st)) == DB_ROW) {
            k[n++] = (DueClock){db_col_int64(st, 0),
                                db_col_int64(st, 2),
                                db_col_int64(st, 5),
                                (int)db_col_int64(st, 6),
                                arena_strdup(r.a, db_col_text(st, 1)),
                                arena_strdup(r.a, db_col_text(st, 3)),
                                arena_strdup(r.a, db_col_text(st, 4))};
        }
        db_done(st);
        if (n < DL_BATCH && rc < 0) ret = -1;
        for (int i = 0; i < n && ret == 0; i++) {
            ret = dl_visit(&r, &k[i], &cal);
            if (ret == 0 && ++visited % dl_chunk(DL_CHUNK) == 0) ret = scheduler_chunk_commit(db);
        }
        if (n < DL_BATCH) break;
    }
    if (ret < 0) log_error("deadlines: %s", db_errmsg(db));
    arena_free(r.a);
    return ret;
}

/* The job table entry: every 5 minutes (it reads only clocks that have come due). */
static const Job deadline_job = {"deadlines", 300, deadline_job_run};

void deadline_register(void) { scheduler_add(&deadline_job); }
