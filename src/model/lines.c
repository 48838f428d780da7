/*
** lines.c — child collections (entity.h, Child): document lines carried inside
** their parent. Validated with errors naming "lines[3].quantity", computed,
** saved in the parent's transaction under its version, audited in its trail
** ("lines#12.quantity": [before, after]), loaded with the parent. Visibility and
** editability are the parent's: lines have no route of their own.
*/
#include <stdio.h>
#include <string.h>

#include "../core/errcodes.h"
#include "model.h"

#define LINES_MAX_DEFAULT 500

const Child *entity_child(const Entity *en, const char *name) {
    for (const Child *ch = en->children; ch && ch->name; ch++)
        if (strcmp(ch->name, name) == 0) return ch;
    return NULL;
}

/* Field named name among a line's fields, or NULL. */
static const Field *line_field(const Child *ch, const char *name) {
    for (const Field *f = ch->fields; f->name; f++)
        if (strcmp(f->name, name) == 0) return f;
    return NULL;
}

/* Rewrite an error about a line's field to name the line: field "lines[3].quantity",
   label "明细第4行·数量" (rows are counted from 1 for people, indexed from 0 in JSON). */
static int line_error(Req *r, const Child *ch, size_t i, Err *e) {
    const char *fname = e->field ? e->field : "";
    const char *flabel = e->label ? e->label : fname;
    e->field = arena_printf(r->a, "%s[%zu]%s%s", ch->name, i, *fname ? "." : "", fname);
    const char *cl = label_for(r->locale, ch->zh, ch->tw, ch->en);
    if (r->locale && !strcmp(r->locale, "en"))
        e->label = arena_printf(r->a, "%s row %zu%s%s", cl, i + 1, *flabel ? ": " : "", flabel);
    else
        e->label = arena_printf(r->a, "%s第%zu行%s%s", cl, i + 1, *flabel ? "·" : "", flabel);
    return -1;
}

/* The error of the whole collection (its size, its type): field = the collection's name. */
static int collection_error(Req *r, const Child *ch, int status, const char *code, const char *detail, Err *e) {
    err_set(e, status, code, ch->name, "%s", detail ? detail : "");
    e->label = label_for(r->locale, ch->zh, ch->tw, ch->en);
    return -1;
}

/* One element of the array sent for ch, validated into a new line object (new reference).
   stored: the parent's stored lines (NULL on create); taken: ids already used in this array. */
static json_t *line_collect(Req *r, const Child *ch, size_t i, json_t *el, json_t *stored, json_t *taken, Err *e) {
    if (!json_is_object(el)) {
        err_set(e, 400, EC_TYPE, NULL, "%s", "{}");
        line_error(r, ch, i, e);
        return NULL;
    }
    json_t *line = NULL;
    json_t *id = json_object_get(el, "id");
    if (id && !json_is_null(id)) {
        /* a stored line of this parent, named once */
        json_t *old = NULL, *s;
        size_t k;
        json_array_foreach(stored, k, s) if (json_is_integer(id) && json_equal(json_object_get(s, "id"), id)) old = s;
        char key[32];
        snprintf(key, sizeof key, "%lld", (long long)(json_is_integer(id) ? json_integer_value(id) : 0));
        if (!old || json_object_get(taken, key)) {
            err_set(e, 400, EC_REF, "id", NULL);
            line_error(r, ch, i, e);
            return NULL;
        }
        json_object_set_new(taken, key, json_true());
        line = json_deep_copy(old);
    } else {
        line = json_object();
    }
    const char *k;
    json_t *v;
    json_object_foreach(el, k, v) {
        if (strcmp(k, "id") == 0) continue;
        const Field *f = line_field(ch, k);
        if (!f) {
            err_set(e, 400, EC_UNKNOWN_FIELD, arena_strdup(r->a, k), NULL);
            goto fail;
        }
        if (f->flags & F_READONLY) {
            err_set(e, 400, EC_READONLY, f->name, NULL);
            e->label = field_label(r, f);
            goto fail;
        }
        json_t *nv;
        if (field_validate(r, f, v, &nv, e) < 0) goto fail;
        json_object_set_new(line, f->name, nv);
    }
    if (!json_object_get(line, "id") && record_defaults(r, ch->fields, line, e) < 0) goto fail;
    return line;
fail:
    json_decref(line);
    line_error(r, ch, i, e);
    return NULL;
}

int children_collect(Req *r, const Entity *en, json_t *body, json_t *old, json_t *rec, Err *e) {
    for (const Child *ch = en->children; ch && ch->name; ch++) {
        json_t *sent = json_object_get(body, ch->name);
        json_t *stored = old ? json_object_get(old, ch->name) : NULL;
        int max = ch->max_rows ? ch->max_rows : LINES_MAX_DEFAULT;
        if (!sent) { /* left out: a new record has none, a stored one keeps its lines */
            if (!old) json_object_set_new(rec, ch->name, json_array());
            if (!old && ch->min_rows > 0) return collection_error(r, ch, 400, EC_REQUIRED, NULL, e);
            continue;
        }
        if (!json_is_array(sent)) return collection_error(r, ch, 400, EC_TYPE, "[]", e);
        if (json_array_size(sent) > (size_t)max)
            return collection_error(r, ch, 400, EC_ROWS_MAX, arena_printf(r->a, "%d", max), e);
        if (json_array_size(sent) < (size_t)ch->min_rows)
            return collection_error(r, ch, 400, EC_ROWS_MIN, arena_printf(r->a, "%d", ch->min_rows), e);
        json_t *out = json_array(), *taken = json_object(), *el;
        size_t i;
        json_array_foreach(sent, i, el) {
            json_t *line = line_collect(r, ch, i, el, stored, taken, e);
            if (!line) {
                json_decref(out);
                json_decref(taken);
                return -1;
            }
            json_array_append_new(out, line);
        }
        json_decref(taken);
        json_object_set_new(rec, ch->name, out);
    }
    return 0;
}

int record_compute(Req *r, const Entity *en, json_t *rec, Err *e) {
    for (const Child *ch = en->children; ch && ch->name; ch++) {
        if (!ch->computes) continue;
        json_t *line;
        size_t i;
        json_array_foreach(json_object_get(rec, ch->name), i, line) {
            if (compute_run(r, ch->computes, ch->fields, NULL, line, NULL, e) < 0) return line_error(r, ch, i, e);
        }
    }
    return en->computes ? compute_run(r, en->computes, en->fields, en->children, rec, NULL, e) : 0;
}

bool children_changed(const Entity *en, json_t *rec, json_t *old) {
    for (const Child *ch = en->children; ch && ch->name; ch++)
        if (!json_equal(json_object_get(rec, ch->name), json_object_get(old, ch->name))) return true;
    return false;
}

/* INSERT one line at position idx; its new id, or 0 on error. */
static int64_t line_insert(Req *r, const Child *ch, int64_t parent, size_t idx, json_t *line) {
    Buf cols, vals;
    buf_init(&cols, r->a);
    buf_init(&vals, r->a);
    buf_puts(&cols, "parent_id, idx");
    buf_puts(&vals, "?1, ?2");
    int p = 3;
    for (const Field *f = ch->fields; f->name; f++) {
        buf_printf(&cols, ", %s", f->name);
        buf_printf(&vals, ", ?%d", p++);
    }
    Stmt *st = db_prepare(
        r->db, arena_printf(r->a, "INSERT INTO %s (%s) VALUES (%s) RETURNING id", ch->table, cols.p, vals.p));
    if (!st) return 0;
    db_bind_int64(st, 1, parent);
    db_bind_int64(st, 2, (int64_t)idx);
    p = 3;
    for (const Field *f = ch->fields; f->name; f++)
        bind_value(st, p++, f->type, json_object_get(line, f->name));
    int64_t id = db_step(st) == DB_ROW ? db_col_int64(st, 0) : 0;
    db_done(st);
    return id;
}

/* UPDATE the fields of a stored line that differ from before, and its position; records
   "lines#id.field": [before, after] in changes. 0 ok, -1 database error. */
static int line_update(Req *r, const Child *ch, int64_t parent, size_t idx, size_t old_idx, json_t *line,
                       json_t *before, json_t *changes) {
    int64_t id = json_integer_value(json_object_get(line, "id"));
    Buf sql;
    buf_init(&sql, r->a);
    buf_printf(&sql, "UPDATE %s SET idx = ?3", ch->table);
    int p = 4, n = 0;
    for (const Field *f = ch->fields; f->name; f++) {
        json_t *a = json_object_get(before, f->name), *b = json_object_get(line, f->name);
        if (json_equal(a ? a : json_null(), b ? b : json_null())) continue;
        buf_printf(&sql, ", %s = ?%d", f->name, p++);
        json_object_set_new(changes, arena_printf(r->a, "%s#%lld.%s", ch->name, (long long)id, f->name),
                            json_pack("[O?,O?]", a, b));
        n++;
    }
    if (n == 0 && idx == old_idx) return 0;
    buf_puts(&sql, " WHERE id = ?1 AND parent_id = ?2");
    Stmt *st = db_prepare(r->db, sql.p);
    if (!st) return -1;
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, parent);
    db_bind_int64(st, 3, (int64_t)idx);
    p = 4;
    for (const Field *f = ch->fields; f->name; f++) {
        json_t *a = json_object_get(before, f->name), *b = json_object_get(line, f->name);
        if (!json_equal(a ? a : json_null(), b ? b : json_null())) bind_value(st, p++, f->type, b);
    }
    int rc = db_step(st);
    db_done(st);
    return rc < 0 ? -1 : 0;
}

int children_save(Req *r, const Entity *en, int64_t parent, json_t *rec, json_t *old, json_t *changes, Err *e) {
    for (const Child *ch = en->children; ch && ch->name; ch++) {
        json_t *lines = json_object_get(rec, ch->name);
        json_t *stored = old ? json_object_get(old, ch->name) : NULL;
        if (old && json_equal(lines, stored)) continue;
        json_t *line, *s;
        size_t i, k;
        json_array_foreach(lines, i, line) {
            json_t *id = json_object_get(line, "id");
            if (!id) {
                int64_t nid = line_insert(r, ch, parent, i, line);
                if (!nid) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
                json_object_set_new(line, "id", json_integer(nid));
                json_object_set_new(changes, arena_printf(r->a, "%s#%lld", ch->name, (long long)nid),
                                    json_pack("[n,O]", line));
                continue;
            }
            json_t *before = NULL;
            size_t old_idx = 0;
            json_array_foreach(stored, k, s) if (json_equal(json_object_get(s, "id"), id)) {
                before = s;
                old_idx = k;
            }
            if (line_update(r, ch, parent, i, old_idx, line, before, changes) < 0)
                return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        }
        /* stored lines the array left out */
        json_array_foreach(stored, k, s) {
            json_t *id = json_object_get(s, "id");
            bool kept = false;
            json_array_foreach(lines, i, line) kept |= json_equal(json_object_get(line, "id"), id);
            if (kept) continue;
            Stmt *st =
                db_prepare(r->db, arena_printf(r->a, "DELETE FROM %s WHERE id = ?1 AND parent_id = ?2", ch->table));
            if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
            db_bind_int64(st, 1, json_integer_value(id));
            db_bind_int64(st, 2, parent);
            int rc = db_step(st);
            db_done(st);
            if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
            json_object_set_new(changes, arena_printf(r->a, "%s#%lld", ch->name, (long long)json_integer_value(id)),
                                json_pack("[O,n]", s));
        }
    }
    return 0;
}

int children_load(Req *r, const Entity *en, json_t *row) {
    int64_t parent = json_integer_value(json_object_get(row, "id"));
    for (const Child *ch = en->children; ch && ch->name; ch++) {
        Buf sql;
        buf_init(&sql, r->a);
        buf_puts(&sql, "SELECT id");
        for (const Field *f = ch->fields; f->name; f++)
            buf_printf(&sql, ", %s", f->name);
        buf_printf(&sql, " FROM %s WHERE parent_id = ?1 ORDER BY idx, id", ch->table);
        Stmt *st = db_prepare(r->db, sql.p);
        if (!st) return -1;
        db_bind_int64(st, 1, parent);
        json_t *lines = json_array();
        int rc;
        while ((rc = db_step(st)) == DB_ROW) {
            json_t *line = json_pack("{s:I}", "id", (json_int_t)db_col_int64(st, 0));
            int c = 1;
            for (const Field *f = ch->fields; f->name; f++)
                json_object_set_new(line, f->name, entity_col_json(st, c++, f->type));
            json_array_append_new(lines, line);
        }
        db_done(st);
        json_object_set_new(row, ch->name, lines);
        if (rc < 0) return -1;
    }
    return 0;
}
