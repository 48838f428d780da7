/*
** rollup.c — stored summaries of related rows (entity.h, Rollup): the latest
** follow-up of a customer or lead, kept by the core on every write of the
** related entity, so the module that writes follow-ups never writes customers;
** and what is received on each instalment of a contract (a summary per line).
** Each refresh recomputes the summary from the live rows (an indexed MAX/COUNT/
** SUM over one parent's rows): a delete lowers it as surely as a create raises it.
*/
#include <string.h>

#include "../core/errcodes.h"
#include "model.h"

/* Recompute one rollup of entity en: for its row id, or for one line (id) of its lines; with
   by_parent, for every line of the row id. */
static int refresh_one(Req *r, const Entity *en, const Rollup *ru, int64_t id, bool by_parent) {
    const Entity *from = entity_find(ru->from);
    const char *agg = ru->op == RU_COUNT ? "COUNT(*)"
                      : ru->op == RU_SUM ? arena_printf(r->a, "COALESCE(SUM(c.%s), 0)", ru->of)
                                         : arena_printf(r->a, "MAX(c.%s)", ru->of);
    const char *table = ru->lines ? entity_child(en, ru->lines)->table : en->table;
    Stmt *st = db_prepare(
        r->db, arena_printf(r->a,
                            "UPDATE %s SET %s = (SELECT %s FROM %s c WHERE c.%s = %s.id AND c.deleted_at IS NULL%s%s)"
                            " WHERE %s = ?1",
                            table, ru->field, agg, from->table, ru->ref, table, ru->where ? " AND " : "",
                            ru->where ? ru->where : "", by_parent ? "parent_id" : "id"));
    if (!st) return -1;
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    db_done(st);
    return rc < 0 ? -1 : 0;
}

int rollups_refresh(Req *r, const Entity *from, json_t *a, json_t *b, Err *e) {
    int n;
    const Entity *const *all = entity_all(&n);
    for (int i = 0; i < n; i++) {
        for (const Rollup *ru = all[i]->rollups; ru && ru->field; ru++) {
            if (strcmp(ru->from, from->name)) continue;
            int64_t ia = a ? json_integer_value(json_object_get(a, ru->ref)) : 0;
            int64_t ib = b ? json_integer_value(json_object_get(b, ru->ref)) : 0;
            if ((ia > 0 && refresh_one(r, all[i], ru, ia, false) < 0) ||
                (ib > 0 && ib != ia && refresh_one(r, all[i], ru, ib, false) < 0))
                return err_set(e, 500, EC_INTERNAL, NULL, "rollup %s.%s", all[i]->name, ru->field);
        }
    }
    return 0;
}

int rollups_refresh_ids(Req *r, const Entity *from, json_t *ids, Err *e) {
    int n;
    const Entity *const *all = entity_all(&n);
    for (int i = 0; i < n; i++) {
        for (const Rollup *ru = all[i]->rollups; ru && ru->field; ru++) {
            if (strcmp(ru->from, from->name)) continue;
            size_t k;
            json_t *v;
            json_array_foreach(ids, k, v) {
                Stmt *st =
                    db_prepare(r->db, arena_printf(r->a, "SELECT %s FROM %s WHERE id = ?1", ru->ref, from->table));
                if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
                db_bind_int64(st, 1, json_integer_value(v));
                int rc = db_step(st);
                int64_t parent = rc == DB_ROW ? db_col_int64(st, 0) : 0;
                db_done(st);
                if (rc < 0 || (parent > 0 && refresh_one(r, all[i], ru, parent, false) < 0))
                    return err_set(e, 500, EC_INTERNAL, NULL, "rollup %s.%s", all[i]->name, ru->field);
            }
        }
    }
    return 0;
}

int rollups_recompute(Req *r, const Entity *en, int64_t id) {
    for (const Rollup *ru = en->rollups; ru && ru->field; ru++)
        if (refresh_one(r, en, ru, id, ru->lines != NULL) < 0) return -1;
    return 0;
}

int rollup_check(const Entity *en) {
    for (const Rollup *ru = en->rollups; ru && ru->field; ru++) {
        const Entity *from = entity_find(ru->from);
        const Field *ref = from ? entity_field(from, ru->ref) : NULL;
        bool ok;
        if (ru->lines) /* a column of the lines' table, named by an integer of `from` */
            ok = entity_child(en, ru->lines) && ref && ref->type == FT_INT;
        else {
            const Field *tf = entity_field(en, ru->field);
            ok = tf && (tf->flags & F_COMPUTED) && (tf->flags & F_READONLY) && ref && ref->type == FT_REF && ref->ref &&
                 !strcmp(ref->ref, en->name);
        }
        if (!ok || (ru->op != RU_COUNT && !entity_field(from, ru->of))) {
            log_error("%s: rollup %s names an undeclared field or entity (target F_COMPUTED | F_READONLY, "
                      "ref an FT_REF to %s; of lines, an FT_INT)",
                      en->name, ru->field, en->name);
            return -1;
        }
    }
    return 0;
}
