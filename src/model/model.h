/*
** model.h — internals shared by the files of the model layer (registry
** data derived at start, validation, list queries). Modules use entity.h.
*/
#ifndef SALESLOOP_MODEL_H
#define SALESLOOP_MODEL_H

#include "entity.h"
#include "refdata.h"

/*
** What the flow layer lends the model, registered at start (flow_routes_register) so that the
** model calls nothing above it: the actions a user may run on a row, loading a row for someone
** who signs or may sign it, and an approval chain described for meta/OpenAPI. Unset members (a
** build without the flow layer) mean: no actions, plain entity_load, no approvals.
*/
struct Approval;
typedef struct FlowBridge {
    json_t *(*row_actions)(Req *r, const Entity *en, json_t *row);
    json_t *(*load)(Req *r, const Entity *en, int64_t id, Err *e);
    json_t *(*approval_json)(const struct Approval *ap, const char *locale, const char *state);
    /* a new row entered its workflow's initial state: start its deadline clocks; 0 or -1 with e */
    int (*entered)(Req *r, const Entity *en, int64_t id, const char *state, Err *e);
    /* the row's deadline clocks as JSON, or NULL when they could not be read */
    json_t *(*row_clocks)(Req *r, const Entity *en, int64_t id);
    /* the workflow's declared clocks for /api/v1/meta */
    json_t *(*deadline_meta)(Req *r, const Entity *en);
} FlowBridge;
void model_set_flow_bridge(const FlowBridge *b);
const FlowBridge *model_flow_bridge(void);

/* Derived once per entity at registration. */
typedef struct EntityInfo {
    Arena *arena;            /* owns the strings below, lives for the process */
    const char *select_cols; /* "t.id, t.version, ..., t.<field>..." */
    int nsys;                /* system columns selected before the fields (8, or 9 with state) */
    int nfields;             /* declared fields that are columns */
    /* The columns a list may order by that can hold NULL, read from the schema at start
       (entity_check_schema); until then every column counts as one (entity_sort_nullable). */
    const char **null_sorts;
    int n_null_sorts;
    bool sorts_read;
} EntityInfo;

extern const char *const sys_columns[];
const EntityInfo *entity_info(const Entity *en);
/* Can the entity's column (a system column, a field, a field's _sk key) hold NULL? True until the
   schema was read. PostgreSQL orders NULLs above every value, SQLite below: a list's sort on such
   a column says where they go on PostgreSQL (list.c), so both engines list the same rows first. */
bool entity_sort_nullable(const Entity *en, const char *column);
/* Live row of entity `name` with this id, visible to the user: 1 yes, 0 no, -1 database error. */
int entity_ref_ok(Req *r, const char *name, int64_t id);
/* Live row of entity `name` with this id, whoever may see it (F_REF_ANY): 1 yes, 0 no, -1 error. */
int entity_ref_exists(Req *r, const char *name, int64_t id);
/* Is the user admin, or a manager whose unit subtree holds the row's org unit (not merely
   someone the row was shared with)? Reassigning and sharing a row that is not one's own. */
bool entity_row_managed(Req *r, json_t *row);
/* Field label in the request's locale. */
const char *field_label(const Req *r, const Field *f);
/* Label of an enum value in the request's locale, or the value itself. */
const char *enum_label(const Req *r, const Field *f, const char *value);

/*
** Validate one input value for field f. On success *out is a new reference
** to the normalised JSON value (json_null() for an empty optional value).
** On failure e names the field.
*/
int field_validate(Req *r, const Field *f, json_t *v, json_t **out, Err *e);
/* Every F_REQUIRED field with a `when` condition that holds for rec has a value; else 400
   field.required naming it. Run on the whole record after the hooks (create and patch). */
int record_check_conditions(Req *r, const Field *fields, json_t *rec, Err *e);
/*
** Line references (FT_LINE, lineref.c). record_check_lines: every line reference of rec (its
** fields and its lines' fields) that is new or whose document moved names a line of that
** document, visible unless F_REF_ANY; a read-only empty document field is filled from the line.
** Run on create and patch before the entity's before_save. 0, or -1 with e (400 field.reference
** naming the field, "lines[2].contract_line_id" for a line's).
*/
int record_check_lines(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e);
/* The field naming f's document (own: the child collection f belongs to, or NULL); *in_parent
   (may be NULL) tells whether it is the parent record's. NULL when the declaration is wrong. */
const Field *lineref_doc_field(const Entity *en, const Child *own, const Field *f, bool *in_parent);
/* The collection f's values are lines of, and (doc, may be NULL) its document entity; NULL when
   the declaration names none. */
const Child *lineref_child(const Entity *en, const Child *own, const Field *f, const Entity **doc);
/* At start: each FT_LINE of en names a document field and a collection of it; else logs, -1. */
int lineref_check_decl(const Entity *en);
/* The lines of parent in collection ch named for people: [{"id","label"}] in order, or NULL on a
   database error. */
json_t *lineref_labels(Req *r, const Child *ch, int64_t parent);
int lineref_labels_get(Req *r, Err *e);
/* Bind a typed JSON value to parameter idx for field type t. */
void bind_value(Stmt *st, int idx, FieldType t, json_t *v);
/* Column col of a row as the JSON value of field type t (null stays null; bool false). */
json_t *entity_col_json(Stmt *st, int col, FieldType t);
/* Fields of fields[] that rec lacks: the declared default, null for read-only ones, else the
   field's own "required" check (crud.c). 0, or -1 with e naming the field. */
int record_defaults(Req *r, const Field *fields, json_t *rec, Err *e);

/* ---------------------------------------------------------------- computed fields, lines */

/* Units per stored integer of type t: 1000 for FT_QTY, 10000 for FT_PERCENT_BP, else 1. */
int64_t field_unit_scale(FieldType t);
/* a × b in the target's unit, rounded once half away from zero; -1 on int64 overflow. */
int compute_mul(int64_t a, FieldType ta, int64_t b, FieldType tb, FieldType target, int64_t *out);
/* Run a compute list over rec (a record, or one line: children NULL). prefix names the line in
   errors. 0, or -1 with e (400 field.range naming the computed field). */
int compute_run(Req *r, const Compute *cs, const Field *fields, const Child *children, json_t *rec, const char *prefix,
                Err *e);
/* Every compute of en names declared fields and targets F_COMPUTED | F_READONLY ones; logs, -1. */
int compute_check(const Entity *en);
/* Rollups (rollup.c): the declarations checked at start; and, after a row of `from` is written,
   the summaries fed by it recomputed for the rows that a and b (the row before and after; either
   may be NULL) refer to. -1 with e set on a database error. */
int rollup_check(const Entity *en);
int rollups_refresh(Req *r, const Entity *from, json_t *a, json_t *b, Err *e);
/* The same for rows of `from` given by id (deleted with their parent: read their references). */
int rollups_refresh_ids(Req *r, const Entity *from, json_t *ids, Err *e);
/* Every rollup entity en declares, recomputed for its row id (after a merge). 0 or -1. */
int rollups_recompute(Req *r, const Entity *en, int64_t id);
/* POST /api/v1/:entity/:id/merge (merge.c). */
int entity_merge(Req *r, Err *e);
/* The child collection of en called name, or NULL. */
const Child *entity_child(const Entity *en, const char *name);
/* Validate the child arrays of a create/patch body into rec (old: the stored row with its
   lines, NULL on create). 0, or -1 with e naming "lines[3].field". */
int children_collect(Req *r, const Entity *en, json_t *body, json_t *old, json_t *rec, Err *e);
/* Compute every line, then the record's own computed fields. 0 or -1 with e. */
int record_compute(Req *r, const Entity *en, json_t *rec, Err *e);
/* Do rec's lines differ from the stored ones in old? */
bool children_changed(const Entity *en, json_t *rec, json_t *old);
/* Write rec's lines of parent (old NULL on create: all new), recording each change in changes
   ("lines#12.quantity": [before, after], "lines#13": [null, {line}]). New lines get their ids
   in rec. 0 or -1 with e. */
int children_save(Req *r, const Entity *en, int64_t parent, json_t *rec, json_t *old, json_t *changes, Err *e);
/* Add each child collection of en to a loaded row, in line order. 0 or -1 (database error). */
int children_load(Req *r, const Entity *en, json_t *row);

/* ---------------------------------------------------------------- lists */

/*
** A module's own view of an entity's rows through the list language (the public pool): a scope
** that replaces row visibility, the only fields that may be filtered, sorted and searched (a
** masked view must not be probed through hidden columns), and joins for its display columns.
*/
typedef struct ListView {
    const char *const *fields;                       /* allowed field names, NULL-terminated */
    int (*scope_sql)(Req *r, Buf *sql, int first);   /* condition on alias t; returns its parameter count */
    void (*scope_bind)(Req *r, Stmt *st, int first); /* binds those parameters */
    const char *join;                                /* text after "FROM table t", or NULL */
    const char *default_sort;                        /* used when the request names none */
} ListView;

/* A list query parsed from the query string, plus its SQL WHERE and ORDER. */
#define LIST_SPLIT_MAX 224 /* a page reads at most this many codes' branches (Sichuan has 205 codes) */

typedef struct ListQuery {
    const ListView *view; /* NULL: the entity's own rows and fields, under row visibility */
    Buf where;            /* " AND ..." conditions after visibility */
    Buf order;            /* "t.x DESC, t.id DESC" */
    int nbind;            /* parameters used so far (visibility first) */
    struct {
        int kind; /* 0 int, 1 text */
        int64_t i;
        const char *s;
    } binds[64 + LIST_SPLIT_MAX]; /* 64 for the request's conditions, then a page's split codes */
    int64_t page, per_page;
    /* q= with many candidates (list.c parse_search): a page walks the sort's index and tests each
       row against the candidates (search_at: where " AND t.id IN (" of the search begins) instead of
       fetching and sorting every candidate; 0 when not */
    int search_walk_at;
    bool searched; /* q= given */
    /* q= whose candidates were counted (SQLite, no walk): the parameter of their ids (a JSON array),
       and where the check of each row's line stands in where (confirm_len 0: none, or done): a page
       confirms the rows in its order, as far as it and its total reach (list.c search_confirm) */
    int search_ids, confirm_entity, confirm_pattern;
    size_t confirm_at, confirm_len;
    /* a walked q= (search_walk_at): the parameter of its first candidates' ids and the length of its
       "AND t.id IN (...)" in where, for a total found among them (list.c walk_total_capped) */
    int search_first_ids;
    size_t search_in_len;
    /* a code filter with codes below it (a province, an industry's 门类): a page reads each code's rows
       in the sort's order, each limited to the page's end, and merges them (list.c list_query_page_sql);
       split NULL when none. Nested codes are the range ?split_lo <= x < ?split_hi, whose codes present
       are found when the page is read; listed ones are the parameters split_first .. + split_n - 1. */
    const Field *split;
    int split_lo, split_hi, split_first, split_n;
    size_t split_at, split_len; /* the filter's text in where: the outer query keeps it, branches do not */
} ListQuery;

/* Parse q/filter/sort/page from the request; -1 with e = 400 request.bad_query. */
int list_query_parse(Req *r, const Entity *en, ListQuery *lq, Err *e);
/* The same through a module's view (fields, scope and joins of view). */
int list_query_parse_view(Req *r, const Entity *en, const ListView *view, ListQuery *lq, Err *e);
/* "SELECT <cols> FROM table t WHERE live AND visible <where> [ORDER BY ...] <tail>" (arena string). */
char *list_query_sql(Req *r, const Entity *en, ListQuery *lq, const char *cols, const char *tail, bool ordered);
/* The page "... ORDER BY ... LIMIT ?pl OFFSET ?po" of the list: list_query_sql's rows, for a user who
   sees by owner read from the owner's index apart from the rows granted to them, for a filter by a
   code with codes below read code by code (list.c). May add parameters; NULL on a database error. */
char *list_query_page_sql(Req *r, const Entity *en, ListQuery *lq, const char *cols, int pl, int po);
/* Bind the query's parameters (visibility first) to a statement prepared from list_query_sql. */
void list_query_bind(Req *r, const Entity *en, ListQuery *lq, Stmt *st);
/* One more integer parameter (LIMIT/OFFSET); returns its number. */
int list_query_add_int(ListQuery *lq, int64_t v);

/* A list's total as its answer gives it: exact, or (capped) "more than total". */
typedef struct ListTotal {
    int64_t total;
    bool capped;
    const char *sql; /* the count's SQL as it ran, or NULL when the page ended the list (bench/sqlref --explain) */
} ListTotal;
/* The total of lq's list after its page was read (page_rows rows; nfilter = lq->nbind before the page's
   LIMIT and OFFSET were added). ?count=exact counts every row; by default (?count=capped) the count
   stops a few pages past the requested one (list.c), so a page costs what it shows, however many rows
   the user sees. -1 with e = 400 (a bad count=) or 500. */
int list_query_total(Req *r, const Entity *en, ListQuery *lq, int nfilter, size_t page_rows, ListTotal *t, Err *e);

/* The routes of saved views (views.c): /api/v1/my/views. */
void views_routes_register(void);

/* Next document number "PREFIX-YYYY-000123" (inside the caller's transaction). */
const char *doc_number_next(Req *r, const char *prefix, Err *e);

/* ---------------------------------------------------------------- public links (publink.c) */

/* Is s shaped like a link token: 43 characters of URL-safe base64 (32 random bytes)? */
bool publink_token_shape_ok(const char *s);
/* Every public purpose of en names stored fields (or "state" of a table that has it); logs, -1. */
int publink_check(const Entity *en, Db *db);
/* The purposes of en for /api/v1/meta: [{"name","label","lifetime_days","single_use","form"}]. */
json_t *publink_purposes_json(Req *r, const Entity *en);
/*
** Issue a link to record id of en for its declared purpose, valid `days` (1..the purpose's lifetime;
** else the lifetime), in the caller's transaction, audited on the record: module code that gives
** a person without an account their own link (a complaint filed through the public form). The
** token (arena) is shown once, to the caller. 0, or -1 with e (500: an undeclared purpose).
*/
int publink_issue(Req *r, const Entity *en, int64_t id, const char *purpose, int64_t days, const char **token,
                  int64_t *expires_at, int64_t *link_id, Err *e);
/*
** Count one public request of the client address under `scope` (its own counter: "p" the public
** links, "cf" the complaint form) in the current 10-minute window, inside the caller's transaction.
** 0 allowed, 1 over `limit` with *retry the seconds left in the window, < 0 the statement's error.
*/
int public_rate_count(Req *r, const char *scope, int64_t limit, int64_t *retry);
/*
** A public request (no sign-in), the whole transaction dance of the public side: the user dropped,
** the client address's request counted under scope against limit and committed whatever follows;
** then `before` (NULL or a step whose writes are kept even when it or the work fails: a spent
** challenge), then `work` in a savepoint that its error rolls back alone. Over the limit: 429
** public_link.rate_limited with Retry-After, and neither step runs. A step returns 0 or -1 with e
** (a 5xx rolls everything back, the count included). Returns the handler's result.
*/
typedef int (*PublicStep)(Req *r, Err *e);
int public_request(Req *r, Err *e, const char *scope, int64_t limit, PublicStep before, PublicStep work);
/* The routes of public links, the public side included, and their setting. */
void publink_routes_register(void);
/* A field described for the front end, as /api/v1/meta sends it (meta.c). */
json_t *field_json(Req *r, const Field *f);

/* Route handlers of export.c, meta.c, openapi.c, audit.c, shares. */
int export_csv(Req *r, Err *e);
int export_xlsx(Req *r, Err *e);
int export_job_post(Req *r, Err *e);
/* The job kinds of exports and imports (model_routes_register). */
void export_register(void);
void import_register(void);
int import_post(Req *r, Err *e);
int import_job_get(Req *r, Err *e);
int import_job_errors_csv(Req *r, Err *e);
int import_jobs_list(Req *r, Err *e);
int import_template(Req *r, Err *e);
int meta_get(Req *r, Err *e);
int openapi_get(Req *r, Err *e);
int audit_list(Req *r, Err *e);
int shares_list(Req *r, Err *e);
int shares_add(Req *r, Err *e);
/* Share row id of en with user (read access, R-ORG-1: sight, not command), audited "share"; a
   share that exists stays. The caller has checked the right to share. 0, or -1 on a database error. */
int entity_share(Req *r, const Entity *en, int64_t id, int64_t user);
int shares_remove(Req *r, Err *e);
int versions_list(Req *r, Err *e);
int versions_get(Req *r, Err *e);
int versions_diff(Req *r, Err *e);
int links_list(Req *r, Err *e);
int links_add(Req *r, Err *e);
int links_remove(Req *r, Err *e);
/* Does en's print layout name only fields it can print? (print.c; -1 logged) */
int print_check(const Entity *en);
/* Entity of the :entity path parameter, readable by the user, or e (404/403). */
const Entity *entity_for_request(Req *r, Err *e);
/* The record of the request's :entity/:id, loaded and visible (owned by the request); its entity
   in *pen and id in *pid. NULL with e (403, 404, 500). For sub-resources of a record. */
json_t *entity_request_row(Req *r, const Entity **pen, int64_t *pid, Err *e);
/* Add "_actions", "_permissions" and the decorate hook's values to a row about to be sent. */
void row_finish(Req *r, const Entity *en, json_t *row);
#endif
