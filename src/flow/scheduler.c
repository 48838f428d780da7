/*
** scheduler.c — periodic jobs inside the server (no external cron). One app
** server at a time runs them: the holder of the lease row 'scheduler' in
** scheduler_lease, renewed on every tick. Each job runs in its own
** transaction; scheduler_runs records when it last started, succeeded and
** what its last error was (that bookkeeping survives the job's rollback).
*/
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../core/errcodes.h"
#include "flow.h"

#define SCHED_MAX_JOBS 64      /* size of the job registry */
#define SCHED_LEASE_SECONDS 30 /* a holder that stops ticking loses the lease after this */
#define SCHED_TICK_SECONDS 5   /* pause between ticks of the scheduler thread */

/* The job registry, filled at start (scheduler_add); the mutex makes a late
   registration safe against a running tick. */
static const Job *sched_jobs[SCHED_MAX_JOBS];
static int sched_njobs;
static pthread_mutex_t sched_jobs_mu = PTHREAD_MUTEX_INITIALIZER;

/* The scheduler thread and how to stop it promptly. */
static struct {
    pthread_mutex_t mu; /* guards stop and running */
    pthread_cond_t cv;  /* signalled by scheduler_stop */
    pthread_t thread;
    bool running; /* the thread was started and not yet joined */
    bool stop;    /* the thread should end */
    char *db_url; /* owned (xstrdup), freed after join */
    char *holder; /* owned (xstrdup), freed after join */
} sched = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* ---------------------------------------------------------------- registry */

/* Register a job (ignored when one of the same name is already known). */
void scheduler_add(const Job *job) {
    pthread_mutex_lock(&sched_jobs_mu);
    for (int i = 0; i < sched_njobs; i++)
        if (strcmp(sched_jobs[i]->name, job->name) == 0) goto out;
    if (sched_njobs == SCHED_MAX_JOBS) {
        log_error("scheduler: too many jobs, %s not registered", job->name);
        goto out;
    }
    sched_jobs[sched_njobs++] = job;
out:
    pthread_mutex_unlock(&sched_jobs_mu);
}

/* ---------------------------------------------------------------- tick */

/* Take or renew the lease for holder; 0 held, -1 another holder has it (or error). */
static int sched_lease(Db *db, const char *holder, int64_t now) {
    static const char zSqlAdd[] = "INSERT INTO scheduler_lease (name, holder, expires_at)"
                                  " VALUES ('scheduler', ?1, ?2)"
                                  " ON CONFLICT (name) DO NOTHING";
    static const char zSqlTake[] = "UPDATE scheduler_lease SET holder = ?1, expires_at = ?2"
                                   " WHERE name = 'scheduler'"
                                   " AND (holder = ?1 OR expires_at < ?3)";
    int ret = -1;
    Stmt *st = db_prepare(db, zSqlAdd);
    if (!st) goto out;
    db_bind_text(st, 1, holder, -1);
    db_bind_int64(st, 2, now + SCHED_LEASE_SECONDS);
    if (db_step(st) != DB_DONE) goto out;
    db_done(st);
    st = db_prepare(db, zSqlTake);
    if (!st) goto out;
    db_bind_text(st, 1, holder, -1);
    db_bind_int64(st, 2, now + SCHED_LEASE_SECONDS);
    db_bind_int64(st, 3, now);
    if (db_step(st) != DB_DONE) goto out;
    ret = db_changes(db) > 0 ? 0 : -1;
out:
    if (ret < 0) log_debug("scheduler: lease not held by %s (%s)", holder, db_errmsg(db));
    db_done(st);
    return ret;
}

/* Is the job due: never run, or last started at least interval seconds ago?
   1 due, 0 not, -1 database error. */
static int sched_due(Db *db, const Job *job, int64_t now) {
    static const char zSql[] = "SELECT last_run_at FROM scheduler_runs WHERE job = ?1";
    int ret = -1;
    Stmt *st = db_prepare(db, zSql);
    if (!st) goto out;
    db_bind_text(st, 1, job->name, -1);
    int rc = db_step(st);
    if (rc == DB_DONE)
        ret = 1;
    else if (rc == DB_ROW)
        ret = db_col_int64(st, 0) <= now - job->interval_seconds;
out:
    db_done(st);
    return ret;
}

/* Run one bookkeeping statement on scheduler_runs: ?1 job, ?2 time, ?3 text or NULL. */
static int sched_record(Db *db, const char *sql, const Job *job, int64_t now, const char *text) {
    int ret = -1;
    Stmt *st = db_prepare(db, sql);
    if (!st) goto out;
    db_bind_text(st, 1, job->name, -1);
    db_bind_int64(st, 2, now);
    if (text) db_bind_text(st, 3, text, -1);
    if (db_step(st) == DB_DONE) ret = 0;
out:
    if (ret < 0) log_error("scheduler: bookkeeping of %s failed: %s", job->name, db_errmsg(db));
    db_done(st);
    return ret;
}

/* See flow.h. */
int scheduler_chunk_commit(Db *db) {
    if (db_tx_depth(db) != 1) return 0;
    if (db_commit(db) != DB_OK) return -1;
    if (db_kind(db) == DB_SQLITE) {
        struct timespec pause = {0, 100 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    return db_begin(db) < 0 ? -1 : 0;
}

/* Run one due job: record the start, run it in its own transaction, record
   the outcome. 0 when it succeeded, -1 when it failed. */
static int sched_run(Db *db, const Job *job, int64_t now) {
    static const char zSqlStart[] = "INSERT INTO scheduler_runs (job, last_run_at, runs)"
                                    " VALUES (?1, ?2, 1)"
                                    " ON CONFLICT (job) DO UPDATE SET"
                                    " last_run_at = excluded.last_run_at,"
                                    " runs = scheduler_runs.runs + 1";
    static const char zSqlOk[] = "UPDATE scheduler_runs SET last_ok_at = ?2, last_error = NULL"
                                 " WHERE job = ?1";
    static const char zSqlFail[] = "UPDATE scheduler_runs SET last_error = ?3 WHERE job = ?1"
                                   " AND last_run_at = ?2";
    char msg[256];
    int rc = -1;
    if (sched_record(db, zSqlStart, job, now, NULL) < 0) return -1;
    if (db_begin(db) < 0) {
        snprintf(msg, sizeof msg, "begin failed: %s", db_errmsg(db));
        goto out;
    }
    db_fault_take(db);
    rc = job->run(db, now);
    if (db_fault_take(db) && rc == 0) rc = -2; /* went on from a failed read (db_fault_mark) */
    if (rc == 0 && db_commit(db) == 0) goto out;
    const char *dbmsg = db_errmsg(db);
    snprintf(msg, sizeof msg, "%s (rc %d)%s%s", rc == 0 ? "commit failed" : "failed", rc, dbmsg && dbmsg[0] ? ": " : "",
             dbmsg ? dbmsg : "");
    rc = -1;
    if (db_tx_depth(db) > 0) db_rollback(db); /* a chunk's commit may have ended it, its next begin failed */
out:
    if (rc == 0) return sched_record(db, zSqlOk, job, now, NULL);
    log_error("scheduler: job %s %s", job->name, msg);
    sched_record(db, zSqlFail, job, now, msg);
    return -1;
}

/* See flow.h. Jobs run one after the other on this connection, outside any
   transaction of the caller. */
int scheduler_tick(Db *db, const char *holder_id, int64_t now) {
    const Job *jobs[SCHED_MAX_JOBS];
    int njobs, ran = 0;
    if (sched_lease(db, holder_id, now) < 0) return -1;
    pthread_mutex_lock(&sched_jobs_mu);
    njobs = sched_njobs;
    memcpy(jobs, sched_jobs, sizeof jobs[0] * (size_t)njobs);
    pthread_mutex_unlock(&sched_jobs_mu);
    for (int i = 0; i < njobs && !scheduler_stopping(); i++) {
        int due = sched_due(db, jobs[i], now);
        if (due < 0) log_error("scheduler: reading runs of %s failed: %s", jobs[i]->name, db_errmsg(db));
        if (due <= 0) continue;
        sched_run(db, jobs[i], now);
        ran++;
    }
    return ran;
}

/* ---------------------------------------------------------------- thread */

/* Give the lease up at shutdown, so another server takes over at once. */
static void sched_release(Db *db, const char *holder) {
    static const char zSql[] = "UPDATE scheduler_lease SET expires_at = 0"
                               " WHERE name = 'scheduler' AND holder = ?1";
    Stmt *st = db_prepare(db, zSql);
    if (st) {
        db_bind_text(st, 1, holder, -1);
        db_step(st);
    }
    db_done(st);
}

/* The scheduler thread: its own connection, a tick every few seconds until
   scheduler_stop signals. A connection that cannot be opened is retried. */
static void *sched_main(void *arg) {
    (void)arg;
    Db *db = NULL;
    char err[256];
    pthread_mutex_lock(&sched.mu);
    while (!sched.stop) {
        pthread_mutex_unlock(&sched.mu);
        if (!db && !(db = db_open(sched.db_url, err, sizeof err)))
            log_error("scheduler: cannot open the database: %s", err);
        if (db) scheduler_tick(db, sched.holder, now_epoch());
        /* what the threads freed since the last tick back to the system: a loop's page cache (16 MB,
           db.h) is emptied by the first read after any commit, and glibc keeps the pages freed in the
           middle of a thread's heap resident (bench/FINDINGS.md 85) */
        malloc_trim(0);
        pthread_mutex_lock(&sched.mu);
        if (sched.stop) break;
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += SCHED_TICK_SECONDS;
        while (!sched.stop && pthread_cond_timedwait(&sched.cv, &sched.mu, &until) == 0)
            ; /* woken early without stop: keep waiting for the deadline */
    }
    pthread_mutex_unlock(&sched.mu);
    if (db) sched_release(db, sched.holder);
    db_close(db);
    return NULL;
}

/* See flow.h. */
bool scheduler_stopping(void) {
    pthread_mutex_lock(&sched.mu);
    bool stopping = sched.running && sched.stop;
    pthread_mutex_unlock(&sched.mu);
    return stopping;
}

/* See flow.h. A second start while running is ignored. */
void scheduler_start(const char *db_url, const char *holder_id) {
    pthread_mutex_lock(&sched.mu);
    if (sched.running) goto out;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&sched.cv, &ca);
    pthread_condattr_destroy(&ca);
    sched.db_url = xstrdup(db_url);
    sched.holder = xstrdup(holder_id);
    sched.stop = false;
    if (pthread_create(&sched.thread, NULL, sched_main, NULL) != 0) {
        log_error("scheduler: cannot start the thread");
        free(sched.db_url);
        free(sched.holder);
        sched.db_url = sched.holder = NULL;
        pthread_cond_destroy(&sched.cv);
        goto out;
    }
    sched.running = true;
    log_info("scheduler: started as %s", holder_id);
out:
    pthread_mutex_unlock(&sched.mu);
}

/* See flow.h. Wakes the thread, waits for it to end; harmless when not running. */
void scheduler_stop(void) {
    pthread_mutex_lock(&sched.mu);
    if (!sched.running) {
        pthread_mutex_unlock(&sched.mu);
        return;
    }
    sched.stop = true;
    pthread_cond_signal(&sched.cv);
    pthread_mutex_unlock(&sched.mu);
    pthread_join(sched.thread, NULL);
    pthread_mutex_lock(&sched.mu);
    sched.running = false;
    pthread_cond_destroy(&sched.cv);
    free(sched.db_url);
    free(sched.holder);
    sched.db_url = sched.holder = NULL;
    pthread_mutex_unlock(&sched.mu);
}

void job_req_init(Req *r, Db *db, int64_t now) {
    memset(r, 0, sizeof *r);
    r->a = arena_new();
    r->db = db;
    r->now = now;
    r->locale = "zh-CN";
    r->request_id = "scheduler";
    r->client_addr = "";
}

void job_req_done(Req *r) { arena_free(r->a); }
