/*
** entity.c — the entity registry, role checks, row visibility as SQL, and
** the mapping of a table row to typed JSON. Every read path of every module
** goes through entity_visibility_sql, so no module can forget R-ORG-1.
*/
#include <stdio.h>
#include <string.h>

#include "../core/errcodes.h"
#include "../flow/flow.h"
#include "model.h"

#define MAX_ENTITIES 128
static const Entity *aEntity[MAX_ENTITIES]; /* registered entities */
static EntityInfo aInfo[MAX_ENTITIES];      /* derived data, same index */
static int nEntity;

/* The system columns every entity table has, in the order they are selected. */
const char *const sys_columns[] = {"id",         "version",    "owner_id",   "org_unit_id", "created_at",
                                   "updated_at", "created_by", "updated_by", NULL};

const char *label_for(const char *locale, const char *zh, const char *tw, const char *en) {
    if (locale && strcmp(locale, "en") == 0 && en) return en;
    if (locale && strcmp(locale, "zh-TW") == 0 && tw) return tw;
    return zh ? zh : (en ? en : "");
}

const char *entity_state_label(const char *locale, const Entity *en, const char *state) {
    if (!state) return "";
    for (const EnumVal *v = en && en->flow ? en->flow->states : NULL; v && v->value; v++)
        if (strcmp(v->value, state) == 0) return label_for(locale, v->zh, v->tw, v->en);
    return state;
}

void entity_register(const Entity *en) {
    if (nEntity == MAX_ENTITIES || entity_find(en->name)) {
        log_error("cannot register entity %s", en->name);
        return;
    }
    EntityInfo *ei = &aInfo[nEntity];
    Buf b;
    ei->arena = arena_new();
    buf_init(&b, ei->arena);
    for (int i = 0; sys_columns[i]; i++)
        buf_printf(&b, "%st.%s", i ? ", " : "", sys_columns[i]);
    ei->nsys = 8;
    if (en->flow) {
        buf_puts(&b, ", t.state");
        ei->nsys++;
    }
    for (const Field *f = en->fields; f->name; f++) {
        if (f->flags & F_VIRTUAL) continue;
        buf_printf(&b, ", t.%s", f->name);
        ei->nfields++;
    }
    ei->select_cols = b.p;
    aEntity[nEntity++] = en;
}

const Entity *entity_find(const char *name) {
    for (int i = 0; name && i < nEntity; i++)
        if (strcmp(aEntity[i]->name, name) == 0) return aEntity[i];
    return NULL;
}

const EntityInfo *entity_info(const Entity *en) {
    for (int i = 0; i < nEntity; i++)
        if (aEntity[i] == en) return &aInfo[i];
    return NULL;
}

const Entity *const *entity_all(int *n) {
    *n = nEntity;
    return aEntity;
}

const Field *entity_field(const Entity *en, const char *name) {
    for (const Field *f = en->fields; f->name; f++)
        if (strcmp(f->name, name) == 0) return f;
    return NULL;
}

bool field_readable(const Field *f, const User *u) { return !f->read_roles || user_has_role(u, f->read_roles); }

void row_mask_fields(const Entity *en, const User *u, json_t *row) {
    for (const Field *f = en->fields; f->name; f++)
        if (!field_readable(f, u)) json_object_del(row, f->name);
}

/* Does column (field's, or its sort key) lead an index of en's table? -1, logged, when not (or on a
   database error). */
static int leading_index_check(Db *db, const Entity *en, const char *field, const char *column, const char *why) {
    int rc = db_column_leads_index(db, en->table, column);
    if (rc < 0)
        log_error("indexes of %s: %s", en->table, db_errmsg(db));
    else if (rc == 0)
        log_error("%s.%s is %s but %s leads no index (add one, or declare F_NOINDEX)", en->name, field, why, column);
    return rc > 0 ? 0 : -1;
}

/*
** A list filtered or sorted by a field must not scan the table: every F_FILTER
** or F_SORT column leads an index, or the field says why it needs none
** (F_NOINDEX). A text sorted in the language's order (F_SORTKEY) is sorted by
** its key, <name>_sk: that column must lead one, and the text itself only when
** it is also a filter (an index of the text alone was written by every create
** and read by no list). Checked at start so a new field cannot slip through.
*/
static int index_check(Db *db, const Entity *en) {
    int bad = 0;
    for (const Field *f = en->fields; f->name; f++) {
        if (f->read_roles && (f->flags & F_SEARCH)) {
            log_error("%s.%s has read_roles and F_SEARCH: a search would tell its values", en->name, f->name);
            bad = 1;
        }
        if (f->type == FT_CODE && !refdata_list_known(f->ref)) {
            log_error("%s.%s: no reference list \"%s\" (ref_codes)", en->name, f->name, f->ref ? f->ref : "");
            bad = 1;
        }
        if ((f->flags & F_OWNER_INDEXED) && (!(f->flags & F_FILTER) || en->vis != VIS_OWNER)) {
            log_error("%s.%s is F_OWNER_INDEXED but not a filter of an entity with owners", en->name, f->name);
            bad = 1;
        } else if (f->flags & F_OWNER_INDEXED) {
            int rc = db_columns_lead_index(db, en->table, "owner_id", f->name);
            if (rc < 0) log_error("indexes of %s: %s", en->table, db_errmsg(db));
            if (rc == 0)
                log_error("%s.%s is F_OWNER_INDEXED but no index begins (owner_id, %s)", en->name, f->name, f->name);
            if (rc <= 0) bad = 1;
        }
        if (en->few_rows || !(f->flags & (F_FILTER | F_SORT)) || (f->flags & (F_VIRTUAL | F_NOINDEX))) continue;
        bool by_key = (f->flags & (F_SORT | F_SORTKEY)) == (F_SORT | F_SORTKEY);
        if ((!by_key || (f->flags & F_FILTER)) &&
            leading_index_check(db, en, f->name, f->name, "filterable or sortable") < 0)
            bad = 1;
        char sk[128];
        snprintf(sk, sizeof sk, "%s_sk", f->name);
        if (by_key && leading_index_check(db, en, f->name, sk, "sorted by its key") < 0) bad = 1;
    }
    return bad ? -1 : 0;
}

bool entity_sort_nullable(const Entity *en, const char *column) {
    const EntityInfo *ei = entity_info(en);
    if (!ei || !ei->sorts_read) return true;
    for (int i = 0; i < ei->n_null_sorts; i++)
        if (strcmp(ei->null_sorts[i], column) == 0) return true;
    return false;
}

/* One column a list may order by: remembered when it can hold NULL. A declared sort field's
   (declared: its indexes are the entity's own) must then be ordered NULLs-below by every index
   that holds it, as SQLite orders them, or PostgreSQL could not walk that index for the list's
   order (with 90,000 customers never followed up, a manager's list by last follow-up read them
   all first: bench/FINDINGS.md 77). */
static int sort_column_check(Db *db, const Entity *en, EntityInfo *ei, const char *column, bool declared) {
    int rc = db_column_nullable(db, en->table, column);
    if (rc < 0) {
        log_error("columns of %s: %s", en->table, db_errmsg(db));
        return -1;
    }
    if (rc == 0) return 0;
    ei->null_sorts[ei->n_null_sorts++] = arena_strdup(ei->arena, column);
    char index[128];
    rc = declared ? db_index_nulls_high(db, en->table, column, index, sizeof index) : 0;
    if (rc < 0) log_error("indexes of %s: %s", en->table, db_errmsg(db));
    if (rc > 0)
        log_error("index %s orders the NULLs of %s.%s above its values: declare the column {{pg:NULLS FIRST}} "
                  "(ascending) as SQLite orders them, so that a list sorted by it can walk the index",
                  index, en->table, column);
    return rc == 0 ? 0 : -1;
}

/* Which sortable columns can hold NULL (sys columns and state too: any of them may be sorted). */
static int sorts_check(Db *db, const Entity *en, EntityInfo *ei) {
    int cap = 9;
    for (const Field *f = en->fields; f->name; f++)
        cap += 2;
    ei->null_sorts = arena_alloc(ei->arena, (size_t)cap * sizeof *ei->null_sorts);
    ei->n_null_sorts = 0;
    int bad = 0;
    for (int i = 0; sys_columns[i]; i++)
        if (sort_column_check(db, en, ei, sys_columns[i], false) < 0) bad = 1;
    if (en->flow && sort_column_check(db, en, ei, "state", false) < 0) bad = 1;
    for (const Field *f = en->fields; f->name; f++) {
        if (!(f->flags & F_SORT) || (f->flags & F_VIRTUAL)) continue;
        if (sort_column_check(db, en, ei, f->name, true) < 0) bad = 1;
        if (f->flags & F_SORTKEY) {
            char sk[128];
            snprintf(sk, sizeof sk, "%s_sk", f->name);
            if (sort_column_check(db, en, ei, sk, true) < 0) bad = 1;
        }
    }
    ei->sorts_read = !bad;
    return bad ? -1 : 0;
}

int entity_check_schema(Db *db) {
    int bad = 0;
    for (int i = 0; i < nEntity; i++) {
        char sql[4096];
        snprintf(sql, sizeof sql, "SELECT %s, t.deleted_at FROM %s t WHERE 1 = 0", aInfo[i].select_cols,
                 aEntity[i]->table);
        Stmt *st = db_prepare(db, sql);
        if (!st || db_step(st) < 0) {
            log_error("entity %s does not match table %s: %s", aEntity[i]->name, aEntity[i]->table, db_errmsg(db));
            bad = 1;
        }
        db_done(st);
        for (const Child *ch = aEntity[i]->children; ch && ch->name; ch++) {
            int n = snprintf(sql, sizeof sql, "SELECT id, parent_id, idx");
            for (const Field *f = ch->fields; f->name; f++)
                n += snprintf(sql + n, sizeof sql - n, ", %s", f->name);
            snprintf(sql + n, sizeof sql - n, " FROM %s WHERE 1 = 0", ch->table);
            st = db_prepare(db, sql);
            if (!st || db_step(st) < 0) {
                log_error("lines %s.%s do not match table %s: %s", aEntity[i]->name, ch->name, ch->table,
                          db_errmsg(db));
                bad = 1;
            }
            db_done(st);
        }
        if (compute_check(aEntity[i]) < 0) bad = 1;
        if (rollup_check(aEntity[i]) < 0) bad = 1;
        if (index_check(db, aEntity[i]) < 0) bad = 1;
        if (sorts_check(db, aEntity[i], &aInfo[i]) < 0) bad = 1;
        if (publink_check(aEntity[i], db) < 0) bad = 1;
        if (print_check(aEntity[i]) < 0) bad = 1;
        if (lineref_check_decl(aEntity[i]) < 0) bad = 1;
    }
    return bad ? -1 : 0;
}

/* ---------------------------------------------------------------- permissions */

bool entity_can_read(const Entity *en, const User *u) { return user_has_role(u, en->read_roles); }
bool entity_can_write(const Entity *en, const User *u) { return user_has_role(u, en->write_roles); }
bool entity_can_delete(const Entity *en, const User *u) {
    return user_has_role(u, en->delete_roles ? en->delete_roles : en->write_roles);
}

/* Sees every row: admin, a role the entity lets read every row, or an entity everyone may read.
   Otherwise a row is visible to its owner, to users it is shared with, to
   signers of its approvals, and to managers of its org unit or above. */
static bool sees_all(const Entity *en, const User *u) {
    return en->vis == VIS_ALL || (u->roles & (RB(ADMIN) | en->read_all_roles));
}

/* Does the user see a unit subtree? Only managers that belong to a unit. */
static bool sees_subtree(const User *u) { return (u->roles & ROLES_MANAGING) && u->org_unit_id > 0 && u->org_path; }

bool entity_user_sees_subtree(const User *u) { return sees_subtree(u); }

/* The visibility condition; with_owner false leaves out "t.owner_id = ?p" (the grants alone, for
   entity_visibility_grants_sql). */
static int visibility_sql(const Entity *en, const User *u, Buf *sql, int p, bool with_owner) {
    if (sees_all(en, u)) {
        buf_puts(sql, "1 = 1");
        return 0;
    }
    /* Each term is "column = ?" or "column IN (uncorrelated subquery)", so SQLite can
       answer the OR from the indexes (owner, rowid, unit) instead of scanning the
       table with a correlated EXISTS per row (bench/FINDINGS.md: 50 ms -> 4 ms). */
    if (with_owner)
        buf_printf(sql, "(t.owner_id = ?%d OR ", p);
    else
        buf_puts(sql, "(");
    /* The rows granted (shared, or signed) in one IN: PostgreSQL cannot OR two IN subqueries as
       index lookups and read a rep's leads list by scanning every lead (387 ms; as one IN, a join on
       the key: 1 ms; bench/FINDINGS.md 79). SQLite looks the rows up by key either way. */
    buf_printf(sql, "t.id IN (SELECT s.row_id FROM shares s WHERE s.user_id = ?%d AND s.entity = ?%d", p, p + 1);
    if (en->flow) /* signers of the row's approvals (within their scope) see what they sign or signed */
        buf_printf(sql,
                   " UNION ALL SELECT a.row_id FROM approval_tasks a JOIN user_roles ur ON ur.role = a.role"
                   " WHERE a.entity = ?%d AND ur.user_id = ?%d"
                   " AND (a.scope_path IS NULL OR a.scope_path LIKE ?%d)",
                   p + 1, p, p + 2);
    buf_puts(sql, ")");
    if (sees_subtree(u))
        buf_printf(sql, " OR t.org_unit_id IN (SELECT o.id FROM org_units o WHERE o.path LIKE ?%d)", p + 2);
    buf_puts(sql, ")");
    /* ?p+2 must appear, typed: PostgreSQL refuses a gap before later parameters (LIMIT). It
       stands in an always-true AND term, not in the OR: an OR term no index answers (the
       former "OR t.org_unit_id IN (... WHERE 1 = 0 ...)", costed by the planner as a whole
       unit's rows once ANALYZE ran) made SQLite scan the table for every rep's list
       (bench/FINDINGS.md: 100,000 customers, 100-500 ms -> a few ms). */
    if (!sees_subtree(u) && !en->flow) buf_printf(sql, " AND (CAST(?%d AS TEXT) IS NULL OR 1 = 1)", p + 2);
    return 3;
}

int entity_visibility_sql(const Entity *en, const User *u, Buf *sql, int p) {
    return visibility_sql(en, u, sql, p, true);
}

bool entity_visibility_by_owner(const Entity *en, const User *u) { return !sees_all(en, u) && !sees_subtree(u); }

int entity_visibility_grants_sql(const Entity *en, const User *u, Buf *sql, int p) {
    return visibility_sql(en, u, sql, p, false);
}

int entity_visibility_bind(const Entity *en, const User *u, Stmt *st, int p) {
    if (sees_all(en, u)) return 0;
    db_bind_int64(st, p, u->id);
    db_bind_text(st, p + 1, en->name, -1);
    /* the user's subtree pattern; a user outside any unit matches no path */
    char pat[512];
    snprintf(pat, sizeof pat, "%s%%", u->org_unit_id > 0 && u->org_path ? u->org_path : "/-/");
    db_bind_text(st, p + 2, pat, -1);
    return 3;
}

/* ---------------------------------------------------------------- rows */

/* JSON value of column col for field type t. */
static json_t *col_json(Stmt *st, int col, FieldType t) {
    if (db_col_null(st, col)) return t == FT_BOOL ? json_false() : json_null();
    if (field_type_is_integer(t)) return json_integer(db_col_int64(st, col));
    if (t == FT_BOOL) return json_boolean(db_col_int64(st, col) != 0);
    const char *s = db_col_text(st, col); /* came in checked, and the reply checks it again (json_out) */
    return s ? json_stringn_nocheck(s, strlen(s)) : json_null();
}

json_t *entity_col_json(Stmt *st, int col, FieldType t) { return col_json(st, col, t); }

json_t *entity_row_json(const Entity *en, Stmt *st) {
    json_t *o = json_object(); /* the keys are declared names: nothing to check */
    int c = 0;
    for (; sys_columns[c]; c++)
        json_object_set_new_nocheck(o, sys_columns[c], col_json(st, c, FT_INT));
    if (en->flow) json_object_set_new_nocheck(o, "state", col_json(st, c++, FT_TEXT));
    for (const Field *f = en->fields; f->name; f++) {
        if (f->flags & F_VIRTUAL) continue;
        if (f->flags & F_WRITEONLY) {
            c++;
            continue;
        }
        json_object_set_new_nocheck(o, f->name, col_json(st, c++, f->type));
    }
    return o;
}

/* One value of entity_row_write: as col_json's value would be written. */
static bool col_write(Stmt *st, int col, FieldType t, Buf *b) {
    if (db_col_null(st, col)) {
        buf_puts(b, t == FT_BOOL ? "false" : "null");
        return true;
    }
    if (field_type_is_integer(t)) {
        json_put_integer(b, db_col_int64(st, col));
        return true;
    }
    if (t == FT_BOOL) {
        buf_puts(b, db_col_int64(st, col) != 0 ? "true" : "false");
        return true;
    }
    const char *s = db_col_text(st, col);
    return json_put_string(b, s, strlen(s));
}

/* "name": */
static bool key_write(Buf *b, const char *name, bool *first) {
    if (!*first) buf_putc(b, ',');
    *first = false;
    bool ok = json_put_string(b, name, strlen(name));
    buf_putc(b, ':');
    return ok;
}

bool entity_row_write(Req *r, const Entity *en, Stmt *st, Buf *b) {
    bool first = true, ok = true;
    buf_putc(b, '{');
    int c = 0;
    for (; sys_columns[c]; c++)
        ok = key_write(b, sys_columns[c], &first) && col_write(st, c, FT_INT, b) && ok;
    if (en->flow) ok = key_write(b, "state", &first) && col_write(st, c++, FT_TEXT, b) && ok;
    for (const Field *f = en->fields; f->name; f++) {
        if (f->flags & F_VIRTUAL) continue;
        int col = c++;
        if ((f->flags & F_WRITEONLY) || !field_readable(f, r->user)) continue; /* row_mask_fields */
        ok = key_write(b, f->name, &first) && ok;
        if ((f->flags & F_MESSAGE) && !db_col_null(st, col)) { /* row_render_messages */
            const char *t = msg_render(r->a, r->locale, db_col_text(st, col));
            ok = json_put_string(b, t, strlen(t)) && ok;
        } else {
            ok = col_write(st, col, f->type, b) && ok;
        }
    }
    buf_putc(b, '}');
    return ok;
}

static json_t *load_row(Req *r, const Entity *en, int64_t id, bool visible_only, Err *e) {
    const EntityInfo *ei = entity_info(en);
    Buf sql;
    buf_init(&sql, r->a);
    buf_puts(&sql, "SELECT "); /* puts, not printf: the columns run to a kilobyte */
    buf_puts(&sql, ei->select_cols);
    buf_puts(&sql, " FROM ");
    buf_puts(&sql, en->table);
    buf_puts(&sql, " t WHERE t.id = ?1 AND t.deleted_at IS NULL");
    if (visible_only) {
        buf_puts(&sql, " AND ");
        entity_visibility_sql(en, r->user, &sql, 2);
    }
    Stmt *st = db_prepare(r->db, sql.p);
    if (!st) {
        err_set(e, 500, EC_INTERNAL, NULL, NULL);
        return NULL;
    }
    db_bind_int64(st, 1, id);
    if (visible_only) entity_visibility_bind(en, r->user, st, 2);
    json_t *row = NULL;
    int rc = db_step(st);
    if (rc == DB_ROW) row = entity_row_json(en, st);
    db_done(st);
    if (!row) err_set(e, rc < 0 ? 500 : 404, rc < 0 ? EC_INTERNAL : EC_REC_NOT_FOUND, NULL, NULL);
    if (row && en->children && children_load(r, en, row) < 0) { /* a row is whole or not at all */
        json_decref(row);
        err_set(e, 500, EC_INTERNAL, NULL, NULL);
        return NULL;
    }
    return row;
}

json_t *entity_load(Req *r, const Entity *en, int64_t id, Err *e) { return load_row(r, en, id, true, e); }

json_t *entity_load_any(Req *r, const Entity *en, int64_t id, Err *e) { return load_row(r, en, id, false, e); }

/* A row that must exist (live) in entity `name` and be visible to the user: 1 yes, 0 no,
   -1 database error (never read as "no"). */
int entity_ref_ok(Req *r, const char *name, int64_t id) {
    const Entity *ref = entity_find(name);
    if (!ref) return 0;
    Buf sql;
    buf_init(&sql, r->a);
    buf_printf(&sql, "SELECT 1 FROM %s t WHERE t.id = ?1 AND t.deleted_at IS NULL AND ", ref->table);
    entity_visibility_sql(ref, r->user, &sql, 2);
    Stmt *st = db_prepare(r->db, sql.p);
    if (!st) return -1;
    db_bind_int64(st, 1, id);
    entity_visibility_bind(ref, r->user, st, 2);
    int rc = db_step(st);
    db_done(st);
    return rc < 0 ? -1 : rc == DB_ROW;
}

/* A row that must exist (live) in entity `name`, visible or not: 1 yes, 0 no, -1 error. */
int entity_ref_exists(Req *r, const char *name, int64_t id) {
    const Entity *ref = entity_find(name);
    if (!ref) return 0;
    Stmt *st =
        db_prepare(r->db, arena_printf(r->a, "SELECT 1 FROM %s WHERE id = ?1 AND deleted_at IS NULL", ref->table));
    if (!st) return -1;
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    db_done(st);
    return rc < 0 ? -1 : rc == DB_ROW;
}

bool entity_row_managed(Req *r, json_t *row) {
    const User *u = r->user;
    if (u->roles & RB(ADMIN)) return true;
    json_t *unit = json_object_get(row, "org_unit_id");
    if (!sees_subtree(u) || !json_is_integer(unit)) return false;
    Stmt *st = db_prepare(r->db, "SELECT 1 FROM org_units o WHERE o.id = ?1 AND o.path LIKE ?2");
    if (!st) return false;
    db_bind_int64(st, 1, json_integer_value(unit));
    db_bind_text(st, 2, arena_printf(r->a, "%s%%", u->org_path), -1);
    bool ok = db_step(st) == DB_ROW;
    db_done(st);
    return ok;
}

/* ---------------------------------------------------------------- access rule */

RowRelation entity_row_relation(Req *r, const Entity *en, json_t *row) {
    const User *u = r->user;
    if (u->roles & RB(ADMIN)) return REL_ADMIN;
    if (entity_row_managed(r, row)) return REL_MANAGER;
    json_t *owner = json_object_get(row, "owner_id");
    if (json_is_integer(owner) && json_integer_value(owner) == u->id) return REL_OWNER;
    return REL_SIGHT;
}

/*
** The table of docs/API.md "Access rules", in code. Reading is settled before this is
** called (the row was loaded through entity_visibility_sql); here only command is decided.
*/
bool entity_row_may(Req *r, const Entity *en, json_t *row, AccessOp op, const AccessGrant *grant) {
    const User *u = r->user;
    if (!u) return false;
    if (op == ACCESS_ACT) {
        /* the owner when the transition allows it, or a holder of one of its roles (admin not
           implied); a holder of managing roles only acts on rows they manage */
        if (!grant) return false;
        json_t *owner = json_object_get(row, "owner_id");
        if (grant->owner && json_is_integer(owner) && json_integer_value(owner) == u->id) return true;
        uint32_t held = u->roles & grant->roles;
        if (!held) return false;
        if ((held & ~(uint32_t)ROLES_MANAGING) == 0 && en->vis == VIS_OWNER) return entity_row_managed(r, row);
        return true;
    }
    if (op == ACCESS_WRITE && !entity_can_write(en, u)) return false;
    if (op == ACCESS_DELETE && !entity_can_delete(en, u)) return false;
    /* reference data everyone reads: the entity's write roles are the whole rule */
    if (en->vis == VIS_ALL && op != ACCESS_SHARE) return true;
    if (op != ACCESS_SHARE && (u->roles & en->write_any_roles)) return true;
    return entity_row_relation(r, en, row) != REL_SIGHT;
}

int entity_row_check(Req *r, const Entity *en, json_t *row, AccessOp op, Err *e) {
    return entity_row_may(r, en, row, op, NULL) ? 0 : err_set(e, 403, EC_FORBIDDEN, NULL, NULL);
}
