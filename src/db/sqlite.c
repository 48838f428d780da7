/*
** sqlite.c — the SQLite backend of db.h: the embedded default. One file in
** WAL mode with synchronous=FULL (an acknowledged write is on disk), foreign
** keys on, a 5 s busy timeout, and online backup/restore.
*/
#include "db/backend.h"

#include "core/core.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

/* Connection settings, applied in order at open (busy_timeout first so that
   switching to WAL waits for another process instead of failing). */
static const char *const sqlite_pragmas[] = {
    "PRAGMA busy_timeout=5000",
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    /* No memory map of the file. SQLite empties a reader's page cache, and unmaps its map,
       at the first read after any commit (it cannot tell which pages changed): with the writer
       committing, every read request unmapped and faulted its pages in again — munmap, page
       faults and TLB shootdowns across the threads took more than the queries
       (bench/FINDINGS.md 60; the map had replaced a 2 MB cache that lists outgrew, finding 4).
       The connections that use pages again get a larger cache (db_cache_large). */
    "PRAGMA mmap_size=0",
    /* Temporary B-trees and the statement journals of savepoints in memory: the writer runs each
       request of a group commit in a savepoint, and a create's journal outgrew the 64 KiB SQLite
       keeps in memory, so every batch created, wrote and deleted a file in /var/tmp
       (bench/FINDINGS.md 57). */
    "PRAGMA temp_store=MEMORY",
};

/* See db.h. */
int db_cache_large(Db *db, int kib) {
    char sql[48];
    snprintf(sql, sizeof sql, "PRAGMA cache_size=-%d", kib);
    return db_kind(db) == DB_SQLITE ? db_exec(db, sql) : DB_OK;
}

/* The connection handle of db. */
static sqlite3 *conn(Db *db) { return db->conn; }

/* See db.h. */
int db_sqlite_table_exists(Db *db, const char *table) {
    if (db_kind(db) != DB_SQLITE) return DB_ERROR;
    /* with no column named, SQLITE_OK says the table exists and SQLITE_ERROR that it does not */
    int rc = sqlite3_table_column_metadata(conn(db), "main", table, NULL, NULL, NULL, NULL, NULL, NULL);
    if (rc == SQLITE_OK) return 1;
    if (rc == SQLITE_ERROR) return 0;
    snprintf(db->errmsg, sizeof db->errmsg, "table_column_metadata: %s", sqlite3_errstr(rc));
    return DB_ERROR;
}

/* The statement handle of st. */
static sqlite3_stmt *handle(Stmt *st) { return st->h; }

/* Map a SQLite result code to a db.h code, recording the connection's message. */
static int fail(Db *db, int rc) {
    const char *msg = conn(db) ? sqlite3_errmsg(conn(db)) : sqlite3_errstr(rc);
    db_set_error(db, "%s", msg);
    switch (rc & 0xFF) {
    case SQLITE_CONSTRAINT:
        return DB_CONSTRAINT;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return DB_BUSY;
    default:
        return DB_ERROR;
    }
}

/* Process-wide settings, before SQLite's first use: no memory statistics, whose global mutex every
   allocation of every connection took (Debian builds SQLite without lookaside, so each small
   allocation goes to malloc under it; bench/FINDINGS.md 58). */
static void sq_configure(void) {
    if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
        log_warn("sqlite: memory statistics stay on (SQLite was initialised before the first connection)");
}

/* Open the file at path and apply the pragmas. */
static int sq_open(Db *db, const char *path) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sq_configure);
    sqlite3 *h = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path, &h, flags, NULL);
    if (rc != SQLITE_OK) {
        db_set_error(db, "%s: %s", path, h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        sqlite3_close(h);
        return DB_ERROR;
    }
    sqlite3_extended_result_codes(h, 1);
    /* Plans that never depend on a bound value: otherwise every statement with `col LIKE ?N` (the org
       path of a manager's visibility, a search's confirming LIKE, the waiting-work counts) was
       prepared again each time ?N was bound — every time it ran, from the statement cache too. With
       no STAT4 in Debian's build and no NOCASE index for LIKE to use, no plan is lost (FINDINGS 58). */
    sqlite3_db_config(h, SQLITE_DBCONFIG_ENABLE_QPSG, 1, (int *)NULL);
    for (size_t i = 0; i < sizeof sqlite_pragmas / sizeof sqlite_pragmas[0]; i++) {
        rc = sqlite3_exec(h, sqlite_pragmas[i], NULL, NULL, NULL);
        if (rc != SQLITE_OK) {
            db_set_error(db, "%s: %s: %s", path, sqlite_pragmas[i], sqlite3_errmsg(h));
            sqlite3_close(h);
            return rc == SQLITE_BUSY ? DB_BUSY : DB_ERROR;
        }
    }
    db->conn = h;
    return DB_OK;
}

/* Close the connection (statements were finalized by db_close). */
static void sq_close(Db *db) { sqlite3_close_v2(conn(db)); }

/* Prepare one statement; persistent ones are cached for the connection's life. */
static void *sq_prepare(Db *db, const char *sql, bool persistent) {
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    int rc = sqlite3_prepare_v3(conn(db), sql, -1, persistent ? SQLITE_PREPARE_PERSISTENT : 0, &st, &tail);
    if (rc != SQLITE_OK) {
        fail(db, rc);
        return NULL;
    }
    if (!st) {
        db_set_error(db, "empty statement");
        return NULL;
    }
    if (tail && *tail) { /* only blanks, comments and ';' may follow the statement */
        sqlite3_stmt *extra = NULL;
        rc = sqlite3_prepare_v3(conn(db), tail, -1, 0, &extra, NULL);
        if (rc != SQLITE_OK || extra) {
            sqlite3_finalize(extra);
            sqlite3_finalize(st);
            db_set_error(db, "more than one statement in a prepared SQL text");
            return NULL;
        }
    }
    return st;
}

/* Free a statement. */
static void sq_finalize(Db *db, void *h) { sqlite3_finalize(h); }

/* Bind an integer. */
static int sq_bind_int64(Stmt *st, int idx, int64_t v) {
    int rc = sqlite3_bind_int64(handle(st), idx, v);
    return rc == SQLITE_OK ? DB_OK : fail(st->db, rc);
}

/* Bind a copy of len bytes of text. */
static int sq_bind_text(Stmt *st, int idx, const char *s, int len) {
    int rc = sqlite3_bind_text(handle(st), idx, s, len, SQLITE_TRANSIENT);
    return rc == SQLITE_OK ? DB_OK : fail(st->db, rc);
}

/* Bind NULL. */
static int sq_bind_null(Stmt *st, int idx) {
    int rc = sqlite3_bind_null(handle(st), idx);
    return rc == SQLITE_OK ? DB_OK : fail(st->db, rc);
}

/* Step: DB_ROW, DB_DONE or a mapped error. */
static int sq_step(Stmt *st) {
    int rc = sqlite3_step(handle(st));
    if (rc == SQLITE_ROW) return DB_ROW;
    if (rc == SQLITE_DONE) return DB_DONE;
    return fail(st->db, rc);
}

/* Columns of the result. */
static int sq_col_count(Stmt *st) { return sqlite3_column_count(handle(st)); }

/* Name of a column. */
static const char *sq_col_name(Stmt *st, int col) { return sqlite3_column_name(handle(st), col); }

/* True when the column of the current row is NULL. */
static bool sq_col_null(Stmt *st, int col) { return sqlite3_column_type(handle(st), col) == SQLITE_NULL; }

/* Column as an integer (0 for NULL). */
static int64_t sq_col_int64(Stmt *st, int col) { return sqlite3_column_int64(handle(st), col); }

/* Column as text (NULL for NULL). */
static const char *sq_col_text(Stmt *st, int col) { return (const char *)sqlite3_column_text(handle(st), col); }

/* Ready to run again with nothing bound. */
static void sq_reset(Stmt *st) {
    sqlite3_reset(handle(st));
    sqlite3_clear_bindings(handle(st));
}

/* Rows changed by the last write. */
static int64_t sq_changes(Db *db) { return sqlite3_changes64(conn(db)); }

/* True inside a transaction (SQLite may have rolled one back by itself after an error). */
static bool sq_in_tx(Db *db) { return !sqlite3_get_autocommit(conn(db)); }

/* Run parameterless SQL, several statements allowed. */
static int sq_exec(Db *db, const char *sql) {
    char *msg = NULL;
    int rc = sqlite3_exec(conn(db), sql, NULL, NULL, &msg);
    if (rc == SQLITE_OK) return DB_OK;
    int code = fail(db, rc);
    if (msg) db_set_error(db, "%s", msg);
    sqlite3_free(msg);
    return code;
}

/*
** Copy the whole "main" database from src to dst with the online backup API.
** All pages go in one step: in WAL mode the source's read snapshot blocks no
** writer, and one step cannot be restarted by writes from other connections.
** A lock held elsewhere is waited for, up to about 30 seconds.
*/
static int copy_db(sqlite3 *dst, sqlite3 *src, char *err, size_t errlen) {
    sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
    if (!b) {
        snprintf(err, errlen, "backup: %s", sqlite3_errmsg(dst));
        return DB_ERROR;
    }
    int rc, waits = 0;
    do {
        rc = sqlite3_backup_step(b, -1);
        if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(10);
    } while (rc == SQLITE_OK || ((rc == SQLITE_BUSY || rc == SQLITE_LOCKED) && ++waits < 3000));
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
        snprintf(err, errlen, "backup: %s", sqlite3_errstr(rc));
        return rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? DB_BUSY : DB_ERROR;
    }
    return DB_OK;
}

/* Online backup of the live database to dest_path (created or overwritten). */
static int sq_backup(Db *db, const char *dest_path, char *err, size_t errlen) {
    sqlite3 *dst = NULL;
    int ret = DB_ERROR;
    int rc = sqlite3_open_v2(dest_path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", dest_path, dst ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
        goto out;
    }
    ret = copy_db(dst, conn(db), err, errlen);
out:
    if (dst && sqlite3_close(dst) != SQLITE_OK && ret == DB_OK) {
        snprintf(err, errlen, "%s: close failed", dest_path);
        ret = DB_ERROR;
    }
    return ret;
}

/* Copy the database in src_path over the live one, through the live connection. */
static int sq_restore(Db *db, const char *src_path, char *err, size_t errlen) {
    sqlite3 *src = NULL;
    int ret = DB_ERROR;
    int rc = sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READONLY, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", src_path, src ? sqlite3_errmsg(src) : sqlite3_errstr(rc));
        goto out;
    }
    /* Reading the schema makes a file that is not a database fail here, before
       the backup has touched the live one. */
    rc = sqlite3_exec(src, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "%s: %s", src_path, sqlite3_errmsg(src));
        goto out;
    }
    ret = copy_db(conn(db), src, err, errlen);
out:
    sqlite3_close(src);
    return ret;
}

/* The SQLite backend. */
const DbOps db_sqlite_ops = {
    .kind = DB_SQLITE,
    .begin_sql = "BEGIN IMMEDIATE",
    .read_sql = "BEGIN",
    .open = sq_open,
    .close = sq_close,
    .prepare = sq_prepare,
    .finalize = sq_finalize,
    .bind_int64 = sq_bind_int64,
    .bind_text = sq_bind_text,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .col_count = sq_col_count,
    .col_name = sq_col_name,
    .col_null = sq_col_null,
    .col_int64 = sq_col_int64,
    .col_text = sq_col_text,
    .reset = sq_reset,
    .changes = sq_changes,
    .in_tx = sq_in_tx,
    .exec = sq_exec,
    .backup = sq_backup,
    .restore = sq_restore,
};
