/*
** links.c — links between any two records (complaint → CAPA → verification,
** visit → finding): one row in record_links per link, read from both ends,
** each end checked to exist and be visible, made and removed by someone with
** command over the record it is made from or removed at (the access rule),
** audited on both records. Kinds are declared by modules; "related" joins any two.
*/
#include <string.h>

#include "../core/errcodes.h"
#include "model.h"

#define LINK_KINDS_MAX 64
static const LinkKind related = {"related", NULL, NULL, "相关", "相關", "Related", "相关", "相關", "Related"};
static const LinkKind *aKind[LINK_KINDS_MAX] = {&related};
static int nKind = 1;

void link_kinds_declare(const LinkKind *kinds, int n) {
    for (int i = 0; i < n; i++) {
        if (nKind == LINK_KINDS_MAX) {
            log_error("links: too many link kinds (%s)", kinds[i].kind);
            return;
        }
        aKind[nKind++] = &kinds[i];
    }
}

/* The declared kind called name, or NULL. */
static const LinkKind *kind_find(const char *name) {
    for (int i = 0; name && i < nKind; i++)
        if (strcmp(aKind[i]->kind, name) == 0) return aKind[i];
    return NULL;
}

/* May kind k join a record of entity from to one of entity to? */
static bool kind_joins(const LinkKind *k, const char *from, const char *to) {
    return (!k->from || strcmp(k->from, from) == 0) && (!k->to || strcmp(k->to, to) == 0);
}

/* The label of k seen from the `from` end (out) or the `to` end. */
static const char *kind_label(Req *r, const LinkKind *k, bool out) {
    return out ? label_for(r->locale, k->zh, k->tw, k->en) : label_for(r->locale, k->rzh, k->rtw, k->ren);
}

/* The title of a live row the user sees (its title field, else its number, else "#id") into
 *title (arena): 1 seen, 0 not seen or gone, -1 database error. */
static int end_title(Req *r, const Entity *en, int64_t id, const char **title) {
    const char *tf = en->title_field && entity_field(en, en->title_field) ? en->title_field : NULL;
    Buf sql;
    buf_init(&sql, r->a);
    buf_printf(&sql, "SELECT %s%s FROM %s t WHERE t.id = ?1 AND t.deleted_at IS NULL AND ", tf ? "t." : "",
               tf ? tf : "NULL", en->table);
    entity_visibility_sql(en, r->user, &sql, 2);
    Stmt *st = db_prepare(r->db, sql.p);
    if (!st) return -1;
    db_bind_int64(st, 1, id);
    entity_visibility_bind(en, r->user, st, 2);
    int rc = db_step(st);
    if (rc == DB_ROW) {
        const char *t = db_col_null(st, 0) ? NULL : db_col_text(st, 0);
        *title = t ? arena_strdup(r->a, t) : arena_printf(r->a, "#%lld", (long long)id);
    }
    db_done(st);
    return rc < 0 ? -1 : rc == DB_ROW;
}

/*
** GET /api/v1/:entity/:id/links                       who reads the record
** 200 {"items":[{"id","kind","label","direction":"out"|"in","entity","entity_label","row_id",
**      "title","note","created_at","created_by"}], "hidden": N, "kinds":[{"kind","label","to"}]}
** Links whose other end the user does not see are not listed, only counted in "hidden".
*/
int links_list(Req *r, Err *e) {
    const Entity *en;
    int64_t id;
    if (!entity_request_row(r, &en, &id, e)) return -1;
    static const char zSql[] =
        "SELECT id, from_entity, from_id, to_entity, to_id, kind, note, created_at, created_by FROM record_links\n"
        " WHERE (from_entity = ?1 AND from_id = ?2) OR (to_entity = ?1 AND to_id = ?2) ORDER BY id";
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, id);
    json_t *raw = json_array();
    arena_defer(r->a, (void (*)(void *))json_decref, raw);
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(raw, json_pack("{s:I, s:s, s:I, s:s, s:I, s:s, s:s?, s:I, s:I}", "id",
                                             (json_int_t)db_col_int64(st, 0), "from", db_col_text(st, 1), "from_id",
                                             (json_int_t)db_col_int64(st, 2), "to", db_col_text(st, 3), "to_id",
                                             (json_int_t)db_col_int64(st, 4), "kind", db_col_text(st, 5), "note",
                                             db_col_null(st, 6) ? NULL : db_col_text(st, 6), "at",
                                             (json_int_t)db_col_int64(st, 7), "by",
                                             (json_int_t)(db_col_null(st, 8) ? 0 : db_col_int64(st, 8))));
    db_done(st);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    json_t *items = json_array(), *l;
    int hidden = 0;
    size_t i;
    json_array_foreach(raw, i, l) {
        const char *from = json_string_value(json_object_get(l, "from"));
        int64_t from_id = json_integer_value(json_object_get(l, "from_id"));
        bool out = !strcmp(from, en->name) && from_id == id;
        const Entity *other = entity_find(json_string_value(json_object_get(l, out ? "to" : "from")));
        int64_t oid = json_integer_value(json_object_get(l, out ? "to_id" : "from_id"));
        const char *title = NULL;
        int seen = other && entity_can_read(other, r->user) ? end_title(r, other, oid, &title) : 0;
        if (seen < 0) {
            json_decref(items);
            return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        }
        if (!seen) {
            hidden++;
            continue;
        }
        const LinkKind *k = kind_find(json_string_value(json_object_get(l, "kind")));
        json_t *by = json_object_get(l, "by");
        json_array_append_new(
            items,
            json_pack("{s:O, s:O, s:s, s:s, s:s, s:s, s:I, s:s, s:O, s:O, s:o}", "id", json_object_get(l, "id"), "kind",
                      json_object_get(l, "kind"), "label",
                      k ? kind_label(r, k, out) : json_string_value(json_object_get(l, "kind")), "direction",
                      out ? "out" : "in", "entity", other->name, "entity_label",
                      label_for(r->locale, other->zh, other->tw, other->en), "row_id", (json_int_t)oid, "title", title,
                      "note", json_object_get(l, "note") ? json_object_get(l, "note") : json_null(), "created_at",
                      json_object_get(l, "at"), "created_by", json_integer_value(by) ? json_incref(by) : json_null()));
    }
    json_t *kinds = json_array();
    for (int k = 0; k < nKind; k++)
        if (!aKind[k]->from || !strcmp(aKind[k]->from, en->name))
            json_array_append_new(kinds, json_pack("{s:s, s:s, s:s?}", "kind", aKind[k]->kind, "label",
                                                   kind_label(r, aKind[k], true), "to", aKind[k]->to));
    return reply_json(r, 200, json_pack("{s:o, s:i, s:o}", "items", items, "hidden", hidden, "kinds", kinds));
}

/* Audit a link or unlink on one end: {"link": [before, after]}. 0 or -1. */
static int link_audit(Req *r, const char *entity, int64_t id, const char *action, const char *kind, const char *oe,
                      int64_t oid, bool made) {
    json_t *v = json_pack("{s:s, s:s, s:I}", "kind", kind, "entity", oe, "id", (json_int_t)oid);
    return audit_write(r, entity, id, action,
                       made ? json_pack("{s:[n,o]}", "link", v) : json_pack("{s:[o,n]}", "link", v));
}

/* Insert the link and audit it on both ends: 1 made (*lid), 0 the same link exists, -1 error. */
static int link_insert(Req *r, const char *fe, int64_t fid, const char *te, int64_t tid, const char *kind,
                       const char *note, int64_t *lid) {
    static const char zSql[] =
        "INSERT INTO record_links(from_entity, from_id, to_entity, to_id, kind, note, created_at, created_by)\n"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING RETURNING id";
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return -1;
    db_bind_text(st, 1, fe, -1);
    db_bind_int64(st, 2, fid);
    db_bind_text(st, 3, te, -1);
    db_bind_int64(st, 4, tid);
    db_bind_text(st, 5, kind, -1);
    if (note)
        db_bind_text(st, 6, note, -1);
    else
        db_bind_null(st, 6);
    db_bind_int64(st, 7, r->now);
    if (r->user)
        db_bind_int64(st, 8, r->user->id);
    else
        db_bind_null(st, 8);
    int rc = db_step(st);
    *lid = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_done(st);
    if (rc < 0) return -1;
    if (!*lid) return 0;
    if (link_audit(r, fe, fid, "link", kind, te, tid, true) < 0 ||
        link_audit(r, te, tid, "link", kind, fe, fid, true) < 0)
        return -1;
    return 1;
}

/* See entity.h. */
int link_make(Req *r, const char *from_entity, int64_t from_id, const char *to_entity, int64_t to_id, const char *kind,
              const char *note, Err *e) {
    const LinkKind *k = kind_find(kind);
    if (!k || !kind_joins(k, from_entity, to_entity)) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    int64_t lid;
    int made = link_insert(r, from_entity, from_id, to_entity, to_id, k->kind, note, &lid);
    if (made < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return made;
}

/*
** POST /api/v1/:entity/:id/links                      the access rule (write) on the record
** Body: {"to_entity", "to_id", "kind"? ("related"), "note"?}
** 201 {"id"} | 400 field.* (unknown entity, a row not seen, a kind that does not join the two,
** itself) | 403 the record is only seen | 404 | 409 field.duplicate (the same link exists)
*/
int links_add(Req *r, Err *e) {
    const Entity *en;
    int64_t id;
    json_t *row = entity_request_row(r, &en, &id, e);
    if (!row) return -1;
    if (entity_row_check(r, en, row, ACCESS_WRITE, e) < 0) return -1;
    json_t *body = req_json(r, e);
    if (!body) return -1;
    const char *key;
    json_t *v;
    json_object_foreach(body, key, v) { /* nothing else is accepted */
        if (strcmp(key, "to_entity") && strcmp(key, "to_id") && strcmp(key, "kind") && strcmp(key, "note"))
            return err_set(e, 400, EC_UNKNOWN_FIELD, arena_strdup(r->a, key), NULL);
    }
    const char *te = json_string_value(json_object_get(body, "to_entity"));
    const Entity *other = te ? entity_find(te) : NULL;
    if (!other || !entity_can_read(other, r->user)) return err_set(e, 400, EC_REF, "to_entity", NULL);
    json_t *tid = json_object_get(body, "to_id");
    if (!json_is_integer(tid) || json_integer_value(tid) <= 0) return err_set(e, 400, EC_TYPE, "to_id", "id");
    int64_t oid = json_integer_value(tid);
    if (other == en && oid == id) return err_set(e, 400, EC_REF, "to_id", NULL);
    const char *title;
    int seen = end_title(r, other, oid, &title);
    if (seen < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (!seen) return err_set(e, 400, EC_REF, "to_id", NULL);
    json_t *kv = json_object_get(body, "kind");
    if (kv && !json_is_null(kv) && !json_is_string(kv)) return err_set(e, 400, EC_TYPE, "kind", "text");
    const LinkKind *k = kind_find(kv && json_is_string(kv) ? json_string_value(kv) : "related");
    if (!k || !kind_joins(k, en->name, other->name)) return err_set(e, 400, EC_ENUM, "kind", NULL);
    json_t *nv = json_object_get(body, "note");
    if (nv && !json_is_null(nv) &&
        (!json_is_string(nv) || utf8_len(json_string_value(nv), json_string_length(nv)) > 500 ||
         strlen(json_string_value(nv)) != json_string_length(nv)))
        return err_set(e, 400, json_is_string(nv) ? EC_TOO_LONG : EC_TYPE, "note", json_is_string(nv) ? "500" : "text");
    const char *note = nv && json_is_string(nv) && json_string_length(nv) ? json_string_value(nv) : NULL;
    int64_t lid;
    int made = link_insert(r, en->name, id, other->name, oid, k->kind, note, &lid);
    if (made < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (!made) return err_set(e, 409, EC_DUPLICATE, "to_id", NULL);
    return reply_json(r, 201, json_pack("{s:I}", "id", (json_int_t)lid));
}

/*
** DELETE /api/v1/:entity/:id/links/:link_id           the access rule (write) on the record
** The record must be one end of the link. 204 | 403 | 404
*/
int links_remove(Req *r, Err *e) {
    const Entity *en;
    int64_t id, lid;
    json_t *row = entity_request_row(r, &en, &id, e);
    if (!row) return -1;
    if (req_param_id(r, 2, &lid, e) < 0) return -1;
    if (entity_row_check(r, en, row, ACCESS_WRITE, e) < 0) return -1;
    static const char zSql[] =
        "DELETE FROM record_links WHERE id = ?1 AND ((from_entity = ?2 AND from_id = ?3) OR"
        " (to_entity = ?2 AND to_id = ?3)) RETURNING from_entity, from_id, to_entity, to_id, kind";
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, lid);
    db_bind_text(st, 2, en->name, -1);
    db_bind_int64(st, 3, id);
    int rc = db_step(st);
    const char *fe = NULL, *te = NULL, *kind = NULL;
    int64_t fid = 0, tid = 0;
    if (rc == DB_ROW) {
        fe = arena_strdup(r->a, db_col_text(st, 0));
        fid = db_col_int64(st, 1);
        te = arena_strdup(r->a, db_col_text(st, 2));
        tid = db_col_int64(st, 3);
        kind = arena_strdup(r->a, db_col_text(st, 4));
    }
    db_done(st);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (rc != DB_ROW) return err_set(e, 404, EC_REC_NOT_FOUND, NULL, NULL);
    if (link_audit(r, fe, fid, "unlink", kind, te, tid, false) < 0 ||
        link_audit(r, te, tid, "unlink", kind, fe, fid, false) < 0)
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return reply_empty(r, 204);
}
