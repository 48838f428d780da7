/*
** migrate.c — applies the embedded schema migrations (src/db/migrations/
** NNNN_*.sql, compiled in by tools/embed.c) that schema_migrations does not
** list yet, each in its own transaction. On PostgreSQL an advisory lock
** makes servers that start together apply each migration exactly once.
*/
#include "db/backend.h"
#include "db/migrations.h"

#include "core/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Key of the PostgreSQL advisory lock held while migrating ("salesloo" in ASCII). */
#define MIGRATE_LOCK_KEY "8314045570086629231"

/* The bookkeeping table; {{id}} is not used so it is the same on both backends. */
static const char zSqlCreate[] = "CREATE TABLE IF NOT EXISTS schema_migrations (\n"
                                 "  number     INTEGER PRIMARY KEY, -- NNNN of the migration file\n"
                                 "  name       TEXT NOT NULL,       -- file name\n"
                                 "  applied_at BIGINT NOT NULL      -- epoch seconds\n"
                                 ")";

static const char zSqlApplied[] = "SELECT count(*)"
                                  "  FROM schema_migrations"
                                  " WHERE number = ?1";

static const char zSqlRecord[] = "INSERT INTO schema_migrations(number, name, applied_at)"
                                 " VALUES (?1, ?2, ?3)";

/* Copy of sql with every {{pg:TEXT}} kept as TEXT on PostgreSQL and left out on SQLite (an index
   only PostgreSQL needs or can express, e.g. text_pattern_ops). Caller frees. */
static char *expand_pg_only(const char *sql, DbKind kind) {
    const char *open = "{{pg:", *close = "}}";
    char *out = xmalloc(strlen(sql) + 1), *o = out;
    for (const char *p = sql;;) {
        const char *hit = strstr(p, open), *end = hit ? strstr(hit, close) : NULL;
        if (!hit || !end) {
            strcpy(o, p);
            break;
        }
        memcpy(o, p, (size_t)(hit - p));
        o += hit - p;
        if (kind == DB_PG) {
            size_t n = (size_t)(end - hit) - strlen(open);
            memcpy(o, hit + strlen(open), n);
            o += n;
        }
        p = end + strlen(close);
    }
    return out;
}

/* Copy of sql with every {{id}} replaced by the backend's auto-increment key.
   Caller frees. */
static char *expand_ids(const char *sql, DbKind kind) {
    const char *token = "{{id}}";
    const char *key = kind == DB_PG ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY";
    size_t tn = strlen(token), kn = strlen(key), count = 0;
    for (const char *p = strstr(sql, token); p; p = strstr(p + tn, token))
        count++;
    char *out = xmalloc(strlen(sql) + count * kn + 1);
    char *o = out;
    for (const char *p = sql;;) {
        const char *hit = strstr(p, token);
        size_t n = hit ? (size_t)(hit - p) : strlen(p);
        memcpy(o, p, n);
        o += n;
        if (!hit) break;
        memcpy(o, key, kn);
        o += kn;
        p = hit + tn;
    }
    *o = '\0';
    return out;
}

/* Take the migration lock for the rest of the transaction (PostgreSQL only). */
static int lock_migrations(Db *db) {
    if (db_kind(db) != DB_PG) return DB_OK; /* BEGIN IMMEDIATE already serialises SQLite writers */
    return db_exec(db, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK_KEY ")");
}

/* 1 when migration number is recorded, 0 when not, < 0 on error. */
static int is_applied(Db *db, int number) {
    Stmt *st = db_prepare(db, zSqlApplied);
    if (!st) return DB_ERROR;
    int rc = db_bind_int64(st, 1, number);
    if (rc == DB_OK) rc = db_step(st);
    if (rc == DB_ROW) rc = db_col_int64(st, 0) > 0;
    db_done(st);
    return rc;
}

/* Record migration m as applied now. */
static int record(Db *db, const Migration *m) {
    Stmt *st = db_prepare(db, zSqlRecord);
    if (!st) return DB_ERROR;
    int rc = db_bind_int64(st, 1, m->number);
    if (rc == DB_OK) rc = db_bind_text(st, 2, m->name, -1);
    if (rc == DB_OK) rc = db_bind_int64(st, 3, now_epoch());
    if (rc == DB_OK) rc = db_step(st);
    db_done(st);
    return rc;
}

/*
** Apply migration m unless already recorded (checked again under the lock,
** as another server may have applied it meanwhile). 1 applied, 0 skipped,
** < 0 error (the transaction is rolled back).
*/
static int apply_one(Db *db, const Migration *m) {
    char *sql = NULL;
    int applied = 0;
    int rc = db_begin(db);
    if (rc < 0) return rc;
    rc = lock_migrations(db);
    if (rc < 0) goto out;
    rc = is_applied(db, m->number);
    if (rc != 0) goto out; /* already there (1) or an error (< 0) */
    char *kept = expand_pg_only(m->sql, db_kind(db));
    sql = expand_ids(kept, db_kind(db));
    free(kept);
    rc = db_exec(db, sql);
    if (rc < 0) goto out;
    rc = record(db, m);
    if (rc < 0) goto out;
    applied = 1;
out:
    free(sql);
    if (rc < 0) {
        db_rollback(db);
        return rc;
    }
    rc = db_commit(db);
    return rc < 0 ? rc : applied;
}

/* Create schema_migrations when missing (under the lock on PostgreSQL). */
static int ensure_table(Db *db) {
    int rc = db_begin(db);
    if (rc < 0) return rc;
    rc = lock_migrations(db);
    if (rc == DB_OK) rc = db_exec(db, zSqlCreate);
    if (rc < 0) {
        db_rollback(db);
        return rc;
    }
    return db_commit(db);
}

/*
** Apply the embedded migrations not yet recorded, in number order, each in
** its own transaction. Returns how many were applied, or < 0 with err filled
** (migrations before the failing one stay applied).
*/
int db_migrate(Db *db, char *err, size_t errlen) {
    int applied = 0;
    int rc = ensure_table(db);
    if (rc < 0) {
        snprintf(err, errlen, "schema_migrations: %s", db_errmsg(db));
        return rc;
    }
    for (int i = 0; i < migrations_count; i++) {
        const Migration *m = &migrations[i];
        rc = apply_one(db, m);
        if (rc < 0) {
            snprintf(err, errlen, "migration %s: %s", m->name, db_errmsg(db));
            return rc;
        }
        if (rc == 1) {
            log_info("db: applied migration %s", m->name);
            applied++;
        }
    }
    return applied;
}

/* Highest applied migration number; 0 for a fresh database (or on error). */
int db_schema_version(Db *db) {
    static const char zSqlExistsLite[] =
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'";
    static const char zSqlExistsPg[] = "SELECT count(*) FROM information_schema.tables"
                                       " WHERE table_schema = current_schema() AND table_name = 'schema_migrations'";
    static const char zSqlMax[] = "SELECT COALESCE(MAX(number), 0) FROM schema_migrations";
    int version = 0;
    Stmt *st = db_prepare(db, db_kind(db) == DB_PG ? zSqlExistsPg : zSqlExistsLite);
    if (!st) return 0;
    bool exists = db_step(st) == DB_ROW && db_col_int64(st, 0) > 0;
    db_done(st);
    if (!exists) return 0;
    st = db_prepare(db, zSqlMax);
    if (st && db_step(st) == DB_ROW) version = (int)db_col_int64(st, 0);
    db_done(st);
    return version;
}
