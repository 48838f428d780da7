/*
** crud.c — the generic routes of every declared entity: list, get, create,
** patch (optimistic lock), soft delete; the audit trail writer; document
** numbers. A module gets all of this from its Entity declaration.
*/
#include <stdio.h>
#include <string.h>

#include "../core/errcodes.h"
#include "../flow/flow.h"
#include "calendar.h"
#include "jobs.h"
#include "model.h"
#include "search.h"

/* ---------------------------------------------------------------- helpers */

const Entity *entity_for_request(Req *r, Err *e) {
    const Entity *en = entity_find(r->params[0]);
    if (!en) {
        err_set(e, 404, EC_NOT_FOUND, NULL, NULL);
        return NULL;
    }
    if (!entity_can_read(en, r->user)) {
        err_set(e, 403, EC_FORBIDDEN, NULL, NULL);
        return NULL;
    }
    return en;
}

static const FlowBridge *bridge;
void model_set_flow_bridge(const FlowBridge *b) { bridge = b; }
const FlowBridge *model_flow_bridge(void) {
    static const FlowBridge none = {NULL, NULL, NULL};
    return bridge ? bridge : &none;
}

json_t *entity_request_row(Req *r, const Entity **pen, int64_t *pid, Err *e) {
    const Entity *en = entity_for_request(r, e);
    if (!en || req_param_id(r, 1, pid, e) < 0) return NULL;
    json_t *row = entity_load(r, en, *pid, e);
    if (!row) return NULL;
    arena_defer(r->a, (void (*)(void *))json_decref, row);
    *pen = en;
    return row;
}

void row_finish(Req *r, const Entity *en, json_t *row) {
    row_mask_fields(en, r->user, row); /* fields this reader may not read (Field.read_roles) */
    row_render_messages(r, en, row);
    if (en->decorate) en->decorate(r, en, row);
    /* the actions the user may run now: none for entities without a workflow */
    json_t *acts = en->flow && model_flow_bridge()->row_actions ? model_flow_bridge()->row_actions(r, en, row) : NULL;
    json_object_set_new(row, "_actions", acts ? acts : json_array());
    /* what the access rule lets the user do to this row, so a screen offers only that; a row
       of a workflow is deleted only in an editable state (check_editable refuses the rest) */
    const char *state = json_string_value(json_object_get(row, "state"));
    bool state_editable =
        !en->flow || !en->flow->editable_states || (state && str_word_in(en->flow->editable_states, state));
    json_object_set_new(row, "_permissions",
                        json_pack("{s:b, s:b, s:b}", "update", entity_row_may(r, en, row, ACCESS_WRITE, NULL), "delete",
                                  state_editable && entity_row_may(r, en, row, ACCESS_DELETE, NULL), "share",
                                  entity_row_may(r, en, row, ACCESS_SHARE, NULL)));
    /* the row's deadline clocks (declared on its workflow's states) */
    if (en->flow && en->flow->deadlines) {
        const FlowBridge *fb = model_flow_bridge();
        json_t *clocks = fb->row_clocks ? fb->row_clocks(r, en, json_integer_value(json_object_get(row, "id"))) : NULL;
        json_object_set_new(row, "_clocks", clocks ? clocks : json_null()); /* null: read failed (callers answer 500) */
    }
}

const char *doc_number_next(Req *r, const char *prefix, Err *e) {
    static const char zSql[] = "INSERT INTO doc_numbers(prefix, year, last) VALUES (?1, ?2, 1)\n"
                               " ON CONFLICT (prefix, year) DO UPDATE SET last = doc_numbers.last + 1 RETURNING last";
    int64_t ys, ye; /* the number's year: the company-local year of now (period_bounds) */
    period_bounds("year", r->now, company_tz(r), &ys, &ye);
    char today[11];
    date_of_epoch(ys, company_tz(r), today);
    int year = (today[0] - '0') * 1000 + (today[1] - '0') * 100 + (today[2] - '0') * 10 + (today[3] - '0');
    Stmt *st = db_prepare(r->db, zSql);
    if (!st) {
        err_set(e, 500, EC_INTERNAL, NULL, NULL);
        return NULL;
    }
    db_bind_text(st, 1, prefix, -1);
    db_bind_int64(st, 2, year);
    int64_t n = db_step(st) == DB_ROW ? db_col_int64(st, 0) : 0;
    db_done(st);
    if (!n) {
        err_set(e, 500, EC_INTERNAL, NULL, NULL);
        return NULL;
    }
    return arena_printf(r->a, "%s-%d-%06lld", prefix, year, (long long)n);
}

/* Is the name one of the system columns (never written by clients except owner/unit)? */
static bool is_system(const Entity *en, const char *k) {
    for (int i = 0; sys_columns[i]; i++)
        if (strcmp(sys_columns[i], k) == 0) return true;
    return strcmp(k, "state") == 0 || strcmp(k, "deleted_at") == 0 || k[0] == '_';
}

/* Directive keys (entity.h) accepted in create/patch bodies and handed to the hooks. */
static const char *const directives[] = {"_allow_duplicate", NULL};

/* Is k a known directive? */
static bool is_directive(const char *k) {
    for (int i = 0; directives[i]; i++)
        if (strcmp(directives[i], k) == 0) return true;
    return false;
}

/* owner_id / org_unit_id sent by a client: only to someone/somewhere the user manages.
   On create one may name oneself; on a stored row an unchanged value passes, and any change
   (taking over a row seen through a share or an approval included) is a reassignment that
   only a manager over the row makes. */
static int check_assignment(Req *r, const char *key, json_t *v, json_t *old, Err *e) {
    if (!json_is_integer(v) || json_integer_value(v) <= 0) return err_set(e, 400, EC_TYPE, key, "id");
    int64_t id = json_integer_value(v);
    const User *u = r->user;
    if (old && json_is_integer(json_object_get(old, key)) && json_integer_value(json_object_get(old, key)) == id)
        return 0; /* unchanged */
    if (!old && strcmp(key, "owner_id") == 0 && id == u->id) return 0;
    if (u->roles & RB(ADMIN)) {
        int ok = entity_ref_ok(r, strcmp(key, "owner_id") == 0 ? "users" : "org_units", id);
        if (ok < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        if (!ok) return err_set(e, 400, EC_REF, key, NULL);
        return 0;
    }
    if (!(u->roles & ROLES_MANAGING) || !u->org_path) return err_set(e, 403, EC_FORBIDDEN, key, NULL);
    /* a stored row: only a manager over it (not one it was merely shared with) hands it on */
    if (old && !entity_row_managed(r, old)) return err_set(e, 403, EC_FORBIDDEN, key, NULL);
    /* the target user / unit must lie in the manager's subtree */
    static const char zUser[] = "SELECT 1 FROM users u JOIN org_units o ON o.id = u.org_unit_id WHERE u.id = ?1 AND "
                                "o.path LIKE ?2 AND u.deleted_at IS NULL";
    static const char zUnit[] = "SELECT 1 FROM org_units o WHERE o.id = ?1 AND o.path LIKE ?2 AND o.deleted_at IS NULL";
    Stmt *st = db_prepare(r->db, strcmp(key, "owner_id") == 0 ? zUser : zUnit);
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    db_bind_int64(st, 1, id);
    db_bind_text(st, 2, arena_printf(r->a, "%s%%", u->org_path), -1);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL); /* never "not in your subtree" */
    return rc == DB_ROW ? 0 : err_set(e, 400, EC_REF, key, NULL);
}

/*
** Validate a create/patch body into vals (field -> normalised value).
** old is NULL on create. Unknown keys, system fields and read-only fields are refused.
*/
static int collect_input(Req *r, const Entity *en, json_t *body, json_t *old, json_t *vals, Err *e) {
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v) {
        if (old && strcmp(k, "version") == 0) continue;
        if (strcmp(k, "owner_id") == 0 || strcmp(k, "org_unit_id") == 0) {
            if (check_assignment(r, k, v, old, e) < 0) return -1;
            json_object_set(vals, k, v);
            continue;
        }
        if (entity_child(en, k)) continue; /* lines: children_collect */
        if (k[0] == '_' && is_directive(k)) {
            if (!json_is_boolean(v)) return err_set(e, 400, EC_TYPE, arena_strdup(r->a, k), "true/false");
            json_object_set(vals, k, v);
            continue;
        }
        const Field *f = entity_field(en, k);
        if (!f) {
            if (is_system(en, k) || (en->number_prefix && !strcmp(k, "number")))
                return err_set(e, 400, EC_READONLY, arena_strdup(r->a, k), NULL);
            return err_set(e, 400, EC_UNKNOWN_FIELD, arena_strdup(r->a, k), NULL);
        }
        if ((f->flags & F_READONLY) || (old && (f->flags & F_CREATE_ONLY))) {
            err_set(e, 400, EC_READONLY, f->name, NULL);
            e->label = field_label(r, f);
            return -1;
        }
        json_t *nv;
        if (field_validate(r, f, v, &nv, e) < 0) return -1;
        json_object_set_new(vals, f->name, nv);
    }
    return 0;
}

/* F_UNIQUE fields: no other live row has the value. */
static int check_unique(Req *r, const Entity *en, json_t *rec, int64_t self_id, Err *e) {
    for (const Field *f = en->fields; f->name; f++) {
        if (!(f->flags & F_UNIQUE)) continue;
        json_t *v = json_object_get(rec, f->name);
        if (!v || json_is_null(v)) continue;
        char *sql = arena_printf(r->a, "SELECT 1 FROM %s WHERE %s = ?1 AND id <> ?2 AND deleted_at IS NULL", en->table,
                                 f->name);
        Stmt *st = db_prepare(r->db, sql);
        if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        bind_value(st, 1, f->type, v);
        db_bind_int64(st, 2, self_id);
        int rc = db_step(st);
        db_done(st);
        if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL); /* fail closed: no "unique" on an error */
        if (rc == DB_ROW) {
            err_set(e, 400, EC_DUPLICATE, f->name, NULL);
            e->label = field_label(r, f);
            return -1;
        }
    }
    return 0;
}

/* 409 with the stored row attached, so the client can show what changed. */
static int reply_conflict(Req *r, const Entity *en, int64_t id) {
    Err e = {0}, e2 = {0};
    err_set(&e, 409, EC_CONFLICT, NULL, NULL);
    json_t *cur = entity_load(r, en, id, &e2);
    if (cur) row_finish(r, en, cur);
    return reply_json(r, 409,
                      json_pack("{s:o, s:o}", "error", error_object(r, &e), "current", cur ? cur : json_null()));
}

/* In an entity with a workflow, may the row be edited in its current state? body: a PATCH's
   fields, which may still change a signed row when the entity lists them all as after_sign
   (NULL for a delete, which never may). */
static int check_editable(Req *r, const Entity *en, json_t *row, json_t *body, Err *e) {
    if (!en->flow || !en->flow->editable_states) return 0;
    const char *state = json_string_value(json_object_get(row, "state"));
    if (state && str_word_in(en->flow->editable_states, state)) return 0;
    if (body && en->after_sign) {
        const char *k;
        json_t *v;
        bool only = true;
        json_object_foreach(body, k, v) if (strcmp(k, "version") && !str_word_in(en->after_sign, k)) only = false;
        if (only) return 0;
    }
    return err_set(e, 409, EC_BAD_STATE, NULL, "%s", entity_state_label(r->locale, en, state));
}

/* ---------------------------------------------------------------- list & get */

/* entity_list's reply for an entity without a decorate hook: its rows written as text from the
   statement (entity_row_write), the same bytes as the object path below. Finishes st. */
static int list_reply_written(Req *r, const Entity *en, ListQuery *lq, Stmt *st, int nfilter, Err *e) {
    Buf b;
    buf_init(&b, r->a);
    buf_puts(&b, "{\"items\":[");
    size_t n = 0;
    bool ok = true;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (n++) buf_putc(&b, ',');
        ok = entity_row_write(r, en, st, &b) && ok;
    }
    db_done(st);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (!ok) return reply_raw(r, 500, "application/json", "{}", 2); /* as reply_json: a text not UTF-8 */
    ListTotal t;
    if (list_query_total(r, en, lq, nfilter, n, &t, e) < 0) return -1;
    buf_puts(&b, "],\"total\":");
    json_put_integer(&b, t.total);
    buf_puts(&b, t.capped ? ",\"total_capped\":true,\"page\":" : ",\"total_capped\":false,\"page\":");
    json_put_integer(&b, lq->page);
    buf_puts(&b, ",\"per_page\":");
    json_put_integer(&b, lq->per_page);
    buf_putc(&b, '}');
    return reply_raw(r, 200, "application/json; charset=utf-8", b.p, b.n);
}

/*
** GET /api/v1/:entity                                   roles: entity read roles
** Query: q, filter[f], filter[f][gte|lte], sort, page, per_page, count=capped|exact
** 200 {"items","total","total_capped","page","per_page"} | 400 request.bad_query
*/
static int entity_list(Req *r, Err *e) {
    const Entity *en = entity_for_request(r, e);
    if (!en) return -1;
    ListQuery lq;
    if (list_query_parse(r, en, &lq, e) < 0) return -1;
    const EntityInfo *ei = entity_info(en);
    int nfilter = lq.nbind;
    int pl = list_query_add_int(&lq, lq.per_page);
    int po = list_query_add_int(&lq, (lq.page - 1) * lq.per_page);
    char *sql = list_query_page_sql(r, en, &lq, ei->select_cols, pl, po);
    Stmt *st = sql ? db_prepare(r->db, sql) : NULL;
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    list_query_bind(r, en, &lq, st);
    if (!en->decorate) return list_reply_written(r, en, &lq, st, nfilter, e);
    json_t *items = json_array();
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        json_t *row = entity_row_json(en, st);
        row_mask_fields(en, r->user, row);
        row_render_messages(r, en, row);
        if (en->decorate) en->decorate(r, en, row);
        json_array_append_new(items, row);
    }
    db_done(st);
    if (rc < 0) {
        json_decref(items);
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    ListTotal t;
    if (list_query_total(r, en, &lq, nfilter, json_array_size(items), &t, e) < 0) {
        json_decref(items);
        return -1;
    }
    return reply_json(r, 200,
                      json_pack("{s:o, s:I, s:b, s:I, s:I}", "items", items, "total", (json_int_t)t.total,
                                "total_capped", t.capped, "page", (json_int_t)lq.page, "per_page",
                                (json_int_t)lq.per_page));
}

/*
** GET /api/v1/:entity/:id                               roles: entity read roles
** 200 row with "_actions" | 404 missing, deleted or not visible
** A row with a workflow is also readable by whoever may sign one of its pending
** tasks — for themselves or, during a delegation, for the delegator — or signed one
** (flow_load): a delegate must read what they are asked to sign.
*/
static int entity_get(Req *r, Err *e) {
    const Entity *en = entity_for_request(r, e);
    if (!en) return -1;
    int64_t id;
    if (req_param_id(r, 1, &id, e) < 0) return -1;
    json_t *row =
        en->flow && model_flow_bridge()->load ? model_flow_bridge()->load(r, en, id, e) : entity_load(r, en, id, e);
    if (!row) return -1;
    row_finish(r, en, row);
    if (json_is_null(json_object_get(row, "_clocks"))) {
        json_decref(row);
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    return reply_json(r, 200, row);
}

/* ---------------------------------------------------------------- writes */

/* Columns left out of an INSERT: virtual fields, and read-only fields nobody
   set (the column's DEFAULT applies, e.g. org_units.path NOT NULL DEFAULT '/'). */
static bool insert_skips(const Field *f, json_t *rec) {
    json_t *v = json_object_get(rec, f->name);
    return (f->flags & F_VIRTUAL) || ((f->flags & F_READONLY) && (!v || json_is_null(v)));
}

/* INSERT the record; returns the new id or 0 with e. */
static int64_t insert_row(Req *r, const Entity *en, json_t *rec, Err *e) {
    Buf cols, vals;
    buf_init(&cols, r->a);
    buf_init(&vals, r->a);
    buf_puts(&cols, "version, owner_id, org_unit_id, created_at, updated_at, created_by, updated_by");
    buf_puts(&vals, "1, ?1, ?2, ?3, ?3, ?4, ?4");
    int p = 5;
    if (en->flow) {
        buf_puts(&cols, ", state");
        buf_printf(&vals, ", ?%d", p++);
    }
    for (const Field *f = en->fields; f->name; f++) {
        if (insert_skips(f, rec)) continue;
        buf_printf(&cols, ", %s", f->name);
        buf_printf(&vals, ", ?%d", p++);
        if (f->flags & F_SORTKEY) { /* its sort key in the same row write */
            buf_printf(&cols, ", %s_sk", f->name);
            buf_printf(&vals, ", ?%d", p++);
        }
    }
    char *sql = arena_printf(r->a, "INSERT INTO %s (%s) VALUES (%s) RETURNING id", en->table, cols.p, vals.p);
    Stmt *st = db_prepare(r->db, sql);
    if (!st) {
        err_set(e, 500, EC_INTERNAL, NULL, NULL);
        return 0;
    }
    db_bind_int64(st, 1, json_integer_value(json_object_get(rec, "owner_id")));
    json_t *unit = json_object_get(rec, "org_unit_id");
    if (json_is_integer(unit) && json_integer_value(unit) > 0)
        db_bind_int64(st, 2, json_integer_value(unit));
    else
        db_bind_null(st, 2);
    db_bind_int64(st, 3, r->now);
    db_bind_int64(st, 4, r->user->id);
    p = 5;
    if (en->flow) db_bind_text(st, p++, json_string_value(json_object_get(rec, "state")), -1);
    for (const Field *f = en->fields; f->name; f++) {
        if (insert_skips(f, rec)) continue;
        bind_value(st, p++, f->type, json_object_get(rec, f->name));
        if (f->flags & F_SORTKEY) entity_sortkey_bind(r, st, p++, json_object_get(rec, f->name));
    }
    int rc = db_step(st);
    int64_t id = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_done(st);
    if (!id && rc == DB_CONSTRAINT) {
        /* a unique index refused it: a concurrent create won the race past check_unique (the
           transaction is aborted on PostgreSQL, so the field is named from the declaration) */
        const Field *u = en->fields;
        while (u->name && !(u->flags & F_UNIQUE))
            u++;
        err_set(e, 400, EC_DUPLICATE, u->name, NULL);
        if (u->name) e->label = field_label(r, u);
    } else if (!id) {
        err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    return id;
}

int record_defaults(Req *r, const Field *fields, json_t *rec, Err *e) {
    for (const Field *f = fields; f->name; f++) {
        if (json_object_get(rec, f->name)) continue;
        json_t *v = NULL;
        if (f->def) {
            int64_t n;
            if (f->type == FT_BOOL)
                v = json_boolean(strcmp(f->def, "1") == 0 || strcmp(f->def, "true") == 0);
            else if (f->type != FT_TEXT && f->type != FT_ENUM && f->type != FT_DATE && str_to_int64(f->def, &n) == 0)
                v = json_integer(n);
            else
                v = json_string(f->def);
        } else if (f->flags & F_READONLY) {
            v = json_null();
        } else {
            json_t *nv;
            if (field_validate(r, f, NULL, &nv, e) < 0) return -1;
            v = nv;
        }
        json_object_set_new(rec, f->name, v);
    }
    return 0;
}

int entity_create_row(Req *r, const Entity *en, json_t *body, int64_t *out_id, Err *e) {
    json_t *rec = json_object();
    arena_defer(r->a, (void (*)(void *))json_decref, rec);
    if (collect_input(r, en, body, NULL, rec, e) < 0) return -1;
    /* defaults and required fields not sent, then the lines */
    if (record_defaults(r, en->fields, rec, e) < 0) return -1;
    if (en->children && children_collect(r, en, body, NULL, rec, e) < 0) return -1;
    if (!json_object_get(rec, "owner_id")) json_object_set_new(rec, "owner_id", json_integer(r->user->id));
    if (!json_object_get(rec, "org_unit_id"))
        json_object_set_new(rec, "org_unit_id",
                            r->user->org_unit_id ? json_integer(r->user->org_unit_id) : json_null());
    if (en->flow) json_object_set_new(rec, "state", json_string(en->flow->initial));
    if (en->flow && en->flow->track_state_since) json_object_set_new(rec, "state_since", json_integer(r->now));
    if (en->number_prefix) {
        const char *num = doc_number_next(r, en->number_prefix, e);
        if (!num) return -1;
        json_object_set_new(rec, "number", json_string(num));
    }
    if (entity_owner_inherit(r, en, rec, NULL, e) < 0) return -1; /* a customer's contact is its owner's */
    if (record_check_lines(r, en, rec, NULL, e) < 0) return -1;   /* a line of the named document */
    /* computed fields before the hook (it may check a total) and after it (it may set an input) */
    if (record_compute(r, en, rec, e) < 0) return -1;
    if (en->before_save && en->before_save(r, en, rec, NULL, e) < 0) return -1;
    if (record_compute(r, en, rec, e) < 0) return -1;
    if (record_check_conditions(r, en->fields, rec, e) < 0) return -1;
    if (check_unique(r, en, rec, 0, e) < 0) return -1;
    int64_t id = insert_row(r, en, rec, e);
    if (!id) return -1;
    if (search_changed(r, en, id, NULL) < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    json_object_set_new(rec, "id", json_integer(id));
    json_object_set_new(rec, "version", json_integer(1));
    json_t *changes = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(rec, k, v) {
        const Field *f = entity_field(en, k);
        if (!json_is_null(v) && !(f && (f->flags & F_WRITEONLY)) && strcmp(k, "id") && strcmp(k, "version") &&
            k[0] != '_' && !entity_child(en, k))
            json_object_set_new(changes, k, json_pack("[n,O]", v));
    }
    if (en->children && children_save(r, en, id, rec, NULL, changes, e) < 0) {
        json_decref(changes);
        return -1;
    }
    if (audit_write(r, en->name, id, "create", changes) < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (en->flow && model_flow_bridge()->entered &&
        model_flow_bridge()->entered(r, en, id, en->flow->initial, e) < 0) /* its deadline clocks start */
        return -1;
    if (en->after_save && en->after_save(r, en, rec, NULL, e) < 0) return -1;
    if (rollups_refresh(r, en, rec, NULL, e) < 0) return -1;
    *out_id = id;
    return 0;
}

/*
** POST /api/v1/:entity                                  roles: entity write roles
** Body: the declared fields (+ owner_id / org_unit_id for managers)
** 201 row | 400 field.* (nothing written) | 403
*/
static int entity_create(Req *r, Err *e) {
    const Entity *en = entity_for_request(r, e);
    if (!en) return -1;
    if (!entity_can_write(en, r->user)) return err_set(e, 403, EC_FORBIDDEN, NULL, NULL);
    json_t *body = req_json(r, e);
    if (!body) return -1;
    int64_t id;
    if (entity_create_row(r, en, body, &id, e) < 0) return -1;
    json_t *row = entity_load(r, en, id, e);
    if (!row) return -1;
    row_finish(r, en, row);
    if (json_is_null(json_object_get(row, "_clocks"))) {
        json_decref(row);
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    return reply_json(r, 201, row);
}

/* UPDATE the given fields of a row with the version check; 1 done, 0 stale, -1 error. */
static int update_row(Req *r, const Entity *en, int64_t id, int64_t version, json_t *vals) {
    Buf sql;
    buf_init(&sql, r->a);
    buf_printf(&sql, "UPDATE %s SET version = version + 1, updated_at = ?1, updated_by = ?2", en->table);
    int p = 5;
    const char *k;
    json_t *v;
    json_object_foreach(vals, k, v) {
        const Field *f = entity_field(en, k);
        if ((f && (f->flags & F_VIRTUAL)) || k[0] == '_') continue;
        buf_printf(&sql, ", %s = ?%d", k, p++);
        if (f && (f->flags & F_SORTKEY)) buf_printf(&sql, ", %s_sk = ?%d", k, p++);
    }
    buf_puts(&sql, " WHERE id = ?3 AND version = ?4 AND deleted_at IS NULL");
    Stmt *st = db_prepare(r->db, sql.p);
    if (!st) return -1;
    db_bind_int64(st, 1, r->now);
    if (r->user)
        db_bind_int64(st, 2, r->user->id);
    else
        db_bind_null(st, 2);
    db_bind_int64(st, 3, id);
    db_bind_int64(st, 4, version);
    p = 5;
    json_object_foreach(vals, k, v) {
        const Field *f = entity_field(en, k);
        if ((f && (f->flags & F_VIRTUAL)) || k[0] == '_') continue;
        bind_value(st, p++, f ? f->type : FT_INT, v);
        if (f && (f->flags & F_SORTKEY)) entity_sortkey_bind(r, st, p++, v);
    }
    int rc = db_step(st);
    db_done(st);
    if (rc < 0) return rc == DB_CONSTRAINT ? -2 : -1;
    if (db_changes(r->db) != 1) return 0;
    return search_changed(r, en, id, vals) < 0 ? -1 : 1;
}

/* Does key differ between rec and old (a missing key counts as null)? */
static bool changed_key(json_t *rec, json_t *old, const char *key) {
    json_t *a = json_object_get(rec, key), *b = json_object_get(old, key);
    if (!a) a = json_null();
    if (!b) b = json_null();
    return !json_equal(a, b);
}

/* Field-by-field diff of the values that change: {"f":[before, after]}. */
static json_t *diff_of(const Entity *en, json_t *old, json_t *vals) {
    json_t *ch = json_object();
    const char *k;
    json_t *v;
    json_object_foreach(vals, k, v) {
        if (k[0] == '_') continue; /* directives are not changes */
        json_t *before = json_object_get(old, k);
        const Field *f = entity_field(en, k);
        if (f && (f->flags & F_WRITEONLY)) {
            json_object_set_new(ch, k, json_pack("[s,s]", "***", "***"));
            continue;
        }
        if (before && json_equal(before, v)) continue;
        json_object_set_new(ch, k, json_pack("[O?,O]", before, v));
    }
    return ch;
}

int entity_update_fields(Req *r, const Entity *en, json_t *rec, json_t *vals, const char *action, Err *e) {
    int64_t id = json_integer_value(json_object_get(rec, "id"));
    int64_t version = json_integer_value(json_object_get(rec, "version"));
    json_t *ch = diff_of(en, rec, vals);
    int rc = update_row(r, en, id, version, vals);
    if (rc <= 0) {
        json_decref(ch);
        if (rc == 0) return err_set(e, 409, EC_CONFLICT, NULL, NULL);
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    if (audit_write(r, en->name, id, action, ch) < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (rollups_refresh(r, en, rec, vals, e) < 0) return -1; /* before and after: a moved reference */
    json_object_update(rec, vals);
    json_object_set_new(rec, "version", json_integer(version + 1));
    return 0;
}

/* The write of a PATCH on the stored row old (visible, checked by the caller): version,
   editable state, input, lines, hooks, computes, audit, cascades, rollups. 0, -1 with e, or -2
   when the version moved (nothing written). */
static int patch_apply(Req *r, const Entity *en, json_t *old, json_t *body, Err *e) {
    int64_t id = json_integer_value(json_object_get(old, "id"));
    json_t *ver = json_object_get(body, "version");
    if (!json_is_integer(ver)) return err_set(e, 400, EC_VERSION, "version", NULL);
    if (json_integer_value(ver) != json_integer_value(json_object_get(old, "version"))) return -2;
    if (check_editable(r, en, old, body, e) < 0) return -1;
    json_t *vals = json_object();
    arena_defer(r->a, (void (*)(void *))json_decref, vals);
    if (collect_input(r, en, body, old, vals, e) < 0) return -1;
    json_t *rec = json_deep_copy(old);
    arena_defer(r->a, (void (*)(void *))json_decref, rec);
    json_object_update(rec, vals);
    if (en->children && children_collect(r, en, body, old, rec, e) < 0) return -1;
    if (entity_owner_inherit(r, en, rec, old, e) < 0) return -1; /* moved to another customer */
    if (record_check_lines(r, en, rec, old, e) < 0) return -1;
    if (en->owner_changing && changed_key(rec, old, "owner_id")) en->owner_changing(r, en, old, rec);
    if (record_compute(r, en, rec, e) < 0) return -1;
    if (en->before_save && en->before_save(r, en, rec, old, e) < 0) return -1;
    if (record_compute(r, en, rec, e) < 0) return -1;
    /* the hooks may have computed more fields: write every changed one */
    const char *k;
    json_t *v;
    json_object_foreach(rec, k, v) {
        const Field *f = entity_field(en, k);
        json_t *o = json_object_get(old, k);
        bool owner_col = !strcmp(k, "owner_id") || !strcmp(k, "org_unit_id");
        if ((f || owner_col) && (!o || !json_equal(o, v))) json_object_set(vals, k, v);
    }
    if (record_check_conditions(r, en->fields, rec, e) < 0) return -1;
    if (check_unique(r, en, rec, id, e) < 0) return -1;
    json_t *ch = diff_of(en, old, vals);
    /* changed lines move the parent's version too: one lock for the whole document */
    bool lines = en->children && children_changed(en, rec, old);
    int rc = json_object_size(vals) || lines ? update_row(r, en, id, json_integer_value(ver), vals) : 1;
    if (rc == 0) {
        json_decref(ch);
        return -2;
    }
    if (rc < 0) {
        json_decref(ch);
        return err_set(e, rc == -2 ? 400 : 500, rc == -2 ? EC_DUPLICATE : EC_INTERNAL, NULL, NULL);
    }
    if (lines && children_save(r, en, id, rec, old, ch, e) < 0) {
        json_decref(ch);
        return -1;
    }
    if (json_object_size(ch) == 0)
        json_decref(ch);                                     /* nothing changed: no audit entry */
    else if (audit_write(r, en->name, id, "update", ch) < 0) /* audit_write owns ch from here */
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if ((changed_key(rec, old, "owner_id") || changed_key(rec, old, "org_unit_id")) &&
        entity_owner_cascade(r, en, id, json_integer_value(json_object_get(rec, "owner_id")),
                             json_integer_value(json_object_get(rec, "org_unit_id"))) < 0)
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (en->after_save && en->after_save(r, en, rec, old, e) < 0) return -1;
    if (rollups_refresh(r, en, rec, old, e) < 0) return -1;
    return 0;
}

int entity_patch_row(Req *r, const Entity *en, json_t *old, json_t *body, Err *e) {
    int rc = patch_apply(r, en, old, body, e);
    return rc == -2 ? err_set(e, 409, EC_CONFLICT, NULL, NULL) : rc;
}

/*
** PATCH /api/v1/:entity/:id                             roles: entity write roles, and the
**                                                       access rule (entity_row_may)
** Body: {"version": N, changed fields...}
** 200 row | 400 field.* / record.version_required | 403 the row is only seen (shared, signed)
** | 404 | 409 record.conflict + "current"
*/
static int entity_patch(Req *r, Err *e) {
    const Entity *en = entity_for_request(r, e);
    if (!en) return -1;
    int64_t id;
    if (req_param_id(r, 1, &id, e) < 0) return -1;
    json_t *body = req_json(r, e);
    if (!body) return -1;
    json_t *old = entity_load(r, en, id, e);
    if (!old) return -1;
    arena_defer(r->a, (void (*)(void *))json_decref, old);
    if (entity_row_check(r, en, old, ACCESS_WRITE, e) < 0) return -1;
    if (en->decorate) en->decorate(r, en, old); /* virtual values take part in the diff */
    int rc = patch_apply(r, en, old, body, e);
    if (rc == -2) return reply_conflict(r, en, id);
    if (rc < 0) return -1;
    json_t *row = entity_load(r, en, id, e);
    if (!row) return -1;
    row_finish(r, en, row);
    if (json_is_null(json_object_get(row, "_clocks"))) {
        json_decref(row);
        return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    }
    return reply_json(r, 200, row);
}

/* Soft-delete one live row (no checks: the caller's). 1 done, 0 not live or stale, -1 error.
   version < 0 skips the version check (rows deleted with their parent). */
static int soft_delete(Req *r, const Entity *en, int64_t id, int64_t version) {
    char *sql = arena_printf(r->a,
                             "UPDATE %s SET deleted_at = ?1, version = version + 1, updated_at = ?1, updated_by = ?2"
                             " WHERE id = ?3 AND deleted_at IS NULL%s",
                             en->table, version >= 0 ? " AND version = ?4" : "");
    Stmt *st = db_prepare(r->db, sql);
    if (!st) return -1;
    db_bind_int64(st, 1, r->now);
    db_bind_int64(st, 2, r->user->id);
    db_bind_int64(st, 3, id);
    if (version >= 0) db_bind_int64(st, 4, version);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0) return -1;
    return db_changes(r->db) == 1 ? 1 : 0;
}

/*
** What deleting (en, id) does to the live rows that refer to it through a declared
** reference field (entity.h): F_REF_CASCADE rows are deleted with it (and theirs in
** turn, audited "delete" with the cause), F_REF_KEEP rows stay, and any other live
** reference blocks the delete: 409 record.in_use naming the referring entity. Runs
** inside the delete's transaction, so a refusal deep in a cascade undoes it all.
*/
static int delete_dependents(Req *r, const Entity *en, int64_t id, int depth, Err *e) {
    if (depth > 8) return err_set(e, 409, EC_IN_USE, NULL, "%s", en->name); /* a cycle of cascades */
    int n;
    const Entity *const *all = entity_all(&n);
    for (int i = 0; i < n; i++) {
        for (const Field *f = all[i]->fields; f->name; f++) {
            if (f->type != FT_REF || (f->flags & (F_VIRTUAL | F_REF_KEEP)) || !f->ref || strcmp(f->ref, en->name))
                continue;
            bool cascade = (f->flags & F_REF_CASCADE) != 0;
            char *sql = arena_printf(r->a, "SELECT id FROM %s WHERE %s = ?1 AND deleted_at IS NULL%s", all[i]->table,
                                     f->name, cascade ? "" : " LIMIT 1");
            Stmt *st = db_prepare(r->db, sql);
            if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
            db_bind_int64(st, 1, id);
            json_t *ids = json_array();
            int rc;
            while ((rc = db_step(st)) == DB_ROW)
                json_array_append_new(ids, json_integer(db_col_int64(st, 0)));
            db_done(st);
            arena_defer(r->a, (void (*)(void *))json_decref, ids);
            if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
            if (!json_array_size(ids)) continue;
            if (!cascade)
                return err_set(e, 409, EC_IN_USE, f->name, "%s",
                               label_for(r->locale, all[i]->zh, all[i]->tw, all[i]->en));
            size_t k;
            json_t *v;
            json_array_foreach(ids, k, v) {
                int64_t child = json_integer_value(v);
                if (delete_dependents(r, all[i], child, depth + 1, e) < 0) return -1;
                int d = soft_delete(r, all[i], child, -1);
                if (d < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
                if (d == 1 && audit_write(r, all[i]->name, child, "delete",
                                          json_pack("{s:[n,[s,I]]}", "deleted_with", en->name, (json_int_t)id)) < 0)
                    return err_set(e, 500, EC_INTERNAL, NULL, NULL);
            }
            if (rollups_refresh_ids(r, all[i], ids, e) < 0) return -1;
        }
    }
    return 0;
}

/*
** DELETE /api/v1/:entity/:id?version=N                  roles: entity delete roles, and the
**                                                       access rule (entity_row_may)
** 204 (soft delete; F_REF_CASCADE rows go with it) | 400 record.version_required | 403 the row
** is only seen (shared, signed) | 404 | 409 stale version, not deletable in this state, or
** record.in_use (a live row still refers to it)
*/
static int entity_delete(Req *r, Err *e) {
    const Entity *en = entity_for_request(r, e);
    if (!en) return -1;
    int64_t id, version = 0;
    if (req_param_id(r, 1, &id, e) < 0) return -1;
    json_t *old = entity_load(r, en, id, e);
    if (!old) return -1;
    arena_defer(r->a, (void (*)(void *))json_decref, old);
    if (entity_row_check(r, en, old, ACCESS_DELETE, e) < 0) return -1;
    /* the version is required, as on PATCH: a delete never overrides a change it has not seen */
    const char *qv = req_query(r, "version");
    if (!qv || !*qv) return err_set(e, 400, EC_VERSION, "version", NULL);
    if (str_to_int64(qv, &version) != 0) return err_set(e, 400, EC_BAD_QUERY, "version", "integer expected");
    if (check_editable(r, en, old, NULL, e) < 0) return -1;
    int rc = soft_delete(r, en, id, version);
    if (rc < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    if (rc == 0) return reply_conflict(r, en, id);
    /* after the row's own version check, so a stale delete answers 409 conflict, not in_use */
    if (delete_dependents(r, en, id, 0, e) < 0) return -1;
    if (rollups_refresh(r, en, old, NULL, e) < 0) return -1;
    if (audit_write(r, en->name, id, "delete", NULL) < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    return reply_empty(r, 204);
}

void model_routes_register(void) {
    views_routes_register();   /* /api/v1/my/views before the generic /api/v1/:entity/:id */
    refdata_routes_register(); /* /api/v1/refdata/:list likewise */
    static const Route routes[] = {
        {"GET", "/api/v1/meta", meta_get, 0, 0, "Entity metadata for the front end", "meta"},
        {"GET", "/api/v1/openapi.json", openapi_get, R_PUBLIC, 0, "This OpenAPI document", "meta"},
        {"GET", "/api/v1/audit", audit_list, 0, 0, "Audit trail of one record", "audit"},
        {"GET", "/api/v1/:entity", entity_list, 0, 0, "List rows", "entities"},
        {"POST", "/api/v1/:entity", entity_create, R_WRITE, 0, "Create a row", "entities"},
        {"GET", "/api/v1/:entity/export.csv", export_csv, R_SLOW | R_RAW, 0, "Export the filtered rows as CSV",
         "entities"},
        {"GET", "/api/v1/:entity/export.xlsx", export_xlsx, R_SLOW | R_RAW, 0, "Export the filtered rows as XLSX",
         "entities"},
        {"POST", "/api/v1/:entity/export-jobs", export_job_post, R_SLOW | R_OWN_TX, 0,
         "Queue an export of the filtered rows (CSV or XLSX) as a background job", "entities"},
        {"POST", "/api/v1/:entity/import", import_post, R_SLOW | R_OWN_TX | R_BIG_BODY, 0,
         "Import rows from a CSV or XLSX file (dry run by default)", "entities"},
        {"GET", "/api/v1/:entity/import/template.csv", import_template, R_RAW, 0, "CSV header row for an import",
         "entities"},
        {"GET", "/api/v1/imports", import_jobs_list, 0, 0, "My recent imports", "entities"},
        {"GET", "/api/v1/imports/:id", import_job_get, 0, 0, "State, progress and report of an import", "entities"},
        {"GET", "/api/v1/imports/:id/errors.csv", import_job_errors_csv, R_RAW, 0,
         "The rows of an import that had an error, as CSV with the reasons", "entities"},
        {"GET", "/api/v1/:entity/:id", entity_get, 0, 0, "Get one row", "entities"},
        {"PATCH", "/api/v1/:entity/:id", entity_patch, R_WRITE, 0, "Change a row (optimistic lock)", "entities"},
        {"DELETE", "/api/v1/:entity/:id", entity_delete, R_WRITE, 0, "Delete a row (soft)", "entities"},
        {"GET", "/api/v1/:entity/:id/shares", shares_list, 0, 0, "Users a row is shared with", "entities"},
        {"POST", "/api/v1/:entity/:id/shares", shares_add, R_WRITE, 0, "Share a row with a user", "entities"},
        {"DELETE", "/api/v1/:entity/:id/shares/:user_id", shares_remove, R_WRITE, 0, "Stop sharing a row", "entities"},
        {"GET", "/api/v1/:entity/:id/line-labels/:child", lineref_labels_get, 0, 0,
         "The lines of a document named for a picker (FT_LINE)", "entities"},
        {"GET", "/api/v1/:entity/:id/links", links_list, 0, 0, "Records linked to a row (both directions)", "entities"},
        {"GET", "/api/v1/:entity/:id/versions", versions_list, 0, 0, "Kept versions of a signed document", "entities"},
        {"GET", "/api/v1/:entity/:id/versions/:rev", versions_get, 0, 0, "One kept version, whole", "entities"},
        {"GET", "/api/v1/:entity/:id/versions/:rev/diff", versions_diff, 0, 0,
         "What changed from one version to the next (or another, or the current row)", "entities"},
        {"POST", "/api/v1/:entity/:id/links", links_add, R_WRITE, 0, "Link a row to another record", "entities"},
        {"DELETE", "/api/v1/:entity/:id/links/:link_id", links_remove, R_WRITE, 0, "Remove a link", "entities"},
        {"POST", "/api/v1/:entity/:id/merge", entity_merge, R_WRITE, 0,
         "Merge another record of the same owner into this one", "entities"},
    };
    routes_add(routes, (int)(sizeof routes / sizeof routes[0]));
    publink_routes_register(); /* public links of every entity that declares purposes */
    jobs_register();           /* the background-job queue: its routes, settings and runner */
    export_register();         /* its kinds */
    import_register();
}
