/*
** versions.c — versions of signed documents (issue 9, mechanism 4). A row in a
** state its workflow does not list as editable is signed: only the entity's
** after_sign fields may still change (crud.c check_editable). To change more,
** a transition flagged T_REVISE (flow.h) opens a new version: the signed row —
** fields and lines — is kept whole here first, numbered 1, 2, 3 … Every kept
** version stays readable, and any two (or one and the current row) are compared
** field by field and line by line.
*/
#include <stdlib.h>
#include <string.h>

#include "../core/errcodes.h"
#include "model.h"

/* The row's fields and lines as a document: system columns and transient keys left out. */
static json_t *document_of(const Entity *en, json_t *rec) {
    json_t *doc = json_object();
    for (const Field *f = en->fields; f->name; f++) {
        if (f->flags & (F_WRITEONLY | F_VIRTUAL)) continue;
        json_t *v = json_object_get(rec, f->name);
        json_object_set(doc, f->name, v ? v : json_null());
    }
    for (const Child *ch = en->children; ch && ch->name; ch++) {
        json_t *v = json_object_get(rec, ch->name);
        json_object_set_new(doc, ch->name, v ? json_deep_copy(v) : json_array());
    }
    return doc;
}

int version_keep(Req *r, const Entity *en, json_t *rec, const char *state, const char *reason, Err *e) {
    static const char zSql[] =
        "INSERT INTO record_versions(entity, row_id, revision, state, snapshot, reason, created_at, created_by)\n"
        " SELECT ?1, ?2, COALESCE(MAX(revision), 0) + 1, ?3, ?4, ?5, ?6, ?7 FROM record_versions"
        " WHERE entity = ?1 AND row_id = ?2 RETURNING revision";
    int64_t id = json_integer_value(json_object_get(rec, "id"));
    json_t *doc = document_of(en, rec);
    char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(doc);
    Stmt *st = db_prepare(r->db, zSql);
    if (!st || !text) {
        free(text);
        db_done(st);
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, id);
    if (state)
        db_bind_text(st, 3, state, -1);
    else
        db_bind_null(st, 3);
    db_bind_text(st, 4, text, -1);
    if (reason)
        db_bind_text(st, 5, reason, -1);
    else
        db_bind_null(st, 5);
    db_bind_int64(st, 6, r->now);
    db_bind_int64(st, 7, r->user->id);
    int rc = db_step(st);
    int64_t rev = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_done(st);
    free(text);
    if (!rev) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (audit_write(r, en->name, id, "new_version",
                    json_pack("{s:[I,I]}", "revision", (json_int_t)rev, (json_int_t)rev + 1)) < 0)
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return 0;
}

/* Kept version rev of a row as {"revision","state","reason","created_at","created_by","document"}
   (new reference), NULL with e: 404 when there is none, 500 on an error. */
static json_t *version_load(Req *r, const Entity *en, int64_t id, int64_t rev, Err *e) {
    Stmt *st = db_prepare(r->db, "SELECT revision, state, reason, created_at, created_by, snapshot FROM record_versions"
                                 " WHERE entity = ?1 AND row_id = ?2 AND revision = ?3");
    if (!st) {
        err_set(e, 500, EC_INTERNAL, NULL, NULL);
        return NULL;
    }
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, id);
    db_bind_int64(st, 3, rev);
    int rc = db_step(st);
    json_t *o = NULL;
    if (rc == DB_ROW) {
        json_t *doc = json_loads(db_col_text(st, 5), 0, NULL);
        o = json_pack("{s:I, s:s?, s:s?, s:I, s:o, s:o}", "revision", (json_int_t)db_col_int64(st, 0), "state",
                      db_col_null(st, 1) ? NULL : db_col_text(st, 1), "reason",
                      db_col_null(st, 2) ? NULL : db_col_text(st, 2), "created_at", (json_int_t)db_col_int64(st, 3),
                      "created_by", db_col_null(st, 4) ? json_null() : json_integer(db_col_int64(st, 4)), "document",
                      doc ? doc : json_object());
    }
    db_done(st);
    if (!o) err_set(e, rc < 0 ? 500 : 404, rc < 0 ? EC_INTERNAL : EC_REC_NOT_FOUND, NULL, NULL);
    return o;
}

/*
** GET /api/v1/:entity/:id/versions                    who reads the record
** 200 {"current_revision": N, "items":[{"revision","state","reason","created_at","created_by"}]}
** oldest first; the current row is revision N (one more than the versions kept) | 404
*/
int versions_list(Req *r, Err *e) {
    const Entity *en;
    int64_t id;
    if (!entity_request_row(r, &en, &id, e)) return -1;
    Stmt *st = db_prepare(r->db, "SELECT revision, state, reason, created_at, created_by FROM record_versions"
                                 " WHERE entity = ?1 AND row_id = ?2 ORDER BY revision");
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, id);
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(items,
                              json_pack("{s:I, s:s?, s:s?, s:I, s:o}", "revision", (json_int_t)db_col_int64(st, 0),
                                        "state", db_col_null(st, 1) ? NULL : db_col_text(st, 1), "reason",
                                        db_col_null(st, 2) ? NULL : db_col_text(st, 2), "created_at",
                                        (json_int_t)db_col_int64(st, 3), "created_by",
                                        db_col_null(st, 4) ? json_null() : json_integer(db_col_int64(st, 4))));
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    return reply_json(
        r, 200, json_pack("{s:I, s:o}", "current_revision", (json_int_t)json_array_size(items) + 1, "items", items));
}

/*
** GET /api/v1/:entity/:id/versions/:rev               who reads the record
** 200 {"revision","state","reason","created_at","created_by","document":{fields…, lines…}} | 404
*/
int versions_get(Req *r, Err *e) {
    const Entity *en;
    int64_t id, rev;
    if (!entity_request_row(r, &en, &id, e)) return -1;
    if (req_param_id(r, 2, &rev, e) < 0) return -1;
    json_t *v = version_load(r, en, id, rev, e);
    return v ? reply_json(r, 200, v) : -1;
}

/* Field-by-field differences of two documents' fields: {"f": [a, b]}. */
static json_t *fields_diff(const Entity *en, json_t *a, json_t *b) {
    json_t *d = json_object();
    for (const Field *f = en->fields; f->name; f++) {
        json_t *x = json_object_get(a, f->name), *y = json_object_get(b, f->name);
        if (!json_equal(x ? x : json_null(), y ? y : json_null()))
            json_object_set_new(d, f->name, json_pack("[O?,O?]", x, y));
    }
    return d;
}

/* Line-by-line differences of one collection: {"added":[line],"removed":[line],"changed":[{"id","fields"}]}. */
static json_t *lines_diff(const Child *ch, json_t *a, json_t *b) {
    json_t *added = json_array(), *removed = json_array(), *changed = json_array(), *x, *y;
    size_t i, j;
    json_array_foreach(b, i, y) {
        json_t *match = NULL;
        json_array_foreach(a, j, x) if (json_equal(json_object_get(x, "id"), json_object_get(y, "id"))) match = x;
        if (!match) {
            json_array_append(added, y);
            continue;
        }
        json_t *fd = json_object();
        for (const Field *f = ch->fields; f->name; f++) {
            json_t *p = json_object_get(match, f->name), *q = json_object_get(y, f->name);
            if (!json_equal(p ? p : json_null(), q ? q : json_null()))
                json_object_set_new(fd, f->name, json_pack("[O?,O?]", p, q));
        }
        if (json_object_size(fd))
            json_array_append_new(changed, json_pack("{s:O, s:o}", "id", json_object_get(y, "id"), "fields", fd));
        else
            json_decref(fd);
    }
    json_array_foreach(a, j, x) {
        bool kept = false;
        json_array_foreach(b, i, y) kept |= json_equal(json_object_get(x, "id"), json_object_get(y, "id"));
        if (!kept) json_array_append(removed, x);
    }
    return json_pack("{s:o, s:o, s:o}", "added", added, "removed", removed, "changed", changed);
}

/*
** GET /api/v1/:entity/:id/versions/:rev/diff?to=M|current      who reads the record
** 200 {"from": rev, "to": M | "current", "fields": {"f": [a, b]}, "lines": {"lines": {"added",
**      "removed", "changed": [{"id","fields"}]}}} — what changed from version rev to version M
**      (default: the next one, or the current row after the last) | 400 bad "to" | 404
*/
int versions_diff(Req *r, Err *e) {
    const Entity *en;
    int64_t id, rev, to = 0;
    json_t *row = entity_request_row(r, &en, &id, e);
    if (!row) return -1;
    if (req_param_id(r, 2, &rev, e) < 0) return -1;
    json_t *a = version_load(r, en, id, rev, e);
    if (!a) return -1;
    arena_defer(r->a, (void (*)(void *))json_decref, a);
    const char *q = req_query(r, "to");
    bool current = q && !strcmp(q, "current");
    if (q && !current && (str_to_int64(q, &to) != 0 || to <= rev))
        return err_set(e, 400, EC_BAD_QUERY, "to", "current or a later revision");
    json_t *bdoc;
    if (current) {
        bdoc = document_of(en, row);
    } else {
        Err e2 = {0};
        json_t *b = version_load(r, en, id, to ? to : rev + 1, &e2);
        if (!b && e2.status != 404) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        if (!b && to) return err_set(e, 404, EC_REC_NOT_FOUND, NULL, NULL);
        current = !b; /* after the last kept version comes the current row */
        bdoc = b ? json_incref(json_object_get(b, "document")) : document_of(en, row);
        if (!to) to = rev + 1;
        json_decref(b);
    }
    arena_defer(r->a, (void (*)(void *))json_decref, bdoc);
    json_t *adoc = json_object_get(a, "document");
    json_t *lines = json_object();
    for (const Child *ch = en->children; ch && ch->name; ch++)
        json_object_set_new(lines, ch->name,
                            lines_diff(ch, json_object_get(adoc, ch->name), json_object_get(bdoc, ch->name)));
    json_t *out =
        json_pack("{s:I, s:o, s:o}", "from", (json_int_t)rev, "fields", fields_diff(en, adoc, bdoc), "lines", lines);
    json_object_set_new(out, "to", current ? json_string("current") : json_integer(to));
    return reply_json(r, 200, out);
}
