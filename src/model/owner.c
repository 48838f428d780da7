/*
** owner.c — who a record belongs to. Ownership decides visibility (the owner, the
** managers over the row's unit), so a change of hands is the core's business: one
** audited update under the row's version, the entity's own consequences declared
** as a hook (a customer leaves the pool), and the rows that belong to it (declared
** F_REF_OWNER: a customer's contacts and needs) following it. Claims, the pool and
** a manager's edit all go through here instead of writing each other's tables.
*/
#include <string.h>

#include "../core/errcodes.h"
#include "model.h"
#include "search.h"

static json_t *id_or_null(int64_t v) { return v ? json_integer(v) : json_null(); }

/* The search index holds each row's owner and unit: the rows that followed (en, id) through
   field f are indexed again. 0 or -1. */
static int reindex_children(Req *r, const Entity *child, const Field *f, int64_t id) {
    Stmt *st = db_prepare(
        r->db, arena_printf(r->a, "SELECT id FROM %s WHERE %s = ?1 AND deleted_at IS NULL", child->table, f->name));
    if (!st) return -1;
    db_bind_int64(st, 1, id);
    json_t *ids = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(ids, json_integer(db_col_int64(st, 0)));
    db_done(st);
    size_t i;
    json_t *v;
    json_array_foreach(ids, i, v) {
        if (rc < 0) break;
        if (search_index_row(r->db, r->a, child, json_integer_value(v)) < 0) rc = -1;
    }
    json_decref(ids);
    return rc < 0 ? -1 : 0;
}

int entity_owner_cascade(Req *r, const Entity *en, int64_t id, int64_t owner, int64_t unit) {
    int n;
    const Entity *const *all = entity_all(&n);
    for (int i = 0; i < n; i++) {
        for (const Field *f = all[i]->fields; f->name; f++) {
            if (f->type != FT_REF || !(f->flags & F_REF_OWNER) || !f->ref || strcmp(f->ref, en->name)) continue;
            /* parameters numbered without gaps: PostgreSQL must type every one */
            Stmt *st = db_prepare(
                r->db, arena_printf(r->a, "UPDATE %s SET owner_id = ?1%s WHERE %s = ?%d AND deleted_at IS NULL",
                                    all[i]->table, unit >= 0 ? ", org_unit_id = ?2" : "", f->name, unit >= 0 ? 3 : 2));
            if (!st) return -1;
            if (owner)
                db_bind_int64(st, 1, owner);
            else
                db_bind_null(st, 1);
            if (unit > 0)
                db_bind_int64(st, 2, unit);
            else if (unit == 0)
                db_bind_null(st, 2);
            db_bind_int64(st, unit >= 0 ? 3 : 2, id);
            int rc = db_step(st);
            db_done(st);
            if (rc < 0) return -1;
            if (search_indexed(all[i]) && reindex_children(r, all[i], f, id) < 0) return -1;
        }
    }
    return 0;
}

int entity_owner_inherit(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e) {
    for (const Field *f = en->fields; f->name; f++) {
        if (f->type != FT_REF || !(f->flags & F_REF_OWNER)) continue;
        json_t *v = json_object_get(rec, f->name);
        if (!json_is_integer(v) || (old && json_equal(v, json_object_get(old, f->name)))) continue;
        Stmt *st = db_prepare(r->db, arena_printf(r->a,
                                                  "SELECT owner_id, org_unit_id FROM %s WHERE id = ?1"
                                                  " AND deleted_at IS NULL",
                                                  entity_find(f->ref)->table));
        if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        db_bind_int64(st, 1, json_integer_value(v));
        int rc = db_step(st);
        if (rc == DB_ROW) {
            json_object_set_new(rec, "owner_id", db_col_null(st, 0) ? json_null() : json_integer(db_col_int64(st, 0)));
            json_object_set_new(rec, "org_unit_id",
                                db_col_null(st, 1) ? json_null() : json_integer(db_col_int64(st, 1)));
        }
        db_done(st);
        if (rc != DB_ROW)
            return err_set(e, rc < 0 ? 500 : 400, rc < 0 ? EC_INTERNAL : EC_REF, rc < 0 ? NULL : f->name, NULL);
    }
    return 0;
}

int entity_set_owner(Req *r, const Entity *en, int64_t id, int64_t owner, int64_t unit, const char *action, Err *e) {
    return entity_set_owner_with(r, en, id, owner, unit, NULL, NULL, NULL, action, e);
}

int entity_set_owner_with(Req *r, const Entity *en, int64_t id, int64_t owner, int64_t unit, json_t *also,
                          bool (*still)(json_t *row, void *arg), void *arg, const char *action, Err *e) {
    json_t *row = entity_load_any(r, en, id, e);
    if (!row) return -1;
    arena_defer(r->a, (void (*)(void *))json_decref, row);
    if (still && !still(row, arg)) return 0;
    if (!unit) unit = json_integer_value(json_object_get(row, "org_unit_id"));
    json_t *vals = json_object();
    arena_defer(r->a, (void (*)(void *))json_decref, vals);
    json_object_set_new(vals, "owner_id", id_or_null(owner));
    json_object_set_new(vals, "org_unit_id", id_or_null(unit));
    if (en->owner_changing) en->owner_changing(r, en, row, vals);
    if (also) json_object_update(vals, also);
    if (entity_update_fields(r, en, row, vals, action, e) < 0) return -1;
    if (entity_owner_cascade(r, en, id, owner, unit) < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return still ? 1 : 0;
}
