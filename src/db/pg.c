/*
** pg.c — the PostgreSQL backend of db.h, through libpq. Cached statements
** are prepared on the server under names s1, s2, ... of the connection;
** parameters go as text and results come back as text. db_step runs the
** statement on its first call, then walks the rows of the result.
*/
#include "db/backend.h"

#include "core/core.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The connection state. */
typedef struct PgConn {
    PGconn *pg;      /* libpq connection */
    int next_name;   /* number of the next server-side statement name */
    int64_t changes; /* rows changed by the last statement stepped */
} PgConn;

/* One statement and its current execution. */
typedef struct PgStmt {
    char name[16]; /* server-side name "sN", or "" for a one-off (PQexecParams) */
    char *sql;     /* SQL with $N placeholders (malloc'd) */
    int nparams;   /* highest placeholder number */
    char **vals;   /* nparams bound values as text (malloc'd; NULL = SQL NULL) */
    PGresult *res; /* result of the execution, NULL before the first step */
    int row;       /* current row, -1 before the first */
    int nrows;     /* rows in res */
} PgStmt;

/* The connection state of db. */
static PgConn *pc(Db *db) { return db->conn; }

/* The statement state of st. */
static PgStmt *ps(Stmt *st) { return st->h; }

/* Map a failed result to a db.h code by SQLSTATE, recording the message. */
static int fail_result(Db *db, const PGresult *res) {
    const char *msg = res ? PQresultErrorMessage(res) : "";
    if (!msg || !*msg) msg = PQerrorMessage(pc(db)->pg);
    db_set_error(db, "%s", msg);
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    if (!state) return DB_ERROR;
    if (strncmp(state, "23", 2) == 0) return DB_CONSTRAINT; /* integrity constraint violation */
    if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03"))
        return DB_BUSY; /* serialization failure, deadlock, lock not available */
    return DB_ERROR;
}

/* Ignore server notices: they would go to stderr outside our JSON log. */
static void pg_notice(void *arg, const char *message) { log_debug("pg notice: %s", message); }

/* Connect to url and quieten notices. */
static int pg_open(Db *db, const char *url) {
    PGconn *pg = PQconnectdb(url);
    if (!pg) {
        db_set_error(db, "out of memory connecting to PostgreSQL");
        return DB_ERROR;
    }
    if (PQstatus(pg) != CONNECTION_OK) {
        db_set_error(db, "%s", PQerrorMessage(pg));
        PQfinish(pg);
        return DB_ERROR;
    }
    PQsetNoticeProcessor(pg, pg_notice, NULL);
    /* Plan for storage where a random read costs about a sequential one (SSD, or a database in the
       page cache, as on the small servers salesloop runs on), unless whoever runs the cluster set the
       cost: at PostgreSQL's default (4, for spinning disks) a manager's list by source, newest first,
       walked 86,000 newer customers of other sources by the creation index rather than the source's
       own (source, created_at) index, 107 ms against 2 ms (bench/FINDINGS.md 78). */
    PGresult *res = PQexec(pg, "SET client_min_messages=warning;"
                               " SELECT set_config('random_page_cost', '1.1', false) FROM pg_settings"
                               " WHERE name = 'random_page_cost' AND source = 'default'");
    if (PQresultStatus(res) != PGRES_TUPLES_OK) {
        db_set_error(db, "%s", PQresultErrorMessage(res));
        PQclear(res);
        PQfinish(pg);
        return DB_ERROR;
    }
    PQclear(res);
    PgConn *c = xcalloc(1, sizeof *c);
    c->pg = pg;
    db->conn = c;
    return DB_OK;
}

/* Disconnect (server-side statements go with the session). */
static void pg_close(Db *db) {
    PQfinish(pc(db)->pg);
    free(pc(db));
}

/* Free the bound values and the result, ready for the next run. */
static void clear_run(PgStmt *s) {
    for (int i = 0; i < s->nparams; i++) {
        free(s->vals[i]);
        s->vals[i] = NULL;
    }
    PQclear(s->res);
    s->res = NULL;
    s->row = -1;
    s->nrows = 0;
}

/*
** Prepare sql: rewrite ?N to $N; persistent statements are prepared on the
** server under a fresh name, others run later as one-off PQexecParams.
*/
static void *pg_prepare(Db *db, const char *sql, bool persistent) {
    PgStmt *s = xcalloc(1, sizeof *s);
    s->sql = db_rewrite_placeholders_n(sql, &s->nparams);
    s->vals = xcalloc((size_t)s->nparams + 1, sizeof *s->vals);
    s->row = -1;
    if (persistent) {
        snprintf(s->name, sizeof s->name, "s%d", ++pc(db)->next_name);
        PGresult *res = PQprepare(pc(db)->pg, s->name, s->sql, 0, NULL);
        bool ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        if (!ok) fail_result(db, res);
        PQclear(res);
        if (!ok) {
            free(s->vals);
            free(s->sql);
            free(s);
            return NULL;
        }
    }
    return s;
}

/* Free a statement; a named one is deallocated on the server unless closing. */
static void pg_finalize(Db *db, void *h) {
    PgStmt *s = h;
    clear_run(s);
    if (s->name[0] && !db->closing) {
        char sql[32];
        snprintf(sql, sizeof sql, "DEALLOCATE %s", s->name);
        PQclear(PQexec(pc(db)->pg, sql)); /* in an aborted transaction this fails: harmless */
    }
    free(s->vals);
    free(s->sql);
    free(s);
}

/* Store a copy of text (or NULL) as parameter idx. */
static int set_param(Stmt *st, int idx, const char *s, size_t len) {
    PgStmt *p = ps(st);
    if (idx < 1 || idx > p->nparams) {
        db_set_error(st->db, "parameter index %d out of range (statement has %d)", idx, p->nparams);
        return DB_ERROR;
    }
    free(p->vals[idx - 1]);
    p->vals[idx - 1] = NULL;
    if (s) {
        char *v = xmalloc(len + 1);
        memcpy(v, s, len);
        v[len] = '\0';
        p->vals[idx - 1] = v;
    }
    return DB_OK;
}

/* Bind an integer, as decimal text. */
static int pg_bind_int64(Stmt *st, int idx, int64_t v) {
    char buf[24];
    int n = snprintf(buf, sizeof buf, "%lld", (long long)v);
    return set_param(st, idx, buf, (size_t)n);
}

/* Bind a copy of len bytes of text. */
static int pg_bind_text(Stmt *st, int idx, const char *s, int len) { return set_param(st, idx, s, (size_t)len); }

/* Bind NULL. */
static int pg_bind_null(Stmt *st, int idx) { return set_param(st, idx, NULL, 0); }

/* True for the command tag of a statement that changes rows ("UPDATE 3"). */
static bool is_write(const char *tag) {
    static const char *const writes[] = {"INSERT ", "UPDATE ", "DELETE ", "MERGE "};
    for (size_t i = 0; tag && i < sizeof writes / sizeof writes[0]; i++)
        if (strncmp(tag, writes[i], strlen(writes[i])) == 0) return true;
    return false;
}

/* The first call executes; later calls move to the next row (changes of writes recorded). */
static int pg_step(Stmt *st) {
    PgStmt *s = ps(st);
    PgConn *c = pc(st->db);
    if (!s->res) {
        const char *const *vals = (const char *const *)s->vals;
        s->res = s->name[0] ? PQexecPrepared(c->pg, s->name, s->nparams, vals, NULL, NULL, 0)
                            : PQexecParams(c->pg, s->sql, s->nparams, NULL, vals, NULL, NULL, 0);
        ExecStatusType status = PQresultStatus(s->res);
        if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK && status != PGRES_EMPTY_QUERY) {
            int rc = fail_result(st->db, s->res);
            PQclear(s->res);
            s->res = NULL;
            return rc;
        }
        s->nrows = status == PGRES_TUPLES_OK ? PQntuples(s->res) : 0;
        if (is_write(PQcmdStatus(s->res))) c->changes = strtoll(PQcmdTuples(s->res), NULL, 10);
        s->row = -1;
    }
    if (s->row < s->nrows) s->row++;
    return s->row < s->nrows ? DB_ROW : DB_DONE;
}

/* True when there is a current row and col is one of its columns. */
static bool have(PgStmt *s, int col) {
    return s->res && s->row >= 0 && s->row < s->nrows && col >= 0 && col < PQnfields(s->res);
}

/* Columns of the result (0 until the statement has run). */
static int pg_col_count(Stmt *st) { return ps(st)->res ? PQnfields(ps(st)->res) : 0; }

/* Name of a column. */
static const char *pg_col_name(Stmt *st, int col) { return ps(st)->res ? PQfname(ps(st)->res, col) : NULL; }

/* True when the column of the current row is NULL (or there is no row). */
static bool pg_col_null(Stmt *st, int col) {
    PgStmt *s = ps(st);
    return !have(s, col) || PQgetisnull(s->res, s->row, col);
}

/* Column text, NULL for NULL. */
static const char *pg_col_text(Stmt *st, int col) {
    PgStmt *s = ps(st);
    return pg_col_null(st, col) ? NULL : PQgetvalue(s->res, s->row, col);
}

/*
** Column as an integer, parsed from text: booleans ("t"/"f") give 1/0, a
** numeric such as SUM() or AVG() gives its integer part; NULL and junk give 0.
*/
static int64_t pg_col_int64(Stmt *st, int col) {
    const char *v = pg_col_text(st, col);
    int64_t n = 0;
    if (!v) return 0;
    if (str_to_int64(v, &n) == 0) return n;
    if (!strcmp(v, "t")) return 1;
    char head[24]; /* the digits before a decimal point */
    size_t len = strcspn(v, ".");
    if (len > 0 && len < sizeof head && v[len] == '.') {
        memcpy(head, v, len);
        head[len] = '\0';
        if (str_to_int64(head, &n) == 0) return n;
    }
    return 0;
}

/* Drop the result and bound values. */
static void pg_reset(Stmt *st) { clear_run(ps(st)); }

/* Rows changed by the last INSERT/UPDATE/DELETE stepped. */
static int64_t pg_changes(Db *db) { return pc(db)->changes; }

/* True inside a transaction block, failed ones included (not idle, nor connection lost). */
static bool pg_in_tx(Db *db) {
    PGTransactionStatusType t = PQtransactionStatus(pc(db)->pg);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

/* Run parameterless SQL (several statements allowed). A COMMIT that the server
   turned into a ROLLBACK (the transaction had failed) is an error. */
static int pg_exec(Db *db, const char *sql) {
    PGresult *res = PQexec(pc(db)->pg, sql);
    ExecStatusType status = PQresultStatus(res);
    int rc = DB_OK;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY)
        rc = fail_result(db, res);
    else if (!strcmp(sql, "COMMIT") && !strcmp(PQcmdStatus(res), "ROLLBACK")) {
        db_set_error(db, "the transaction had failed and was rolled back");
        rc = DB_ERROR;
    }
    PQclear(res);
    return rc;
}

/* Backups of a PostgreSQL database are the server's business. */
static int pg_backup(Db *db, const char *path, char *err, size_t errlen) {
    snprintf(err, errlen, "backup is not supported on PostgreSQL: use pg_dump");
    return DB_ERROR;
}

/* Restores too. */
static int pg_restore(Db *db, const char *path, char *err, size_t errlen) {
    snprintf(err, errlen, "restore is not supported on PostgreSQL: use pg_restore (or psql)");
    return DB_ERROR;
}

/* The PostgreSQL backend. */
const DbOps db_pg_ops = {
    .kind = DB_PG,
    .begin_sql = "BEGIN",
    .open = pg_open,
    .close = pg_close,
    .prepare = pg_prepare,
    .finalize = pg_finalize,
    .bind_int64 = pg_bind_int64,
    .bind_text = pg_bind_text,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .col_count = pg_col_count,
    .col_name = pg_col_name,
    .col_null = pg_col_null,
    .col_int64 = pg_col_int64,
    .col_text = pg_col_text,
    .reset = pg_reset,
    .changes = pg_changes,
    .in_tx = pg_in_tx,
    .exec = pg_exec,
    .backup = pg_backup,
    .restore = pg_restore,
};
