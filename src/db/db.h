/*
** db.h — the one database interface. Two backends behind it: SQLite (the
** embedded default) and PostgreSQL through libpq. SQL is written once with
** ?1, ?2, ... placeholders; the PostgreSQL backend rewrites them to $1, $2.
**
** A Db is one connection, used by one thread at a time. Statements are
** prepared once and cached per connection, keyed by their SQL text.
*/
#ifndef SALESLOOP_DB_H
#define SALESLOOP_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct Db Db;
typedef struct Stmt Stmt;

typedef enum { DB_SQLITE = 1, DB_PG = 2 } DbKind;

/* Return codes. db_step answers DB_ROW or DB_DONE; the others are errors. */
enum {
    DB_OK = 0,
    DB_DONE = 0,
    DB_ROW = 1,
    DB_ERROR = -1,      /* any other failure; db_errmsg says what */
    DB_CONSTRAINT = -2, /* unique / foreign key / check violation */
    DB_BUSY = -3,       /* lock could not be had within the busy timeout */
};

/*
** Open a connection. url is "postgres://..." / "postgresql://..." for
** PostgreSQL, otherwise a SQLite file path (optionally "sqlite:" prefixed;
** ":memory:" works). SQLite gets WAL, synchronous=FULL, foreign_keys=ON,
** busy_timeout 5 s. On failure returns NULL and writes the reason to err.
** Freed by db_close.
*/
Db *db_open(const char *url, char *err, size_t errlen);
void db_close(Db *db); /* db_close(NULL) is harmless */
DbKind db_kind(const Db *db);
const char *db_errmsg(Db *db); /* last error text of this connection */

/*
** Prepare (or take from the cache) a statement. NULL on error (logged with
** the SQL). The statement is returned to the cache by db_done; a statement
** already in use is not handed out twice (a fresh uncached one is made).
*/
Stmt *db_prepare(Db *db, const char *sql);
/* Bind parameter idx (1-based, as in ?1). Text is copied. len -1 = strlen. */
int db_bind_int64(Stmt *st, int idx, int64_t v);
int db_bind_text(Stmt *st, int idx, const char *s, int len);
int db_bind_null(Stmt *st, int idx);
/* Run or advance: DB_ROW with a row ready, DB_DONE at the end, < 0 on error. */
int db_step(Stmt *st);
int db_col_count(Stmt *st);
const char *db_col_name(Stmt *st, int col);
bool db_col_null(Stmt *st, int col);
int64_t db_col_int64(Stmt *st, int col);    /* 0 for NULL */
const char *db_col_text(Stmt *st, int col); /* NULL for NULL; valid until the next step/done */
/* Reset and release the statement (back to the cache). db_done(NULL) is harmless. */
void db_done(Stmt *st);

/* Rows changed by the last INSERT/UPDATE/DELETE stepped on this connection. */
int64_t db_changes(Db *db);

/*
** SQLite: a page cache of kib KiB for this connection instead of SQLite's 2 MB — for the connections
** whose pages are used again: the loops' (DB_CACHE_READER_KIB: a list's pages, and a search's
** candidates, while nothing commits) and the writer's (DB_CACHE_WRITER_KIB: the indexes' pages; its own
** commits keep its cache). Exports, reports and jobs on the other connections read once what they
** read, and each cache is private memory (bench/FINDINGS.md 60, 63, 83). Nothing on PostgreSQL. DB_OK
** or < 0.
*/
int db_cache_large(Db *db, int kib);

/* A loop's: a manager's search at bench scale 10 reads ~1,700 candidate rows' pages, which 8 MB did not
   keep from one query to the next (FINDINGS 83) */
#define DB_CACHE_READER_KIB 16384
#define DB_CACHE_WRITER_KIB 8192

/* SQLite: 1 when the table exists in the main database, 0 when not, < 0 on error — from the schema
   the connection holds in memory (sqlite_master has no index: a query of it reads every entry), so a
   table another connection made since this one's last statement reads as 0: a caller that then
   creates it says IF NOT EXISTS. Not for PostgreSQL (< 0). */
int db_sqlite_table_exists(Db *db, const char *table);

/* Run SQL with no parameters (several statements allowed). DB_OK or < 0. */
int db_exec(Db *db, const char *sql);

/*
** Transactions. db_begin records where it began (for the log when a
** transaction is left open). Nested db_begin calls become savepoints, so a
** handler can run inside the group-commit transaction unchanged.
** SQLite begins IMMEDIATE (takes the write lock at once).
*/
#define db_begin(db) db_begin_at((db), __FILE__ ":" DB_STR(__LINE__))
#define DB_STR(x) DB_STR2(x)
#define DB_STR2(x) #x
int db_begin_at(Db *db, const char *where);
/* A failed commit leaves the transaction (or savepoint) open: call db_rollback. */
int db_commit(Db *db);
int db_rollback(Db *db);
int db_tx_depth(const Db *db); /* 0 outside any transaction */

/*
** A read snapshot: the statements of one unit of reads (a read request) share one read
** transaction and see one state of the database, where each statement took and dropped SQLite's
** WAL read lock itself (file locks and a mutex: 13 % of a signed-in get, bench/FINDINGS.md 61).
** SQLite: a deferred BEGIN; PostgreSQL: nothing (a statement is a round trip either way).
** A db_begin while the snapshot is open ends it first, so no write starts from an old snapshot.
** db_read_end ends it if it is still open. DB_OK or < 0 (then there is none: statements run alone).
*/
int db_read_begin(Db *db);
void db_read_end(Db *db);
bool db_read_open(const Db *db); /* is a read snapshot open? */

/*
** A write whose effect is only needed once the transaction commits: run `sql` with ?1 = i1 and
** ?2 = t2 now when no savepoint is open, else queued and run, in order, just before the outermost
** COMMIT (and dropped with the savepoint it was queued in, if that rolls back). For SQLite's FTS5,
** which writes what it has pending out as a new segment at every savepoint once it is part of the
** transaction: the writer runs each request of a group commit in a savepoint, so written at once
** every create made a segment and merged segments (bench/FINDINGS.md 57). Reads inside the
** transaction do not see a queued write. DB_OK or < 0.
*/
int db_write_at_commit(Db *db, const char *sql, int64_t i1, const char *t2);

/* Rewrite ?N placeholders to $N outside string literals, quoted identifiers and
   comments. Returns a malloc'd string the caller frees. Exposed for tests. */
char *db_rewrite_placeholders(const char *sql);

/* Apply embedded migrations not yet recorded in schema_migrations, each in
   its own transaction. Returns the number applied, or < 0 with err filled. */
int db_migrate(Db *db, char *err, size_t errlen);
/* Highest applied migration number, or 0. */
int db_schema_version(Db *db);

/* SQLite online backup to dest_path (a consistent copy while serving);
   restore copies src_path over the live database. < 0 on error. */
int db_backup(Db *db, const char *dest_path, char *err, size_t errlen);
int db_restore(Db *db, const char *src_path, char *err, size_t errlen);

/*
** Fail closed without threading an error through every caller: a read whose failure must not pass
** for "absent" (a setting, whose default would silently be used instead) marks the connection, and
** the unit of work on it — a request (request.c), a scheduler job — is then refused and rolled back;
** an outermost db_commit refuses while the mark is set (handlers that commit as they go included).
** db_fault_take answers whether a mark was set since the last take, and clears it.
*/
void db_fault_mark(Db *db);
bool db_fault_take(Db *db);

/* Is column the first column of an index on table (unique, partial and primary keys count)?
   1 yes, 0 no, -1 on a database error. For the start-up check of filterable fields. */
int db_column_leads_index(Db *db, const char *table, const char *column);
/* Are first and second the first two columns of one index on table? 1, 0, -1 as above. */
int db_columns_lead_index(Db *db, const char *table, const char *first, const char *second);
/* Can table.column hold NULL? 1 yes, 0 no (NOT NULL, or SQLite's INTEGER PRIMARY KEY), -1 on a
   database error or no such column. */
int db_column_nullable(Db *db, const char *table, const char *column);
/* An index of table that orders column's NULLs above its values (PostgreSQL's default; SQLite's
   indexes always order them below every value): 1 and its name in name[n], 0 none, -1 on an error. */
int db_index_nulls_high(Db *db, const char *table, const char *column, char *name, size_t n);

/* Number of statements in this connection's cache (metrics/tests). */
int db_cache_size(const Db *db);

#endif
