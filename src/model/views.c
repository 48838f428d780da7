/*
** views.c — saved views of a list, per user (issue 10): a name and the list's
** query parameters (filters, search, sort, the chosen columns, mine / my team),
** stored on the server so that they follow the user to another browser. Only
** the user who saved a view reads, replaces or deletes it. The parameters are
** checked for shape here and by the list itself when the view is applied.
*/
#include <stdlib.h>
#include <string.h>

#include "../core/errcodes.h"
#include "model.h"

/* Most views per user and list, keys per view, characters per value. */
#define VIEWS_MAX 50
#define VIEW_KEYS_MAX 40
#define VIEW_VALUE_MAX 500

/* The entity of ?entity= / body "entity" the user may read, or NULL with e. */
static const Entity *views_entity(Req *r, const char *name, Err *e) {
    const Entity *en = name ? entity_find(name) : NULL;
    if (!name || !*name) {
        err_set(e, 400, EC_REQUIRED, "entity", NULL);
        return NULL;
    }
    if (!en || !entity_can_read(en, r->user)) {
        err_set(e, 400, EC_ENUM, "entity", "%s", "a list you may read");
        return NULL;
    }
    return en;
}

/* Is k a parameter a saved view may hold: q, sort, per_page, cols, scope, filter[f], filter[f][op]? */
static bool views_key_ok(const char *k) {
    static const char *const plain[] = {"q", "sort", "per_page", "cols", "scope", NULL};
    for (int i = 0; plain[i]; i++)
        if (!strcmp(k, plain[i])) return true;
    if (strncmp(k, "filter[", 7) != 0) return false;
    const char *p = k + 7;
    size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_");
    if (n == 0 || p[n] != ']') return false;
    p += n + 1;
    return !*p || !strcmp(p, "[gte]") || !strcmp(p, "[lte]");
}

/* A row of saved_views as JSON (query parsed back). */
static json_t *views_row(Stmt *st) {
    json_t *q = json_loads(db_col_text(st, 2), 0, NULL);
    return json_pack("{s:I, s:s, s:s, s:o, s:I}", "id", (json_int_t)db_col_int64(st, 0), "entity", db_col_text(st, 1),
                     "name", db_col_text(st, 3), "query", q ? q : json_object(), "updated_at",
                     (json_int_t)db_col_int64(st, 4));
}

/*
** GET /api/v1/my/views?entity=E        roles: any signed-in user who may read E
** 200 {"items":[{"id","entity","name","query":{param: value},"updated_at"}]} — the user's own, by name
** | 400 field.required / field.enum entity
*/
static int views_list(Req *r, Err *e) {
    const Entity *en = views_entity(r, req_query(r, "entity"), e);
    if (!en) return -1;
    Stmt *st = db_prepare(r->db, "SELECT id, entity, query, name, updated_at FROM saved_views"
                                 " WHERE user_id = ?1 AND entity = ?2 ORDER BY name, id");
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, r->user->id);
    db_bind_text(st, 2, en->name, -1);
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(items, views_row(st));
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    return reply_json(r, 200, json_pack("{s:o}", "items", items));
}

/*
** POST /api/v1/my/views                roles: any signed-in user who may read the entity
** Body: {"entity": "customers", "name": "华东 A 类", "query": {"filter[tier]": "A", "sort": "name"}}
** A view of the same name for the same list is replaced.
** 200 {view} | 400 field.* naming entity, name, query or the parameter | 409 record.limit (50 views per list)
*/
static int views_save(Req *r, Err *e) {
    json_t *body = req_json(r, e);
    if (!body) return -1;
    const Entity *en = views_entity(r, json_string_value(json_object_get(body, "entity")), e);
    if (!en) return -1;
    const char *name = json_string_value(json_object_get(body, "name"));
    if (!name || !*name) return err_set(e, 400, EC_REQUIRED, "name", NULL);
    if (utf8_len(name, strlen(name)) > 60) return err_set(e, 400, EC_TOO_LONG, "name", "60");
    json_t *q = json_object_get(body, "query");
    if (!json_is_object(q)) return err_set(e, 400, EC_FORMAT, "query", "%s", "an object of list parameters");
    if (json_object_size(q) > VIEW_KEYS_MAX) return err_set(e, 400, EC_RANGE, "query", "%d", VIEW_KEYS_MAX);
    const char *k;
    json_t *v;
    json_object_foreach(q, k, v) {
        if (!views_key_ok(k)) return err_set(e, 400, EC_FORMAT, arena_printf(r->a, "query.%s", k), "%s", "unknown");
        if (!json_is_string(v) || strlen(json_string_value(v)) > VIEW_VALUE_MAX)
            return err_set(e, 400, EC_FORMAT, arena_printf(r->a, "query.%s", k), "%s", "text up to 500 characters");
    }
    Stmt *st = db_prepare(r->db, "SELECT count(*), SUM(CASE WHEN name = ?3 THEN 1 ELSE 0 END) FROM saved_views"
                                 " WHERE user_id = ?1 AND entity = ?2");
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, r->user->id);
    db_bind_text(st, 2, en->name, -1);
    db_bind_text(st, 3, name, -1);
    int rc = db_step(st);
    int64_t n = db_col_int64(st, 0), same = db_col_int64(st, 1);
    db_done(st);
    if (rc != DB_ROW) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (!same && n >= VIEWS_MAX) return err_set(e, 409, EC_RANGE, "name", "%d", VIEWS_MAX);
    char *text = json_dumps(q, JSON_COMPACT | JSON_SORT_KEYS);
    st = db_prepare(r->db, "INSERT INTO saved_views(user_id, entity, name, query, created_at, updated_at)"
                           " VALUES (?1, ?2, ?3, ?4, ?5, ?5)"
                           " ON CONFLICT(user_id, entity, name) DO UPDATE SET query = excluded.query,"
                           " updated_at = excluded.updated_at RETURNING id, entity, query, name, updated_at");
    if (!st) {
        free(text);
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    db_bind_int64(st, 1, r->user->id);
    db_bind_text(st, 2, en->name, -1);
    db_bind_text(st, 3, name, -1);
    db_bind_text(st, 4, text, -1);
    db_bind_int64(st, 5, r->now);
    free(text);
    rc = db_step(st);
    json_t *row = rc == DB_ROW ? views_row(st) : NULL;
    db_done(st);
    if (!row) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return reply_json(r, 200, row);
}

/*
** DELETE /api/v1/my/views/:id          roles: the view's user
** 204 | 404 record.not_found (missing or another user's)
*/
static int views_delete(Req *r, Err *e) {
    int64_t id;
    if (req_param_id(r, 0, &id, e) < 0) return -1;
    Stmt *st = db_prepare(r->db, "DELETE FROM saved_views WHERE id = ?1 AND user_id = ?2");
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, id);
    db_bind_int64(st, 2, r->user->id);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (db_changes(r->db) != 1) return err_set(e, 404, EC_REC_NOT_FOUND, NULL, NULL);
    return reply_empty(r, 204);
}

/* See model.h. */
void views_routes_register(void) {
    static const Route routes[] = {
        {"GET", "/api/v1/my/views", views_list, 0, 0, "My saved views of a list", "entities"},
        {"POST", "/api/v1/my/views", views_save, R_WRITE, 0, "Save (or replace) a view of a list", "entities"},
        {"DELETE", "/api/v1/my/views/:id", views_delete, R_WRITE, 0, "Delete one of my saved views", "entities"},
    };
    routes_add(routes, (int)(sizeof routes / sizeof routes[0]));
}
