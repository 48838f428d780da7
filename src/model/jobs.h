/*
** jobs.h — the one background-job queue (issue 9, item 11): imports, large exports and,
** later, deliveries. A kind is declared once (name, the function that runs one job, who may
** queue it, retries); every job of every kind is a row of `jobs`, run by the server's
** background threads (http/server.c owns them and their connections, and calls the queue
** through the BackgroundWork registered at start). Progress and cancellation are answered
** from memory by the process running the job and, on PostgreSQL, written to the row as it
** goes. Rules: the owner reads, cancels and downloads; admin reads and cancels every job;
** nobody else sees it (404).
*/
#ifndef SALESLOOP_JOBS_H
#define SALESLOOP_JOBS_H

#include "entity.h"

typedef struct JobRun JobRun;

/* A declared job kind. The struct must outlive the process. */
typedef struct JobKind {
    const char *name;         /* jobs.kind: "export" */
    int (*run)(JobRun *jr);   /* run one job: 0 done, -1 failed (jr->error says why, else job.failed) */
    const char *zh, *tw, *en; /* label in the jobs panel */
    uint32_t roles;           /* roles that may queue it (0: any signed-in user); checked by job_enqueue */
    int max_attempts;         /* > 1: a failed run is queued again retry_seconds × attempts later (deliveries) */
    int retry_seconds;
} JobKind;

/* One run of a job, handed to the kind's run function. */
struct JobRun {
    Db *db;              /* the background thread's connection, autocommit between the kind's transactions */
    Arena *a;            /* freed when the run ends */
    int64_t id;          /* jobs.id */
    const JobKind *kind; /* its declaration */
    User *user;          /* the owner, loaded now (roles, unit): visibility is evaluated as them */
    const char *locale;  /* the owner's language */
    const char *entity;  /* jobs.entity or NULL */
    int64_t record_id;   /* jobs.record_id or 0 */
    json_t *params;      /* jobs.params (borrowed) */
    int attempt;         /* 1 on the first run */
    /* filled by the kind */
    json_t *result;        /* stored as the job's result (owned; stolen by the queue) */
    const char *error;     /* msg_make text of why it failed (arena), NULL: job.failed */
    const char *file_rel;  /* set by job_file */
    const char *file_name; /* download name */
    const char *file_type; /* Content-Type */
    /* the queue's own */
    struct JobSlot *slot; /* progress and cancel flag, read by other threads */
    Db *side;             /* PostgreSQL: autocommit connection for progress, NULL on SQLite */
    int64_t progress_at;  /* when progress last reached the row */
};

/* Declare a kind (module start-up). */
void job_kind_declare(const JobKind *k);
/* The declared kind or NULL. */
const JobKind *job_kind_find(const char *name);

/*
** Report progress (units done of total; total 0 = unknown). Returns -1 when the owner asked
** to cancel: the kind stops, undoes what it must, and returns -1 (the job ends cancelled).
** Cheap enough to call on every row.
*/
int job_progress(JobRun *jr, int64_t processed, int64_t total);
/*
** The file this run produces: a path to write (absolute, arena), recorded with the job
** under DATA/jobs/ and downloadable by the owner until the retention setting runs out.
** name is the download name ("customers.csv"), type its Content-Type.
*/
const char *job_file(JobRun *jr, const char *ext, const char *name, const char *type);
/* A Req to run model code as the job's owner (visibility, hooks, audit): db, user, locale,
   a fresh arena of its own (the caller frees r->a), the clock, "job-<id>" as request id. */
void job_req(JobRun *jr, Req *r);

/*
** Queue a job of kind for the signed-in user. params is stolen. entity/title may be NULL.
** Checks the kind's roles (403). Returns the job id, or -1 with e. The job starts when a
** background thread is free (woken at once).
*/
int64_t job_enqueue(Req *r, const char *kind, const char *entity, int64_t record_id, const char *title, json_t *params,
                    Err *e);
/* Answer 202 with the job just queued (job_enqueue's id, or -1: the error in e). */
int job_reply_queued(Req *r, int64_t id, Err *e);
/* Can jobs run in the background here (a server runs; not test-request)? */
bool jobs_background(void);

/*
** A job run inside a request (a small import answered at once) is still recorded: a row in
** state "running" for this server, finished by job_record_finish. Returns the id or -1 with e.
*/
int64_t job_record_start(Req *r, const char *kind, const char *entity, const char *title, json_t *params, int64_t total,
                         Err *e);
/* Finish a recorded run: state done/failed, processed, result (borrowed, may be NULL). */
void job_record_finish(Db *db, int64_t id, const char *state, int64_t processed, json_t *result);

/*
** The job as the API shows it, with live progress from this process; NULL with e (404) when
** absent or not the user's (admin sees all). params are included under "params" (internal:
** the generic API removes them).
*/
json_t *job_read(Req *r, int64_t id, Err *e);

/*
** An upload a queued job will read (an import's file): stored under DATA/jobs/ as it came.
** Returns its path relative to the data folder (arena), NULL when it cannot be written.
*/
const char *job_upload_store(Arena *a, const void *data, size_t n);
/* Read it back whole (arena, NUL-terminated; *n its length); NULL when missing. */
char *job_upload_read(Arena *a, const char *rel, size_t *n);
/* Remove it (the run is over). */
void job_upload_remove(const char *rel);

/* The 50 latest jobs (of kind, when not NULL) of the user, or everyone's when all and the user is
   admin, as job_read shows them without result; NULL with e on a database error. */
json_t *jobs_list_items(Req *r, const char *kind, bool all, bool with_params, Err *e);

/* The data folder (jobs' files live under DATA/jobs); set once at start, like attach_init. */
void jobs_init(const char *data_dir);
/* Housekeeping: remove result files past their expiry. 0 or -1. */
int jobs_cleanup(Db *db, int64_t now);
/* Routes, settings and the background work (model_routes_register). */
void jobs_register(void);

#endif
