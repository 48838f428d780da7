/*
** test_db.c — unit tests of src/db (db.c, sqlite.c, pg.c, migrate.c). The
** same cases run on SQLite :memory:, on a SQLite file in a temp directory,
** and on PostgreSQL when SALESLOOP_TEST_PG_URL names a database to use
** (the cases work in a scratch schema, salesloop_test, dropped at the end).
*/
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "db/db.h"
#include "db/migrations.h"

/* What one case runs against. */
typedef struct Ctx {
    char dir[64];  /* temp directory of the file database and backups, or "" */
    char url[600]; /* what db_open was given */
    Db *db;        /* the open connection */
} Ctx;

/* The test table: explicit ids so the SQL is the same on both engines. */
static const char zSqlSchema[] = "CREATE TABLE items (\n"
                                 "  id   BIGINT PRIMARY KEY,\n"
                                 "  name TEXT NOT NULL UNIQUE,\n"
                                 "  qty  BIGINT,\n"
                                 "  note TEXT\n"
                                 ");\n"
                                 "CREATE TABLE lines (\n"
                                 "  item_id BIGINT NOT NULL REFERENCES items(id),\n"
                                 "  amount  BIGINT NOT NULL\n"
                                 ")";
static const char zSqlInsert[] = "INSERT INTO items(id, name, qty, note) VALUES (?1, ?2, ?3, ?4)";
static const char zSqlCount[] = "SELECT count(*) FROM items";

/* Open url into a fresh Ctx and create the test tables. */
static int ctx_open(void **state, const char *url, const char *dir) {
    Ctx *c = calloc(1, sizeof *c);
    char err[256] = "";
    snprintf(c->url, sizeof c->url, "%s", url);
    snprintf(c->dir, sizeof c->dir, "%s", dir ? dir : "");
    c->db = db_open(url, err, sizeof err);
    if (!c->db) {
        fprintf(stderr, "db_open(%s): %s\n", url, err);
        free(c);
        return -1;
    }
    if (db_exec(c->db, zSqlSchema) != DB_OK) {
        db_close(c->db); /* cmocka runs no teardown after a failed setup */
        free(c);
        return -1;
    }
    *state = c;
    return 0;
}

/* Setup: a SQLite in-memory database. */
static int setup_memory(void **state) { return ctx_open(state, ":memory:", NULL); }

/* Setup: a SQLite file in a new temp directory. */
static int setup_file(void **state) {
    char dir[] = "/tmp/salesloop-test-XXXXXX", url[128];
    if (!mkdtemp(dir)) return -1;
    snprintf(url, sizeof url, "sqlite:%s/test.db", dir);
    return ctx_open(state, url, dir);
}

/* Setup: the PostgreSQL database, in an emptied scratch schema. */
static int setup_pg(void **state) {
    char url[600];
    const char *base = getenv("SALESLOOP_TEST_PG_URL");
    snprintf(url, sizeof url, "%s%soptions=-csearch_path%%3Dsalesloop_test", base, strchr(base, '?') ? "&" : "?");
    char err[256];
    Db *db = db_open(base, err, sizeof err);
    if (!db) return -1;
    int rc = db_exec(db, "DROP SCHEMA IF EXISTS salesloop_test CASCADE; CREATE SCHEMA salesloop_test");
    db_close(db);
    return rc == DB_OK ? ctx_open(state, url, NULL) : -1;
}

/* Remove dir and the files in it (databases with their -wal and -shm). */
static void remove_dir(const char *dir) {
    DIR *d = opendir(dir);
    struct dirent *e;
    char path[400];
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        unlink(path);
    }
    if (d) closedir(d);
    rmdir(dir);
}

/* Teardown: close, and remove the temp directory with everything in it. */
static int teardown(void **state) {
    Ctx *c = *state;
    db_close(c->db);
    if (c->dir[0]) remove_dir(c->dir);
    free(c);
    return 0;
}

/* The single integer a query answers (fails the test on error). */
static int64_t query_int(Db *db, const char *sql) {
    Stmt *st = db_prepare(db, sql);
    assert_non_null(st);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t v = db_col_int64(st, 0);
    assert_int_equal(db_step(st), DB_DONE);
    db_done(st);
    return v;
}

/* Insert one item; returns db_step's answer. */
static int insert_item(Db *db, int64_t id, const char *name, int64_t qty) {
    Stmt *st = db_prepare(db, zSqlInsert);
    assert_non_null(st);
    assert_int_equal(db_bind_int64(st, 1, id), DB_OK);
    assert_int_equal(db_bind_text(st, 2, name, -1), DB_OK);
    assert_int_equal(db_bind_int64(st, 3, qty), DB_OK);
    assert_int_equal(db_bind_null(st, 4), DB_OK);
    int rc = db_step(st);
    db_done(st);
    return rc;
}

/* ---------------------------------------------------------------- every backend */

/* 1. Prepare, bind every type, step, and read columns back, NULLs included. */
static void test_01_roundtrip(void **state) {
    Db *db = ((Ctx *)*state)->db;
    Stmt *st = db_prepare(db, zSqlInsert);
    assert_non_null(st);
    assert_int_equal(db_bind_int64(st, 1, 7), DB_OK);
    assert_int_equal(db_bind_text(st, 2, "华东大区 it's \"quoted\"", -1), DB_OK);
    assert_int_equal(db_bind_int64(st, 3, INT64_MIN), DB_OK);
    assert_int_equal(db_bind_text(st, 4, "abcdef", 3), DB_OK); /* only "abc" */
    assert_int_equal(db_step(st), DB_DONE);
    db_done(st);
    assert_int_equal(db_changes(db), 1);
    assert_int_equal(insert_item(db, 8, "second", 2), DB_DONE);

    st = db_prepare(db, "SELECT id, name, qty, note FROM items WHERE id >= ?1 ORDER BY id");
    assert_non_null(st);
    assert_int_equal(db_bind_int64(st, 1, 7), DB_OK);
    assert_int_equal(db_step(st), DB_ROW);
    assert_int_equal(db_col_count(st), 4);
    assert_string_equal(db_col_name(st, 1), "name");
    assert_true(db_col_int64(st, 0) == 7);
    assert_string_equal(db_col_text(st, 1), "华东大区 it's \"quoted\"");
    assert_true(db_col_int64(st, 2) == INT64_MIN);
    assert_string_equal(db_col_text(st, 3), "abc");
    assert_false(db_col_null(st, 3));
    assert_int_equal(db_step(st), DB_ROW);
    assert_true(db_col_int64(st, 0) == 8);
    assert_true(db_col_null(st, 3));
    assert_null(db_col_text(st, 3));
    assert_true(db_col_int64(st, 3) == 0);
    assert_int_equal(db_step(st), DB_DONE);
    db_done(st);
    db_done(NULL); /* harmless */
}

/* 2. db_changes counts the rows of the last UPDATE/DELETE. */
static void test_02_changes(void **state) {
    Db *db = ((Ctx *)*state)->db;
    for (int i = 1; i <= 5; i++) {
        char name[16];
        snprintf(name, sizeof name, "n%d", i);
        assert_int_equal(insert_item(db, i, name, i), DB_DONE);
    }
    Stmt *st = db_prepare(db, "UPDATE items SET qty = qty + 1 WHERE qty >= ?1");
    assert_int_equal(db_bind_int64(st, 1, 3), DB_OK);
    assert_int_equal(db_step(st), DB_DONE);
    db_done(st);
    assert_int_equal(db_changes(db), 3);
    assert_true(query_int(db, zSqlCount) == 5); /* a SELECT changes nothing */
    assert_int_equal(db_changes(db), 3);
    st = db_prepare(db, "DELETE FROM items WHERE id = ?1");
    assert_int_equal(db_bind_int64(st, 1, 99), DB_OK);
    assert_int_equal(db_step(st), DB_DONE);
    db_done(st);
    assert_int_equal(db_changes(db), 0);
}

/* 3. The cache hands back the same statement; one in use is not shared. */
static void test_03_cache(void **state) {
    Db *db = ((Ctx *)*state)->db;
    assert_int_equal(insert_item(db, 1, "a", 1), DB_DONE);
    assert_int_equal(insert_item(db, 2, "b", 2), DB_DONE);
    int before = db_cache_size(db);
    Stmt *s1 = db_prepare(db, zSqlCount);
    assert_int_equal(db_cache_size(db), before + 1);
    db_done(s1);
    Stmt *s2 = db_prepare(db, zSqlCount);
    assert_ptr_equal(s1, s2); /* same statement from the cache */
    assert_int_equal(db_cache_size(db), before + 1);
    db_done(s2);

    /* the same SQL nested: the outer one is in use, so the inner is a fresh copy */
    static const char zSqlByQty[] = "SELECT id FROM items WHERE qty >= ?1 ORDER BY id";
    Stmt *outer = db_prepare(db, zSqlByQty);
    assert_int_equal(db_bind_int64(outer, 1, 1), DB_OK);
    int n = 0;
    while (db_step(outer) == DB_ROW) {
        Stmt *inner = db_prepare(db, zSqlByQty);
        assert_non_null(inner);
        assert_ptr_not_equal(inner, outer);
        assert_int_equal(db_bind_int64(inner, 1, 2), DB_OK);
        assert_int_equal(db_step(inner), DB_ROW);
        assert_true(db_col_int64(inner, 0) == 2);
        db_done(inner); /* finalizes the copy */
        n++;
    }
    assert_int_equal(n, 2);
    int size = db_cache_size(db);
    db_done(outer);
    assert_ptr_equal(db_prepare(db, zSqlByQty), outer);
    assert_int_equal(db_cache_size(db), size);
    db_done(outer);
}

/* 4. db_done clears bindings, so a reused statement does not see old values. */
static void test_04_done_clears_bindings(void **state) {
    Db *db = ((Ctx *)*state)->db;
    Stmt *st = db_prepare(db, zSqlInsert);
    db_bind_int64(st, 1, 1);
    db_bind_text(st, 2, "x", -1);
    db_done(st); /* never stepped */
    st = db_prepare(db, zSqlInsert);
    db_bind_int64(st, 1, 2);
    /* ?2 (name, NOT NULL) left unbound: NULL, so the insert must fail */
    assert_int_equal(db_step(st), DB_CONSTRAINT);
    db_done(st);
    assert_true(query_int(db, zSqlCount) == 0);
}

/* 5. Errors: bad SQL fails to prepare with a message; bad bind indexes fail. */
static void test_05_errors(void **state) {
    Db *db = ((Ctx *)*state)->db;
    assert_null(db_prepare(db, "SELEKT nonsense"));
    assert_true(strlen(db_errmsg(db)) > 0);
    assert_null(db_prepare(db, "SELECT * FROM no_such_table"));
    assert_null(db_prepare(db, "SELECT 1; SELECT 2")); /* one statement per prepare */
    Stmt *one = db_prepare(db, "SELECT 1; -- a trailing comment is fine");
    assert_non_null(one);
    db_done(one);
    Stmt *st = db_prepare(db, "SELECT id FROM items WHERE id = ?1");
    assert_non_null(st);
    assert_true(db_bind_int64(st, 2, 1) < 0);
    assert_true(db_bind_text(st, 0, "x", -1) < 0);
    db_done(st);
    assert_true(db_exec(db, "INSERT INTO nowhere VALUES (1)") < 0);
    assert_int_equal(db_exec(db, "INSERT INTO items(id, name) VALUES (1, 'a'); "
                                 "INSERT INTO items(id, name) VALUES (2, 'b')"),
                     DB_OK);
    assert_true(query_int(db, zSqlCount) == 2);
}

/* 6. Unique, NOT NULL and foreign-key violations answer DB_CONSTRAINT. */
static void test_06_constraints(void **state) {
    Db *db = ((Ctx *)*state)->db;
    assert_int_equal(insert_item(db, 1, "dup", 1), DB_DONE);
    assert_int_equal(insert_item(db, 2, "dup", 1), DB_CONSTRAINT);   /* unique name */
    assert_int_equal(insert_item(db, 1, "other", 1), DB_CONSTRAINT); /* primary key */
    Stmt *st = db_prepare(db, "INSERT INTO lines(item_id, amount) VALUES (?1, ?2)");
    db_bind_int64(st, 1, 999); /* no such item */
    db_bind_int64(st, 2, 100);
    assert_int_equal(db_step(st), DB_CONSTRAINT);
    db_done(st);
    st = db_prepare(db, "INSERT INTO lines(item_id, amount) VALUES (?1, ?2)");
    db_bind_int64(st, 1, 1);
    db_bind_null(st, 2);
    assert_int_equal(db_step(st), DB_CONSTRAINT);
    db_done(st);
    assert_true(query_int(db, "SELECT count(*) FROM lines") == 0);
}

/* 7. Nested transactions: rolling back the inner level keeps the outer's work. */
static void test_07_nested_rollback_inner(void **state) {
    Db *db = ((Ctx *)*state)->db;
    assert_int_equal(db_tx_depth(db), 0);
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(insert_item(db, 1, "outer", 1), DB_DONE);
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(db_tx_depth(db), 2);
    assert_int_equal(insert_item(db, 2, "inner", 1), DB_DONE);
    assert_int_equal(db_rollback(db), DB_OK);
    assert_int_equal(db_tx_depth(db), 1);
    assert_int_equal(insert_item(db, 3, "after", 1), DB_DONE);
    assert_int_equal(db_commit(db), DB_OK);
    assert_int_equal(db_tx_depth(db), 0);
    assert_true(query_int(db, zSqlCount) == 2);
    assert_true(query_int(db, "SELECT count(*) FROM items WHERE name = 'inner'") == 0);
}

/* 8. Committing the inner level and rolling back the outer undoes both. */
static void test_08_nested_rollback_outer(void **state) {
    Db *db = ((Ctx *)*state)->db;
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(insert_item(db, 1, "outer", 1), DB_DONE);
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(db_begin(db), DB_OK); /* three levels */
    assert_int_equal(insert_item(db, 2, "inner", 1), DB_DONE);
    assert_int_equal(db_commit(db), DB_OK);
    assert_int_equal(db_commit(db), DB_OK);
    assert_int_equal(db_rollback(db), DB_OK);
    assert_true(query_int(db, zSqlCount) == 0);
}

/* 9. A constraint error inside a savepoint (one request of a group commit)
      is rolled back alone; the batch goes on and commits. */
static void test_09_group_commit_savepoint(void **state) {
    Db *db = ((Ctx *)*state)->db;
    const char *names[] = {"one", "one", "three"}; /* the second request collides */
    assert_int_equal(db_begin(db), DB_OK);
    for (int i = 1; i <= 3; i++) {
        assert_int_equal(db_begin(db), DB_OK);
        int rc = insert_item(db, i, names[i - 1], i);
        if (rc == DB_DONE)
            assert_int_equal(db_commit(db), DB_OK);
        else {
            assert_int_equal(rc, DB_CONSTRAINT);
            assert_int_equal(db_rollback(db), DB_OK);
        }
    }
    assert_int_equal(db_commit(db), DB_OK);
    assert_true(query_int(db, zSqlCount) == 2);
}

/* 10. Commit or rollback with no transaction is an error; depth stays 0. */
static void test_10_unbalanced(void **state) {
    Db *db = ((Ctx *)*state)->db;
    assert_int_equal(db_commit(db), DB_ERROR);
    assert_int_equal(db_rollback(db), DB_ERROR);
    assert_int_equal(db_tx_depth(db), 0);
}

/* 11. Migrations apply in full, then a second run applies nothing. */
static void test_11_migrate(void **state) {
    Db *db = ((Ctx *)*state)->db;
    char err[256] = "";
    assert_int_equal(db_schema_version(db), 0);
    int n = db_migrate(db, err, sizeof err);
    if (n < 0) fail_msg("db_migrate: %s", err);
    assert_int_equal(n, migrations_count);
    assert_int_equal(db_schema_version(db), migrations[migrations_count - 1].number);
    assert_int_equal(db_migrate(db, err, sizeof err), 0);
    assert_true(query_int(db, "SELECT count(*) FROM schema_migrations") == migrations_count);
    assert_int_equal(db_tx_depth(db), 0);
    /* {{id}} became an auto-increment key */
    assert_int_equal(db_exec(db, "INSERT INTO org_units(name, created_at, updated_at) "
                                 "VALUES ('总部', 1, 1)"),
                     DB_OK);
    assert_int_equal(db_exec(db, "INSERT INTO org_units(name, created_at, updated_at) "
                                 "VALUES ('华东大区', 1, 1)"),
                     DB_OK);
    assert_true(query_int(db, "SELECT max(id) FROM org_units") == 2);
}

/* 12. Eviction keeps the cache at its cap; evicted statements are prepared again. */
static void test_12_cache_cap(void **state) {
    Db *db = ((Ctx *)*state)->db;
    char sql[64];
    for (int i = 0; i < 600; i++) {
        snprintf(sql, sizeof sql, "SELECT %d + ?1", i);
        Stmt *st = db_prepare(db, sql);
        assert_non_null(st);
        assert_int_equal(db_bind_int64(st, 1, 1), DB_OK);
        assert_int_equal(db_step(st), DB_ROW);
        assert_true(db_col_int64(st, 0) == i + 1);
        db_done(st);
    }
    assert_int_equal(db_cache_size(db), 512);
    snprintf(sql, sizeof sql, "SELECT %d + ?1", 0); /* evicted long ago */
    Stmt *st = db_prepare(db, sql);
    db_bind_int64(st, 1, 5);
    assert_int_equal(db_step(st), DB_ROW);
    assert_true(db_col_int64(st, 0) == 5);
    db_done(st);
    assert_int_equal(db_cache_size(db), 512);
}

/* 13. A COMMIT that fails (deferred foreign key) leaves the level for db_rollback;
       nothing is committed and the connection goes on working. */
static void test_13_commit_fails(void **state) {
    Db *db = ((Ctx *)*state)->db;
    assert_int_equal(db_exec(db, "CREATE TABLE dlines (item_id BIGINT REFERENCES items(id)"
                                 " DEFERRABLE INITIALLY DEFERRED)"),
                     DB_OK);
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(insert_item(db, 1, "a", 1), DB_DONE);
    assert_int_equal(db_exec(db, "INSERT INTO dlines VALUES (999)"), DB_OK); /* checked at COMMIT */
    assert_int_equal(db_commit(db), DB_CONSTRAINT);
    assert_int_equal(db_tx_depth(db), 1);
    assert_int_equal(db_rollback(db), DB_OK);
    assert_int_equal(db_tx_depth(db), 0);
    assert_true(query_int(db, zSqlCount) == 0);
    assert_true(query_int(db, "SELECT count(*) FROM dlines") == 0);
    assert_int_equal(insert_item(db, 2, "b", 1), DB_DONE);
    assert_true(query_int(db, zSqlCount) == 1);
}

/* ---------------------------------------------------------------- SQLite only */

/* 14. The pragmas are in force: foreign keys, synchronous=FULL, busy timeout (WAL on files). */
static void test_14_sqlite_pragmas(void **state) {
    Ctx *c = *state;
    assert_int_equal(db_kind(c->db), DB_SQLITE);
    assert_true(query_int(c->db, "PRAGMA foreign_keys") == 1);
    assert_true(query_int(c->db, "PRAGMA synchronous") == 2);
    assert_true(query_int(c->db, "PRAGMA busy_timeout") == 5000);
    assert_true(query_int(c->db, "PRAGMA temp_store") == 2);               /* savepoint journals in memory */
    if (c->dir[0]) assert_true(query_int(c->db, "PRAGMA mmap_size") == 0); /* no map (FINDINGS 60) */
    assert_true(query_int(c->db, "PRAGMA cache_size") == -2000);           /* SQLite's 2 MB, unless ... */
    assert_int_equal(db_cache_large(c->db, 8192), DB_OK);
    assert_true(query_int(c->db, "PRAGMA cache_size") == -8192); /* ... 8 MB is asked for */
    assert_int_equal(db_cache_large(c->db, DB_CACHE_READER_KIB), DB_OK);
    assert_true(query_int(c->db, "PRAGMA cache_size") == -DB_CACHE_READER_KIB);
    Stmt *st = db_prepare(c->db, "PRAGMA journal_mode");
    assert_int_equal(db_step(st), DB_ROW);
    assert_string_equal(db_col_text(st, 0), c->dir[0] ? "wal" : "memory");
    db_done(st);
}

/* 15. Backup writes a file with the same rows; it opens as a database of its own. */
static void test_15_sqlite_backup(void **state) {
    Ctx *c = *state;
    char dir[] = "/tmp/salesloop-bak-XXXXXX", path[128], err[256] = "";
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/backup.db", dir);
    for (int i = 1; i <= 100; i++) {
        char name[16];
        snprintf(name, sizeof name, "item%d", i);
        assert_int_equal(insert_item(c->db, i, name, i * 10), DB_DONE);
    }
    if (db_backup(c->db, path, err, sizeof err) != DB_OK) fail_msg("db_backup: %s", err);
    Db *copy = db_open(path, err, sizeof err);
    assert_non_null(copy);
    assert_true(query_int(copy, zSqlCount) == 100);
    assert_true(query_int(copy, "SELECT sum(qty) FROM items") == 50500);
    db_close(copy);
    /* restore: wreck the live database, then copy the backup back over it */
    Stmt *count = db_prepare(c->db, zSqlCount); /* cached across the restore */
    db_done(count);
    assert_int_equal(db_exec(c->db, "DELETE FROM items; DROP TABLE lines"), DB_OK);
    assert_true(query_int(c->db, zSqlCount) == 0);
    if (db_restore(c->db, path, err, sizeof err) != DB_OK) fail_msg("db_restore: %s", err);
    assert_true(query_int(c->db, zSqlCount) == 100);
    assert_true(query_int(c->db, "SELECT count(*) FROM lines") == 0); /* table is back */
    remove_dir(dir);
}

/* 16. Backup and restore errors: unwritable target, missing or non-database source,
       restore inside a transaction; the live data survives all of them. */
static void test_16_sqlite_backup_errors(void **state) {
    Ctx *c = *state;
    char err[256] = "";
    assert_int_equal(insert_item(c->db, 1, "keep", 1), DB_DONE);
    assert_true(db_backup(c->db, "/nonexistent-dir/x.db", err, sizeof err) < 0);
    assert_true(strlen(err) > 0);
    err[0] = '\0';
    assert_true(db_restore(c->db, "/nonexistent-dir/x.db", err, sizeof err) < 0);
    assert_true(strlen(err) > 0);
    char junk[] = "/tmp/salesloop-junk-XXXXXX";
    int fd = mkstemp(junk);
    assert_true(fd >= 0);
    assert_true(write(fd, "this is not a database, not at all, really not...", 50) == 50);
    close(fd);
    assert_true(db_restore(c->db, junk, err, sizeof err) < 0);
    unlink(junk);
    assert_int_equal(db_begin(c->db), DB_OK);
    assert_true(db_restore(c->db, "/tmp", err, sizeof err) < 0);
    assert_int_equal(db_rollback(c->db), DB_OK);
    assert_true(query_int(c->db, zSqlCount) == 1);
}

/* 17. A second connection that cannot get the write lock answers DB_BUSY. */
static void test_17_sqlite_busy(void **state) {
    Ctx *c = *state;
    char err[256];
    Db *other = db_open(c->url, err, sizeof err);
    assert_non_null(other);
    assert_int_equal(db_exec(other, "PRAGMA busy_timeout=20"), DB_OK);
    assert_int_equal(db_begin(c->db), DB_OK); /* IMMEDIATE: holds the write lock */
    assert_int_equal(db_begin(other), DB_BUSY);
    assert_int_equal(db_tx_depth(other), 0);
    assert_int_equal(db_commit(c->db), DB_OK);
    assert_int_equal(db_begin(other), DB_OK);
    assert_int_equal(db_commit(other), DB_OK);
    db_close(other);
}

/* 18. Closing a connection inside a transaction rolls it back (and logs where it began). */
static void test_18_sqlite_close_in_tx(void **state) {
    Ctx *c = *state;
    char err[256];
    Db *other = db_open(c->url, err, sizeof err);
    assert_non_null(other);
    assert_int_equal(db_begin(other), DB_OK);
    assert_int_equal(insert_item(other, 1, "lost", 1), DB_DONE);
    db_close(other); /* logs "closed inside a transaction begun at test_db.c:NNN" */
    assert_true(query_int(c->db, zSqlCount) == 0);
}

/* 19. Bad paths fail to open with a reason; db_close(NULL) is harmless. */
static void test_19_open_errors(void **state) {
    char err[256] = "";
    assert_null(db_open("/nonexistent-dir/sub/x.db", err, sizeof err));
    assert_true(strlen(err) > 0);
    err[0] = '\0';
    assert_null(db_open("", err, sizeof err));
    assert_true(strlen(err) > 0);
    err[0] = '\0';
    assert_null(db_open("postgres://127.0.0.1:1/none?connect_timeout=2", err, sizeof err));
    assert_true(strlen(err) > 0);
    db_close(NULL);
}

/* ---------------------------------------------------------------- PostgreSQL only */

/* 20. PostgreSQL: kind, and backup/restore point at pg_dump/pg_restore. */
static void test_20_pg_backup_unsupported(void **state) {
    Ctx *c = *state;
    char err[256] = "";
    assert_int_equal(db_kind(c->db), DB_PG);
    assert_true(db_backup(c->db, "/tmp/x.db", err, sizeof err) < 0);
    assert_non_null(strstr(err, "pg_dump"));
    assert_true(db_restore(c->db, "/tmp/x.db", err, sizeof err) < 0);
    assert_non_null(strstr(err, "pg_restore"));
}

/* 21. PostgreSQL: an error inside a savepoint does not poison the outer transaction. */
static void test_21_pg_error_in_savepoint(void **state) {
    Db *db = ((Ctx *)*state)->db;
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(insert_item(db, 1, "a", 1), DB_DONE);
    assert_int_equal(db_begin(db), DB_OK);
    assert_null(db_prepare(db, "SELECT * FROM no_such_table WHERE x = ?1")); /* aborts */
    assert_int_equal(db_rollback(db), DB_OK);
    assert_int_equal(insert_item(db, 2, "b", 1), DB_DONE);
    assert_int_equal(db_commit(db), DB_OK);
    assert_true(query_int(db, zSqlCount) == 2);
    /* an error in the outer level: COMMIT turns into ROLLBACK and is reported */
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(insert_item(db, 3, "c", 1), DB_DONE);
    assert_int_equal(insert_item(db, 4, "a", 1), DB_CONSTRAINT);
    assert_true(db_commit(db) < 0);
    assert_int_equal(db_tx_depth(db), 1); /* still open: the caller rolls back */
    assert_int_equal(db_rollback(db), DB_OK);
    assert_int_equal(db_tx_depth(db), 0);
    assert_true(query_int(db, zSqlCount) == 2);
    /* a failed commit nobody rolled back does not wedge the connection */
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(insert_item(db, 5, "a", 1), DB_CONSTRAINT);
    assert_true(db_commit(db) < 0);
    assert_int_equal(db_begin(db), DB_OK); /* notices the ended transaction */
    assert_int_equal(db_tx_depth(db), 1);
    assert_int_equal(insert_item(db, 6, "f", 1), DB_DONE);
    assert_int_equal(db_commit(db), DB_OK);
    assert_true(query_int(db, zSqlCount) == 3);
}

/* 22. db_column_leads_index reads the catalogue: only the first column of an index counts;
   db_columns_lead_index, the first two in their order. */
static void test_22_column_leads_index(void **state) {
    Db *db = ((Ctx *)*state)->db;
    assert_int_equal(db_exec(db, "CREATE INDEX items_name_qty ON items(name, qty)"), DB_OK);
    assert_int_equal(db_exec(db, "CREATE INDEX items_note ON items(note) WHERE note IS NOT NULL"), DB_OK);
    assert_int_equal(db_column_leads_index(db, "items", "name"), 1);
    assert_int_equal(db_column_leads_index(db, "items", "note"), 1); /* a partial index counts */
    assert_int_equal(db_column_leads_index(db, "items", "qty"), 0);  /* second column only */
    assert_int_equal(db_column_leads_index(db, "no_such_table", "name"), 0);
    assert_int_equal(db_columns_lead_index(db, "items", "name", "qty"), 1);
    assert_int_equal(db_columns_lead_index(db, "items", "qty", "name"), 0); /* the order counts */
    assert_int_equal(db_columns_lead_index(db, "items", "note", "qty"), 0); /* a one-column index */
    assert_int_equal(db_columns_lead_index(db, "items", "name", NULL), 1);
}

/* 22b. db_column_nullable reads NOT NULL (and a primary key) from the catalogue; db_index_nulls_high
   names an index that orders a column's NULLs above its values: PostgreSQL's default order, never
   SQLite's. */
static void test_22b_nulls(void **state) {
    Db *db = ((Ctx *)*state)->db;
    assert_int_equal(db_column_nullable(db, "items", "qty"), 1);
    assert_int_equal(db_column_nullable(db, "items", "name"), 0);
    assert_int_equal(db_column_nullable(db, "items", "id"), 0);
    assert_int_equal(db_column_nullable(db, "items", "no_such_column"), -1);
    bool pg = db_kind(db) == DB_PG;
    assert_int_equal(db_exec(db, "CREATE INDEX items_qty ON items(name, qty)"), DB_OK);
    char name[64] = "";
    assert_int_equal(db_index_nulls_high(db, "items", "qty", name, sizeof name), pg ? 1 : 0);
    if (pg) assert_string_equal(name, "items_qty");
    assert_int_equal(db_exec(db, "DROP INDEX items_qty"), DB_OK);
    /* below the values: ascending NULLS FIRST, or descending NULLS LAST */
    assert_int_equal(db_exec(db, pg ? "CREATE INDEX items_qty ON items(name, qty NULLS FIRST)"
                                    : "CREATE INDEX items_qty ON items(name, qty)"),
                     DB_OK);
    assert_int_equal(db_exec(db, pg ? "CREATE INDEX items_qty_desc ON items(qty DESC NULLS LAST)"
                                    : "CREATE INDEX items_qty_desc ON items(qty DESC)"),
                     DB_OK);
    assert_int_equal(db_index_nulls_high(db, "items", "qty", name, sizeof name), 0);
    if (pg) { /* descending with PostgreSQL's default for it (NULLS FIRST): above */
        assert_int_equal(db_exec(db, "CREATE INDEX items_qty_high ON items(qty DESC)"), DB_OK);
        assert_int_equal(db_index_nulls_high(db, "items", "qty", name, sizeof name), 1);
        assert_string_equal(name, "items_qty_high");
    }
}

/* 23. A marked fault refuses the outermost commit (the work is rolled back) until it is taken. */
static void test_23_fault_refuses_commit(void **state) {
    Db *db = ((Ctx *)*state)->db;
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(insert_item(db, 41, "lost", 1), DB_DONE);
    db_fault_mark(db);
    assert_true(db_commit(db) < 0);
    assert_int_equal(db_rollback(db), DB_OK);
    assert_true(db_fault_take(db));
    assert_false(db_fault_take(db)); /* taken: cleared */
    assert_true(query_int(db, "SELECT count(*) FROM items WHERE id = 41") == 0);
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(insert_item(db, 42, "kept", 1), DB_DONE);
    assert_int_equal(db_commit(db), DB_OK);
    assert_true(query_int(db, "SELECT count(*) FROM items WHERE id = 42") == 1);
}

/* 24. A write at commit: run at once outside a savepoint; inside one queued (unseen until the
   outermost commit), kept when the savepoint is released, dropped when it rolls back; run in the
   order queued, before COMMIT; dropped with the whole transaction's rollback. */
static void test_24_write_at_commit(void **state) {
    Db *db = ((Ctx *)*state)->db;
    static const char zSqlNote[] = "INSERT INTO items(id, name) VALUES (?1, ?2)";
    static const char zSqlRename[] = "UPDATE items SET name = ?2 || '+' WHERE id = ?1";
    assert_int_equal(db_write_at_commit(db, zSqlNote, 1, "now"), DB_OK); /* no transaction: at once */
    assert_true(query_int(db, "SELECT count(*) FROM items WHERE id = 1") == 1);
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(db_write_at_commit(db, zSqlNote, 2, "depth one"), DB_OK); /* no savepoint: at once */
    assert_true(query_int(db, "SELECT count(*) FROM items WHERE id = 2") == 1);
    assert_int_equal(db_begin(db), DB_OK); /* a request's savepoint */
    assert_int_equal(db_write_at_commit(db, zSqlNote, 3, "kept"), DB_OK);
    assert_int_equal(db_write_at_commit(db, zSqlRename, 3, "kept"), DB_OK);     /* after the insert */
    assert_true(query_int(db, "SELECT count(*) FROM items WHERE id = 3") == 0); /* queued */
    assert_int_equal(db_begin(db), DB_OK); /* nested, released: its write belongs to the level around */
    assert_int_equal(db_write_at_commit(db, zSqlNote, 4, "inner kept"), DB_OK);
    assert_int_equal(db_commit(db), DB_OK);
    assert_int_equal(db_commit(db), DB_OK);
    assert_int_equal(db_begin(db), DB_OK); /* the next request's savepoint, rolled back */
    assert_int_equal(db_write_at_commit(db, zSqlNote, 5, "dropped"), DB_OK);
    assert_int_equal(db_rollback(db), DB_OK);
    assert_true(query_int(db, "SELECT count(*) FROM items WHERE id IN (3, 4)") == 0); /* still queued */
    assert_int_equal(db_commit(db), DB_OK);
    assert_true(query_int(db, "SELECT count(*) FROM items WHERE id = 3 AND name = 'kept+'") == 1);
    assert_true(query_int(db, "SELECT count(*) FROM items WHERE id = 4") == 1);
    assert_true(query_int(db, "SELECT count(*) FROM items WHERE id = 5") == 0);
    assert_int_equal(db_begin(db), DB_OK); /* queued, then the whole transaction rolls back */
    assert_int_equal(db_begin(db), DB_OK);
    assert_int_equal(db_write_at_commit(db, zSqlNote, 6, "gone"), DB_OK);
    assert_int_equal(db_commit(db), DB_OK);
    assert_int_equal(db_rollback(db), DB_OK);
    assert_int_equal(db_begin(db), DB_OK); /* and does not come back with the next commit */
    assert_int_equal(db_commit(db), DB_OK);
    assert_true(query_int(db, "SELECT count(*) FROM items WHERE id = 6") == 0);
    assert_true(query_int(db, zSqlCount) == 4);
}

/* 25. A read snapshot (SQLite file): its statements see the database as it was when the first of
   them ran, not a write another connection commits meanwhile; ending it shows the write; a
   db_begin inside it ends it first, so the transaction starts from the newest state; a second
   db_read_begin while one is open, or one inside a transaction, is refused. */
static void test_25_read_snapshot(void **state) {
    Ctx *c = *state;
    char err[256];
    Db *other = db_open(c->url, err, sizeof err);
    assert_non_null(other);
    assert_int_equal(insert_item(c->db, 1, "first", 1), DB_DONE);
    assert_false(db_read_open(c->db));
    assert_int_equal(db_read_begin(c->db), DB_OK);
    assert_true(db_read_open(c->db));      /* what a loop's next read of the turn asks (http/request.c) */
    assert_true(db_read_begin(c->db) < 0); /* one at a time */
    assert_true(query_int(c->db, zSqlCount) == 1);
    assert_int_equal(insert_item(other, 2, "meanwhile", 1), DB_DONE);
    assert_true(query_int(c->db, zSqlCount) == 1); /* the snapshot */
    db_read_end(c->db);
    assert_false(db_read_open(c->db));
    assert_true(query_int(c->db, zSqlCount) == 2);
    db_read_end(c->db); /* harmless when none is open */
    assert_int_equal(db_read_begin(c->db), DB_OK);
    assert_true(query_int(c->db, zSqlCount) == 2);
    assert_int_equal(insert_item(other, 3, "before the write", 1), DB_DONE);
    assert_int_equal(db_begin(c->db), DB_OK); /* ends the snapshot: IMMEDIATE from the newest state */
    assert_false(db_read_open(c->db));
    assert_int_equal(db_tx_depth(c->db), 1);
    assert_true(query_int(c->db, zSqlCount) == 3);
    assert_int_equal(insert_item(c->db, 4, "written", 1), DB_DONE);
    assert_int_equal(db_commit(c->db), DB_OK);
    db_read_end(c->db); /* already ended by db_begin: nothing to do */
    assert_int_equal(db_tx_depth(c->db), 0);
    assert_true(query_int(other, zSqlCount) == 4);
    assert_int_equal(db_begin(c->db), DB_OK);
    assert_true(db_read_begin(c->db) < 0); /* not inside a transaction */
    assert_int_equal(db_commit(c->db), DB_OK);
    db_close(other);
}

/* 26. PostgreSQL has no read snapshot of this kind: refused, and reads go on as before. */
static void test_26_pg_no_read_snapshot(void **state) {
    Db *db = ((Ctx *)*state)->db;
    assert_true(db_read_begin(db) < 0);
    assert_false(db_read_open(db));
    assert_int_equal(insert_item(db, 1, "one", 1), DB_DONE);
    assert_true(query_int(db, zSqlCount) == 1);
    db_read_end(db);
    assert_int_equal(db_tx_depth(db), 0);
}

/* 27. db_sqlite_table_exists: a table, a virtual (FTS5) table; 0 for a missing name and an index's;
       one another connection created is seen once this connection has read the schema again (its
       next statement); refused on PostgreSQL. */
static void test_27_table_exists(void **state) {
    Ctx *c = *state;
    if (db_kind(c->db) == DB_PG) {
        assert_true(db_sqlite_table_exists(c->db, "items") < 0);
        return;
    }
    assert_int_equal(db_sqlite_table_exists(c->db, "items"), 1);
    assert_int_equal(db_sqlite_table_exists(c->db, "no_such_table"), 0);
    assert_int_equal(db_exec(c->db, "CREATE INDEX items_name ON items(name)"), DB_OK);
    assert_int_equal(db_sqlite_table_exists(c->db, "items_name"), 0);
    assert_int_equal(db_exec(c->db, "CREATE VIRTUAL TABLE words USING fts5(w)"), DB_OK);
    assert_int_equal(db_sqlite_table_exists(c->db, "words"), 1);
    char err[256];
    Db *other = db_open(c->url, err, sizeof err);
    assert_non_null(other);
    assert_true(query_int(other, zSqlCount) >= 0); /* other has read the schema */
    assert_int_equal(db_exec(c->db, "CREATE TABLE later_one(x INTEGER)"), DB_OK);
    assert_int_equal(db_sqlite_table_exists(other, "later_one"), 0); /* the schema other holds */
    assert_true(query_int(other, zSqlCount) >= 0);                   /* its next statement reads it again */
    assert_int_equal(db_sqlite_table_exists(other, "later_one"), 1);
    db_close(other);
}

/* The cases every backend runs, with that backend's setup. */
#define GENERIC_TESTS(setup)                                                                                           \
    cmocka_unit_test_setup_teardown(test_01_roundtrip, setup, teardown),                                               \
        cmocka_unit_test_setup_teardown(test_02_changes, setup, teardown),                                             \
        cmocka_unit_test_setup_teardown(test_03_cache, setup, teardown),                                               \
        cmocka_unit_test_setup_teardown(test_04_done_clears_bindings, setup, teardown),                                \
        cmocka_unit_test_setup_teardown(test_05_errors, setup, teardown),                                              \
        cmocka_unit_test_setup_teardown(test_06_constraints, setup, teardown),                                         \
        cmocka_unit_test_setup_teardown(test_07_nested_rollback_inner, setup, teardown),                               \
        cmocka_unit_test_setup_teardown(test_08_nested_rollback_outer, setup, teardown),                               \
        cmocka_unit_test_setup_teardown(test_09_group_commit_savepoint, setup, teardown),                              \
        cmocka_unit_test_setup_teardown(test_10_unbalanced, setup, teardown),                                          \
        cmocka_unit_test_setup_teardown(test_11_migrate, setup, teardown),                                             \
        cmocka_unit_test_setup_teardown(test_12_cache_cap, setup, teardown),                                           \
        cmocka_unit_test_setup_teardown(test_13_commit_fails, setup, teardown),                                        \
        cmocka_unit_test_setup_teardown(test_22_column_leads_index, setup, teardown),                                  \
        cmocka_unit_test_setup_teardown(test_22b_nulls, setup, teardown),                                              \
        cmocka_unit_test_setup_teardown(test_23_fault_refuses_commit, setup, teardown),                                \
        cmocka_unit_test_setup_teardown(test_24_write_at_commit, setup, teardown)

int main(void) {
    const struct CMUnitTest memory[] = {
        GENERIC_TESTS(setup_memory),
        cmocka_unit_test_setup_teardown(test_14_sqlite_pragmas, setup_memory, teardown),
        cmocka_unit_test_setup_teardown(test_15_sqlite_backup, setup_memory, teardown),
        cmocka_unit_test_setup_teardown(test_16_sqlite_backup_errors, setup_memory, teardown),
        cmocka_unit_test(test_19_open_errors),
    };
    const struct CMUnitTest file[] = {
        GENERIC_TESTS(setup_file),
        cmocka_unit_test_setup_teardown(test_14_sqlite_pragmas, setup_file, teardown),
        cmocka_unit_test_setup_teardown(test_15_sqlite_backup, setup_file, teardown),
        cmocka_unit_test_setup_teardown(test_16_sqlite_backup_errors, setup_file, teardown),
        cmocka_unit_test_setup_teardown(test_17_sqlite_busy, setup_file, teardown),
        cmocka_unit_test_setup_teardown(test_18_sqlite_close_in_tx, setup_file, teardown),
        cmocka_unit_test_setup_teardown(test_25_read_snapshot, setup_file, teardown),
        cmocka_unit_test_setup_teardown(test_27_table_exists, setup_file, teardown),
    };
    const struct CMUnitTest pg[] = {
        GENERIC_TESTS(setup_pg),
        cmocka_unit_test_setup_teardown(test_20_pg_backup_unsupported, setup_pg, teardown),
        cmocka_unit_test_setup_teardown(test_21_pg_error_in_savepoint, setup_pg, teardown),
        cmocka_unit_test_setup_teardown(test_26_pg_no_read_snapshot, setup_pg, teardown),
        cmocka_unit_test_setup_teardown(test_27_table_exists, setup_pg, teardown),
    };
    int failed = cmocka_run_group_tests_name("sqlite-memory", memory, NULL, NULL);
    failed += cmocka_run_group_tests_name("sqlite-file", file, NULL, NULL);
    if (getenv("SALESLOOP_TEST_PG_URL")) {
        failed += cmocka_run_group_tests_name("postgresql", pg, NULL, NULL);
        char err[256];
        Db *db = db_open(getenv("SALESLOOP_TEST_PG_URL"), err, sizeof err);
        if (db) db_exec(db, "DROP SCHEMA IF EXISTS salesloop_test CASCADE");
        db_close(db);
    } else {
        printf("postgresql group: runs in the PostgreSQL pass of scripts/test-unit.sh (SALESLOOP_TEST_PG_URL)\n");
    }
    return failed;
}
