/*
** merge.c — two records of one customer are one (R-CUS-3: duplicates of one owner).
** POST /api/v1/:entity/:id/merge {"version", "from", "from_version"} keeps :id and
** merges `from` into it, in one transaction: every declared reference to `from`
** (contacts, needs, follow-ups, opportunities ...) points to :id, its links, files
** and shares move, the kept record's empty fields take the merged one's values,
** both are audited, and `from` is soft-deleted. The merged record's history stays
** its own and is read with the kept record's (record_merges). Entities opt in with
** `mergeable`; their after_merge hook moves what only the module knows (match keys).
*/
#include <string.h>

#include "../core/errcodes.h"
#include "model.h"
#include "search.h"

/* Run one statement binding (into, from[, entity]); 0 or -1. */
static int move_sql(Req *r, const char *sql, int64_t into, int64_t from, const char *entity) {
    Stmt *st = db_prepare(r->db, sql);
    if (!st) return -1;
    db_bind_int64(st, 1, into);
    db_bind_int64(st, 2, from);
    if (entity) db_bind_text(st, 3, entity, -1);
    int rc = db_step(st);
    db_done(st);
    return rc < 0 ? -1 : 0;
}

/* Every declared reference to (en, from) now names into; the rows referring move a version. */
static int move_references(Req *r, const Entity *en, int64_t into, int64_t from) {
    int n;
    const Entity *const *all = entity_all(&n);
    for (int i = 0; i < n; i++)
        for (const Field *f = all[i]->fields; f->name; f++) {
            if (f->type != FT_REF || (f->flags & F_VIRTUAL) || !f->ref || strcmp(f->ref, en->name)) continue;
            /* a reference of the kept record to the merged one is not turned into one to itself */
            char *sql =
                arena_printf(r->a, "UPDATE %s SET %s = ?1, version = version + 1, updated_at = %lld WHERE %s = ?2%s",
                             all[i]->table, f->name, (long long)r->now, f->name, all[i] == en ? " AND id <> ?1" : "");
            if (move_sql(r, sql, into, from, NULL) < 0) return -1;
        }
    return 0;
}

/* Links, files and shares of the record, and the records merged into it earlier. */
static int move_attached(Req *r, const Entity *en, int64_t into, int64_t from) {
    static const char *const sql[] = {
        /* a link the kept record already has, or one between the two, is dropped */
        "DELETE FROM record_links WHERE (from_entity = ?3 AND from_id = ?2 AND to_entity = ?3 AND to_id = ?1)"
        " OR (from_entity = ?3 AND from_id = ?1 AND to_entity = ?3 AND to_id = ?2)",
        "DELETE FROM record_links WHERE from_entity = ?3 AND from_id = ?2 AND EXISTS (SELECT 1 FROM record_links k"
        " WHERE k.from_entity = ?3 AND k.from_id = ?1 AND k.to_entity = record_links.to_entity"
        " AND k.to_id = record_links.to_id AND k.kind = record_links.kind)",
        "DELETE FROM record_links WHERE to_entity = ?3 AND to_id = ?2 AND EXISTS (SELECT 1 FROM record_links k"
        " WHERE k.to_entity = ?3 AND k.to_id = ?1 AND k.from_entity = record_links.from_entity"
        " AND k.from_id = record_links.from_id AND k.kind = record_links.kind)",
        "UPDATE record_links SET from_id = ?1 WHERE from_entity = ?3 AND from_id = ?2",
        "UPDATE record_links SET to_id = ?1 WHERE to_entity = ?3 AND to_id = ?2",
        "UPDATE attachments SET row_id = ?1 WHERE entity = ?3 AND row_id = ?2",
        "INSERT INTO shares(entity, row_id, user_id, created_at, created_by) SELECT entity, CAST(?1 AS BIGINT), "
        "user_id,"
        " created_at,"
        " created_by FROM shares WHERE entity = ?3 AND row_id = ?2 ON CONFLICT DO NOTHING",
        "DELETE FROM shares WHERE entity = ?3 AND row_id = ?2 AND row_id <> ?1", /* every statement binds all three */
        "UPDATE record_merges SET into_id = ?1 WHERE entity = ?3 AND into_id = ?2",
    };
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++)
        if (move_sql(r, sql[i], into, from, en->name) < 0) return -1;
    return 0;
}

/* May this field's value move from the merged record into an empty one of the kept record? */
static bool fillable(const Field *f) {
    return !(f->flags & (F_VIRTUAL | F_READONLY | F_COMPUTED | F_UNIQUE | F_WRITEONLY | F_CREATE_ONLY));
}

static bool empty_value(json_t *v) { return !v || json_is_null(v) || (json_is_string(v) && !json_string_length(v)); }

/* The kept record: empty fields filled from the merged one, version + 1, one audit entry. 1, 0 stale, -1. */
static int update_kept(Req *r, const Entity *en, json_t *kept, json_t *gone, int64_t version) {
    int64_t id = json_integer_value(json_object_get(kept, "id"));
    int64_t from = json_integer_value(json_object_get(gone, "id"));
    json_t *ch = json_pack("{s:[n,I]}", "merged_from", (json_int_t)from);
    Buf sql;
    buf_init(&sql, r->a);
    buf_printf(&sql, "UPDATE %s SET version = version + 1, updated_at = ?1, updated_by = ?2", en->table);
    int p = 5;
    for (const Field *f = en->fields; f->name; f++) {
        if (!fillable(f) || !empty_value(json_object_get(kept, f->name)) || empty_value(json_object_get(gone, f->name)))
            continue;
        buf_printf(&sql, ", %s = ?%d", f->name, p++);
        json_object_set_new(ch, f->name,
                            json_pack("[O?,O]", json_object_get(kept, f->name), json_object_get(gone, f->name)));
    }
    buf_puts(&sql, " WHERE id = ?3 AND version = ?4 AND deleted_at IS NULL");
    Stmt *st = db_prepare(r->db, sql.p);
    if (!st) {
        json_decref(ch);
        return -1;
    }
    db_bind_int64(st, 1, r->now);
    db_bind_int64(st, 2, r->user->id);
    db_bind_int64(st, 3, id);
    db_bind_int64(st, 4, version);
    p = 5;
    for (const Field *f = en->fields; f->name; f++)
        if (json_object_get(ch, f->name)) bind_value(st, p++, f->type, json_object_get(gone, f->name));
    int rc = db_step(st);
    db_done(st);
    if (rc < 0 || db_changes(r->db) != 1) {
        json_decref(ch);
        return rc < 0 ? -1 : 0;
    }
    /* the filled fields' sort keys and search entry, as every write keeps them */
    json_t *filled = json_object();
    for (const Field *f = en->fields; f->name; f++)
        if (json_object_get(ch, f->name)) json_object_set(filled, f->name, json_object_get(gone, f->name));
    rc = entity_sortkeys_write(r, en, id, filled) < 0 || search_changed(r, en, id, filled) < 0 ? -1 : 0;
    json_decref(filled);
    if (rc < 0) {
        json_decref(ch);
        return -1;
    }
    return audit_write(r, en->name, id, "merge", ch) < 0 ? -1 : 1;
}

/* The merged record: soft-deleted (version checked), recorded, audited. 1, 0 stale, -1. */
static int retire(Req *r, const Entity *en, int64_t from, int64_t version, int64_t into) {
    Stmt *st = db_prepare(r->db, arena_printf(r->a,
                                              "UPDATE %s SET deleted_at = ?1, version = version + 1, updated_at = ?1,"
                                              " updated_by = ?2 WHERE id = ?3 AND version = ?4 AND deleted_at IS NULL",
                                              en->table));
    if (!st) return -1;
    db_bind_int64(st, 1, r->now);
    db_bind_int64(st, 2, r->user->id);
    db_bind_int64(st, 3, from);
    db_bind_int64(st, 4, version);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0) return -1;
    if (db_changes(r->db) != 1) return 0;
    st = db_prepare(r->db,
                    "INSERT INTO record_merges(entity, from_id, into_id, at, by_user) VALUES (?1, ?2, ?3, ?4, ?5)");
    if (!st) return -1;
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, from);
    db_bind_int64(st, 3, into);
    db_bind_int64(st, 4, r->now);
    db_bind_int64(st, 5, r->user->id);
    rc = db_step(st);
    db_done(st);
    if (rc < 0) return -1;
    return audit_write(r, en->name, from, "merged_into", json_pack("{s:[n,I]}", "merged_into", (json_int_t)into)) < 0
               ? -1
               : 1;
}

/* An integer body key (ids and versions), or e naming it. */
static int body_int(json_t *body, const char *key, int64_t *out, Err *e) {
    json_t *v = json_object_get(body, key);
    if (!v) return err_set(e, 400, strcmp(key, "from") ? EC_VERSION : EC_REQUIRED, key, NULL);
    if (!json_is_integer(v) || json_integer_value(v) <= 0) return err_set(e, 400, EC_TYPE, key, "integer");
    *out = json_integer_value(v);
    return 0;
}

/*
** POST /api/v1/:entity/:id/merge                      roles: managers and admin, with write
**                                                      access to both records (entity_row_may)
** Body: {"version": N (of :id), "from": M, "from_version": K}
** 200 the kept row | 400 merge.not_supported, merge.same_record, merge.different_owner, field
** errors naming version/from/from_version | 403 | 404 either record | 409 record.conflict (either
** version is stale: nothing is written)
*/
int entity_merge(Req *r, Err *e) {
    const Entity *en = entity_for_request(r, e);
    if (!en) return -1;
    if (!en->mergeable) return err_set(e, 400, EC_MERGE_NONE, NULL, NULL);
    if (!(r->user->roles & (ROLES_MANAGING | RB(ADMIN))) || !entity_can_write(en, r->user))
        return err_set(e, 403, EC_FORBIDDEN, NULL, NULL);
    int64_t id, version, from, from_version;
    if (req_param_id(r, 1, &id, e) < 0) return -1;
    json_t *body = req_json(r, e);
    if (!body) return -1;
    if (body_int(body, "version", &version, e) < 0 || body_int(body, "from", &from, e) < 0 ||
        body_int(body, "from_version", &from_version, e) < 0)
        return -1;
    if (from == id) return err_set(e, 400, EC_MERGE_SELF, "from", NULL);
    json_t *kept = entity_load(r, en, id, e);
    if (!kept) return -1;
    arena_defer(r->a, (void (*)(void *))json_decref, kept);
    json_t *gone = entity_load(r, en, from, e);
    if (!gone) return -1;
    arena_defer(r->a, (void (*)(void *))json_decref, gone);
    if (entity_row_check(r, en, kept, ACCESS_WRITE, e) < 0 || entity_row_check(r, en, gone, ACCESS_WRITE, e) < 0)
        return -1;
    json_t *ko = json_object_get(kept, "owner_id"), *go = json_object_get(gone, "owner_id");
    if (!json_is_integer(ko) || !json_equal(ko, go))
        return err_set(e, 400, EC_MERGE_OWNER, "from", "%s", label_for(r->locale, en->zh, en->tw, en->en));
    int rc = update_kept(r, en, kept, gone, version);
    if (rc == 1) rc = retire(r, en, from, from_version, id);
    if (rc == 0) return err_set(e, 409, EC_CONFLICT, NULL, NULL);
    if (rc < 0 || move_references(r, en, id, from) < 0 || move_attached(r, en, id, from) < 0 ||
        rollups_recompute(r, en, id) < 0)
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (en->after_merge && en->after_merge(r, en, id, from, e) < 0) return -1;
    json_t *row = entity_load(r, en, id, e);
    if (!row) return -1;
    row_finish(r, en, row);
    return reply_json(r, 200, row);
}
