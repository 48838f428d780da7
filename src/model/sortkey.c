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
int entity_sortkeys_write(Req *r, const Entity *en, int64_t id, json_t *rec) {
    for (const Field *f = en->fields; f->name; f++) {
        json_t *v = (f->flags & F_SORTKEY) ? json_object_get(rec, f->name) : NULL;
        if (!v) continue;
        Stmt *st = db_prepare(r->db, arena_printf(r->a, "UPDATE %s SET %s_sk = ?1 WHERE id = ?2", en->table, f->name));
        if (!st) return -1;
        if (json_is_string(v))
            db_bind_text(st, 1, collate_key(r->a, json_string_value(v)), -1);
        else
            db_bind_null(st, 1);
        db_bind_int64(st, 2, id);
        int rc = db_step(st);
        db_done(st);
        if (rc < 0) return -1;
    }
    return 0;
}

/* Fill the missing keys of one field, in batches of 500 rows. Each batch starts after the last id
   of the one before: starting from the table's first row each time walked every row already filled
   again, quadratic in the rows (a million generated customers at BENCH_SCALE=10). */
static int sortkeys_fill_field(Db *db, const Entity *en, const Field *f) {
    char sel[256], upd[256];
    snprintf(sel, sizeof sel,
             "SELECT id, %s FROM %s WHERE id > ?1 AND %s_sk IS NULL AND %s IS NOT NULL ORDER BY id LIMIT 500", f->name,
             en->table, f->name, f->name);
    snprintf(upd, sizeof upd, "UPDATE %s SET %s_sk = ?1 WHERE id = ?2", en->table, f->name);
    int64_t after = 0;
    for (;;) {
        Arena *a = arena_new();
        int n = 0, rc = DB_ERROR;
        int64_t ids[500];
        const char *keys[500];
        Stmt *st = db_prepare(db, sel);
        if (st) {
            db_bind_int64(st, 1, after);
            while ((rc = db_step(st)) == DB_ROW && n < 500) {
                ids[n] = db_col_int64(st, 0);
                keys[n++] = collate_key(a, db_col_text(st, 1));
            }
        }
        db_done(st);
        if (rc < 0 || db_begin(db) < 0) goto fail;
        for (int i = 0; i < n; i++) {
            st = db_prepare(db, upd);
            if (!st) break;
            db_bind_text(st, 1, keys[i], -1);
            db_bind_int64(st, 2, ids[i]);
            rc = db_step(st);
            db_done(st);
            if (rc < 0) break;
        }
        if (rc < 0 || !st || db_commit(db) < 0) {
            db_rollback(db);
            goto fail;
        }
        arena_free(a);
        if (n < 500) return 0;
        after = ids[n - 1];
        continue;
    fail:
        arena_free(a);
        log_error("sort keys of %s.%s: %s", en->table, f->name, db_errmsg(db));
        return -1;
    }
}

/* See entity.h. */
int entity_sortkeys_fill(Db *db) {
    int n;
    const Entity *const *all = entity_all(&n);
    for (int i = 0; i < n; i++)
        for (const Field *f = all[i]->fields; f->name; f++)
            if ((f->flags & F_SORTKEY) && sortkeys_fill_field(db, all[i], f) < 0) return -1;
    return 0;
}
