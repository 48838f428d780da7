/*
** audit.c — reading the audit trail (R-ORG-3) and explicit shares (R-ORG-1).
** Entries are written by audit_write (crud.c) in the changing transaction.
*/
#include <string.h>

#include "../core/errcodes.h"
#include "model.h"

/*
** GET /api/v1/audit?entity=E&id=N                      signed in
** 200 {"items":[{"id","row_id","at","user_id","user_name","action","changes","client_addr","request_id"}]}
** newest first, with the history of records merged into this one (their row_id) | 404 row not
** visible | 400 missing parameters
*/
int audit_list(Req *r, Err *e) {
    const char *name = req_query(r, "entity"), *ids = req_query(r, "id");
    int64_t id;
    if (!name || !*name) return err_set(e, 400, EC_BAD_QUERY, "entity", "required");
    if (!ids || str_to_int64(ids, &id) != 0 || id <= 0) return err_set(e, 400, EC_BAD_QUERY, "id", "required");
    const Entity *en = entity_find(name);
    if (!en) return err_set(e, 404, EC_REC_NOT_FOUND, NULL, NULL);
    if (!(r->user->roles & RB(ADMIN))) {
        if (!entity_can_read(en, r->user)) return err_set(e, 404, EC_REC_NOT_FOUND, NULL, NULL);
        json_t *row = entity_load(r, en, id, e);
        if (!row) return -1;
        json_decref(row);
    }
    static const char zSql[] =
        "SELECT a.id, a.at, a.user_id, u.display_name, a.action, a.changes, a.client_addr, a.request_id, a.row_id\n"
        "  FROM audit a LEFT JOIN users u ON u.id = a.user_id\n"
        " WHERE a.entity = ?1 AND (a.row_id = ?2 OR a.row_id IN (SELECT m.from_id FROM record_merges m\n"
        "       WHERE m.entity = ?1 AND m.into_id = ?2)) ORDER BY a.id DESC LIMIT 500";
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, id);
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        const char *ch = db_col_text(st, 5);
        json_t *changes = ch ? json_loads(ch, 0, NULL) : NULL;
        if (json_is_object(changes)) row_mask_fields(en, r->user, changes); /* fields this reader may not read */
        json_array_append_new(
            items,
            json_pack("{s:I, s:I, s:I, s:o, s:s?, s:s, s:o, s:s?, s:s?}", "id", (json_int_t)db_col_int64(st, 0),
                      "row_id", (json_int_t)db_col_int64(st, 8), "at", (json_int_t)db_col_int64(st, 1), "user_id",
                      db_col_null(st, 2) ? json_null() : json_integer(db_col_int64(st, 2)), "user_name",
                      db_col_text(st, 3), "action", db_col_text(st, 4), "changes", changes ? changes : json_object(),
                      "client_addr", db_col_text(st, 6), "request_id", db_col_text(st, 7)));
    }
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/*
** GET /api/v1/:entity/:id/shares                       row readers
** 200 {"items":[{"user_id","display_name","created_at"}]}
*/
int shares_list(Req *r, Err *e) {
    const Entity *en;
    int64_t id;
    if (!entity_request_row(r, &en, &id, e)) return -1;
    Stmt *st = db_prepare(
        r->db, "SELECT s.user_id, u.display_name, s.created_at FROM shares s JOIN users u ON u.id = s.user_id\n"
               " WHERE s.entity = ?1 AND s.row_id = ?2 ORDER BY s.created_at");
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, id);
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(items,
                              json_pack("{s:I, s:s, s:I}", "user_id", (json_int_t)db_col_int64(st, 0), "display_name",
                                        db_col_text(st, 1), "created_at", (json_int_t)db_col_int64(st, 2)));
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

int entity_share(Req *r, const Entity *en, int64_t id, int64_t user) {
    Stmt *st = db_prepare(
        r->db, "INSERT INTO shares(entity, row_id, user_id, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5)\n"
               " ON CONFLICT (entity, row_id, user_id) DO NOTHING");
    if (!st) return -1;
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, id);
    db_bind_int64(st, 3, user);
    db_bind_int64(st, 4, r->now);
    if (r->user)
        db_bind_int64(st, 5, r->user->id);
    else
        db_bind_null(st, 5);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0) return -1;
    return audit_write(r, en->name, id, "share", json_pack("{s:[n,I]}", "shared_with", (json_int_t)user)) < 0 ? -1 : 0;
}

/*
** POST /api/v1/:entity/:id/shares                      owner, managers, admin
** Body: {"user_id": N}
** 201 | 400 field.reference | 403 | 404
*/
int shares_add(Req *r, Err *e) {
    const Entity *en;
    int64_t id;
    json_t *row = entity_request_row(r, &en, &id, e);
    if (!row) return -1;
    if (entity_row_check(r, en, row, ACCESS_SHARE, e) < 0) return -1;
    json_t *body = req_json(r, e);
    if (!body) return -1;
    json_t *uid = json_object_get(body, "user_id");
    if (!json_is_integer(uid)) return err_set(e, 400, EC_TYPE, "user_id", "id");
    int ok = entity_ref_ok(r, "users", json_integer_value(uid));
    if (ok < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (!ok) return err_set(e, 400, EC_REF, "user_id", NULL);
    if (entity_share(r, en, id, json_integer_value(uid)) < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return reply_json(r, 201, json_pack("{s:O}", "user_id", uid));
}

/*
** DELETE /api/v1/:entity/:id/shares/:user_id           owner, managers, admin
** 204 | 404
*/
int shares_remove(Req *r, Err *e) {
    const Entity *en;
    int64_t id, uid;
    json_t *row = entity_request_row(r, &en, &id, e);
    if (!row) return -1;
    if (entity_row_check(r, en, row, ACCESS_SHARE, e) < 0) return -1;
    if (req_param_id(r, 2, &uid, e) < 0) return -1;
    Stmt *st = db_prepare(r->db, "DELETE FROM shares WHERE entity = ?1 AND row_id = ?2 AND user_id = ?3");
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, id);
    db_bind_int64(st, 3, uid);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (db_changes(r->db) != 1) return err_set(e, 404, EC_REC_NOT_FOUND, NULL, NULL);
    if (audit_write(r, en->name, id, "unshare", json_pack("{s:[I,n]}", "shared_with", (json_int_t)uid)) < 0)
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return reply_empty(r, 204);
}
