/*
** list.c — the list query language of every entity, parsed once into SQL
** conditions with bound parameters (never text from the request in SQL):
**   q=text  filter[f]=v  filter[f]=a,b  filter[f][gte]=v  filter[f][lte]=v
**   sort=-f,g  page=N  per_page=N
** Shared by the list endpoint and the CSV/XLSX exports, so an export holds
** exactly the rows the list shows.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/errcodes.h"
#include "../flow/flow.h"
#include "model.h"
#include "search.h"

/* System fields usable in filters and sorting, with their types. */
static const Field sys_fields[] = {
    {"id", FT_INT, F_FILTER | F_SORT},
    {"owner_id", FT_REF, F_FILTER | F_SORT, 0, 0, NULL, "users"},
    {"org_unit_id", FT_REF, F_FILTER | F_SORT, 0, 0, NULL, "org_units"},
    {"created_at", FT_DATETIME, F_FILTER | F_SORT},
    {"updated_at", FT_DATETIME, F_FILTER | F_SORT},
    {"created_by", FT_REF, F_FILTER, 0, 0, NULL, "users"},
    {NULL},
};
static const Field state_field = {"state", FT_ENUM, F_FILTER | F_SORT};

/* Field by name among declared and system fields (state only with a workflow); through a view,
   only the fields it names. */
static const Field *find_field(const Entity *en, const ListView *view, const char *name) {
    if (view) {
        bool named = false;
        for (const char *const *v = view->fields; *v && !named; v++)
            named = strcmp(*v, name) == 0;
        if (!named) return NULL;
    }
    const Field *f = entity_field(en, name);
    if (f) return (f->flags & F_VIRTUAL) ? NULL : f;
    for (const Field *s = sys_fields; s->name; s++)
        if (strcmp(s->name, name) == 0) return s;
    if (en->flow && strcmp(name, "state") == 0) return &state_field;
    return NULL;
}

static int bad(Err *e, const char *param, const char *why) { return err_set(e, 400, EC_BAD_QUERY, param, "%s", why); }

/* One more parameter, if fewer than cap are bound; its number, else -1. The request's conditions take
   at most 64 (add_int, add_text); a page's split codes the rest of binds (split_present). */
static int add_bind(ListQuery *lq, int kind, int64_t v, const char *s, int cap) {
    if (lq->nbind >= cap) return -1;
    int i = lq->nbind++;
    lq->binds[i].kind = kind;
    lq->binds[i].i = v;
    lq->binds[i].s = s;
    return i + 1;
}
static int add_int(ListQuery *lq, int64_t v) { return add_bind(lq, 0, v, NULL, 64); }
static int add_text(ListQuery *lq, const char *s) { return add_bind(lq, 1, 0, s, 64); }

/* Parse one filter value for field f into a bind; returns the parameter number or -1. */
static int filter_value(Req *r, ListQuery *lq, const Field *f, const char *v, const char *param, Err *e) {
    int64_t n;
    int y, m, d;
    if (field_type_is_integer(f->type)) {
        if (str_to_int64(v, &n) != 0) return bad(e, param, "integer expected");
        return add_int(lq, n);
    }
    switch (f->type) {
    case FT_BOOL:
        if (!strcmp(v, "true") || !strcmp(v, "1")) return add_int(lq, 1);
        if (!strcmp(v, "false") || !strcmp(v, "0")) return add_int(lq, 0);
        return bad(e, param, "true or false expected");
    case FT_DATE:
        if (date_parse(v, &y, &m, &d) != 0) return bad(e, param, "YYYY-MM-DD expected");
        return add_text(lq, v);
    case FT_CODE:
        if (!refdata_find(f->ref, v)) return bad(e, param, "unknown code");
        return add_text(lq, v);
    case FT_ENUM:
        if (f->enums) {
            const EnumVal *ev = f->enums;
            while (ev->value && strcmp(ev->value, v) != 0)
                ev++;
            if (!ev->value) return bad(e, param, "unknown value");
        }
        return add_text(lq, v);
    default:
        if (strlen(v) > 200) return bad(e, param, "too long");
        return add_text(lq, v);
    }
}

/* The first digit string after every string that begins with the digits of code ("31" -> "32",
   "319" -> "32"): the strings beginning with code are those from code up to it. NULL when code is
   not all digits or all nines (digits compare alike in every collation; other characters may not). */
static const char *digits_after(Arena *a, const char *code) {
    size_t n = strlen(code);
    for (size_t i = 0; i < n; i++)
        if (code[i] < '0' || code[i] > '9') return NULL;
    while (n > 0 && code[n - 1] == '9')
        n--;
    if (n == 0) return NULL;
    char *next = arena_strndup(a, code, n);
    next[n - 1]++;
    return next;
}

/* filter[f]... : equality, any-of list, or a range bound. */
static int parse_filter(Req *r, const Entity *en, ListQuery *lq, const char *param, const char *value, Err *e) {
    const char *p = param + 7; /* after "filter[" */
    const char *close = strchr(p, ']');
    if (!close || close == p) return bad(e, param, "filter[field] expected");
    char *name = arena_strndup(r->a, p, (size_t)(close - p));
    const Field *f = find_field(en, lq->view, name);
    if (!f || !(f->flags & F_FILTER) || !field_readable(f, r->user)) return bad(e, param, "not a filterable field");
    const char *op = close + 1;
    if (*op == '\0') {
        bool multi = f->type == FT_ENUM || f->type == FT_REF;
        if (f->type == FT_CODE && *value) { /* the code and every code below it (a province's cities) */
            int pn = filter_value(r, lq, f, value, param, e);
            if (pn < 0) return -1;
            const RefItem *below[40];
            bool nested;
            int nb = refdata_below(f->ref, value, below, 40, &nested);
            if (nb == 0) { /* a leaf (an industry's 大类, a district): the value itself, so that an index
                              (field, sort) gives the page in order (bench/FINDINGS.md 45) */
                buf_printf(&lq->where, " AND t.%s = ?%d", f->name, pn);
                return 0;
            }
            if (nested) { /* GB/T 2260: the codes below begin with it */
                /* a range an index answers (LIKE '31%' made a manager's list scan the table), but
                   for a user who sees by owner only when (owner_id, field) leads an index: without
                   it SQLite, costing a range without statistics as 1/64 of the table, would count a
                   rep's rows from the region's index (13,000 customers) rather than from the owner's
                   (2,500) (bench/FINDINGS.md 30); with it, the owner's matches are one range (43) */
                bool ranged = !entity_visibility_by_owner(en, r->user) || (f->flags & F_OWNER_INDEXED);
                const char *next = ranged ? digits_after(r->a, value) : NULL;
                int pl = add_text(lq, next ? next : arena_printf(r->a, "%s%%", value));
                if (pl < 0) return bad(e, param, "too many conditions");
                if (next) {
                    if (!lq->split) lq->split = f, lq->split_lo = pn, lq->split_hi = pl, lq->split_at = lq->where.n;
                    buf_printf(&lq->where, " AND t.%s >= ?%d AND t.%s < ?%d", f->name, pn, f->name, pl);
                    if (lq->split == f) lq->split_len = lq->where.n - lq->split_at;
                } else
                    buf_printf(&lq->where, " AND (t.%s = ?%d OR t.%s LIKE ?%d)", f->name, pn, f->name, pl);
                return 0;
            }
            if (nb > 40) return bad(e, param, "too many codes below it");
            size_t at = lq->where.n;
            buf_printf(&lq->where, " AND t.%s IN (?%d", f->name, pn);
            for (int i = 0; i < nb; i++) {
                int pb = add_text(lq, below[i]->code);
                if (pb < 0) return bad(e, param, "too many conditions");
                buf_printf(&lq->where, ", ?%d", pb);
            }
            buf_puts(&lq->where, ")");
            if (!lq->split)
                lq->split = f, lq->split_first = pn, lq->split_n = nb + 1, lq->split_at = at,
                lq->split_len = lq->where.n - at;
            return 0;
        }
        if (multi && strchr(value, ',')) {
            buf_printf(&lq->where, " AND t.%s IN (", f->name);
            int k = 0;
            const char *s = value;
            while (*s) {
                const char *comma = strchr(s, ',');
                size_t len = comma ? (size_t)(comma - s) : strlen(s);
                if (++k > 50) return bad(e, param, "at most 50 values");
                int pn = filter_value(r, lq, f, arena_strndup(r->a, s, len), param, e);
                if (pn < 0) return -1;
                buf_printf(&lq->where, "%s?%d", k > 1 ? ", " : "", pn);
                s += len;
                if (*s == ',') s++;
            }
            buf_puts(&lq->where, ")");
            return 0;
        }
        if (*value == '\0') {
            buf_printf(&lq->where, " AND t.%s IS NULL", f->name);
            return 0;
        }
        int pn = filter_value(r, lq, f, value, param, e);
        if (pn < 0) return -1;
        buf_printf(&lq->where, " AND t.%s = ?%d", f->name, pn);
        return 0;
    }
    bool ranged = f->type == FT_INT || f->type == FT_MONEY || f->type == FT_DATE || f->type == FT_DATETIME ||
                  f->type == FT_PERCENT_BP;
    const char *cmp = !strcmp(op, "[gte]") ? ">=" : !strcmp(op, "[lte]") ? "<=" : NULL;
    if (!cmp) return bad(e, param, "operator must be [gte] or [lte]");
    if (!ranged) return bad(e, param, "range filters need a number or date field");
    int pn = filter_value(r, lq, f, value, param, e);
    if (pn < 0) return -1;
    buf_printf(&lq->where, " AND t.%s %s ?%d", f->name, cmp, pn);
    return 0;
}

/* q= through a module's view: LOWER(field) LIKE over the fields the view names (a masked view
   must not be probed through hidden columns, so the index, which holds them all, is not used). */
static int search_scan(Req *r, const Entity *en, ListQuery *lq, const char *q, Err *e) {
    Buf pat;
    buf_init(&pat, r->a);
    buf_putc(&pat, '%');
    for (const char *s = q; *s; s++) {
        char c = *s;
        if (c == '%' || c == '_' || c == '\\') buf_putc(&pat, '\\');
        buf_putc(&pat, (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c);
    }
    buf_putc(&pat, '%');
    int pn = add_text(lq, pat.p);
    if (pn < 0) return bad(e, "q", "too many conditions");
    int k = 0;
    for (const Field *f = en->fields; f->name; f++) {
        if (!(f->flags & F_SEARCH) || (f->flags & F_VIRTUAL) || !find_field(en, lq->view, f->name)) continue;
        buf_printf(&lq->where, "%s LOWER(%s) LIKE ?%d ESCAPE '\\'", k++ ? " OR" : " AND (",
                   search_column(r->a, f, "t."), pn);
    }
    buf_puts(&lq->where, k ? ")" : " AND 1 = 0");
    return 0;
}

/* At most this many index conditions per query (the final LIKE checks the rest). */
#define SEARCH_TERMS 6
/* A manager's search names the units of their subtree in the FTS5 query up to this many; a larger
   subtree is narrowed by visibility after the index (the plain candidates). */
#define SEARCH_UNITS 64

/* The units of the user's subtree (their own unit's) when they see one: their count (0: none), -1 on
   a database error, SEARCH_UNITS + 1 when more than that. */
static int subtree_units(Req *r, int64_t *out) {
    if (!entity_user_sees_subtree(r->user)) return 0;
    Stmt *st = db_prepare(r->db, "SELECT id FROM org_units WHERE path LIKE ?1");
    if (!st) return -1;
    db_bind_text(st, 1, arena_printf(r->a, "%s%%", r->user->org_path), -1);
    int rc, n = 0;
    while ((rc = db_step(st)) == DB_ROW && n <= SEARCH_UNITS)
        if (n++ < SEARCH_UNITS) out[n - 1] = db_col_int64(st, 0);
    db_done(st);
    return rc < 0 ? -1 : n;
}

/* The FTS5 words of the rows the user may see by owner or unit: ("×o21" OR "×u7" ...). */
static const char *scope_words(Req *r, const int64_t *units, int n) {
    Buf b;
    buf_init(&b, r->a);
    buf_printf(&b, "(\"%s\"", search_key_words(r->a, r->user->id, 0));
    for (int i = 0; i < n; i++)
        buf_printf(&b, " OR \"%s\"", search_key_words(r->a, 0, units[i]));
    buf_putc(&b, ')');
    return b.p;
}

/* The units as a PostgreSQL array literal, bound as text: "{3,4,5}". */
static const char *units_array(Req *r, const int64_t *units, int n) {
    Buf b;
    buf_init(&b, r->a);
    buf_putc(&b, '{');
    for (int i = 0; i < n; i++)
        buf_printf(&b, "%s%lld", i ? "," : "", (long long)units[i]);
    buf_putc(&b, '}');
    return b.p;
}

/* Candidates from which a page is cheaper found by walking the sort's index (each row tested
   against them) than by fetching and sorting them all. Walking costs about page x rows / candidates
   row visits when the candidates spread evenly over the sort order, fetching one visit each: even
   near sqrt(20 x 10^6) = 4,500 for a page of 20 of a million rows. The spread is uneven in practice
   (bench data at scale 1: a manager's 1,400 candidates of 华, the 20th in the 8,980th newest row,
   fetching 8 ms against walking 17 ms), so a page walks from 5,000 on: a scale-10 manager's
   one-character query. bench/FINDINGS.md 25. */
#define SEARCH_WALK_FROM 5000

/* the test build: SALESLOOP_SEARCH_WALK_FROM=1 walks for every search (tests/api/search) */
static int64_t search_walk_from(void) { return test_tunable("SALESLOOP_SEARCH_WALK_FROM", SEARCH_WALK_FROM); }

/* From this many candidates whose lines are checked, a page checks them in its order, as far as it
   and its total reach (search_confirm); below it, a second statement and a lookup a row cost more
   than the lines read. The test build: SALESLOOP_SEARCH_CONFIRM_FROM=1 for every search. */
#define SEARCH_CONFIRM_FROM 500

static int64_t search_confirm_from(void) { return test_tunable("SALESLOOP_SEARCH_CONFIRM_FROM", SEARCH_CONFIRM_FROM); }

/* A row id (positive) appended to a JSON array of them: its digits written by hand (thousands of
   ids a search, printf was visible) */
static void put_id(Buf *b, int64_t id, bool first) {
    char d[24], *p = d + sizeof d;
    uint64_t v = (uint64_t)id;
    do
        *--p = (char)('0' + v % 10);
    while (v /= 10);
    if (!first) buf_putc(b, ',');
    buf_add(b, p, (size_t)(d + sizeof d - p));
}

/* How many documents the FTS5 query (parameter pm, rowids pb..pt as lq binds them) has, counted up
   to `upto` (it reads at most that many rowids of the index); -1 on a database error. Their row ids
   are written to ids as a JSON array: when the count is exact, the page and the list's total look
   the rows up from it (json_each) rather than run the MATCH again, which for a manager's narrowed
   one-character query is most of the search (bench/FINDINGS.md 74). */
static int64_t search_count(Req *r, ListQuery *lq, int pm, int pb, int pt, int64_t upto, Buf *ids) {
    Stmt *st = db_prepare(r->db, "SELECT rowid - ?2 FROM search_fts WHERE search_fts MATCH ?1"
                                 " AND rowid BETWEEN ?2 AND ?3 LIMIT ?4");
    if (!st) return -1;
    db_bind_text(st, 1, lq->binds[pm - 1].s, -1);
    db_bind_int64(st, 2, lq->binds[pb - 1].i);
    db_bind_int64(st, 3, lq->binds[pt - 1].i);
    db_bind_int64(st, 4, upto);
    buf_init(ids, r->a);
    buf_putc(ids, '[');
    int64_t n = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW)
        put_id(ids, db_col_int64(st, 0), n++ == 0);
    buf_putc(ids, ']');
    db_done(st);
    return rc == DB_DONE ? n : -1;
}

/* Below this many rows holding the terms, the MATCH is not narrowed to the user's owner and units:
   FTS5 would step through their doclists to keep a few rows, which row visibility keeps anyway (a
   rep's scope at bench scale 10: 11 against 2.6 ms for a rare query, bench/FINDINGS.md 52). Above
   it, each candidate left unnarrowed is a row read (a page read through the file since finding 60,
   ~3-7 us): 3,306 rows holding 华 at scale 1 cost a rep 18 ms a search, narrowed 0.8 ms (finding 68).
   A rep's scope is one owner's word; a manager's adds the words of every unit of the subtree,
   doclists of the subtree's rows (750,000 at scale 10: 1,660 candidates unnarrowed 14 ms, narrowed
   23 ms), so it pays from twice as many candidates, and only below the walk's count: a page that
   walks the sort's index stops after its rows, where the unit words are read whole (a scale-10
   manager's 华, 33,308 candidates: 52 ms narrowed, 12.7 ms walked unnarrowed). The first count
   decides the walk too. */
#define SEARCH_SCOPE_FROM 1000
#define SEARCH_SCOPE_UNITS_FROM 2000

static int64_t search_scope_from(int units) {
    return test_tunable("SALESLOOP_SEARCH_SCOPE_FROM", units > 0 ? SEARCH_SCOPE_UNITS_FROM : SEARCH_SCOPE_FROM);
}

/* PostgreSQL: the postings of the user's scope, " AND (s.owner_id = ?po OR s.org_unit_id ...)": the
   units as the array parameter pu when named, else (nu > 0) the subtree's units by the pattern
   parameter pp; nu 0: the owner's rows only. */
static void pg_scope_sql(Buf *b, int po, int pu, int pp, int nu) {
    buf_printf(b, " AND (s.owner_id = ?%d", po);
    if (nu > 0 && pu > 0)
        buf_printf(b, " OR s.org_unit_id = ANY(CAST(?%d AS BIGINT[]))", pu);
    else if (nu > 0)
        buf_printf(b, " OR s.org_unit_id IN (SELECT o.id FROM org_units o WHERE o.path LIKE ?%d)", pp);
    buf_putc(b, ')');
}

/* PostgreSQL: the postings of one term (range lo..hi) in the user's scope, counted up to cap; -1 on a
   database error. units: the subtree's units as an array literal (NULL: named by the pattern), nu their
   count (0: the owner's rows only). */
static int64_t pg_term_count(Req *r, int64_t ek, const SearchTerm *t, bool narrow, const char *units, int nu,
                             int64_t cap) {
    Buf sql; /* every parameter bound is used: PostgreSQL types each from its use */
    buf_init(&sql, r->a);
    buf_puts(&sql,
             "SELECT count(*) FROM (SELECT 1 FROM search_tokens s WHERE s.entity = ?1 AND s.token BETWEEN ?2 AND ?3");
    if (narrow) pg_scope_sql(&sql, 5, units ? 6 : 0, 6, nu);
    buf_puts(&sql, " LIMIT ?4) x");
    Stmt *st = db_prepare(r->db, sql.p);
    if (!st) return -1;
    db_bind_int64(st, 1, ek);
    db_bind_int64(st, 2, t->lo);
    db_bind_int64(st, 3, t->hi);
    db_bind_int64(st, 4, cap);
    if (narrow) db_bind_int64(st, 5, r->user->id);
    if (narrow && nu > 0) db_bind_text(st, 6, units ? units : arena_printf(r->a, "%s%%", r->user->org_path), -1);
    int rc = db_step(st);
    int64_t n = rc == DB_ROW ? db_col_int64(st, 0) : -1;
    db_done(st);
    return n;
}

/* Counting a term's postings stops here: past it, a term is common enough not to lead. */
#define PG_TERM_COUNT_CAP 20000

/*
** PostgreSQL: q's terms as conditions on the postings (search_tokens). The rarest term in the user's
** scope leads: its postings read within the scope (owner, units: pu the units' array parameter, nu
** their count) plus the granted rows that hold it; each other term is then one probe of the
** postings' key (entity, token, row_id) per candidate, kept a subplan (OFFSET 0) so that the planner
** cannot join it as a set. (An AND of one IN per term, each with its grants, was planned as nested
** semi-joins that read a term's postings again for every candidate of the one before: 200 ms for a
** rep's cu00123, five trigrams; read all at once and grouped by row, a manager's common trigrams
** were 73,000 postings: bench/FINDINGS.md 70.) Row visibility applies on top, so a probe needs no scope.
*/
static int pg_search_terms(Req *r, ListQuery *lq, const SearchTerm *terms, int nt, int64_t ek, int pe, bool narrow,
                           int nu, int pu, const char *const grants[2], Err *e) {
    int lead = 0;
    if (nt > 1) {
        const char *arr = pu > 0 ? lq->binds[pu - 1].s : NULL;
        int64_t least = -1;
        for (int i = 0; i < nt; i++) {
            /* counted no further than the rarest so far: past it, this term cannot lead (a rep's
               cu00123, five trigrams, counted each up to the cap: 5 x 20,000 postings at worst) */
            int64_t n = pg_term_count(r, ek, &terms[i], narrow, arr, nu, least < 0 ? PG_TERM_COUNT_CAP : least + 1);
            if (n < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
            if (least < 0 || n < least) least = n, lead = i;
            if (n == 0) break; /* nothing holds it: the page is empty at once */
        }
    }
    const char *range[SEARCH_TERMS] = {0};
    for (int i = 0; i < nt; i++) {
        int lo = add_int(lq, terms[i].lo), hi = terms[i].hi == terms[i].lo ? lo : add_int(lq, terms[i].hi);
        if (lo < 0 || hi < 0) return bad(e, "q", "too many conditions");
        range[i] = lo == hi ? arena_printf(r->a, "s.token = ?%d", lo)
                            : arena_printf(r->a, "s.token BETWEEN ?%d AND ?%d", lo, hi);
    }
    const char *led = range[lead];
    if (!led) return bad(e, "q", "no term"); /* never (nt >= 1), but the compiler cannot see it */
    Buf *w = &lq->where;
    buf_printf(w, " AND t.id IN (SELECT s.row_id FROM search_tokens s WHERE s.entity = ?%d AND %s", pe, led);
    if (narrow) {
        pg_scope_sql(w, 1, pu, 3, nu); /* ?1 the user, ?3 the subtree's pattern (visibility's parameters) */
        for (int k = 0; k < 2; k++)
            if (grants[k])
                buf_printf(w,
                           " UNION ALL %s AND EXISTS (SELECT 1 FROM search_tokens s WHERE s.entity = ?%d"
                           " AND %s AND s.row_id = g.row_id)",
                           grants[k], pe, led);
    }
    buf_putc(w, ')');
    for (int i = 0; i < nt; i++)
        if (i != lead)
            buf_printf(w,
                       " AND EXISTS (SELECT 1 FROM search_tokens s WHERE s.entity = ?%d AND %s AND s.row_id = t.id"
                       " OFFSET 0)",
                       pe, range[i]);
    return 0;
}

/*
** q=: the rows whose search fields, normalised (search.h: simplified Chinese, half width, lower
** case), contain the normalised q. The index (search.c) gives the candidates: each condition is
** "t.id IN (the rows holding a token)", so the database starts from the rarest set or from the
** visible rows, whichever is smaller; then the row's normalised line confirms the substring
** (unless the terms alone decide it: search_query_exact).
**
** The index holds each row's owner and unit too (migration 0033): for a user who does not see
** everything, the candidates are the rows they own or whose unit is in their subtree, read from the
** index as such (FTS5: the words "×o<owner>" / "×u<unit>" AND-ed into the MATCH; PostgreSQL: the
** postings' owner_id / org_unit_id columns), plus the rows shared with them or under their
** approval that hold the tokens. So a one-character query reads the postings of the rows the user
** may see, not every row that holds the character. Row visibility (list_query_sql) still applies
** on top; the visibility parameters are ?1 user, ?2 entity name, ?3 subtree pattern.
*/
static int parse_search(Req *r, const Entity *en, ListQuery *lq, const char *q, Err *e) {
    if (utf8_len(q, strlen(q)) > 100) return bad(e, "q", "at most 100 characters");
    lq->searched = true;
    if (lq->view) return search_scan(r, en, lq, q, e);
    if (!search_indexed(en)) {
        buf_puts(&lq->where, " AND 1 = 0");
        return 0;
    }
    const char *nq = search_normalise(r->a, q);
    SearchTerm terms[SEARCH_TERMS];
    int nt = search_query_terms(nq, terms, SEARCH_TERMS);
    int64_t ek = search_entity_key(en->name);
    int pe = add_int(lq, ek);
    Buf scratch; /* does visibility narrow the rows (its three parameters), or does the user see all? */
    buf_init(&scratch, r->a);
    bool narrow = entity_visibility_sql(en, r->user, &scratch, 1) == 3;
    /* the normalised q as a LIKE pattern over a row's line (search_docs.body) */
    Buf pat;
    buf_init(&pat, r->a);
    buf_putc(&pat, '%');
    for (const char *s = nq; *s; s++) {
        if (*s == '%' || *s == '_' || *s == '\\') buf_putc(&pat, '\\');
        buf_putc(&pat, *s);
    }
    buf_putc(&pat, '%');
    int pk = 0;                    /* its parameter, once added */
    bool confirm_in_order = false; /* many candidates: a page confirms them in its order (search_confirm) */
    /* grants: rows shared with the user or under their approval, as "SELECT row_id ..." prefixes
       that a term's check completes */
    const char *grants[2] = {"SELECT g.row_id FROM shares g WHERE g.user_id = ?1 AND g.entity = ?2",
                             en->flow ? "SELECT g.row_id FROM approval_tasks g JOIN user_roles ur ON ur.role = g.role"
                                        " WHERE g.entity = ?2 AND ur.user_id = ?1"
                                      : NULL};
    /* a manager's subtree named unit by unit (a larger one: narrowed by owner and the subtree's
       pattern on PostgreSQL, not narrowed in the FTS5 query) */
    int64_t units[SEARCH_UNITS];
    int nu = narrow ? subtree_units(r, units) : 0;
    if (nu < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    bool named = nu <= SEARCH_UNITS;
    if (nt && db_kind(r->db) == DB_SQLITE) { /* FTS5: the AND of the terms in one MATCH */
        const char *match = search_match(r->a, terms, nt), *scope = narrow && named ? scope_words(r, units, nu) : NULL;
        int pb = add_int(lq, search_fts_base(ek)), pt = add_int(lq, search_fts_base(ek) | (((int64_t)1 << 43) - 1));
        int pn = add_text(lq, match);
        if (pb < 0 || pt < 0 || pn < 0) return bad(e, "q", "too many conditions");
        /* the candidates, counted as far as deciding needs: whether to narrow them to the scope, and
           whether a page walks the sort's index (n counted up to `upto`: exact below it) */
        int64_t scope_from = search_scope_from(nu), walk_from = search_walk_from();
        int64_t upto = !scope ? walk_from : nu > 0 && walk_from > scope_from ? walk_from : scope_from;
        Buf ids;
        buf_init(&ids, r->a);
        int64_t n = search_count(r, lq, pn, pb, pt, upto, &ids);
        /* few rows hold the terms: row visibility keeps the user's; many: a manager's page walks */
        if (n >= 0 && scope && (n < scope_from || (nu > 0 && n >= walk_from))) scope = NULL;
        if (n >= 0 && scope) {
            lq->binds[pn - 1].s = arena_printf(r->a, "(%s) AND %s", match, scope);
            pk = add_text(lq, pat.p);
            if (pk < 0) return bad(e, "q", "too many conditions");
            n = search_count(r, lq, pn, pb, pt, walk_from, &ids);
        }
        if (n < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        if (n >= walk_from) { /* the walk tests rows against the MATCH, stopping at the page's end */
            lq->search_first_ids = add_text(lq, ids.p);
            if (lq->search_first_ids < 0) return bad(e, "q", "too many conditions");
            lq->search_walk_at = (int)lq->where.n + 1;
            buf_printf(&lq->where,
                       " AND t.id IN (SELECT rowid - ?%d FROM search_fts WHERE search_fts MATCH ?%d"
                       " AND rowid BETWEEN ?%d AND ?%d",
                       pb, pn, pb, pt);
        } else { /* every candidate counted: looked up by id */
            confirm_in_order = n >= search_confirm_from();
            lq->search_ids = add_text(lq, ids.p);
            if (lq->search_ids < 0) return bad(e, "q", "too many conditions");
            buf_printf(&lq->where, " AND t.id IN (SELECT value FROM json_each(?%d)", lq->search_ids);
        }
        /* a granted row is checked on its line, one lookup by key: a MATCH limited to one rowid
           reads the terms' doclists up to it (0.5 ms a row for common trigrams; a rep's 180 shares
           cost 93 ms a page at bench scale 10, finding 51), and the line holds q exactly when the
           row meets q's terms and its substring check */
        for (int i = 0; i < 2 && scope; i++)
            if (grants[i])
                buf_printf(&lq->where,
                           " UNION ALL %s AND EXISTS (SELECT 1 FROM search_docs d WHERE d.entity = ?%d"
                           " AND d.row_id = g.row_id AND d.body LIKE ?%d ESCAPE '\\')",
                           grants[i], pe, pk);
        buf_putc(&lq->where, ')');
        if (lq->search_walk_at > 0) lq->search_in_len = lq->where.n - (size_t)(lq->search_walk_at - 1);
        nt = 0;
    }
    /* PostgreSQL: the units as an array, so that the planner ORs the owner's and the units' index
       ranges of a token (units from a subquery would filter every posting of the token) */
    int pu = nt && narrow && nu > 0 && named ? add_text(lq, units_array(r, units, nu)) : 0;
    if (pu < 0) return bad(e, "q", "too many conditions");
    if (nt && pe > 0 && pg_search_terms(r, lq, terms, nt, ek, pe, narrow, nu, pu, grants, e) < 0) return -1;
    if (pe < 0) return bad(e, "q", "too many conditions");
    if (search_query_exact(nq)) return 0; /* the terms decide: no line to confirm */
    if (!pk) pk = add_text(lq, pat.p);
    if (pk < 0) return bad(e, "q", "too many conditions");
    lq->confirm_at = lq->where.n;
    buf_printf(&lq->where,
               " AND EXISTS (SELECT 1 FROM search_docs d WHERE d.entity = ?%d AND d.row_id = t.id"
               " AND d.body LIKE ?%d ESCAPE '\\')",
               pe, pk);
    if (confirm_in_order) {
        lq->confirm_len = lq->where.n - lq->confirm_at;
        lq->confirm_entity = pe;
        lq->confirm_pattern = pk;
    }
    return 0;
}

/* "t.column ASC|DESC": NULLs below every value on both engines (SQLite's order; PostgreSQL's
   default is above, so a list by last follow-up, newest first, began there with the customers never
   followed up). The indexes of such a column order them so too (entity.c sort_column_check). */
static void order_by(Req *r, const Entity *en, Buf *order, const char *column, bool desc) {
    buf_printf(order, "t.%s %s", column, desc ? "DESC" : "ASC");
    if (db_kind(r->db) != DB_SQLITE && entity_sort_nullable(en, column))
        buf_puts(order, desc ? " NULLS LAST" : " NULLS FIRST");
}

static int parse_sort(Req *r, const Entity *en, ListQuery *lq, const char *sort, Err *e) {
    const char *s = sort;
    int k = 0;
    while (*s) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        bool desc = *s == '-';
        char *name = arena_strndup(r->a, s + desc, len - desc);
        const Field *f = find_field(en, lq->view, name);
        if (!f || !(f->flags & F_SORT) || !field_readable(f, r->user)) return bad(e, "sort", "not a sortable field");
        if (++k > 4) return bad(e, "sort", "at most 4 sort fields");
        if (lq->order.n) buf_puts(&lq->order, ", ");
        if (f->flags & F_SORTKEY) { /* the language's order (pinyin) from the stored key; the text breaks ties */
            char sk[128];
            snprintf(sk, sizeof sk, "%s_sk", f->name);
            order_by(r, en, &lq->order, sk, desc);
            buf_puts(&lq->order, ", ");
        }
        order_by(r, en, &lq->order, f->name, desc);
        s += len;
        if (*s == ',') s++;
    }
    return 0;
}

int list_query_parse(Req *r, const Entity *en, ListQuery *lq, Err *e) {
    return list_query_parse_view(r, en, NULL, lq, e);
}

int list_query_parse_view(Req *r, const Entity *en, const ListView *view, ListQuery *lq, Err *e) {
    memset(lq, 0, sizeof *lq);
    lq->view = view;
    buf_init(&lq->where, r->a);
    buf_init(&lq->order, r->a);
    buf_puts(&lq->where, "");
    buf_puts(&lq->order, "");
    lq->page = 1;
    lq->per_page = 20;
    /* visibility parameters come first: reserve their numbers */
    Buf vis;
    buf_init(&vis, r->a);
    int nvis = view ? view->scope_sql(r, &vis, 1) : entity_visibility_sql(en, r->user, &vis, 1);
    for (int i = 0; i < nvis; i++)
        add_int(lq, 0); /* placeholders, bound by the visibility's binder */
    const char *sort = NULL;
    for (int i = 0; i < r->nqp; i++) {
        const char *n = r->qp[i].name, *v = r->qp[i].value;
        if (strncmp(n, "filter[", 7) == 0) {
            if (parse_filter(r, en, lq, n, v, e) < 0) return -1;
        } else if (strcmp(n, "q") == 0) {
            if (*v && parse_search(r, en, lq, v, e) < 0) return -1;
        } else if (strcmp(n, "sort") == 0) {
            sort = v;
        } else if (strcmp(n, "page") == 0) {
            if (str_to_int64(v, &lq->page) != 0 || lq->page < 1 || lq->page > 1000000)
                return bad(e, "page", "a whole number from 1");
        } else if (strcmp(n, "per_page") == 0) {
            if (str_to_int64(v, &lq->per_page) != 0 || lq->per_page < 1 || lq->per_page > 200)
                return bad(e, "per_page", "a whole number from 1 to 200");
        }
        if (lq->nbind >= 60) return bad(e, n, "too many conditions");
    }
    if (sort && *sort) {
        if (parse_sort(r, en, lq, sort, e) < 0) return -1;
    } else if (view ? view->default_sort != NULL : en->default_sort != NULL) {
        if (parse_sort(r, en, lq, view ? view->default_sort : en->default_sort, e) < 0) return -1;
    }
    buf_printf(&lq->order, "%st.id DESC", lq->order.n ? ", " : "");
    return 0;
}

/* The parsed conditions; walk: a page of a search with many candidates, where "+t.id" keeps the
   candidates from driving the query (SQLite then walks the sort's index and stops at the page's
   end); a count or an export still starts from them. */
static void append_where(Buf *sql, const ListQuery *lq, bool walk) {
    if (walk && lq->search_walk_at > 0)
        buf_printf(sql, "%.*s+%s", lq->search_walk_at + 4, lq->where.p, lq->where.p + lq->search_walk_at + 4);
    else
        buf_puts(sql, lq->where.p);
}

char *list_query_sql(Req *r, const Entity *en, ListQuery *lq, const char *cols, const char *tail, bool ordered) {
    Buf sql;
    buf_init(&sql, r->a);
    buf_printf(&sql, "SELECT %s FROM %s t%s WHERE t.deleted_at IS NULL AND ", cols, en->table,
               lq->view && lq->view->join ? lq->view->join : "");
    if (lq->view)
        lq->view->scope_sql(r, &sql, 1);
    else
        entity_visibility_sql(en, r->user, &sql, 1);
    append_where(&sql, lq, ordered && tail && strstr(tail, "OFFSET"));
    if (ordered) buf_printf(&sql, " ORDER BY %s", lq->order.p);
    if (tail) buf_printf(&sql, " %s", tail);
    return sql.p;
}

/* LIST_SPLIT_MAX, or fewer in a test build (SALESLOOP_LIST_SPLIT_MAX: the edge where a page reads
   the range as one) */
static int64_t split_max(void) {
    int64_t n = test_tunable("SALESLOOP_LIST_SPLIT_MAX", LIST_SPLIT_MAX);
    return n >= 1 && n <= LIST_SPLIT_MAX ? n : LIST_SPLIT_MAX;
}

/*
** The codes of lq->split's range that rows hold, each found by one seek of the field's index (a
** loose index scan; deleted and hidden rows count, their branch is merely empty), appended to lq's
** parameters from *first. Their number; split_max() + 1 when there are more, -1 on a database error.
*/
static int split_present(Req *r, const Entity *en, ListQuery *lq, int *first) {
    const char *c = lq->split->name, *tb = en->table;
    const char *sql = arena_printf(r->a,
                                   "WITH RECURSIVE c(code) AS (SELECT (SELECT min(t.%s) FROM %s t WHERE t.%s >= ?1"
                                   " AND t.%s < ?2) UNION ALL SELECT (SELECT min(t.%s) FROM %s t WHERE t.%s > c.code"
                                   " AND t.%s < ?2) FROM c WHERE c.code IS NOT NULL)"
                                   " SELECT code FROM c WHERE code IS NOT NULL LIMIT ?3",
                                   c, tb, c, c, c, tb, c, c);
    Stmt *st = db_prepare(r->db, sql);
    if (!st) return -1;
    db_bind_text(st, 1, lq->binds[lq->split_lo - 1].s, -1);
    db_bind_text(st, 2, lq->binds[lq->split_hi - 1].s, -1);
    int64_t max = split_max();
    db_bind_int64(st, 3, max + 1);
    int n = 0, rc;
    *first = lq->nbind + 1;
    int cap = (int)(sizeof lq->binds / sizeof lq->binds[0]);
    while ((rc = db_step(st)) == DB_ROW && n < max &&
           add_bind(lq, 1, 0, arena_strdup(r->a, db_col_text(st, 0)), cap) > 0)
        n++;
    if (rc == DB_ROW)
        n++; /* more codes than a page reads branches */
    else if (rc != DB_DONE)
        n = -1;
    db_done(st);
    return n;
}

/* The codes a page reads one by one (list_query_page_sql): their number, the first's parameter in
 *first; 0 for none, -1 on a database error. */
static int split_codes(Req *r, const Entity *en, ListQuery *lq, int *first) {
    if (!lq->split || (lq->split->flags & F_NOINDEX) || lq->view || lq->searched || en->few_rows) return 0;
    *first = lq->split_first;
    int n = lq->split_lo ? split_present(r, en, lq, first) : lq->split_n;
    return n > split_max() ? 0 : n;
}

/* "SELECT x.id FROM (SELECT t.id ... WHERE live AND <cond> <where> <end>) x", once, or once per split
   code (n codes from parameter first) with "AND t.<field> = ?code" in place of the code's filter,
   joined by UNION ALL. */
static void branches(Buf *sql, const Entity *en, ListQuery *lq, const char *cond, int first, int n, const char *end,
                     const char *name) {
    for (int i = 0; i < (n ? n : 1); i++) {
        buf_printf(sql, "%sSELECT %s%d.id FROM (SELECT t.id FROM %s t WHERE t.deleted_at IS NULL AND %s",
                   i ? " UNION ALL " : "", name, i, en->table, cond);
        if (n) /* the equality alone: beside the range, SQLite may choose the range */
            buf_printf(sql, "%.*s%s AND t.%s = ?%d", (int)lq->split_at, lq->where.p,
                       lq->where.p + lq->split_at + lq->split_len, lq->split->name, first + i);
        else
            append_where(sql, lq, true);
        buf_printf(sql, "%s) %s%d", end, name, i);
    }
}

/* The second branch of a rep's rows, for a page and its total alike: granted to them, not their own
   (their own are the first branch, "t.owner_id = ?1"). */
static void granted_not_owned(const Entity *en, const User *u, Buf *cond) {
    entity_visibility_grants_sql(en, u, cond, 1);
    buf_puts(cond, " AND COALESCE(t.owner_id, 0) <> ?1");
}

/* How far past the requested page a list's total counts (list_query_total) */
#define LIST_COUNT_AHEAD 5

/* The rows a capped total counts to: the requested page's end and LIST_COUNT_AHEAD pages more (one
   row beyond says "more than that") */
static int64_t count_reach(const ListQuery *lq) { return (lq->page + LIST_COUNT_AHEAD) * lq->per_page; }

/* The list's rows (cols, in the list's order when ordered) up to limit, as wrap ("...%s...") puts them,
   prepared and bound. The LIMIT is the highest parameter, so that every one below it is in the
   statement's range, and is taken back after; NULL on a database error. */
static Stmt *prepare_limited(Req *r, const Entity *en, ListQuery *lq, const char *cols, bool ordered, int64_t limit,
                             const char *wrap) {
    int pl = add_int(lq, limit);
    if (pl < 0) return NULL;
    char *sql = list_query_sql(r, en, lq, cols, arena_printf(r->a, "LIMIT ?%d", pl), ordered);
    Stmt *st = db_prepare(r->db, wrap ? arena_printf(r->a, wrap, sql) : sql);
    if (st) list_query_bind(r, en, lq, st);
    lq->nbind--;
    return st;
}

/*
** A search whose candidates are confirmed on their line (search_docs: a query longer than one token)
** read the line of every visible candidate, to sort them all for a page of 20: 1,424 lines of 1,680
** candidates, ~7 us each through the file, 10 ms of a manager's "6234" at bench scale 10
** (bench/FINDINGS.md 75). The visible candidates are sorted first (their rows are read anyway), then
** confirmed one by one in the page's order until the page and its total's reach are found (every one
** for count=exact); those become the candidates, and the line's check leaves the page's SQL.
*/
static int search_confirm(Req *r, const Entity *en, ListQuery *lq) {
    if (!lq->search_ids || !lq->confirm_len) return 0;
    memset(lq->where.p + lq->confirm_at, ' ', lq->confirm_len); /* the candidates without it, in order */
    lq->confirm_len = 0;
    const char *cm = req_query(r, "count");
    int64_t need = cm && !strcmp(cm, "exact") ? INT64_MAX : count_reach(lq) + 1;
    /* every visible candidate (fewer than the walk's count, and the rows granted) */
    Stmt *st = prepare_limited(r, en, lq, "t.id", true, INT64_MAX, NULL);
    if (!st) return -1;
    int64_t *ids = NULL, n = 0, cap = 0;
    int rc;
    while ((rc = db_step(st)) == DB_ROW) {
        if (n == cap) {
            int64_t *grown = arena_alloc(r->a, (size_t)(cap = cap ? 2 * cap : 256) * sizeof *ids);
            if (n) memcpy(grown, ids, (size_t)n * sizeof *ids);
            ids = grown;
        }
        ids[n++] = db_col_int64(st, 0);
    }
    db_done(st);
    if (rc != DB_DONE) return -1;
    Buf kept;
    buf_init(&kept, r->a);
    buf_putc(&kept, '[');
    for (int64_t i = 0, found = 0; i < n && found < need; i++) {
        st = db_prepare(r->db, "SELECT 1 FROM search_docs d WHERE d.entity = ?1 AND d.row_id = ?2"
                               " AND d.body LIKE ?3 ESCAPE '\\'");
        if (!st) return -1;
        db_bind_int64(st, 1, lq->binds[lq->confirm_entity - 1].i);
        db_bind_int64(st, 2, ids[i]);
        db_bind_text(st, 3, lq->binds[lq->confirm_pattern - 1].s, -1);
        rc = db_step(st);
        db_done(st);
        if (rc == DB_ROW)
            put_id(&kept, ids[i], found++ == 0);
        else if (rc != DB_DONE)
            return -1;
    }
    buf_putc(&kept, ']');
    lq->binds[lq->search_ids - 1].s = kept.p;
    return 0;
}

/*
** A page (LIMIT ?pl OFFSET ?po), written so that the database reads about the page's rows rather
** than every row the user may see that matches:
** - For a user who sees their own rows plus the few shared with them (a rep), "owner = ? OR id IN
**   (shares)" makes the database fetch every row of the owner and sort them all (thousands for a
**   rep with a large book) to return 20. Written as two branches, each ordered and limited to the
**   page's end: the owner's rows walk an (owner_id, sort column) index and stop after page x
**   per_page entries; the granted rows that are not the user's own are few (bench/FINDINGS.md 30).
** - A filter by a code with codes below it (a province) is a range no index gives in the sort's
**   order: every customer of the province was fetched and sorted for 20 (a second for a manager at a
**   million customers). Read as one branch per code present, "t.region = ?" in place of the range
**   (beside it SQLite may pick the range; the outer query keeps it), an index (field, sort column)
**   gives each branch's rows in order (bench/FINDINGS.md 50); for a rep, within the owner's branch.
** The outer query sorts what the branches return: at most their number times the page's end.
*/
char *list_query_page_sql(Req *r, const Entity *en, ListQuery *lq, const char *cols, int pl, int po) {
    if (search_confirm(r, en, lq) < 0) return NULL;
    const char *tail = arena_printf(r->a, "LIMIT ?%d OFFSET ?%d", pl, po);
    int first = 0, n = split_codes(r, en, lq, &first);
    if (n < 0) return NULL;
    bool by_owner = entity_visibility_by_owner(en, r->user);
    if (lq->view || (!by_owner && !n)) return list_query_sql(r, en, lq, cols, tail, true);
    const char *end =
        arena_printf(r->a, " ORDER BY %s LIMIT CAST(?%d AS BIGINT) + CAST(?%d AS BIGINT)", lq->order.p, pl, po);
    Buf sql, cond;
    buf_init(&sql, r->a);
    buf_init(&cond, r->a);
    buf_printf(&sql, "SELECT %s FROM %s t WHERE t.id IN (", cols, en->table);
    if (!by_owner) {
        entity_visibility_sql(en, r->user, &cond, 1);
        branches(&sql, en, lq, cond.p, first, n, end, "b");
    } else {
        branches(&sql, en, lq, "t.owner_id = ?1", first, n, end, "o");
        granted_not_owned(en, r->user, &cond);
        buf_puts(&sql, " UNION ALL ");
        branches(&sql, en, lq, cond.p, first, 0, end, "g");
    }
    buf_printf(&sql, ")%.*s ORDER BY %s %s", n ? (int)lq->split_len : 0, lq->where.p + lq->split_at, lq->order.p, tail);
    return sql.p;
}

void list_query_bind(Req *r, const Entity *en, ListQuery *lq, Stmt *st) {
    int nvis;
    if (lq->view) {
        Buf scratch; /* the scope's parameter count, as reserved by the parse */
        buf_init(&scratch, r->a);
        nvis = lq->view->scope_sql(r, &scratch, 1);
        lq->view->scope_bind(r, st, 1);
    } else {
        nvis = entity_visibility_bind(en, r->user, st, 1);
    }
    for (int i = nvis; i < lq->nbind; i++) {
        if (lq->binds[i].kind == 0)
            db_bind_int64(st, i + 1, lq->binds[i].i);
        else
            db_bind_text(st, i + 1, lq->binds[i].s, -1);
    }
}

int list_query_add_int(ListQuery *lq, int64_t v) { return add_int(lq, v); }

/*
** The list's total. Counting every matching row costs what the user can see, not what the page
** shows: a manager over 100,000 customers, a rep over thousands (the count was most of a list's
** cost, bench/FINDINGS.md 38). By default the count stops LIST_COUNT_AHEAD pages past the requested
** page: the pager can offer the next pages and says "more than N" beyond them, each step forward
** counting a little further; ?count=exact (the list's "count all", integrations) counts every row.
** No count runs when the page itself ends the list.
*/
/* The rows a total counts (one column, then tail). For a rep (visibility by owner) the owner's rows and
   the granted ones are two branches, as a page reads them: "owner = ? OR id IN (shares)" is one
   condition no PostgreSQL index answers, so it read the table until it had counted (a rep's list: a
   sequential scan of 25,000-67,000 customers for 121, 14-28 ms, bench/FINDINGS.md 67). Not for a
   search, whose candidates each branch would look up again. */
static char *count_rows_sql(Req *r, const Entity *en, ListQuery *lq, const char *tail) {
    if (lq->view || lq->searched || !entity_visibility_by_owner(en, r->user))
        return list_query_sql(r, en, lq, "1", tail, false);
    Buf sql, grants;
    buf_init(&sql, r->a);
    buf_init(&grants, r->a);
    granted_not_owned(en, r->user, &grants);
    buf_printf(&sql, "SELECT 1 FROM %s t WHERE t.deleted_at IS NULL AND t.owner_id = ?1", en->table);
    append_where(&sql, lq, false);
    buf_printf(&sql, " UNION ALL SELECT 1 FROM %s t WHERE t.deleted_at IS NULL AND %s", en->table, grants.p);
    append_where(&sql, lq, false);
    if (tail) buf_printf(&sql, " %s", tail);
    return sql.p;
}

/*
** A walked search's total (5,000 candidates or more) first counted among the first candidates alone,
** whose ids the count that chose the walk read: when the total's reach is found among them, it is
** capped without the MATCH's every candidate put into a set to look the rows up from (a manager's 华 at
** bench scale 10: 33,308 candidates, the total 3.8 ms, bench/FINDINGS.md 76). 1 when capped there, 0
** when the whole count must decide, -1 on a database error.
*/
static int walk_total_capped(Req *r, const Entity *en, ListQuery *lq, int64_t limit) {
    Buf whole = lq->where, first;
    size_t at = (size_t)lq->search_walk_at - 1;
    buf_init(&first, r->a);
    buf_printf(&first, "%.*s AND t.id IN (SELECT value FROM json_each(?%d))%s", (int)at, whole.p, lq->search_first_ids,
               whole.p + at + lq->search_in_len);
    lq->where = first;
    Stmt *st = prepare_limited(r, en, lq, "1", false, limit + 1, "SELECT count(*) FROM (%s) x");
    lq->where = whole;
    if (!st) return -1;
    int rc = db_step(st);
    int64_t n = rc == DB_ROW ? db_col_int64(st, 0) : -1;
    db_done(st);
    return n < 0 ? -1 : n > limit;
}

int list_query_total(Req *r, const Entity *en, ListQuery *lq, int nfilter, size_t page_rows, ListTotal *t, Err *e) {
    const char *cm = req_query(r, "count");
    if (cm && strcmp(cm, "exact") && strcmp(cm, "capped")) return bad(e, "count", "exact or capped");
    bool exact = cm && !strcmp(cm, "exact");
    int64_t before = (lq->page - 1) * lq->per_page;
    t->total = before + (int64_t)page_rows;
    t->capped = false;
    t->sql = NULL;
    if (page_rows < (size_t)lq->per_page && (page_rows > 0 || lq->page == 1)) return 0; /* the page ends the list */
    int64_t limit = count_reach(lq);
    lq->nbind = nfilter;
    if (!exact && lq->search_walk_at > 0 && lq->search_first_ids > 0) {
        int capped = walk_total_capped(r, en, lq, limit);
        if (capped < 0) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
        if (capped) {
            t->capped = true;
            t->total = limit;
            return 0;
        }
    }
    const char *tail = NULL;
    if (!exact) tail = arena_printf(r->a, "LIMIT ?%d", list_query_add_int(lq, limit + 1));
    t->sql = arena_printf(r->a, "SELECT count(*) FROM (%s) x", count_rows_sql(r, en, lq, tail));
    Stmt *st = db_prepare(r->db, t->sql);
    if (!st) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    list_query_bind(r, en, lq, st);
    int rc = db_step(st);
    int64_t n = rc == DB_ROW ? db_col_int64(st, 0) : 0;
    db_done(st);
    if (rc != DB_ROW) return err_set(e, 500, EC_INTERNAL, NULL, NULL);
    t->capped = !exact && n > limit;
    t->total = t->capped ? limit : n;
    return 0;
}
