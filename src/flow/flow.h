/*
** flow.h — declared workflows: states, transitions (action, from, to, roles,
** guard, effect) and approval chains (sequential steps, each a single role or
** a parallel group of roles, optionally limited to managers of the row's org
** unit). One endpoint runs any action:
**     POST /api/v1/<entity>/<id>/actions/<action>
** "approve" and "reject" are built in for entities with approvals. Every
** transition and signature is audited; approval tasks feed "my work".
**
** Reviews routed by the data (issue 9): a step may apply only when conditions
** on the record hold, take its reviewers from the record (each reviewer a role
** with its own condition and concern), collect every verdict before deciding,
** and on a later round keep the approvals whose concern the change did not
** touch. Approvals may be signed by a delegate on the signer's behalf.
*/
#ifndef SALESLOOP_FLOW_H
#define SALESLOOP_FLOW_H

#include "../model/entity.h"

enum {
    SCOPE_ANY = 0,  /* any holder of the role signs */
    SCOPE_UNIT = 1, /* the signer's org unit must contain the row's org unit */
    /* the owner's manager: a holder of the role in the nearest unit, from the
       owner's unit (else the row's) upwards, that has one; exactly that unit */
    SCOPE_OWNER_MANAGER = 2,
};

/* Operators of a declared condition on a record's field. */
typedef enum {
    COND_GT = 1, /* field > value (numbers; text compares by bytes: dates) */
    COND_GTE,    /* field >= value */
    COND_LT,     /* field < value */
    COND_LTE,    /* field <= value */
    COND_EQ,     /* field = value ("true"/"false" for booleans) */
    COND_NE,     /* field != value (an empty field differs from every value) */
    COND_IN,     /* field is one of the space-separated words of value */
    COND_SET,    /* field is set: true, non-zero, non-empty text or lines; value unused */
} CondOp;

/* A condition on the record, as data: {"total", COND_GT, "1000000"}. Lists of
   them end with {NULL}; a list holds when every condition holds. */
typedef struct Condition {
    const char *field; /* a declared field (or child collection, for COND_SET) of the row */
    CondOp op;         /* COND_* */
    const char *value; /* the compared value as text; NULL for COND_SET */
} Condition;

/* One reviewer of a step whose reviewers come from the record. Lists end with {0}. */
typedef struct Reviewer {
    uint32_t role;         /* one role bit, RB(LEGAL) */
    const Condition *when; /* NULL: always asked; else asked when every condition holds */
    /* Space-separated fields and child collections this reviewer answers for
       ("lines tax_rate_bp"): on a later round the reviewer's earlier approval
       is kept unless one of them changed. NULL: every round asks again. */
    const char *concerns;
} Reviewer;

enum {
    /* The step collects every verdict: a rejection leaves the other tasks of
       the step open, and the step decides when all have answered (rejected
       when any rejected). Default: the first rejection ends the round. */
    STEP_COLLECT_ALL = 1 << 0,
};

typedef struct ApprovalStep {
    const char *name; /* "department_review" */
    uint32_t roles;   /* one bit: single signer; several: parallel group, one per role */
    int scope;        /* SCOPE_* */
    int due_hours;    /* deadline from activation, 0 = none */
    const char *zh, *tw, *en;
    /* NULL or conditions on the record, evaluated when a round opens: when
       one fails the step is skipped (recorded as skipped). */
    const Condition *when;
    /* NULL: roles sign. Else the step's signers are the reviewers of this
       list whose condition holds (a parallel group computed per record);
       the others are recorded as skipped. roles is then unused. */
    const Reviewer *reviewers;
    /* Concerns of the roles of `roles` (see Reviewer.concerns); NULL = all. */
    const char *concerns;
    unsigned flags; /* STEP_* */
} ApprovalStep;

typedef struct Approval {
    const ApprovalStep *steps; /* run in order, terminated by {NULL} */
    const char *approved_to;   /* state once every step is signed */
    const char *rejected_to;   /* state after any rejection */
} Approval;

enum {
    T_OWNER = 1 << 0,    /* the row's owner may run it, whatever the roles */
    T_COMMENT = 1 << 1,  /* a non-empty "comment" is required */
    T_REVISE = 1 << 2,   /* opens a new version of a signed document: the row as signed is kept
                            whole (version_keep, with the comment as the reason) before it moves */
    T_STEPWISE = 1 << 3, /* of a multi-target transition: back to any earlier target, forward only to
                            the next one in the order of `to` (409 flow.guard "to" on a skip);
                            meta says "stepwise": true so a screen offers only those moves */
};

/* Guard or effect of a transition. During an action rec also carries the
   transient members "_action" (the action's name), "_to" (the target state)
   and "_comment" (when one was sent), and the transition's inputs. */
typedef int (*FlowHook)(Req *r, const struct Entity *en, json_t *rec, Err *e);

/* Runs after every state change of a row (actions and approvals), in the same
   transaction, with rec already in the new state: from is the state left and
   since when it began (0 when unknown). It must not change the row itself. */
typedef int (*FlowMoveHook)(Req *r, const struct Entity *en, json_t *rec, const char *from, int64_t since, Err *e);

typedef struct Transition {
    const char *action;       /* "submit" */
    const char *from;         /* space-separated states, "*" = any non-final */
    const char *to;           /* target state (for approval transitions: the pending state) */
    uint32_t roles;           /* roles allowed (admin is not implied) */
    unsigned flags;           /* T_* */
    FlowHook guard;           /* NULL or returns -1 with e filled when the action may not run */
    FlowHook effect;          /* NULL or runs after the state change, same transaction */
    const Approval *approval; /* when set, entering `to` opens this approval chain */
    const char *zh, *tw, *en;
    /* Declared fields the action's body may set with the state change
       (space-separated; validated like a PATCH, even read-only ones; other
       body keys are then refused with field.unknown). NULL = none. */
    const char *inputs;
    /* Fields that must be non-empty after the inputs are applied
       (field.required naming the first missing one). NULL = none. */
    const char *requires;
} Transition;
/* A transition whose `to` lists several states ("proposal negotiation won")
   takes its target from the body's "to", which must be one of them and not
   the current state; its guard sees the target as rec's "_to". */

/*
** A deadline declared on a workflow's states (ERPNext's service level agreement):
** a clock that starts when a row enters one of `states`, is paused in `pause`
** states and stops in any other state. Past due, the row's owner gets a reminder
** in "my work"; after a further delay the managers over the row's unit are told.
** Clock runs are rows of deadline_clocks; one job (deadline.c) watches them all.
**
**     {"review", "submitted", "on_hold", 2, DU_DAYS, .working = true, .escalate_after = 1}
**         review within 2 working days while submitted, paused while on hold
**     {"stage", "prospecting needs_analysis", NULL, 0, DU_DAYS, .setting = "stage.%s.days",
**      .escalate_setting = "stage.escalate_after_days", .per_state = true}
**         each stage its own limit from the settings, restarted on every stage change
*/
typedef enum {
    DU_HOURS, /* the limit counts hours (of working time with .working) */
    DU_DAYS,  /* days: calendar days, or working days of the working hours' length with .working */
} DeadlineUnit;

typedef struct Deadline {
    const char *clock;  /* name, unique in the workflow ("review"), in _clocks and reminder keys */
    const char *states; /* space-separated states in which the clock runs */
    const char *pause;  /* space-separated states in which it is paused; NULL = none */
    int64_t amount;     /* the limit, in units */
    DeadlineUnit unit;
    bool working;                 /* count working time (company calendar) instead of calendar time */
    const char *setting;          /* NULL, or an ST_INT setting holding the limit in units, read when
                                     the clock starts; "%s" in it becomes the state ("stage.%s.days") */
    int64_t escalate_after;       /* units past due before the managers are told (0 = at once) */
    const char *escalate_setting; /* NULL, or an ST_INT setting overriding escalate_after */
    bool no_escalation;           /* only the owner is reminded */
    uint32_t escalate_roles;      /* who is told: holders of these roles in the nearest unit at or above
                                     the row's unit that has any (not the owner); 0 = sales_manager and
                                     supervisor */
    bool per_state;               /* every state of `states` is a run of its own: moving between them
                                     stops the run and starts a new one (time in stage) */
    const char *zh, *tw, *en;     /* the clock's label */
} Deadline;

typedef struct Workflow {
    const char *initial;           /* state of a new row */
    const EnumVal *states;         /* all states with labels, {NULL}-terminated */
    const char *final_states;      /* space-separated, e.g. "completed terminated" */
    const Transition *transitions; /* {NULL}-terminated */
    const char *editable_states;   /* states in which PATCH/DELETE are allowed; NULL = any */
    /* Keep column state_since = when the current state began (set on create
       and on every state change); the table must have it. */
    bool track_state_since;
    FlowMoveHook on_move;      /* NULL or runs after every state change */
    const Deadline *deadlines; /* NULL, or clocks on the states, {NULL}-terminated (deadline.c) */
} Workflow;

/* Routes: actions, approvals of a row, my work. */
void flow_routes_register(void);

/* Actions the user may run on the row now (for the UI and the meta of a row):
   a JSON array of {"action","label"}; approve/reject included when a task waits. */
json_t *flow_available_actions(Req *r, const struct Entity *en, json_t *rec);

/* Count of approval tasks waiting for the user (navigation badge). */
int64_t flow_pending_count(Req *r);

/* ---------------------------------------------------------------- reminders */

/* Open a reminder for a user unless one with dedupe_key exists (idempotent).
   entity/row_id may be NULL/0, due_at 0 = none. 1 created, 0 existed, -1 error. */
int task_remind(Db *db, int64_t user_id, const char *kind, const char *entity, int64_t row_id, const char *title,
                int64_t due_at, const char *dedupe_key, int64_t now);
/* Close the open reminders whose dedupe key starts with prefix (their cause is gone).
   Returns how many were closed, or -1. */
int task_close(Db *db, const char *dedupe_prefix, int64_t now);
/* POST /api/v1/my/tasks/:id/done */
void tasks_routes_register(void);

/* ---------------------------------------------------------------- deadlines */

/* Start, pause, resume or stop the row's declared clocks for its move from `from` (NULL: the
   row was just created) to `to`, in the caller's transaction. 0, or -1 with e filled. */
int deadline_on_state(Req *r, const struct Entity *en, int64_t row_id, const char *from, const char *to, Err *e);
/* The row's clocks for GET row: [{"clock","label","state","started_at","due_at","remaining_seconds"
   | "overdue_seconds","paused","working","breached"}] — open runs only. NULL on a database error. */
json_t *deadline_row_clocks(Req *r, const struct Entity *en, int64_t row_id);
/* The workflow's declared clocks for the meta: [{"clock","label","states","pause","limit","unit",
   "working","escalate_after"}] (limits from settings resolved per state). */
json_t *deadline_meta(Req *r, const struct Entity *en);
/* The job "deadlines" and nothing else (routes none). */
void deadline_register(void);
/* One pass of the job (also run by tests): 0 ok, -1 database error. */
int deadline_job_run(Db *db, int64_t now);

/* ---------------------------------------------------------------- scheduler */

/* A periodic job. It must be idempotent: it may run again after a crash. */
typedef struct Job {
    const char *name;                /* unique, recorded in scheduler_runs */
    int interval_seconds;            /* how often */
    int (*run)(Db *db, int64_t now); /* 0 ok, < 0 failed (logged, retried next tick) */
} Job;

void scheduler_add(const Job *job);
/*
** A request-like context for scheduler jobs, so that audit_write and the model
** helpers can be used outside a request: no user, the job's time. Free with
** job_req_done.
*/
void job_req_init(Req *r, Db *db, int64_t now);
void job_req_done(Req *r);
/* The server's own jobs: session/sign-in cleanup and planner statistics. */
void housekeeping_register(void);
/* Refresh the query planner's statistics (ANALYZE). 0 ok. */
int db_refresh_statistics(Db *db);
/* Start the scheduler thread (holds the lease row while it runs jobs). */
void scheduler_start(const char *db_url, const char *holder_id);
void scheduler_stop(void);
/*
** A long job's commit point: when the job runs in the scheduler's transaction (depth 1; a caller's
** own transaction is left whole), commit what it did so far and begin again, so other writers get
** the database between chunks (one transaction over thousands of rows held SQLite's write lock past
** every writer's busy timeout: bench/FINDINGS.md 28, 31, 34). On SQLite it then pauses 100 ms: a
** writer waiting in its busy handler polls that often, and a chunk begun at once would take the lock
** again before it looks. The job must be one that resumes where it stopped (each unit of work whole
** and marked done by its own writes). 0, or -1 when the commit or the begin failed.
*/
int scheduler_chunk_commit(Db *db);
/* Is the server stopping (scheduler_stop called, its thread not yet ended)? A tick runs no further
   job then, and a long job may end at a commit point (scheduler_chunk_commit), its rest left for the
   next start: a stop waited for every due job, over a minute at bench scale 10 (pool_return). */
bool scheduler_stopping(void);
/* One scheduler tick on this connection: take/renew the lease, run due jobs (none once stopping).
   Returns the number of jobs run, or -1 when another holder has the lease. */
int scheduler_tick(Db *db, const char *holder_id, int64_t now);

/* Register the flow layer's own periodic jobs ("approval_overdue": reminders in
   `tasks` for holders of a role whose approval task is past due). */
void flow_jobs_register(void);

/*
** A decision that waits for someone (issue 10, item 2): a live row of `entity` in a state its
** transition `action` leaves from waits for every holder of the transition's roles whose unit
** subtree holds the row's unit (a row outside any unit: any holder), never for the row's owner.
** The module owning the entity declares it at start; "my work" lists such rows with the
** approvals, and counts them in the navigation's badge:
**     static const WaitingDecision d = {"collision_claims", "decide"};   flow_decisions_declare(&d);
*/
typedef struct WaitingDecision {
    const char *entity; /* entity name */
    const char *action; /* its workflow's transition deciding the row */
} WaitingDecision;
void flow_decisions_declare(const WaitingDecision *d);

/* The counts of "my work" for the navigation (GET /auth/me): approval tasks the
   user can sign and decisions waiting for them (approvals), open tasks, and how many
   of both are overdue. Each stops at WORK_COUNT_CAP, which a badge shows as "99+": a
   count reads at most that many rows (a rep with 60,000 open reminders made /auth/me
   read them all). 0 ok, -1 db error. */
#define WORK_COUNT_CAP 100
int flow_work_counts(Req *r, int64_t *approvals, int64_t *tasks, int64_t *overdue);

/* ------------------------------------------- internals shared by the src/flow files */

/* One pending approval task, as read for signing (strings in the request arena). */
typedef struct FlowTask {
    int64_t id;            /* approval_tasks.id */
    int64_t round;         /* approval round of the row */
    int64_t step_no;       /* 0-based step index */
    const char *step_name; /* declared step name */
    const char *role;      /* role id that signs it */
    int64_t on_behalf_of;  /* the delegator the user signs it for, 0 = the user's own */
} FlowTask;

/* The approval opened by entering state (transition with approval and to == state). */
const Approval *flow_approval_for_state(const Workflow *wf, const char *state);
/* Does any transition of the workflow open an approval? */
bool flow_has_approval(const Workflow *wf);
/* Label of a declared approval step by name in the locale (name when undeclared). */
const char *flow_step_label(const Workflow *wf, const char *locale, const char *name);
/* May user u sign a task for role (role id) limited to scope_path (NULL = any):
   the user's unit contains scope_path, or is exactly it when exact? */
bool flow_user_signs(const User *u, const char *role, const char *scope_path, bool exact);
/* First pending task of the row that the user may sign: 1 found (*out filled),
   0 none, -1 database error (e filled). */
int flow_signable_task(Req *r, const Entity *en, int64_t row_id, FlowTask *out, Err *e);
/* May the user reach the row through its approvals: a pending task they can sign,
   or a task they signed? 1 yes, 0 no, -1 database error (e filled). */
int flow_task_access(Req *r, const Entity *en, int64_t row_id, Err *e);
/* Load a live row for a flow request: visible through entity_load, or reachable
   through flow_task_access. New reference (caller decrefs), or NULL with e filled. */
json_t *flow_load(Req *r, const Entity *en, int64_t id, Err *e);
/* Set the row's state with the conditional UPDATE (old state and version
   re-checked), version+1; rec is updated. 409 record.conflict when it moved. */
int flow_set_state(Req *r, const Entity *en, json_t *rec, const char *to, Err *e);
/* Cancel the open (pending/waiting) approval tasks of a row. */
int flow_cancel_open(Req *r, const Entity *en, int64_t row_id, Err *e);
/* Open a new approval round for the row (which has just entered the approval's state). */
int flow_open_round(Req *r, const Entity *en, json_t *rec, const Approval *ap, Err *e);
/* Sign the user's task of the row: approve or reject (comment may be NULL). */
int flow_sign(Req *r, const Entity *en, json_t *rec, bool approve, const char *comment, Err *e);
/* Log a database failure and fill e with 500 server.internal; returns -1. */
int flow_db_error(Req *r, Err *e, const char *what);
/* Integer / string member of a row object (0 / NULL when absent or null). */
int64_t flow_rec_int(const json_t *rec, const char *key);
const char *flow_rec_str(const json_t *rec, const char *key);
/* Route handlers living outside workflow.c. */
int flow_h_approvals(Req *r, Err *e);
int flow_h_my_work(Req *r, Err *e);
/* The overdue-approval reminder job (run by the scheduler). */
int flow_job_approval_overdue(Db *db, int64_t now);

/* ------------------------------------------- reviews routed by the data (reviews.c, pure) */

/* Does condition c hold for the record (a JSON object of the row)? */
bool flow_cond_holds(const Condition *c, const json_t *rec);
/* Does every condition of the {NULL}-terminated list hold (true for NULL)? */
bool flow_conds_hold(const Condition *list, const json_t *rec);
/* Every role the step may ask (its roles, or all its reviewers' roles). */
uint32_t flow_step_declared_roles(const ApprovalStep *s);
/* The roles the step asks for this record: 0 when its conditions fail, else its
   roles, or the reviewers whose condition holds. */
uint32_t flow_step_roles(const ApprovalStep *s, const json_t *rec);
/* The concerns of role (a Role index) in step s (NULL = everything). */
const char *flow_role_concerns(const ApprovalStep *s, int role);
/* Must a reviewer with these concerns sign again after the change listed in
   changed (a JSON array of field/child names)? NULL concerns: always. */
bool flow_concern_touched(const char *concerns, const json_t *changed);
/* Does the approval re-review by concern (some step or reviewer declares
   concerns)? Only then are earlier signers told about a new round; an approval
   without concerns asks everyone again, and the new tasks are the notice. */
bool flow_approval_rereviews(const Approval *ap);
/* The declared fields and child collections of a row, as compared between
   rounds (lines without their ids). New reference. */
json_t *flow_snapshot(const Entity *en, const json_t *rec);
/* Names of the fields and child collections whose values differ between two
   snapshots, in declaration order. New reference (an array). */
json_t *flow_changed(const Entity *en, const json_t *before, const json_t *after);
/* What a change touches, for reviewers' concerns: flow_changed's names, then
   "child.field" for every line field whose value differs on some line ("lines.unit_price"),
   so that a concern may name one column of the lines (R-CON-4: a price change is
   finance's, a quantity change production's). New reference (an array). */
json_t *flow_touched(const Entity *en, const json_t *before, const json_t *after);
/* Name of a condition operator ("gt" ...), and the declaration of an
   approval as JSON for /api/v1/meta and OpenAPI (labels in locale). */
const char *flow_cond_op_name(CondOp op);
json_t *flow_approval_json(const Approval *ap, const char *locale, const char *state);

/* ------------------------------------------- delegation (delegation.c) */

/* The users whose approvals r->user may sign now (active delegations to them),
   as User records in the arena (roles and unit path loaded). Count, or -1 on a
   database error (e filled). */
int flow_delegators(Req *r, User **out, Err *e);
/* Routes: GET/POST /api/v1/delegations, POST /api/v1/delegations/:id/end. */
void delegation_routes_register(void);

#endif
