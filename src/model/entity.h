/*
** entity.h — how a module declares a business entity, and what the model
** layer gives it in return: list (search, filters, sort, pages, total), get,
** create, patch with optimistic locking, soft delete, CSV/XLSX export, meta
** and OpenAPI — with role and row visibility checked on every path.
**
** Every entity table has these system columns besides its declared fields:
**   id         BIGINT primary key
**   version    INTEGER, starts at 1, +1 on every change (optimistic lock)
**   owner_id   user who owns the row (visibility "owner")
**   org_unit_id  org unit the row belongs to (visibility "unit subtree")
**   state      workflow state (only for entities with a workflow)
**   created_at, updated_at, created_by, updated_by, deleted_at (soft delete)
*/
#ifndef SALESLOOP_ENTITY_H
#define SALESLOOP_ENTITY_H

#include "../http/http.h"

typedef enum {
    FT_TEXT,       /* one line of text; max = characters */
    FT_LONGTEXT,   /* multi-line text; max = characters */
    FT_INT,        /* int64; min/max inclusive when min < max */
    FT_MONEY,      /* int64 fen; JSON integer; min/max in fen when min < max */
    FT_DATE,       /* calendar date "YYYY-MM-DD" */
    FT_DATETIME,   /* UTC epoch seconds, JSON integer */
    FT_BOOL,       /* JSON true/false, stored 0/1 */
    FT_ENUM,       /* one of enums[] values */
    FT_REF,        /* id of a row of entity `ref` (must exist and be visible) */
    FT_EMAIL,      /* text with a plausible address */
    FT_PHONE,      /* digits, spaces, + - ( ) */
    FT_PERCENT_BP, /* basis points 0..10000 (12.5 % = 1250), JSON integer */
    FT_ROLES,      /* JSON array of role ids (users only; virtual) */
    FT_QTY,        /* quantity with 3 decimals as int64 thousandths (12.5 kg = 12500), JSON integer;
                      goods sold by weight or length; min/max in thousandths when min < max */
    FT_CODE,       /* a code of the reference list named by `ref` ("regions": GB/T 2260 divisions,
                      "industries": GB/T 4754): stored as text, validated against the list, shown by
                      its name in the reader's language; a filter on a code takes the codes below it
                      too (filter[region]=32 is all of 江苏省) (model/refdata.h) */
    FT_LINE,       /* id of a line of another document (lineref.c): a row of child collection `ref`
                      ("lines") of the document named by FT_REF field `line_of` of this record, or,
                      for a field of a line, of its parent record when the line has no such field.
                      The line must belong to that document, which must be visible (F_REF_ANY: need
                      not be); when line_of is F_READONLY and empty, the server fills it with the
                      line's document. Shown by the line's label (Child.label) */
} FieldType;
/* Is a field of type t an integer in the database and in JSON (money in fen, time in epoch seconds,
   a reference's id, a quantity in thousandths, a percentage in basis points)? */
static inline bool field_type_is_integer(FieldType t) {
    return t == FT_INT || t == FT_MONEY || t == FT_DATETIME || t == FT_REF || t == FT_LINE || t == FT_QTY ||
           t == FT_PERCENT_BP;
}

typedef struct EnumVal {
    const char *value; /* stored and sent as is */
    const char *zh, *tw, *en;
} EnumVal;

enum {
    F_REQUIRED = 1 << 0,       /* must be present and non-empty on create */
    F_READONLY = 1 << 1,       /* set by the server only; clients may not send it */
    F_LIST = 1 << 2,           /* shown as a list column by default */
    F_SEARCH = 1 << 3,         /* matched by ?q= */
    F_FILTER = 1 << 4,         /* usable in ?filter[field]= */
    F_SORT = 1 << 5,           /* usable in ?sort= */
    F_UNIQUE = 1 << 6,         /* no two live rows share the value (field.duplicate) */
    F_CREATE_ONLY = 1 << 7,    /* may be set on create, not changed afterwards */
    F_VIRTUAL = 1 << 8,        /* not a column: validated here, stored by the entity's hooks */
    F_WRITEONLY = 1 << 9,      /* accepted on input, never sent back (passwords) */
    F_COMPUTED = 1 << 11,      /* stored, computed by the server on every write from the entity's
                                  Compute list (implies read-only: never accepted from a client) */
    F_REF_CASCADE = 1 << 12,   /* FT_REF: deleting the referred row deletes this row too (a
                                  customer's contacts); by default a live referring row blocks it */
    F_REF_KEEP = 1 << 13,      /* FT_REF: deleting the referred row leaves this one as it is (a
                                  referrer, a former owner): a historical pointer, not a dependency */
    F_MESSAGE = 1 << 14,       /* text the server writes as a message key with parameters (msg_make):
                                  rendered in the reader's language wherever the row is read */
    F_REF_OWNER = 1 << 16,     /* FT_REF: this row belongs to the referred one (a customer's contacts):
                                  it takes that row's owner and unit on create and when moved, and
                                  follows it whenever it changes hands (owner.c) */
    F_NOINDEX = 1 << 15,       /* F_FILTER/F_SORT without an index of its own, on purpose: a small
                                  table, or a column only ever combined with a selective one (the
                                  start-up check refuses other filterable columns without an index) */
    F_SORTKEY = 1 << 17,       /* text sorted in the language's order (pinyin for 汉字): the server keeps
                                  collate_key(value) in the column <name>_sk on every write, and
                                  ?sort=<name> orders by it (list.c) */
    F_OWNER_INDEXED = 1 << 18, /* F_FILTER with an index led by (owner_id, <name>) (checked at start): a
                                  user who sees by owner filters on it within the owner's rows, so a
                                  region code is a range for a rep too (list.c, bench/FINDINGS.md 43) */
    F_REF_ANY = 1 << 10,       /* FT_REF: the row need not be visible to the user (a referrer owned by
                                  another rep, R-CUS-3). Validation checks only that the value is an id;
                                  the entity's hooks resolve it, answering a row the user cannot see
                                  exactly as one that does not exist (no oracle of other reps' rows) */
};

/*
** Directives: body keys starting with '_' that are not fields but tell the
** entity's hooks something about this one write ("_allow_duplicate": true).
** collect_input accepts the ones listed in crud.c (booleans only) and hands them
** to before_save in rec; they are never stored, audited or sent back.
*/

typedef struct Field {
    const char *name; /* column and JSON name */
    FieldType type;
    unsigned flags;           /* F_* */
    int64_t min, max;         /* limits (length for text, value for numbers); ignored when both 0 */
    const EnumVal *enums;     /* FT_ENUM: values, terminated by {NULL} */
    const char *ref;          /* FT_REF: entity name referred to; FT_CODE: the reference list */
    const char *def;          /* default on create, as text ("draft", "0"), or NULL */
    const char *zh, *tw, *en; /* labels */
    const char *group;        /* key of the entity's FieldGroup the form shows it in, or NULL */
    /* Shown (and, when F_REQUIRED, required) only while a condition on the record holds:
       "field" = that field is set (non-empty, true), "field=a|b" = it is one of the values;
       "state=lost" reads the workflow state. NULL = always. Declared with .when = "...". */
    const char *when;
    /* 0: whoever reads the entity reads the field. Else only these roles (and admin) do: for anyone
       else it is left out of rows, lists, exports, meta and the audit trail, and refused as a filter
       or a sort. Never F_SEARCH (a search would tell its values). Declared with .read_roles = RB(...). */
    uint32_t read_roles;
    /* FT_LINE: the FT_REF field naming the document whose line this is ("order_id") */
    const char *line_of;
} Field;

/* A section of the record form: fields naming its key are shown under its label. */
typedef struct FieldGroup {
    const char *key;
    const char *zh, *tw, *en;
} FieldGroup;

/* Does f's `when` condition hold for rec (true without a condition)? */
bool field_condition_holds(const Field *f, json_t *rec);

/*
** Stored computed fields: one step of arithmetic over a record's fields (or a
** line's), run by the server in declaration order on every create and patch,
** before and after the before_save hook. Integers only: a product is scaled by
** the operands' units (FT_QTY thousandths, FT_PERCENT_BP ten-thousandths) and
** rounded once, half away from zero (四舍五入), into the target's unit.
*/
typedef enum {
    CK_MUL,   /* field = a × b  (qty × price → fen; fen × basis points → fen) */
    CK_ADD,   /* field = a + b */
    CK_SUB,   /* field = a − b */
    CK_SUM,   /* field = sum of field b over the lines of child collection a */
    CK_RATIO, /* field = a / b in the target's unit (a margin in basis points); 0 when b is 0 */
} ComputeOp;

typedef struct Compute {
    const char *field; /* the F_COMPUTED target */
    ComputeOp op;
    const char *a, *b; /* operand fields (CK_SUM: child name, line field) */
} Compute;

/*
** A stored summary of related rows (a rollup): the latest follow-up of a customer,
** the count of open tickets of a contract. Declared by the summarised entity, kept
** by the core whenever a row of `from` is created, changed or deleted (whatever
** module writes it), so no module writes another's table to keep it current. The
** target is F_COMPUTED | F_READONLY; keeping it does not move the row's version
** (nobody's edit of the row conflicts with a follow-up logged meanwhile).
*/
typedef enum {
    RU_MAX,   /* greatest `of` among the live related rows (NULL when none) */
    RU_COUNT, /* number of live related rows */
    RU_SUM,   /* sum of `of` over the live related rows (0 when none) */
} RollupOp;

typedef struct Rollup {
    const char *field; /* the F_COMPUTED target of this entity; with `lines`, a column of the lines */
    RollupOp op;
    const char *from; /* the related entity ("follow_ups") */
    const char *ref;  /* its FT_REF field naming this entity's row ("customer_id"); with `lines`,
                         its FT_INT field naming a line ("instalment_id") */
    const char *of;   /* the summarised field of `from` (unused by RU_COUNT) */
    /* A summary per line of this entity's child collection `lines` rather than per row (what is
       received on each instalment of a contract), kept in column `field` of the lines' table: not a
       field of the line, so never sent, versioned or compared by a review. NULL: per row. */
    const char *lines;
    /* Which live rows of `from` count, as SQL over alias c, declared here and never built from
       input ("c.state <> 'voided'"); NULL: every live row. Kept on a state change too. */
    const char *where;
} Rollup;

/*
** A child collection: document lines (a quotation's items, an expense claim's
** receipts). Rows of `table` (columns id, parent_id, idx, then the fields) that
** belong to one parent row: sent and returned inside the parent as an array
** under `name`, validated with errors naming "lines[3].quantity", saved with the
** parent in its transaction under its version, audited in its trail, visible and
** editable exactly when the parent is. A PATCH that carries the array replaces the
** collection: an element with the "id" of a stored line changes that line (keys
** left out keep their values), one without "id" is a new line, a stored line the
** array leaves out is deleted.
*/
typedef struct Child {
    const char *name;           /* JSON key and meta name: "lines" */
    const char *table;          /* SQL table */
    const char *zh, *tw, *en;   /* labels */
    const struct Field *fields; /* a line's fields, terminated by {NULL} */
    const Compute *computes;    /* per-line computed fields, terminated by {NULL}; or NULL */
    int min_rows;               /* at least this many lines (0: none needed) */
    int max_rows;               /* at most this many (0: 500) */
    /* Fields naming one line to people where another document refers to it (FT_LINE pickers,
       read views): "product_id quantity" shows "第2行 · 不锈钢球阀 · 40"; NULL: the position */
    const char *label;
} Child;

/*
** A printed document (issue 9 mechanism 6): how one row looks on paper, as data.
** GET /api/v1/E/:id/print resolves it for a row (labels, formatted values, lines,
** totals, 大写) and GET /api/v1/E/:id/print.pdf draws the same text on A4
** (model/print.c, model/pdf.c). Field names may be declared fields or the system
** columns owner_id (the owner's name), created_at (the date) and state; a column
** named "#" is the line's position (1, 2, ...).
*/
typedef struct PrintColumn {
    const char *field; /* a field of the printed child collection, or "#" */
    int width;         /* relative width: the table's widths are shared out in proportion */
} PrintColumn;

typedef struct PrintLayout {
    const char *zh, *tw, *en;                      /* document title: "报价单" */
    const char *const *header;                     /* fields shown as label: value pairs, 2 per row; NULL-terminated */
    const char *lines;                             /* child collection printed as the table, or NULL */
    const PrintColumn *columns;                    /* the table's columns, {NULL}-terminated */
    const char *const *totals;                     /* fields under the table, label: value; NULL-terminated, or NULL */
    const char *upper;                             /* a money field also written in capitals (money_upper), or NULL */
    const char *footer_zh, *footer_tw, *footer_en; /* closing text (signature lines), "\n" breaks; or NULL */
} PrintLayout;

typedef enum {
    VIS_OWNER, /* owner, managers of the row's org unit subtree, explicit shares */
    VIS_ALL,   /* every signed-in user with a read role (catalogues, reference data) */
} Visibility;

struct Workflow;
struct Entity;

/* One existing row an input record matches (duplicate/collision detection).
   Strings live in the request arena. */
typedef struct EntityMatch {
    const char *entity; /* entity of the matching row ("customers" | "leads" ...) */
    int64_t row_id;
    int64_t owner_id;       /* 0 when unowned (public pool) */
    const char *owner_name; /* display name of the owner, or NULL */
    const char *name;       /* the row's name, shown even when other details are masked */
    const char *kind;       /* which key matched: "phone" | "name" | "tax_id" | "email" ... */
} EntityMatch;

/* Hook run inside the write transaction before the row is written. rec holds
   the full new values (create: the input plus defaults; patch: old merged with
   the input), old is the stored row (NULL on create). May change rec. */
typedef int (*EntityHook)(Req *r, const struct Entity *en, json_t *rec, json_t *old, Err *e);

/*
** Public links (publink.c, docs/API.md "Public links"): what an entity offers people without an
** account, through a token bound to one record and one purpose. A purpose says what the public
** sees (a projection of named fields, never the row) and, for a form, which fields a submission
** may set (each validated like the field itself). Field lists are space-separated names: declared
** fields, or "state" for an entity's workflow state.
*/
typedef struct PublicPurpose {
    const char *name;         /* URL and API name: "status", "survey"; NULL ends the list */
    const char *zh, *tw, *en; /* labels */
    int lifetime_days;        /* a new link lives this long by default, and at most this long */
    bool single_use;          /* spent by one use: a submission, or a view when nothing is accepted */
    const char *shows;        /* fields the public sees: "number title total state" */
    const char *accepts;      /* fields a submission may set, or NULL for a read-only view */
    /* NULL or run on a submission in the record's transaction, after the fields are validated and
       before they are written: vals (field -> value) may be changed; row is the stored record */
    int (*on_submit)(Req *r, const struct Entity *en, json_t *row, json_t *vals, Err *e);
    /* NULL, or the workflow states in which a form takes a submission ("solution_proposed closed"):
       in any other state the view lists no inputs and a submission answers 409 flow.bad_state */
    const char *accepts_in;
} PublicPurpose;

typedef struct Entity {
    const char *name;         /* URL and meta name: "market_research" */
    const char *table;        /* SQL table */
    const char *zh, *tw, *en; /* labels */
    const Field *fields;      /* declared fields, terminated by {NULL} */
    Visibility vis;
    uint32_t read_roles;         /* who may read (0 = every signed-in user); admin always may */
    uint32_t write_roles;        /* who may create and patch (0 = every signed-in user) */
    uint32_t delete_roles;       /* who may delete (0 = same as write) */
    uint32_t write_any_roles;    /* roles that may change and delete every row they see, not only
                                    their own and their subtree's (0 = none; see entity_row_may) */
    const char *default_sort;    /* "-created_at" */
    const char *title_field;     /* field naming a row in lists, references and "my work" */
    const struct Workflow *flow; /* NULL when the entity has no workflow */
    EntityHook before_save;      /* NULL or module validation/computation */
    EntityHook after_save;       /* NULL or module effect after the row is written */
    const char *tag;             /* module name for OpenAPI/navigation grouping */
    const char *number_prefix;   /* when set, field "number" gets "PREFIX-YYYY-000123" on create */
    /* NULL or finds existing rows that rec duplicates (beyond F_UNIQUE fields), for
       the import dry run; fills up to max, returns the count or -1. */
    int (*find_matches)(Req *r, const struct Entity *en, json_t *rec, EntityMatch *out, int max);
    /* NULL or adds computed/virtual values to a loaded row (users: roles). */
    void (*decorate)(Req *r, const struct Entity *en, json_t *row);
    bool importable;          /* POST /api/v1/<name>/import reads CSV/XLSX into new rows (import.c) */
    const Child *children;    /* child collections (lines), terminated by {NULL}; or NULL */
    const Compute *computes;  /* computed header fields in order (after the lines'), {NULL}-terminated; or NULL */
    const Rollup *rollups;    /* summaries of related rows kept by the core, {NULL}-terminated; or NULL */
    const FieldGroup *groups; /* form sections in order, {NULL}-terminated; or NULL (one section) */
    bool attachments;         /* rows take files: /api/v1/<name>/:id/attachments (attach.c, R-INT-3) */
    const PublicPurpose *public_purposes; /* public links it offers, {NULL}-terminated; or NULL */
    const PrintLayout *print;             /* the printed document (print view and PDF), or NULL */
    /* Signed documents (versions.c): fields that may still change while the row is in a state its
       workflow does not list as editable ("note contact_id"), or NULL. Such a row is otherwise
       changed through a new version: a transition flagged T_REVISE keeps the signed one whole. */
    const char *after_sign;
    /* A table of at most a few thousand rows (the organisation, reference data, plans): its lists
       scan, so its filterable and sortable fields need no index of their own (entity_check_schema) */
    bool few_rows;
    /* NULL or, when the row changes hands (PATCH of owner_id, entity_set_owner), adds the
       entity's own consequences to vals (the fields to write), reading the row as it was */
    void (*owner_changing)(Req *r, const struct Entity *en, json_t *old, json_t *vals);
    /* Two records of one owner may be merged (POST /E/:id/merge, merge.c): a manager keeps one and
       the other's references, links, files, shares and history go with it */
    bool mergeable;
    /* NULL or, after a merge into id, moves what only the module keeps about `from` (match keys) */
    int (*after_merge)(Req *r, const struct Entity *en, int64_t id, int64_t from, Err *e);
    /* Roles that read every row of a VIS_OWNER entity as admin does (finance reads every payment
       and invoice, whoever's contract it is); writing still follows entity_row_may (0 = none) */
    uint32_t read_all_roles;
} Entity;

/* Registry, filled by modules_register() at start. */
void entity_register(const Entity *en);
const Entity *entity_find(const char *name);
const Entity *const *entity_all(int *n);
const Field *entity_field(const Entity *en, const char *name);
/* May u read field f (Field.read_roles)? */
bool field_readable(const Field *f, const User *u);
/* Leave out of row (a JSON object of en) the fields u may not read. */
void row_mask_fields(const Entity *en, const User *u, json_t *row); /* declared fields only */
/* Check every declared entity against the database (each column exists); logs and
   returns -1 on a mismatch so a bad declaration fails at start, not at first use. */
int entity_check_schema(Db *db);
/* Fill the sort keys (F_SORTKEY) of rows that have none: rows written by plain SQL, and every row
   after the migration that adds the column. 0, or -1 on a database error (logged). */
int entity_sortkeys_fill(Db *db);
/* Write the sort keys of row id from the values in rec (those of its F_SORTKEY fields that rec
   holds). 0, or -1 on a database error. */
int entity_sortkeys_write(Req *r, const Entity *en, int64_t id, json_t *rec);
/* Bind parameter idx of st to the sort key of a F_SORTKEY field's value v (NULL when v is no
   string): crud.c writes <name>_sk in the row's own INSERT or UPDATE, not in a second UPDATE. */
void entity_sortkey_bind(Req *r, Stmt *st, int idx, json_t *v);

/* Can the user read / write / delete rows of this entity at all (role level)? */
bool entity_can_read(const Entity *en, const User *u);
bool entity_can_write(const Entity *en, const User *u);
bool entity_can_delete(const Entity *en, const User *u);

/*
** The one access rule for a row the user already sees (R-ORG-1, docs/API.md "Access rules"):
** sight is not command. A share or an approval task lets a user read a row; changing,
** deleting, sharing or acting on it belongs to its owner, a manager whose unit subtree holds
** the row, admin, and roles the entity (write_any_roles, VIS_ALL) or the transition grants it.
*/
typedef enum {
    ACCESS_WRITE,  /* PATCH the row, add or remove its attachments; needs the entity's write roles */
    ACCESS_DELETE, /* DELETE the row; needs the entity's delete roles */
    ACCESS_SHARE,  /* share it with someone or stop sharing */
    ACCESS_ACT,    /* run a workflow transition: grant = the transition's roles and owner flag */
} AccessOp;

/* What a workflow transition grants (ACCESS_ACT only). */
typedef struct AccessGrant {
    uint32_t roles; /* holders of these roles may act (admin not implied) */
    bool owner;     /* the row's owner may act whatever their roles */
} AccessGrant;

/* The user's strongest relation to a row they see. */
typedef enum { REL_SIGHT, REL_OWNER, REL_MANAGER, REL_ADMIN } RowRelation;
RowRelation entity_row_relation(Req *r, const Entity *en, json_t *row);
/* May the user do op on a row they see? grant is used by ACCESS_ACT only (NULL otherwise). */
bool entity_row_may(Req *r, const Entity *en, json_t *row, AccessOp op, const AccessGrant *grant);
/* entity_row_may, or e = 403 auth.forbidden. 0 or -1. */
int entity_row_check(Req *r, const Entity *en, json_t *row, AccessOp op, Err *e);

/*
** Row visibility as a SQL condition on alias "t", with parameters bound from
** first_param on. Appends to sql and returns the number of parameters used.
** Admin and VIS_ALL: "1=1".
*/
int entity_visibility_sql(const Entity *en, const User *u, Buf *sql, int first_param);
int entity_visibility_bind(const Entity *en, const User *u, Stmt *st, int first_param);
/* Does the user see the rows of a unit subtree (their own unit's) besides their own? The
   parameters of entity_visibility_sql from first_param are: user id, entity name, the subtree's
   path pattern (search.c narrows a search by the same keys: owner, or a unit of the subtree). */
bool entity_user_sees_subtree(const User *u);
/* Is the user's visibility "the rows they own, or that are shared with them / under their approval"
   (not every row, no subtree)? Then entity_visibility_grants_sql is the condition without the owner
   term, with the same parameters: a rep's list reads their own rows from an (owner_id, sort) index
   and the few granted rows apart (list.c, bench/FINDINGS.md 30). */
bool entity_visibility_by_owner(const Entity *en, const User *u);
int entity_visibility_grants_sql(const Entity *en, const User *u, Buf *sql, int first_param);

/*
** Load one live row visible to the user as a JSON object (all columns, typed).
** Returns NULL with e = 404 record.not_found when missing, deleted or invisible.
** The object belongs to the caller (json_decref), or use the request-owned variant.
*/
json_t *entity_load(Req *r, const Entity *en, int64_t id, Err *e);
/* The same whoever may see it: for the core's own effects that the caller has already
   authorised (a claim decided by a manager, a pool claim of an unowned row). */
json_t *entity_load_any(Req *r, const Entity *en, int64_t id, Err *e);

/*
** Ownership (owner.c). entity_set_owner gives a row to owner (0: nobody) in unit (0: the
** row's own unit stays) as one audited update under the row's version: the entity's
** owner_changing hook adds its own consequences (owned_since, leaving the pool), and the
** rows that belong to it (F_REF_OWNER) follow. 0, or -1 with e (404 when the row is gone).
*/
int entity_set_owner(Req *r, const Entity *en, int64_t id, int64_t owner, int64_t unit, const char *action, Err *e);
/* The same, with more changed fields (also, after the hook's; NULL: none) and a test of the row as
   loaded (still(row, arg); NULL: none) that must hold for the change to be made: a sweep that
   selected the row earlier checks that it did not move meanwhile. 1 done, 0 the row no longer
   qualifies (nothing written), -1 with e (409 when it changed between the load and the update). */
int entity_set_owner_with(Req *r, const Entity *en, int64_t id, int64_t owner, int64_t unit, json_t *also,
                          bool (*still)(json_t *row, void *arg), void *arg, const char *action, Err *e);
/* Rows of other entities that belong to (en, id) through an F_REF_OWNER field take owner
   (0: none) and unit (-1: their unit unchanged). 0, or -1 on a database error. */
int entity_owner_cascade(Req *r, const Entity *en, int64_t id, int64_t owner, int64_t unit);
/* A create or patch of rec: each F_REF_OWNER field that is set or changed gives rec the
   referred row's owner and unit. 0, or -1 with e. */
int entity_owner_inherit(Req *r, const Entity *en, json_t *rec, json_t *old, Err *e);

/* Row columns -> JSON object (typed per declaration). */
json_t *entity_row_json(const Entity *en, Stmt *st);
/*
** The row as JSON text appended to b: the bytes json_out writes for entity_row_json's object once
** row_mask_fields and row_render_messages have run — without the object (jansson's allocations,
** its hash of every key, its tree freed again were a quarter of a rep's list, bench/FINDINGS.md 89).
** Not for an entity with a decorate hook (it works on the object). False when a text is not UTF-8.
*/
bool entity_row_write(Req *r, const Entity *en, Stmt *st, Buf *b);

/*
** Create a row from an input object exactly as POST /api/v1/<entity> does
** (validation naming the field, defaults, hooks, unique checks, audit), in
** the caller's transaction. Module code uses it to create related rows
** (a lead's conversion creates customer, contact and opportunity).
** Role checks are the caller's. 0 with *out_id, or -1 with e.
*/
int entity_create_row(Req *r, const Entity *en, json_t *input, int64_t *out_id, Err *e);

/*
** Change a stored row exactly as PATCH /api/v1/<entity>/:id does with body (its "version",
** changed fields and lines: the editable-state check, validation naming the field, hooks,
** computes, audit, rollups), in the caller's transaction: a module's demo changes a document's
** lines through it. old is the row as loaded; the access check is the caller's. 0, or -1 with e
** (409 record.conflict when the version moved).
*/
int entity_patch_row(Req *r, const Entity *en, json_t *old, json_t *body, Err *e);

/*
** Apply a field change made by module code or a workflow effect to a stored row:
** UPDATE with version check, audit entry. vals is an object of field -> value
** (not stolen). On success *rec (if given) is updated. 409 when version moved.
*/
int entity_update_fields(Req *r, const Entity *en, json_t *rec, json_t *vals, const char *action, Err *e);

/* May rows be imported from files (the entity's `importable`, or one of R-INT-2's defaults)? */
bool entity_importable(const Entity *en);

/*
** Links between any two records (links.c): a kind a module declares, naming the
** entities it joins (NULL: any), with a label for each direction ("引发" from a
** complaint, "源自" seen from the CAPA). "related" (any two records) is built in.
*/
typedef struct LinkKind {
    const char *kind;            /* stored and sent: "caused" */
    const char *from, *to;       /* entity names it may join, NULL for any */
    const char *zh, *tw, *en;    /* label seen from the `from` record */
    const char *rzh, *rtw, *ren; /* label seen from the `to` record */
} LinkKind;
/* Register link kinds at start (a module's register function); n entries. */
void link_kinds_declare(const LinkKind *kinds, int n);
/* A link made by module code (a repeat complaint to the one it repeats), in the caller's
   transaction, audited on both ends like one made through the API; the caller has checked access.
   1 made, 0 the same link existed, -1 with e (500; a kind that does not join the two). */
int link_make(Req *r, const char *from_entity, int64_t from_id, const char *to_entity, int64_t to_id, const char *kind,
              const char *note, Err *e);

/*
** Server-written text in the reader's language (messages.c, core/messages.h):
** msg_make stores {"m": key, "p": {name: value}} (value pairs, NULL-terminated;
** a value made by msg_make nests); msg_render shows it in a locale; any other
** text is shown as it is. Both return arena strings.
*/
char *msg_make(Arena *a, const char *key, ...) __attribute__((sentinel));
const char *msg_render(Arena *a, const char *locale, const char *stored);
/* Parameters for msg_make that render as labels in the reader's language: an entity's label, and
   the labels of some of its fields or line collections joined ("技术要求、明细"). Arena strings. */
char *msg_entity_label(Arena *a, const char *entity);
char *msg_field_labels(Arena *a, const char *entity, json_t *names);
/* A parameter that is a declared label in the three languages (a state's, a clock's). */
char *msg_text3(Arena *a, const char *zh, const char *tw, const char *en);
/*
** Versions of signed documents (versions.c). version_keep stores rec as signed (fields and lines,
** in the state it was signed in) as the row's next revision, with a reason; the flow layer calls it
** for a T_REVISE transition before the row leaves that state. 0, or -1 with e.
*/
int version_keep(Req *r, const struct Entity *en, json_t *rec, const char *state, const char *reason, Err *e);

/*
** A table a module computed (a report, a recall list) answered as a file the way entity exports
** are (export.c): format "csv" (UTF-8 with BOM, formula-safe cells) or "xlsx" (else 400 naming
** "format"); header is an array of labels, rows an array of arrays of strings or integers.
** Replies (0), or -1 with e.
*/
int export_table_reply(Req *r, const char *name, const char *format, json_t *header, json_t *rows, Err *e);

/* Render the F_MESSAGE fields of a row in the request's locale. */
void row_render_messages(Req *r, const Entity *en, json_t *row);

/* The generic routes (list, get, create, patch, delete, export, meta, audit). */
void model_routes_register(void);

/* Label of a field / entity / enum value in a locale. */
const char *label_for(const char *locale, const char *zh, const char *tw, const char *en);
/* Label of a workflow state of en in a locale (the state itself when en does not declare it):
   the detail of a flow.bad_state error, so the message names the state in the reader's words. */
const char *entity_state_label(const char *locale, const Entity *en, const char *state);

#endif
