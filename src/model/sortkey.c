/*
** sortkey.c — text sorted in the language's order (F_SORTKEY): each such field
** has a column <name>_sk holding collate_key(value) (core/collate.c: ICU "zh",
** pinyin for 汉字), written with the row by crud.c and filled at start for
** rows written by plain SQL; list.c sorts on it. A stored key keeps the order
** the same on SQLite and PostgreSQL, whatever collations the engines offer.
*/
#include <stdio.h>
#include <string.h>

#include "model.h"

/* See entity.h. */
void entity_sortkey_bind(Req *r, Stmt *st, int idx, json_t *v) {
    if (json_is_string(v))
        db_bind_text(st, idx, collate_key(r->a, json_string_value(v)), -1);
    else
        db_bind_null(st, idx);
}

/* See entity.h. */
int entity_sortkeys_write(Req *r, const Entity *en, int64_t id, json_t *rec) {
    for (const Field *f = en->fields; f->name; f++) {
        json_t *v = (f->flags & F_SORTKEY) ? json_object_get(rec, f->name) : NULL;
        if (!v) continue;
        Stmt *st = db_prepare(r->db, arena_printf(r->a, "UPDATE %s SET %s_sk = ?1 WHERE id = ?2", en->table, f->name));
        if (!st) return -1;
        entity_sortkey_bind(r, st, 1, v);
        db_bind_int64(st, 2, id);
        int rc = db_step(st);
        db_done(st);
        if (rc < 0) return -1;
    }
    return 0;
}

/* Fill the missing keys of one field, 500 rows a batch, 25,000 a transaction. Each batch starts
   after the last id of the one before: starting from the table's first row each time walked every row
   already filled again, quadratic in the rows (a million generated customers at BENCH_SCALE=10). A
   transaction per 500 rows wrote each sort index's touched pages to the log 500 rows at a time: 58 GB
   written for 2.5 M rows of the scale-10 data, 1,000 rows a second (bench/FINDINGS.md 39). A batch's
   keys are one UPDATE … FROM (VALUES …): a statement a row was a round trip a row on PostgreSQL. The
   test build takes both sizes from the environment (tests/api/everyday E99 crosses a commit). */
#define FILL_BATCH 500
#define FILL_BATCHES_PER_COMMIT 50

/* The UPDATE of n keys: (id, key) pairs bound as ?1, ?2, ?3, … */
static const char *fill_update_sql(Arena *a, const Entity *en, const Field *f, int n) {
    Buf b;
    buf_init(&b, a);
    buf_printf(&b, "UPDATE %s SET %s_sk = v.column2 FROM (VALUES ", en->table, f->name);
    for (int i = 0; i < n; i++)
        buf_printf(&b, "%s(CAST(?%d AS BIGINT), CAST(?%d AS TEXT))", i ? ", " : "", 2 * i + 1, 2 * i + 2);
    buf_printf(&b, ") AS v WHERE %s.id = v.column1", en->table);
    return b.p;
}

/* One batch of up to `batch` rows after *after: 1 more may follow, 0 the field is done, -1 error. */
static int sortkeys_fill_batch(Db *db, const Entity *en, const Field *f, const char *sel, int batch, int64_t *after) {
    Arena *a = arena_new();
    int n = 0, rc = DB_ERROR;
    int64_t *ids = arena_alloc(a, sizeof *ids * (size_t)batch);
    const char **keys = arena_alloc(a, sizeof *keys * (size_t)batch);
    Stmt *st = db_prepare(db, sel);
    if (st) {
        db_bind_int64(st, 1, *after);
        db_bind_int64(st, 2, batch);
        while (n < batch && (rc = db_step(st)) == DB_ROW) {
            ids[n] = db_col_int64(st, 0);
            keys[n++] = collate_key(a, db_col_text(st, 1));
        }
        if (n == batch) rc = DB_DONE;
    }
    db_done(st);
    if (rc >= 0 && n > 0) {
        st = db_prepare(db, fill_update_sql(a, en, f, n));
        if (st) {
            for (int i = 0; i < n; i++) {
                db_bind_int64(st, 2 * i + 1, ids[i]);
                db_bind_text(st, 2 * i + 2, keys[i], -1);
            }
            rc = db_step(st);
        } else {
            rc = DB_ERROR;
        }
        db_done(st);
    }
    if (rc >= 0 && n) *after = ids[n - 1];
    arena_free(a);
    if (rc < 0) return -1;
    return n == batch;
}

static int sortkeys_fill_field(Db *db, const Entity *en, const Field *f) {
    char sel[256];
    snprintf(sel, sizeof sel,
             "SELECT id, %s FROM %s WHERE id > ?1 AND %s_sk IS NULL AND %s IS NOT NULL ORDER BY id LIMIT ?2", f->name,
             en->table, f->name, f->name);
    int batch = (int)test_tunable("SALESLOOP_SORTKEY_BATCH", FILL_BATCH);
    int64_t per_commit = test_tunable("SALESLOOP_SORTKEY_BATCHES_PER_COMMIT", FILL_BATCHES_PER_COMMIT);
    int64_t after = 0;
    for (int more = 1; more > 0;) {
        if (db_begin(db) < 0) goto fail;
        for (int64_t b = 0; more > 0 && b < per_commit; b++)
            more = sortkeys_fill_batch(db, en, f, sel, batch, &after);
        if (more < 0 || db_commit(db) < 0) {
            db_rollback(db);
            goto fail;
        }
    }
    return 0;
fail:
    log_error("sort keys of %s.%s: %s", en->table, f->name, db_errmsg(db));
    return -1;
}

/* See entity.h. */
int entity_sortkeys_fill(Db *db) {
    int n, rc = 0;
    const Entity *const *all = entity_all(&n);
    /* a page cache that holds a transaction's touched index pages (SQLite's default is 2 MB) */
    if (db_kind(db) == DB_SQLITE && db_exec(db, "PRAGMA cache_size=-262144") < 0) return -1;
    for (int i = 0; i < n && rc == 0; i++)
        for (const Field *f = all[i]->fields; f->name && rc == 0; f++)
            if (f->flags & F_SORTKEY) rc = sortkeys_fill_field(db, all[i], f);
    if (db_kind(db) == DB_SQLITE && db_exec(db, "PRAGMA cache_size=-2000") < 0) return -1;
    return rc;
}
