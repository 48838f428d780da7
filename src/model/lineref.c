/*
** lineref.c — a reference to a line of another document (FT_LINE, entity.h): an inspection's
** order line, an order line's contract line. The field names the child collection (`ref`) of
** the document named by another field (`line_of`, an FT_REF of the record, or of the parent
** record for a field of a line). On every create and patch that sets or moves it, the line must
** belong to that document and the document must be visible (F_REF_ANY: need not be); a read-only
** `line_of` left empty is filled with the line's document. People see the line by its label:
** its position and the fields its Child.label names ("第2行 · 不锈钢球阀 · 40").
*/
#include <string.h>

#include "../core/errcodes.h"
#include "model.h"
#include "print.h"

/* Field named name in a {NULL}-terminated list, or NULL. */
static const Field *field_in(const Field *fields, const char *name) {
    for (const Field *f = fields; f && f->name; f++)
        if (!strcmp(f->name, name)) return f;
    return NULL;
}

const Field *lineref_doc_field(const Entity *en, const Child *own, const Field *f, bool *in_parent) {
    const Field *of = own ? field_in(own->fields, f->line_of) : NULL;
    if (in_parent) *in_parent = !of;
    return of ? of : field_in(en->fields, f->line_of);
}

const Child *lineref_child(const Entity *en, const Child *own, const Field *f, const Entity **doc) {
    const Field *of = f->line_of ? lineref_doc_field(en, own, f, NULL) : NULL;
    const Entity *d = of && of->type == FT_REF ? entity_find(of->ref) : NULL;
    if (doc) *doc = d;
    return d && f->ref ? entity_child(d, f->ref) : NULL;
}

/* At start: every FT_LINE names an FT_REF field whose entity has the child collection. */
static int check_one(const Entity *en, const Child *own, const Field *f) {
    if (f->type != FT_LINE) return 0;
    if (!lineref_child(en, own, f, NULL)) {
        log_error("entity %s: line field %s: %s is no reference to a document with lines %s", en->name, f->name,
                  f->line_of ? f->line_of : "(line_of)", f->ref ? f->ref : "(ref)");
        return -1;
    }
    return 0;
}

int lineref_check_decl(const Entity *en) {
    int bad = 0;
    for (const Field *f = en->fields; f->name; f++)
        bad |= check_one(en, NULL, f);
    for (const Child *ch = en->children; ch && ch->name; ch++)
        for (const Field *f = ch->fields; f->name; f++)
            bad |= check_one(en, ch, f);
    return bad ? -1 : 0;
}

/* The error naming the field (fname: "order_line_id" or "lines[2].contract_line_id"). */
static int ref_fail(Req *r, const Field *f, const char *fname, Err *e) {
    err_set(e, 400, EC_REF, fname, NULL);
    e->label = field_label(r, f);
    return -1;
}

/* The document line `line` of collection ch: its parent id in *parent. 1 found, 0 not, -1 error. */
static int line_parent(Req *r, const Child *ch, int64_t line, int64_t *parent) {
    Stmt *st = db_prepare(r->db, arena_printf(r->a, "SELECT parent_id FROM %s WHERE id = ?1", ch->table));
    if (!st) return -1;
    db_bind_int64(st, 1, line);
    int rc = db_step(st);
    if (rc == DB_ROW) *parent = db_col_int64(st, 0);
    db_done(st);
    return rc < 0 ? -1 : rc == DB_ROW;
}

/*
** One value: the line `v` of the document named by holder[of] (holder: the record, or the line
** when the document field is the line's own). Filled when that field is read-only and empty.
*/
static int check_value(Req *r, const Entity *en, const Child *own, const Field *f, json_t *v, json_t *holder,
                       const char *fname, Err *e) {
    const Entity *doc;
    const Child *ch = lineref_child(en, own, f, &doc);
    const Field *of = lineref_doc_field(en, own, f, NULL);
    if (!ch) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    int64_t line = json_integer_value(v), want = json_integer_value(json_object_get(holder, of->name)), parent = 0;
    int rc = line_parent(r, ch, line, &parent);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (!rc) return ref_fail(r, f, fname, e);
    if (!want && (of->flags & F_READONLY)) { /* the document follows from the line */
        want = parent;
        json_object_set_new(holder, of->name, json_integer(parent));
    }
    if (parent != want) return ref_fail(r, f, fname, e);
    rc = (f->flags & F_REF_ANY) ? entity_ref_exists(r, doc->name, parent) : entity_ref_ok(r, doc->name, parent);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return rc ? 0 : ref_fail(r, f, fname, e);
}

/* Did key change between a and b (b NULL: everything is new)? */
static bool moved(json_t *a, json_t *b, const char *key) {
    if (!b) return true;
    json_t *x = json_object_get(a, key), *y = json_object_get(b, key);
    return !json_equal(x ? x : json_null(), y ? y : json_null());
}

/* The stored line of old's collection ch with the id of line, or NULL. */
static json_t *stored_line(json_t *old, const Child *ch, json_t *line) {
    json_t *id = json_object_get(line, "id"), *s;
    size_t k;
    if (!old || !id) return NULL;
    json_array_foreach(json_object_get(old, ch->name), k, s) if (json_equal(json_object_get(s, "id"), id)) return s;
    return NULL;
}

int record_check_lines(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    for (const Field *f = en->fields; f->name; f++) {
        json_t *v = json_object_get(rec, f->name);
        if (f->type != FT_LINE || !json_is_integer(v)) continue;
        if (!moved(rec, old, f->name) && !moved(rec, old, f->line_of)) continue;
        if (check_value(r, en, NULL, f, v, rec, f->name, e) < 0) return -1;
    }
    for (const Child *ch = en->children; ch && ch->name; ch++) {
        for (const Field *f = ch->fields; f->name; f++) {
            if (f->type != FT_LINE) continue;
            bool in_parent;
            lineref_doc_field(en, ch, f, &in_parent);
            bool doc_moved = in_parent && moved(rec, old, f->line_of);
            json_t *line;
            size_t i;
            json_array_foreach(json_object_get(rec, ch->name), i, line) {
                json_t *v = json_object_get(line, f->name);
                if (!json_is_integer(v)) continue;
                json_t *before = stored_line(old, ch, line);
                if (!doc_moved && before && !moved(line, before, f->name) &&
                    (in_parent || !moved(line, before, f->line_of)))
                    continue;
                const char *fname = arena_printf(r->a, "%s[%zu].%s", ch->name, i, f->name);
                if (check_value(r, en, ch, f, v, in_parent ? rec : line, fname, e) < 0) return -1;
            }
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- labels */

/* Text of one label value of a line (a reference by its row's title, a quantity in units), or
   NULL when it shows nothing; *err set on a database error. */
static const char *part_text(Req *r, const Field *f, json_t *v, bool *err) {
    if (!v || json_is_null(v)) return NULL;
    if (f->type == FT_REF) {
        const Entity *ref = entity_find(f->ref);
        int64_t id = json_integer_value(v);
        if (!ref || !ref->title_field) return arena_printf(r->a, "#%lld", (long long)id);
        Stmt *q =
            db_prepare(r->db, arena_printf(r->a, "SELECT %s FROM %s WHERE id = ?1", ref->title_field, ref->table));
        if (!q) {
            *err = true;
            return NULL;
        }
        db_bind_int64(q, 1, id);
        int rc = db_step(q);
        const char *t = rc == DB_ROW && db_col_text(q, 0) ? arena_strdup(r->a, db_col_text(q, 0)) : NULL;
        db_done(q);
        if (rc < 0) *err = true;
        return t;
    }
    if (f->type == FT_QTY) return print_qty(r->a, json_integer_value(v));                       /* 2.5, 1,200 */
    if (f->type == FT_ENUM && json_is_string(v)) return enum_label(r, f, json_string_value(v)); /* 上门回访 */
    if (json_is_integer(v)) return arena_printf(r->a, "%lld", (long long)json_integer_value(v));
    return json_string_value(v) ? arena_strdup(r->a, json_string_value(v)) : NULL;
}

json_t *lineref_labels(Req *r, const Child *ch, int64_t parent) {
    Buf sql;
    buf_init(&sql, r->a);
    buf_puts(&sql, "SELECT id");
    const Field *parts[8];
    int n = 0;
    for (const char *p = ch->label; p && *p && n < 8;) {
        while (*p == ' ')
            p++;
        size_t l = strcspn(p, " ");
        const Field *f = NULL;
        for (const Field *x = ch->fields; l && x->name; x++)
            if (strlen(x->name) == l && !strncmp(x->name, p, l)) f = x;
        if (f) {
            parts[n++] = f;
            buf_printf(&sql, ", %s", f->name);
        }
        p += l;
    }
    buf_printf(&sql, " FROM %s WHERE parent_id = ?1 ORDER BY idx, id", ch->table);
    Stmt *st = db_prepare(r->db, sql.p);
    if (!st) return NULL;
    db_bind_int64(st, 1, parent);
    json_t *raw = json_array(); /* [id, value...] per line: titles are read once the lines are */
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *a = json_pack("[I]", (json_int_t)db_col_int64(st, 0));
        for (int k = 0; k < n; k++)
            json_array_append_new(a, entity_col_json(st, k + 1, parts[k]->type));
        json_array_append_new(raw, a);
    }
    db_done(st);
    json_t *items = json_array(), *a;
    size_t i;
    bool err = rc < 0, en = r->locale && !strcmp(r->locale, "en");
    json_array_foreach(raw, i, a) {
        Buf b;
        buf_init(&b, r->a);
        buf_printf(&b, en ? "Line %zu" : "第%zu行", i + 1);
        for (int k = 0; k < n && !err; k++) {
            const char *t = part_text(r, parts[k], json_array_get(a, (size_t)k + 1), &err);
            if (t && *t) buf_printf(&b, " · %s", t);
        }
        json_array_append_new(items, json_pack("{s:O, s:s}", "id", json_array_get(a, 0), "label", b.p));
    }
    json_decref(raw);
    if (err) {
        json_decref(items);
        return NULL;
    }
    return items;
}

/*
** GET /api/v1/:entity/:id/line-labels/:child             signed in; the document visible
** 200 {"items":[{"id","label"}]} the lines in order, each named for a picker or a read view
** ("第2行 · 不锈钢球阀 · 40") | 404 document or collection unknown or not visible
*/
int lineref_labels_get(Req *r, Err *e) {
    const Entity *en;
    int64_t id;
    json_t *row = entity_request_row(r, &en, &id, e);
    if (!row) return -1;
    const Child *ch = entity_child(en, r->params[2]);
    if (!ch) return err_set(e, 404, EC_NOT_FOUND, NULL, NULL);
    json_t *items = lineref_labels(r, ch, id);
    if (!items) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}
