/*
** test_scheduler.c — the scheduler lease, job intervals and failure
** bookkeeping, and the idempotent "approval_overdue" reminder job, on a
** temporary SQLite database (or SALESLOOP_UNIT_PG=postgres://…, a throw-away
** PostgreSQL database whose public schema is dropped first).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "flow/flow.h"

static Db *db;
static char db_path[256]; /* SQLite file, or the PostgreSQL URL */

static _Atomic int counter_runs; /* runs of job_counter (bumped on the scheduler thread too) */

/* Counts its runs; succeeds. */
static int job_counter(Db *d, int64_t now) {
    (void)d;
    (void)now;
    counter_runs++;
    return 0;
}

/* Writes a row, then fails: the row must be rolled back. */
static int job_failing(Db *d, int64_t now) {
    (void)now;
    db_exec(d, "INSERT INTO sched_probe (n) VALUES (1)");
    return -1;
}

/* A long job, once armed: it runs until the server stops, as a chunked job ends at its next commit
   point (scheduler_stopping). */
static _Atomic int slow_armed, slow_entered, after_runs;
static int job_slow(Db *d, int64_t now) {
    (void)d;
    (void)now;
    if (!slow_armed) return 0;
    slow_entered = 1;
    while (!scheduler_stopping())
        usleep(1000);
    return 0;
}

/* Registered after job_slow: counts its runs. */
static int job_after(Db *d, int64_t now) {
    (void)d;
    (void)now;
    after_runs++;
    return 0;
}

static const Job counter = {"test_counter", 60, job_counter};
static const Job slow = {"test_slow", 60, job_slow};
static const Job after = {"test_after", 60, job_after};
static const Job failing = {"test_failing", 60, job_failing};

static void exec_ok(const char *sql) {
    int rc = db_exec(db, sql);
    if (rc != DB_OK) fprintf(stderr, "SQL failed: %s\n%s\n", db_errmsg(db), sql);
    assert_int_equal(rc, DB_OK);
}

/* One integer from SQL without parameters. */
static int64_t sql_int(const char *sql) {
    Stmt *st = db_prepare(db, sql);
    assert_non_null(st);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t v = db_col_int64(st, 0);
    db_done(st);
    return v;
}

static int setup_all(void **state) {
    (void)state;
    char err[256];
    const char *pg = getenv("SALESLOOP_UNIT_PG");
    if (pg && pg[0]) {
        snprintf(db_path, sizeof db_path, "%s", pg);
        db = db_open(db_path, err, sizeof err);
        assert_non_null(db);
        exec_ok("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    } else {
        snprintf(db_path, sizeof db_path, "/tmp/sl_test_sched_%d.db", (int)getpid());
        unlink(db_path);
        db = db_open(db_path, err, sizeof err);
        assert_non_null(db);
    }
    assert_true(db_migrate(db, err, sizeof err) >= 0);
    exec_ok("CREATE TABLE sched_probe (n INTEGER)");
    scheduler_add(&counter);
    scheduler_add(&failing);
    scheduler_add(&counter); /* a second registration is ignored */
    scheduler_add(&slow);
    scheduler_add(&after);
    flow_jobs_register();
    return 0;
}

static int teardown_all(void **state) {
    (void)state;
    db_close(db);
    if (db_path[0] != '/') return 0; /* PostgreSQL: the next run drops the schema */
    char p[300];
    unlink(db_path);
    snprintf(p, sizeof p, "%s-wal", db_path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db_path);
    unlink(p);
    return 0;
}

/* 1. The lease: A holds it, B is refused until A's lease runs out. */
static void test_lease(void **state) {
    (void)state;
    assert_true(scheduler_tick(db, "A", 1000) >= 0);
    assert_int_equal(scheduler_tick(db, "B", 1010), -1);
    assert_true(scheduler_tick(db, "A", 1020) >= 0); /* renewed until 1050 */
    assert_int_equal(scheduler_tick(db, "B", 1049), -1);
    assert_true(scheduler_tick(db, "B", 1051) >= 0);
    assert_int_equal(scheduler_tick(db, "A", 1060), -1);
    exec_ok("DELETE FROM scheduler_lease");
    exec_ok("DELETE FROM scheduler_runs");
}

/* 2. A job runs once per interval; a failing one records its error and rolls back. */
static void test_interval_and_failure(void **state) {
    (void)state;
    counter_runs = 0;
    assert_int_equal(scheduler_tick(db, "A", 2000), 5); /* counter, failing, slow, after, approval_overdue */
    assert_int_equal(counter_runs, 1);
    assert_int_equal(scheduler_tick(db, "A", 2030), 0);
    assert_int_equal(counter_runs, 1);
    assert_int_equal(scheduler_tick(db, "A", 2060), 4); /* overdue job waits 300 s */
    assert_int_equal(counter_runs, 2);
    assert_int_equal(sql_int("SELECT runs FROM scheduler_runs WHERE job = 'test_counter'"), 2);
    assert_int_equal(sql_int("SELECT last_ok_at FROM scheduler_runs WHERE job = 'test_counter'"), 2060);
    /* the failing job: two runs, no success, an error, its write undone */
    assert_int_equal(sql_int("SELECT runs FROM scheduler_runs WHERE job = 'test_failing'"), 2);
    assert_int_equal(sql_int("SELECT COUNT(*) FROM scheduler_runs WHERE job = 'test_failing'"
                             " AND last_ok_at IS NULL AND last_error IS NOT NULL"),
                     1);
    assert_int_equal(sql_int("SELECT COUNT(*) FROM sched_probe"), 0);
    assert_int_equal(sql_int("SELECT runs FROM scheduler_runs WHERE job = 'approval_overdue'"), 1);
    assert_int_equal(db_tx_depth(db), 0);
}

/* 3. approval_overdue: reminders for holders of the role in scope, once. */
static void test_overdue_idempotent(void **state) {
    (void)state;
    exec_ok("INSERT INTO org_units (id, name, parent_id, path, created_at, updated_at) VALUES"
            " (1, 'HQ', NULL, '/1/', 1, 1), (2, 'East', 1, '/1/2/', 1, 1),"
            " (3, 'West', 1, '/1/3/', 1, 1)");
    exec_ok("INSERT INTO users (id, username, display_name, password_hash, org_unit_id,"
            " created_at, updated_at, disabled) VALUES"
            " (1, 'fin', 'Fin', 'x', 1, 1, 1, 0), (2, 'fin2', 'Fin2', 'x', 1, 1, 1, 0),"
            " (3, 'gone', 'Gone', 'x', 1, 1, 1, 1), (4, 'east', 'East', 'x', 2, 1, 1, 0),"
            " (5, 'west', 'West', 'x', 3, 1, 1, 0), (6, 'boss', 'Boss', 'x', 1, 1, 1, 0)");
    exec_ok("INSERT INTO user_roles (user_id, role) VALUES (1, 'finance'), (2, 'finance'),"
            " (3, 'finance'), (4, 'sales_manager'), (5, 'sales_manager'), (6, 'sales_manager')");
    /* 10: overdue finance task; 11: overdue unit task in East; 12: not yet due;
       13: overdue but already signed */
    exec_ok("INSERT INTO approval_tasks (id, entity, row_id, round, step_no, step_name, role,"
            " scope_path, status, activated_at, due_at) VALUES"
            " (10, 'docs', 7, 1, 0, 'review', 'finance', NULL, 'pending', 100, 500),"
            " (11, 'docs', 8, 1, 0, 'manager', 'sales_manager', '/1/2/', 'pending', 100, 500),"
            " (12, 'docs', 9, 1, 0, 'review', 'finance', NULL, 'pending', 100, 99999),"
            " (13, 'docs', 6, 1, 0, 'review', 'finance', NULL, 'approved', 100, 500)");
    assert_int_equal(flow_job_approval_overdue(db, 1000), 0);
    /* fin, fin2 for task 10; east and boss (root contains East) for 11; not west, not gone */
    assert_int_equal(sql_int("SELECT COUNT(*) FROM tasks WHERE kind = 'approval_overdue'"), 4);
    assert_int_equal(sql_int("SELECT COUNT(*) FROM tasks WHERE user_id IN (3, 5)"), 0);
    assert_int_equal(sql_int("SELECT COUNT(*) FROM tasks"
                             " WHERE dedupe_key = 'approval_overdue:11:6' AND row_id = 8"
                             " AND due_at = 500 AND status = 'open'"),
                     1);
    /* again, directly and through the scheduler: nothing new */
    assert_int_equal(flow_job_approval_overdue(db, 1100), 0);
    exec_ok("DELETE FROM scheduler_runs WHERE job = 'approval_overdue'");
    assert_true(scheduler_tick(db, "A", 5000) >= 1);
    assert_int_equal(sql_int("SELECT COUNT(*) FROM tasks WHERE kind = 'approval_overdue'"), 4);
    /* task 10 signed: its reminders close, the others stay open */
    exec_ok("UPDATE approval_tasks SET status = 'approved' WHERE id = 10");
    assert_int_equal(flow_job_approval_overdue(db, 1200), 0);
    assert_int_equal(sql_int("SELECT COUNT(*) FROM tasks WHERE kind = 'approval_overdue'"
                             " AND status = 'done' AND done_at = 1200"),
                     2);
    assert_int_equal(sql_int("SELECT COUNT(*) FROM tasks WHERE kind = 'approval_overdue'"
                             " AND status = 'open'"),
                     2);
}

/* 4. The thread starts, ticks at once, and stops promptly. */
static void test_thread(void **state) {
    (void)state;
    exec_ok("DELETE FROM scheduler_lease");
    counter_runs = 0;
    exec_ok("DELETE FROM scheduler_runs WHERE job = 'test_counter'");
    scheduler_start(db_path, "T");
    for (int i = 0; i < 200 && counter_runs == 0; i++)
        usleep(10000);
    scheduler_stop();
    assert_int_equal(counter_runs, 1);
    scheduler_stop(); /* harmless when stopped */
    /* the lease was given up at stop: another holder takes it at once */
    assert_true(scheduler_tick(db, "B", now_epoch()) >= 0);
}

/* 5. A stop during a job: the job sees it (and may end at a commit point), the tick runs no further
   job, and the stop returns; the next tick (here another holder's) runs what was left. */
static void test_stop_between_jobs(void **state) {
    (void)state;
    exec_ok("DELETE FROM scheduler_lease");
    exec_ok("DELETE FROM scheduler_runs WHERE job IN ('test_slow', 'test_after')");
    after_runs = 0;
    slow_entered = 0;
    slow_armed = 1;
    assert_false(scheduler_stopping());
    scheduler_start(db_path, "T");
    for (int i = 0; i < 500 && !slow_entered; i++)
        usleep(10000);
    assert_true(slow_entered);
    scheduler_stop(); /* returns once the slow job saw the stop */
    assert_int_equal(after_runs, 0);
    assert_false(scheduler_stopping()); /* stopped, not stopping: a tick runs jobs again */
    slow_armed = 0;
    assert_true(scheduler_tick(db, "B", now_epoch()) >= 1);
    assert_int_equal(after_runs, 1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lease),
        cmocka_unit_test(test_interval_and_failure),
        cmocka_unit_test(test_overdue_idempotent),
        cmocka_unit_test(test_thread),
        cmocka_unit_test(test_stop_between_jobs),
    };
    return cmocka_run_group_tests(tests, setup_all, teardown_all);
}
