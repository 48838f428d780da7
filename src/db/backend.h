/*
** backend.h — private to src/db: the Db and Stmt structs and the table of
** functions each backend (sqlite.c, pg.c) provides to db.c. Nothing outside
** src/db includes this; everyone else uses db.h.
*/
#ifndef SALESLOOP_DB_BACKEND_H
#define SALESLOOP_DB_BACKEND_H

#include "db/db.h"

#define DB_CACHE_MAX 512      /* statements kept per connection */
#define DB_CACHE_BUCKETS 1024 /* hash buckets of the statement cache */

typedef struct DbOps DbOps;

/* A write queued until the outermost commit (db_write_at_commit). */
typedef struct DbLater {
    const char *sql; /* a string literal of the caller */
    int64_t i1;      /* ?1 */
    char *t2;        /* ?2, malloc'd */
    int depth;       /* the level it belongs to: dropped when that level rolls back */
} DbLater;

/* One connection: the backend's handle plus what db.c keeps for it. */
struct Db {
    const DbOps *ops;                /* the backend */
    void *conn;                      /* backend connection (sqlite3 *, PgConn *) */
    char errmsg[512];                /* last error text */
    int depth;                       /* transaction nesting, 0 outside */
    char where[128];                 /* file:line of the outermost db_begin */
    bool closing;                    /* db_close is finalizing: skip server round trips */
    bool fault;                      /* a read that must not pass for "absent" failed (db_fault_mark) */
    bool reading;                    /* a read snapshot is open (db_read_begin) */
    Stmt *buckets[DB_CACHE_BUCKETS]; /* cached statements by SQL hash */
    Stmt *lru_head, *lru_tail;       /* cached statements, most recently used first */
    int ncache;                      /* statements in the cache */
    DbLater *later;                  /* writes waiting for the outermost commit, in order */
    int nlater, later_cap;
};

/* One prepared statement, cached or not. */
struct Stmt {
    Db *db;            /* connection it belongs to */
    char *sql;         /* SQL text as given (malloc'd; the cache key) */
    uint64_t hash;     /* hash of sql */
    void *h;           /* backend statement (sqlite3_stmt *, PgStmt *) */
    bool cached;       /* in the cache (db_done resets) or not (db_done finalizes) */
    bool in_use;       /* handed out by db_prepare and not yet db_done */
    Stmt *hnext;       /* next in the same hash bucket */
    Stmt *prev, *next; /* neighbours in the LRU list */
};

/* What a backend implements. Errors set db->errmsg (db_set_error) and return < 0. */
struct DbOps {
    DbKind kind;           /* DB_SQLITE or DB_PG */
    const char *begin_sql; /* statement that opens the outermost transaction */
    const char *read_sql;  /* statement that opens a read snapshot; NULL: none (db_read_begin) */
    /* Connect to url; sets db->conn. DB_OK, or < 0 with db->errmsg set. */
    int (*open)(Db *db, const char *url);
    /* Disconnect and free db->conn (statements are already finalized). */
    void (*close)(Db *db);
    /* Prepare sql; persistent for statements kept in the cache. NULL on error. */
    void *(*prepare)(Db *db, const char *sql, bool persistent);
    /* Free a backend statement. */
    void (*finalize)(Db *db, void *h);
    /* Bind parameter idx (1-based). */
    int (*bind_int64)(Stmt *st, int idx, int64_t v);
    int (*bind_text)(Stmt *st, int idx, const char *s, int len);
    int (*bind_null)(Stmt *st, int idx);
    /* Execute or advance: DB_ROW, DB_DONE or < 0. */
    int (*step)(Stmt *st);
    /* Columns of the current result. */
    int (*col_count)(Stmt *st);
    const char *(*col_name)(Stmt *st, int col);
    bool (*col_null)(Stmt *st, int col);
    int64_t (*col_int64)(Stmt *st, int col);
    const char *(*col_text)(Stmt *st, int col);
    /* Make the statement ready to run again, with no parameters bound. */
    void (*reset)(Stmt *st);
    /* Rows changed by the last write on the connection. */
    int64_t (*changes)(Db *db);
    /* True while the connection is inside a transaction (even a failed one). */
    bool (*in_tx)(Db *db);
    /* Run parameterless SQL (several statements allowed). */
    int (*exec)(Db *db, const char *sql);
    /* Copy the database to / from a file (see db.h). */
    int (*backup)(Db *db, const char *path, char *err, size_t errlen);
    int (*restore)(Db *db, const char *path, char *err, size_t errlen);
};

extern const DbOps db_sqlite_ops; /* sqlite.c */
extern const DbOps db_pg_ops;     /* pg.c */

/* Set db->errmsg from a printf format. */
void db_set_error(Db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* db_rewrite_placeholders that also reports the highest parameter number used
   (0 when none) in *max_param. malloc'd result, caller frees. */
char *db_rewrite_placeholders_n(const char *sql, int *max_param);

#endif
