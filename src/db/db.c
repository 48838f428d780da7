/*
** db.c — the backend-neutral half of db.h: opening the right backend,
** the per-connection statement cache, nested transactions as savepoints,
** error logging, and the ?N -> $N placeholder rewrite PostgreSQL needs.
*/
#include "db/backend.h"

#include "core/core.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- connection */

/* Set db->errmsg from fmt, without the trailing newline drivers like to add. */
void db_set_error(Db *db, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(db->errmsg, sizeof db->errmsg, fmt, ap);
    va_end(ap);
    size_t n = strlen(db->errmsg);
    while (n && (db->errmsg[n - 1] == '\n' || db->errmsg[n - 1] == ' '))
        db->errmsg[--n] = '\0';
}

/* True when s starts with prefix. */
static bool starts_with(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

/*
** Open url: "postgres://..." or "postgresql://..." with libpq, anything else
** as a SQLite path ("sqlite://" or "sqlite:" prefixes stripped). NULL on
** failure with the reason in err. Freed by db_close.
*/
Db *db_open(const char *url, char *err, size_t errlen) {
    if (!url || !*url) {
        snprintf(err, errlen, "no database given");
        return NULL;
    }
    const DbOps *ops = &db_sqlite_ops;
    if (starts_with(url, "postgres://") || starts_with(url, "postgresql://"))
        ops = &db_pg_ops;
    else if (starts_with(url, "sqlite://"))
        url += 9;
    else if (starts_with(url, "sqlite:"))
        url += 7;
    Db *db = xcalloc(1, sizeof *db);
    db->ops = ops;
    if (ops->open(db, url) != DB_OK) {
        snprintf(err, errlen, "%s", db->errmsg);
        free(db);
        return NULL;
    }
    return db;
}

/*
** Close the connection: roll back (and log) a transaction left open, finalize
** every cached statement, disconnect. db_close(NULL) is harmless. Statements
** still held by callers must have been db_done'd before.
*/
static void later_drop(Db *db, int from_depth);

void db_close(Db *db) {
    if (!db) return;
    if (db->depth > 0) {
        log_warn("db: connection closed inside a transaction begun at %s; rolling back", db->where);
        db->ops->exec(db, "ROLLBACK");
        db->depth = 0;
    }
    later_drop(db, 0);
    free(db->later);
    db->closing = true;
    for (Stmt *st = db->lru_head, *next; st; st = next) {
        next = st->next;
        if (st->in_use) log_warn("db: statement still in use at close: %s", st->sql);
        db->ops->finalize(db, st->h);
        free(st->sql);
        free(st);
    }
    db->ops->close(db);
    free(db);
}

/* Which backend serves this connection. */
DbKind db_kind(const Db *db) { return db->ops->kind; }

void db_fault_mark(Db *db) { db->fault = true; }

bool db_fault_take(Db *db) {
    bool f = db->fault;
    db->fault = false;
    return f;
}

/* Is column the first column of an index on table? Read from each engine's catalogue. */
int db_column_leads_index(Db *db, const char *table, const char *column) {
    return db_columns_lead_index(db, table, column, NULL);
}

int db_columns_lead_index(Db *db, const char *table, const char *first, const char *second) {
    const char *sql;
    if (db_kind(db) == DB_SQLITE)
        sql = second ? "SELECT 1 FROM pragma_index_list(?1) il, pragma_index_info(il.name) i0,"
                       " pragma_index_info(il.name) i1"
                       " WHERE i0.seqno = 0 AND i0.name = ?2 AND i1.seqno = 1 AND i1.name = ?3"
                     : "SELECT 1 FROM pragma_index_list(?1) il, pragma_index_info(il.name) ii"
                       " WHERE ii.seqno = 0 AND ii.name = ?2";
    else
        sql = second ? "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
                       " JOIN pg_attribute a0 ON a0.attrelid = c.oid AND a0.attnum = i.indkey[0]"
                       " JOIN pg_attribute a1 ON a1.attrelid = c.oid AND a1.attnum = i.indkey[1]"
                       " WHERE c.relname = ?1 AND a0.attname = ?2 AND a1.attname = ?3 AND pg_table_is_visible(c.oid)"
                     : "SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
                       " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[0]"
                       " WHERE c.relname = ?1 AND a.attname = ?2 AND pg_table_is_visible(c.oid)";
    Stmt *st = db_prepare(db, sql);
    if (!st) return -1;
    db_bind_text(st, 1, table, -1);
    db_bind_text(st, 2, first, -1);
    if (second) db_bind_text(st, 3, second, -1);
    int rc = db_step(st);
    db_done(st);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

int db_column_nullable(Db *db, const char *table, const char *column) {
    Stmt *st =
        db_prepare(db, db_kind(db) == DB_SQLITE
                           ? "SELECT \"notnull\" = 0 AND pk = 0 FROM pragma_table_info(?1) WHERE name = ?2"
                           : "SELECT CAST(CASE WHEN a.attnotnull THEN 0 ELSE 1 END AS BIGINT) FROM pg_attribute a"
                             " JOIN pg_class c ON c.oid = a.attrelid WHERE c.relname = ?1 AND a.attname = ?2"
                             " AND NOT a.attisdropped AND pg_table_is_visible(c.oid)");
    if (!st) return -1;
    db_bind_text(st, 1, table, -1);
    db_bind_text(st, 2, column, -1);
    int rc = db_step(st), nullable = rc == DB_ROW ? db_col_int64(st, 0) != 0 : -1;
    if (rc == DB_DONE) db_set_error(db, "no column %s.%s", table, column);
    db_done(st);
    return nullable;
}

int db_index_nulls_high(Db *db, const char *table, const char *column, char *name, size_t n) {
    if (db_kind(db) == DB_SQLITE) return 0;
    /* indoption per column: bit 0 DESC, bit 1 NULLS FIRST. NULLs are below the values (as in SQLite)
       for ASC NULLS FIRST and DESC NULLS LAST: the two bits differ. */
    Stmt *st = db_prepare(db, "SELECT ic.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid"
                              " JOIN pg_class ic ON ic.oid = i.indexrelid CROSS JOIN generate_subscripts(i.indkey, 1) k"
                              " JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = i.indkey[k]"
                              " WHERE c.relname = ?1 AND a.attname = ?2 AND pg_table_is_visible(c.oid)"
                              " AND (i.indoption[k] & 1) = ((i.indoption[k] >> 1) & 1) ORDER BY ic.relname LIMIT 1");
    if (!st) return -1;
    db_bind_text(st, 1, table, -1);
    db_bind_text(st, 2, column, -1);
    int rc = db_step(st);
    if (rc == DB_ROW) snprintf(name, n, "%s", db_col_text(st, 0));
    db_done(st);
    return rc == DB_ROW ? 1 : rc == DB_DONE ? 0 : -1;
}

/* The last error text of this connection ("" when none yet). */
const char *db_errmsg(Db *db) { return db->errmsg; }

/* ---------------------------------------------------------------- statement cache */

/* The cache key of a statement's text: eight bytes a step (a list's or a row's SQL runs to
   a kilobyte, and a byte a step was 2 % of a signed-in get). */
static uint64_t sql_hash(const char *s) {
    size_t n = strlen(s), i = 0;
    uint64_t h = 1469598103934665603ULL ^ n;
    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
        h ^= h >> 29;
    }
    for (; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

/* Unlink st from the LRU list. */
static void lru_unlink(Db *db, Stmt *st) {
    if (st->prev)
        st->prev->next = st->next;
    else
        db->lru_head = st->next;
    if (st->next)
        st->next->prev = st->prev;
    else
        db->lru_tail = st->prev;
    st->prev = st->next = NULL;
}

/* Put st at the front (most recently used) of the LRU list. */
static void lru_push(Db *db, Stmt *st) {
    st->prev = NULL;
    st->next = db->lru_head;
    if (db->lru_head) db->lru_head->prev = st;
    db->lru_head = st;
    if (!db->lru_tail) db->lru_tail = st;
}

/* Drop the least recently used idle statement; false when every one is in use. */
static bool cache_evict(Db *db) {
    Stmt *victim = db->lru_tail;
    while (victim && victim->in_use)
        victim = victim->prev;
    if (!victim) return false;
    Stmt **pp = &db->buckets[victim->hash % DB_CACHE_BUCKETS];
    while (*pp != victim)
        pp = &(*pp)->hnext;
    *pp = victim->hnext;
    lru_unlink(db, victim);
    db->ncache--;
    db->ops->finalize(db, victim->h);
    free(victim->sql);
    free(victim);
    return true;
}

/*
** A statement for sql, from the cache when an idle one is there. A cached
** statement already in use (a nested query with the same text) is not shared:
** a fresh uncached one is made, which db_done finalizes. NULL on error, logged
** with the SQL.
*/
Stmt *db_prepare(Db *db, const char *sql) {
    assert(db && sql);
    uint64_t h = sql_hash(sql);
    Stmt **bucket = &db->buckets[h % DB_CACHE_BUCKETS];
    bool busy_copy = false; /* the cached statement exists but is in use */
    for (Stmt *st = *bucket; st; st = st->hnext) {
        if (st->hash == h && strcmp(st->sql, sql) == 0) {
            if (st->in_use) {
                busy_copy = true;
                break;
            }
            st->in_use = true;
            lru_unlink(db, st);
            lru_push(db, st);
            return st;
        }
    }
    bool cache = !busy_copy && (db->ncache < DB_CACHE_MAX || cache_evict(db));
    void *handle = db->ops->prepare(db, sql, cache);
    if (!handle) {
        log_error("db: prepare failed: %s; SQL: %s", db->errmsg, sql);
        return NULL;
    }
    Stmt *st = xcalloc(1, sizeof *st);
    st->db = db;
    st->sql = xstrdup(sql);
    st->hash = h;
    st->h = handle;
    st->in_use = true;
    st->cached = cache;
    if (cache) {
        st->hnext = *bucket;
        *bucket = st;
        lru_push(db, st);
        db->ncache++;
    }
    return st;
}

/* Number of statements in this connection's cache. */
int db_cache_size(const Db *db) { return db->ncache; }

/* Return st to the cache (reset, bindings cleared) or finalize an uncached one. */
void db_done(Stmt *st) {
    if (!st) return;
    assert(st->in_use);
    Db *db = st->db;
    if (st->cached) {
        db->ops->reset(st);
        st->in_use = false;
        return;
    }
    db->ops->finalize(db, st->h);
    free(st->sql);
    free(st);
}

/* ---------------------------------------------------------------- bind, step, columns */

/* Log a failed bind with the statement's SQL and pass the code on. */
static int bind_result(Stmt *st, int idx, int rc) {
    if (rc < 0) log_error("db: bind of parameter %d failed: %s; SQL: %s", idx, st->db->errmsg, st->sql);
    return rc;
}

/* Bind an integer to ?idx. */
int db_bind_int64(Stmt *st, int idx, int64_t v) {
    assert(st && st->in_use);
    return bind_result(st, idx, st->db->ops->bind_int64(st, idx, v));
}

/* Bind a copy of text (len bytes, or up to the NUL when len < 0) to ?idx; NULL binds NULL. */
int db_bind_text(Stmt *st, int idx, const char *s, int len) {
    assert(st && st->in_use);
    if (!s) return db_bind_null(st, idx);
    if (len < 0) {
        size_t n = strlen(s);
        assert(n <= (size_t)INT32_MAX);
        len = (int)n;
    }
    return bind_result(st, idx, st->db->ops->bind_text(st, idx, s, len));
}

/* Bind NULL to ?idx. */
int db_bind_null(Stmt *st, int idx) {
    assert(st && st->in_use);
    return bind_result(st, idx, st->db->ops->bind_null(st, idx));
}

#ifdef SALESLOOP_FAULTS
/* Test builds only: SALESLOOP_FAULT_SQL=text makes every step of a statement whose SQL contains
   text fail as a database error, so that tests can prove a check fails closed (never reads an
   error as "no row"). Read from the environment, which the tests set when they start a server. */
static bool fault_injected(const Stmt *st) {
    const char *f = getenv("SALESLOOP_FAULT_SQL");
    return f && *f && strstr(st->sql, f);
}
#endif

/* Run or advance st. Errors are logged (constraint and busy ones at debug level:
   callers turn those into 409/503 answers). */
int db_step(Stmt *st) {
    assert(st && st->in_use);
#ifdef SALESLOOP_FAULTS
    if (fault_injected(st)) {
        log_error("db: injected fault (SALESLOOP_FAULT_SQL); SQL: %s", st->sql);
        return DB_ERROR;
    }
#endif
    int rc = st->db->ops->step(st);
    if (rc == DB_ERROR)
        log_error("db: %s; SQL: %s", st->db->errmsg, st->sql);
    else if (rc < 0)
        log_debug("db: %s; SQL: %s", st->db->errmsg, st->sql);
    return rc;
}

/* Columns in the result (PostgreSQL: known once the statement has run). */
int db_col_count(Stmt *st) { return st->db->ops->col_count(st); }

/* Name of column col. */
const char *db_col_name(Stmt *st, int col) { return st->db->ops->col_name(st, col); }

/* True when column col of the current row is NULL. */
bool db_col_null(Stmt *st, int col) { return st->db->ops->col_null(st, col); }

/* Column col as an integer; 0 for NULL. */
int64_t db_col_int64(Stmt *st, int col) { return st->db->ops->col_int64(st, col); }

/* Column col as text; NULL for NULL. Valid until the next step or done. */
const char *db_col_text(Stmt *st, int col) { return st->db->ops->col_text(st, col); }

/* Rows changed by the last INSERT/UPDATE/DELETE stepped on db. */
int64_t db_changes(Db *db) { return db->ops->changes(db); }

/* Run parameterless SQL; failures are logged with (the start of) the SQL. */
int db_exec(Db *db, const char *sql) {
    int rc = db->ops->exec(db, sql);
    if (rc < 0) log_error("db: %s; SQL: %.300s", db->errmsg, sql);
    return rc;
}

/* ---------------------------------------------------------------- transactions */

/* Run a transaction-control statement quietly (the caller decides what to log). */
static int tx_exec(Db *db, const char *sql) { return db->ops->exec(db, sql); }

/* ---------------------------------------------------------------- writes at commit */

/* Forget the queued writes of levels from_depth and deeper (0: all). */
static void later_drop(Db *db, int from_depth) {
    while (db->nlater > 0 && db->later[db->nlater - 1].depth >= from_depth)
        free(db->later[--db->nlater].t2);
}

static int later_run_one(Db *db, const char *sql, int64_t i1, const char *t2) {
    Stmt *st = db_prepare(db, sql);
    if (!st) return DB_ERROR;
    db_bind_int64(st, 1, i1);
    db_bind_text(st, 2, t2, -1);
    int rc = db_step(st);
    db_done(st);
    return rc < 0 ? rc : DB_OK;
}

/* Run every queued write, oldest first; the queue is empty afterwards whatever happens. */
static int later_run(Db *db) {
    int rc = DB_OK;
    for (int i = 0; i < db->nlater && rc == DB_OK; i++)
        rc = later_run_one(db, db->later[i].sql, db->later[i].i1, db->later[i].t2);
    later_drop(db, 0);
    return rc;
}

int db_write_at_commit(Db *db, const char *sql, int64_t i1, const char *t2) {
    if (db->depth <= 1) { /* no savepoint: now, after anything queued before it */
        int rc = later_run(db);
        return rc < 0 ? rc : later_run_one(db, sql, i1, t2);
    }
    if (db->nlater == db->later_cap) {
        db->later_cap = db->later_cap ? db->later_cap * 2 : 16;
        db->later = xrealloc(db->later, (size_t)db->later_cap * sizeof *db->later);
    }
    db->later[db->nlater++] = (DbLater){sql, i1, xstrdup(t2 ? t2 : ""), db->depth};
    return DB_OK;
}

/*
** Begin a transaction, or a savepoint sp<depth> when one is already open.
** where ("file.c:123") is kept for the log if the transaction is left open.
** A top-level transaction that ended underneath us (a failed commit nobody
** rolled back) is noticed and forgotten, so the connection stays usable.
*/
int db_begin_at(Db *db, const char *where) {
    char sql[32];
    int rc;
    db_read_end(db);
    if (db->depth > 0 && !db->ops->in_tx(db)) {
        log_warn("db: transaction begun at %s had ended without commit or rollback", db->where);
        db->depth = 0;
        later_drop(db, 0);
    }
    if (db->depth == 0) {
        rc = tx_exec(db, db->ops->begin_sql);
        if (rc == DB_OK) snprintf(db->where, sizeof db->where, "%s", where ? where : "?");
    } else {
        snprintf(sql, sizeof sql, "SAVEPOINT sp%d", db->depth);
        rc = tx_exec(db, sql);
    }
    if (rc < 0) {
        /* busy is an expected answer under load (the caller replies 503); others are bugs */
        if (rc == DB_BUSY)
            log_warn("db: begin at %s: %s", where ? where : "?", db->errmsg);
        else
            log_error("db: begin at %s failed: %s", where ? where : "?", db->errmsg);
        return rc;
    }
    db->depth++;
    return DB_OK;
}

/*
** Commit the innermost level: RELEASE its savepoint, or COMMIT the whole
** transaction. On failure the level stays open (nothing is committed) and
** the caller must db_rollback it, as with SQL itself.
*/
int db_commit(Db *db) {
    char sql[40];
    int rc;
    if (db->depth <= 0) {
        db_set_error(db, "commit without a transaction");
        log_error("db: %s", db->errmsg);
        return DB_ERROR;
    }
    int level = db->depth - 1;
    if (level == 0 && !db->ops->in_tx(db)) {
        /* PostgreSQL would answer a bare COMMIT with a mere warning: the work is lost */
        db_set_error(db, "the transaction had already ended (rolled back)");
        rc = DB_ERROR;
    } else if (level == 0 && db->fault) {
        /* the work went on from a read that failed (db_fault_mark): it is not committed */
        db_set_error(db, "a read in this transaction failed");
        rc = DB_ERROR;
    } else if (level == 0) {
        rc = later_run(db);
        if (rc == DB_OK) rc = tx_exec(db, "COMMIT");
    } else {
        snprintf(sql, sizeof sql, "RELEASE SAVEPOINT sp%d", level);
        rc = tx_exec(db, sql);
    }
    if (rc < 0) {
        log_error("db: commit of the transaction begun at %s failed: %s", db->where, db->errmsg);
        return rc;
    }
    /* the released savepoint's queued writes now belong to the level around it */
    for (int i = db->nlater - 1; i >= 0 && db->later[i].depth > level; i--)
        db->later[i].depth = level;
    db->depth--;
    return DB_OK;
}

/*
** Roll back the innermost level: back to its savepoint (which is then
** released), or the whole transaction. The level is closed even when the
** server had already ended the transaction.
*/
int db_rollback(Db *db) {
    char sql[80];
    int rc = DB_OK;
    if (db->depth <= 0) {
        db_set_error(db, "rollback without a transaction");
        log_error("db: %s", db->errmsg);
        return DB_ERROR;
    }
    int level = db->depth - 1;
    if (!db->ops->in_tx(db)) {
        db->depth = 0; /* ended underneath us (e.g. a failed COMMIT): nothing left to undo */
        later_drop(db, 0);
        return DB_OK;
    }
    later_drop(db, db->depth);
    if (level == 0)
        snprintf(sql, sizeof sql, "ROLLBACK");
    else
        snprintf(sql, sizeof sql, "ROLLBACK TO SAVEPOINT sp%d; RELEASE SAVEPOINT sp%d", level, level);
    rc = tx_exec(db, sql);
    if (rc < 0) log_error("db: rollback of the transaction begun at %s failed: %s", db->where, db->errmsg);
    db->depth--;
    return rc;
}

/* Run one statement of the read snapshot's own through the statement cache (no parse each time). */
static int read_step(Db *db, const char *sql) {
    Stmt *st = db_prepare(db, sql);
    int rc = st ? db_step(st) : DB_ERROR;
    db_done(st);
    return rc == DB_DONE ? DB_OK : rc < 0 ? rc : DB_ERROR;
}

/* See db.h. */
int db_read_begin(Db *db) {
    if (!db->ops->read_sql || db->depth > 0 || db->reading) return DB_ERROR;
    int rc = read_step(db, db->ops->read_sql);
    db->reading = rc == DB_OK;
    return rc;
}

/* See db.h. A COMMIT that fails (it has nothing to write) is rolled back: the connection is left
   outside any transaction either way. */
void db_read_end(Db *db) {
    if (!db->reading) return;
    db->reading = false;
    if (!db->ops->in_tx(db)) return;
    if (read_step(db, "COMMIT") != DB_OK) {
        log_error("db: end of a read snapshot: %s", db->errmsg);
        tx_exec(db, "ROLLBACK");
    }
}

/* See db.h. */
bool db_read_open(const Db *db) { return db->reading; }

/* Transaction nesting depth, 0 outside any transaction. */
int db_tx_depth(const Db *db) { return db->depth; }

/* ---------------------------------------------------------------- backup */

/* Consistent copy of the live database to dest_path (SQLite only). */
int db_backup(Db *db, const char *dest_path, char *err, size_t errlen) {
    return db->ops->backup(db, dest_path, err, errlen);
}

/* Replace the live database with the one in src_path (SQLite only; not inside a transaction). */
int db_restore(Db *db, const char *src_path, char *err, size_t errlen) {
    if (db->depth > 0) {
        snprintf(err, errlen, "cannot restore inside a transaction");
        return DB_ERROR;
    }
    return db->ops->restore(db, src_path, err, errlen);
}

/* ---------------------------------------------------------------- placeholders */

/*
** Copy sql with ?N turned into $N and each bare ? into $K, K being one more
** than the highest number so far (SQLite's own rule). String literals
** ('it''s'), quoted identifiers ("a?b"), -- line comments and block comments
** are copied untouched. *max_param gets the highest number used. Caller frees.
*/
char *db_rewrite_placeholders_n(const char *sql, int *max_param) {
    size_t len = strlen(sql), marks = 0;
    for (size_t i = 0; i < len; i++)
        marks += sql[i] == '?';
    char *out = xmalloc(len + marks * 11 + 1); /* a bare ? grows to at most $ + 10 digits */
    size_t o = 0;
    int max = 0;
    const char *p = sql;
    while (*p) {
        char c = *p;
        if (c == '\'' || c == '"') { /* literal or identifier; a doubled quote stays inside */
            out[o++] = *p++;
            while (*p) {
                if (*p == c && p[1] == c) {
                    out[o++] = *p++;
                    out[o++] = *p++;
                } else if (*p == c) {
                    out[o++] = *p++;
                    break;
                } else {
                    out[o++] = *p++;
                }
            }
        } else if (c == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                out[o++] = *p++;
        } else if (c == '/' && p[1] == '*') {
            out[o++] = *p++;
            out[o++] = *p++;
            while (*p && !(p[0] == '*' && p[1] == '/'))
                out[o++] = *p++;
            if (*p) {
                out[o++] = *p++;
                out[o++] = *p++;
            }
        } else if (c == '?') {
            p++;
            out[o++] = '$';
            if (*p >= '0' && *p <= '9') {
                long n = 0;
                while (*p >= '0' && *p <= '9') {
                    if (n < 1000000) n = n * 10 + (*p - '0');
                    out[o++] = *p++;
                }
                if (n > max) max = (int)n;
            } else {
                max++;
                o += (size_t)sprintf(out + o, "%d", max);
            }
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    if (max_param) *max_param = max;
    return out;
}

/* ?N -> $N outside literals, identifiers and comments. malloc'd; caller frees. */
char *db_rewrite_placeholders(const char *sql) { return db_rewrite_placeholders_n(sql, NULL); }
