/*
** housekeeping.c — the server's own periodic jobs: expired sessions and old
** sign-in attempts removed, background jobs' expired files removed, and the query planner's table statistics kept
** fresh (without them SQLite picks poor plans for managers' lists; measured
** in bench/FINDINGS.md).
*/
#include "../model/jobs.h"
#include "flow.h"

/*
** Job "auth_cleanup" (hourly): sessions a day past expiry, sign-in attempts older than 30 days,
** sign-in guards (login_guards) untouched for 30 days and not locked — known and unknown user
** names alike, so the cleanup does not tell them apart either.
*/
static int auth_cleanup(Db *db, int64_t now) {
    Stmt *st = db_prepare(db, "DELETE FROM sessions WHERE expires_at < ?1");
    if (!st) return -1;
    db_bind_int64(st, 1, now - 86400);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0) return -1;
    st = db_prepare(db, "DELETE FROM login_attempts WHERE at < ?1");
    if (!st) return -1;
    db_bind_int64(st, 1, now - 30 * 86400);
    rc = db_step(st);
    db_done(st);
    if (rc < 0) return -1;
    st = db_prepare(db, "DELETE FROM login_guards WHERE updated_at < ?1 AND locked_until < ?2");
    if (!st) return -1;
    db_bind_int64(st, 1, now - 30 * 86400);
    db_bind_int64(st, 2, now);
    rc = db_step(st);
    db_done(st);
    return rc < 0 ? -1 : 0;
}

/* Job "db_statistics" (daily): refresh the planner's statistics. */
static int db_statistics(Db *db, int64_t now) { return db_refresh_statistics(db); }

int db_refresh_statistics(Db *db) {
    /* SQLite: ANALYZE is cheap (it samples) and takes the write lock only to store the results */
    return db_exec(db, db_kind(db) == DB_PG ? "ANALYZE" : "ANALYZE; PRAGMA optimize") == DB_OK ? 0 : -1;
}

/* Job "job_files" (hourly): background jobs' result files past their retention (jobs.c). */
static int job_files(Db *db, int64_t now) { return jobs_cleanup(db, now); }

void housekeeping_register(void) {
    static const Job jobs[] = {
        {"auth_cleanup", 3600, auth_cleanup},
        {"db_statistics", 86400, db_statistics},
        {"job_files", 3600, job_files},
    };
    for (int i = 0; i < 3; i++)
        scheduler_add(&jobs[i]);
}
