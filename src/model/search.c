/*
** search.c — the search index (issue 11, docs/ARCHITECTURE.md "Search index"): every entity's
** search fields (F_SEARCH) as one normalised line per row (search_docs) and its distinct tokens
** (search_tokens), written in the row's own transaction by the core's write path (crud.c, and
** publink.c's form submission), so no module keeps it by hand.
**
** Tokens: text is normalised (traditional -> simplified by OpenCC t2s, full width -> half width,
** ASCII lower case) and cut into runs of CJK characters and runs of letters and digits. At each
** position of a CJK run the index holds the character and the two from there (as Lucene's CJK
** analyser: unigrams and bigrams); of a letter/digit run the three code points from there (fewer at
** the run's end). A query of one or two CJK characters is one token; one or two letters or digits
** are a prefix of the token at their position (a range of packed integers, "cu" * in FTS5); a
** longer run is the AND of its bigrams (trigrams). The candidates are then checked against the
** normalised line with LIKE, so a search answers exactly "the normalised fields contain the
** normalised query" — the plain scan's answer, from an index.
*/
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "search.h"

/* ---------------------------------------------------------------- code points */

enum { CL_NONE, CL_WORD, CL_CJK };

/* The run a code point belongs to: CJK (ideographs, kana, hangul), a word (letters and digits),
   or none (spaces, punctuation, symbols). */
static int cp_class(uint32_t c) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return CL_WORD;
    if (c < 0xC0) return CL_NONE;
    if ((c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xF900 && c <= 0xFAFF) ||
        (c >= 0x20000 && c <= 0x3FFFF) || (c >= 0x3040 && c <= 0x30FF) || (c >= 0xAC00 && c <= 0xD7AF))
        return CL_CJK;
    if (c == 0xD7 || c == 0xF7 || (c >= 0x2000 && c <= 0x2BFF) || (c >= 0x3000 && c <= 0x303F) ||
        (c >= 0xD800 && c <= 0xF8FF) || (c >= 0xFE00 && c <= 0xFE6F) || (c >= 0xFF00 && c <= 0xFFEF) || c > 0x10FFFF)
        return CL_NONE;
    return CL_WORD;
}

/* Full width -> half width, U+3000 -> space, ASCII lower case, control characters -> space
   (U+001F, the fields' separator, kept when keep_sep). */
static uint32_t fold(uint32_t c, bool keep_sep) {
    if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;
    if (c == 0x3000) c = ' ';
    if (c >= 'A' && c <= 'Z') c += 32;
    if ((c < 0x20 && !(keep_sep && c == 0x1F)) || c == 0x7F) c = ' ';
    return c;
}

/* Text already in simplified Chinese, folded (see fold). */
static char *fold_text(Arena *a, const char *p, bool keep_sep) {
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "");
    while (*p)
        buf_put_utf8(&b, fold(utf8_decode_next(&p), keep_sep));
    return b.p;
}

char *search_normalise(Arena *a, const char *s) { return fold_text(a, text_t2s(a, s ? s : ""), false); }

int64_t search_pack(const uint32_t *cp, int n) {
    int64_t t = 0;
    for (int i = 0; i < 3; i++)
        t = (t << 21) | (i < n ? (int64_t)(cp[i] & 0x1FFFFF) : 0);
    return t;
}

int64_t search_entity_key(const char *name) {
    uint32_t h = 2166136261u;
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 16777619u;
    return (int64_t)((h ^ (h >> 20)) & 0xFFFFF);
}

/* A token's code points as UTF-8, appended to b. */
static void put_token(Buf *b, int64_t t) {
    for (int i = 2; i >= 0; i--) {
        uint32_t c = (uint32_t)((t >> (21 * i)) & 0x1FFFFF);
        if (c) buf_put_utf8(b, c);
    }
}

char *search_match(Arena *a, const SearchTerm *terms, int n) {
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "");
    for (int i = 0; i < n; i++) {
        buf_puts(&b, i ? " AND \"" : "\"");
        put_token(&b, terms[i].lo);
        buf_puts(&b, terms[i].hi == terms[i].lo ? "\"" : "\" *");
    }
    return b.p;
}

/* The code points of text and their classes, in arena arrays; returns the count. */
static int code_points(Arena *a, const char *text, uint32_t **cps, int **cls) {
    size_t n = strlen(text);
    *cps = arena_alloc(a, (n + 1) * sizeof **cps);
    *cls = arena_alloc(a, (n + 1) * sizeof **cls);
    int k = 0;
    for (const char *p = text; *p;) {
        uint32_t c = utf8_decode_next(&p);
        (*cps)[k] = c;
        (*cls)[k++] = cp_class(c);
    }
    return k;
}

static int cmp_token(const void *x, const void *y) {
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return a < b ? -1 : a > b;
}

int search_doc_tokens(const char *norm, int64_t *out, int max) {
    Arena *a = arena_new();
    uint32_t *cp;
    int *cl;
    int n = code_points(a, norm, &cp, &cl), k = 0;
    for (int i = 0; i < n && k < max; i++) {
        if (cl[i] == CL_NONE) continue;
        if (cl[i] == CL_CJK && i + 1 < n && cl[i + 1] == CL_CJK) /* the character alone too */
            out[k++] = search_pack(cp + i, 1);
        if (k == max) break;
        int len = cl[i] == CL_CJK ? 2 : 3, j = 1;
        while (j < len && i + j < n && cl[i + j] == cl[i])
            j++;
        out[k++] = search_pack(cp + i, j);
    }
    arena_free(a);
    qsort(out, (size_t)k, sizeof *out, cmp_token);
    int d = 0;
    for (int i = 0; i < k; i++)
        if (d == 0 || out[d - 1] != out[i]) out[d++] = out[i];
    return d;
}

int search_query_terms(const char *q, SearchTerm *out, int max) {
    Arena *a = arena_new();
    uint32_t *cp;
    int *cl;
    int n = code_points(a, q, &cp, &cl), k = 0;
    for (int i = 0; i < n && k < max;) {
        if (cl[i] == CL_NONE) {
            i++;
            continue;
        }
        int e = i;
        while (e < n && cl[e] == cl[i])
            e++;
        int len = cl[i] == CL_CJK ? 2 : 3;
        if (e - i <= len) { /* a token (a CJK character, a k-gram), or a prefix of the one at its position */
            out[k].lo = search_pack(cp + i, e - i);
            bool whole = e - i == len || cl[i] == CL_CJK;
            out[k].hi = whole ? out[k].lo : out[k].lo | (((int64_t)1 << (21 * (3 - (e - i)))) - 1);
            k++;
        } else {
            for (int s = i; s + len <= e && k < max; s++, k++)
                out[k].lo = out[k].hi = search_pack(cp + s, len);
        }
        i = e;
    }
    arena_free(a);
    return k;
}

bool search_query_exact(const char *q) {
    Arena *a = arena_new();
    uint32_t *cp;
    int *cl;
    int n = code_points(a, q, &cp, &cl);
    bool exact = n > 0 && cl[0] != CL_NONE && n <= (cl[0] == CL_CJK ? 2 : 3);
    for (int i = 1; i < n && exact; i++)
        exact = cl[i] == cl[0];
    arena_free(a);
    return exact;
}

/* ---------------------------------------------------------------- the index of one row */

/*
** Where a row's tokens live: on SQLite in the FTS5 table search_fts (contentless, one document per
** row whose words are its tokens, doclists compressed: a tenth of a B-tree of postings), made here
** because a migration is plain SQL for both engines; on PostgreSQL in search_tokens (migration
** 0021), one B-tree line per token and row.
*/
static bool use_fts(Db *db) { return db_kind(db) == DB_SQLITE; }

int search_schema(Db *db) {
    if (!use_fts(db)) return 0;
    /* asked on every indexed write: the connection's schema in memory, not a scan of sqlite_master
       (5 % of the writer's time per create, bench/FINDINGS.md 72) nor a CREATE … IF NOT EXISTS parsed */
    int rc = db_sqlite_table_exists(db, "search_fts");
    if (rc != 0) return rc > 0 ? 0 : -1;
    return db_exec(db, "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(tokens, content='',"
                       " tokenize='ascii', detail=none, columnsize=0)") < 0
               ? -1
               : 0;
}

int64_t search_fts_base(int64_t ek) { return ek << 43; }

/*
** The visibility keys of a row as FTS5 words: "×o<owner>" and "×u<unit>". × (U+00D7) is no letter,
** digit or CJK character, so no text token holds it, and no prefix query of text ("cu" *) reaches
** these words; FTS5's ascii tokeniser takes every non-ASCII character as part of a word.
*/
static void put_key_word(Buf *b, char kind, int64_t v) { buf_printf(b, "\xC3\x97%c%lld", kind, (long long)v); }

char *search_key_words(Arena *a, int64_t owner, int64_t unit) {
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "");
    if (owner > 0) put_key_word(&b, 'o', owner);
    if (unit > 0) {
        if (owner > 0) buf_putc(&b, ' ');
        put_key_word(&b, 'u', unit);
    }
    return b.p;
}

/* The tokens of a line and the row's keys as FTS5 words ("华为 为技 技术 术 ×o21 ×u7"). */
static char *token_words(Arena *a, const int64_t *t, int n, int64_t owner, int64_t unit) {
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "");
    for (int i = 0; i < n; i++) {
        if (i) buf_putc(&b, ' ');
        put_token(&b, t[i]);
    }
    const char *keys = search_key_words(a, owner, unit);
    if (*keys) buf_printf(&b, "%s%s", n ? " " : "", keys);
    return b.p;
}

/* Add (or, del, take away) a row's document in search_fts, at the outermost commit when a savepoint
   is open (db_write_at_commit: FTS5 would write a segment at every savepoint of a group commit). */
static int fts_write(Db *db, Arena *a, bool del, int64_t ek, int64_t id, const int64_t *t, int n, int64_t owner,
                     int64_t unit) {
    return db_write_at_commit(db,
                              del ? "INSERT INTO search_fts(search_fts, rowid, tokens) VALUES ('delete', ?1, ?2)"
                                  : "INSERT INTO search_fts(rowid, tokens) VALUES (?1, ?2)",
                              search_fts_base(ek) | id, token_words(a, t, n, owner, unit)) < 0
               ? -1
               : 0;
}

bool search_indexed(const Entity *en) {
    for (const Field *f = en->fields; f->name; f++)
        if ((f->flags & F_SEARCH) && !(f->flags & F_VIRTUAL)) return true;
    return false;
}

/* The SQL of a search field's text on alias (a code's name in ref_codes, else the column). */
char *search_column(Arena *a, const Field *f, const char *alias) {
    if (f->type == FT_CODE)
        return arena_printf(a, "(SELECT rc.full_name FROM ref_codes rc WHERE rc.list = '%s' AND rc.code = %s%s)",
                            f->ref, alias, f->name);
    return arena_printf(a, "%s%s", alias, f->name);
}

/* "SELECT id, owner_id, org_unit_id, f1, f2 ... FROM table" of the search fields (arena string). */
static char *select_fields(Arena *a, const Entity *en) {
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "SELECT id, owner_id, org_unit_id");
    for (const Field *f = en->fields; f->name; f++)
        if ((f->flags & F_SEARCH) && !(f->flags & F_VIRTUAL)) buf_printf(&b, ", %s", search_column(a, f, ""));
    buf_printf(&b, " FROM %s", en->table);
    return b.p;
}

/* Column c of the statement as a key: 0 for NULL. */
static int64_t col_key(Stmt *st, int c) { return db_col_null(st, c) ? 0 : db_col_int64(st, c); }

/* The normalised line of the row the statement stands on (columns 3.. are the search fields). */
static char *row_body(Arena *a, Stmt *st) {
    Buf b;
    buf_init(&b, a);
    buf_puts(&b, "");
    int n = db_col_count(st);
    for (int c = 3; c < n; c++) {
        if (c > 3) buf_putc(&b, 0x1F);
        const char *v = db_col_text(st, c);
        Buf f;
        buf_init(&f, a);
        buf_puts(&f, "");
        for (const char *p = v ? v : ""; *p; p++)
            buf_putc(&f, (unsigned char)*p < 0x20 ? ' ' : *p);
        /* each field on its own: no dictionary word spans the separator, and a field converted
           before (the name, by the duplicate check) is remembered (core/t2s.c) */
        buf_puts(&b, text_t2s(a, f.p));
    }
    return fold_text(a, b.p, true);
}

/* The tokens of a line, in an arena array; *n their count. */
static int64_t *body_tokens(Arena *a, const char *body, int *n) {
    int max = (int)strlen(body) + 1;
    int64_t *t = arena_alloc(a, (size_t)max * sizeof *t);
    *n = search_doc_tokens(body, t, max);
    return t;
}

/* One line of search_tokens (PostgreSQL): a token of a row, with the row's keys. */
typedef struct Posting {
    int64_t token, row_id, owner, unit;
} Posting;

/* Postings per statement: one round trip to PostgreSQL writes this many. */
#define POSTINGS_BATCH 32

static void bind_key(Stmt *st, int p, int64_t v) {
    if (v > 0)
        db_bind_int64(st, p, v);
    else
        db_bind_null(st, p);
}

/* Insert (add) or delete postings of search_tokens, POSTINGS_BATCH per statement. 0 or -1. */
static int postings_write(Db *db, Arena *a, bool add, int64_t ek, const Posting *ps, size_t n) {
    int per = add ? 4 : 2; /* parameters per posting */
    for (size_t at = 0; at < n; at += POSTINGS_BATCH) {
        size_t k = n - at < POSTINGS_BATCH ? n - at : POSTINGS_BATCH;
        Buf sql;
        buf_init(&sql, a);
        buf_puts(&sql, add ? "INSERT INTO search_tokens(entity, token, row_id, owner_id, org_unit_id) VALUES "
                           : "DELETE FROM search_tokens WHERE entity = ?1 AND (token, row_id) IN (");
        for (size_t i = 0; i < k; i++) {
            size_t p = per * i + 2;
            if (add)
                buf_printf(&sql, "%s(?1, ?%zu, ?%zu, ?%zu, ?%zu)", i ? ", " : "", p, p + 1, p + 2, p + 3);
            else
                buf_printf(&sql, "%s(?%zu, ?%zu)", i ? ", " : "", p, p + 1);
        }
        if (!add) buf_putc(&sql, ')');
        Stmt *st = db_prepare(db, sql.p);
        if (!st) return -1;
        db_bind_int64(st, 1, ek);
        for (size_t i = 0; i < k; i++) {
            const Posting *q = &ps[at + i];
            int p = (int)(per * i + 2);
            db_bind_int64(st, p, q->token);
            db_bind_int64(st, p + 1, q->row_id);
            if (add) {
                bind_key(st, p + 2, q->owner);
                bind_key(st, p + 3, q->unit);
            }
        }
        int rc = db_step(st);
        db_done(st);
        if (rc < 0) return -1;
    }
    return 0;
}

static int doc_write(Db *db, int64_t ek, int64_t id, const char *body, int64_t owner, int64_t unit) {
    Stmt *st = db_prepare(db, "INSERT INTO search_docs(entity, row_id, body, owner_id, org_unit_id)"
                              " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (entity, row_id) DO UPDATE"
                              " SET body = excluded.body, owner_id = excluded.owner_id,"
                              " org_unit_id = excluded.org_unit_id");
    if (!st) return -1;
    db_bind_int64(st, 1, ek);
    db_bind_int64(st, 2, id);
    db_bind_text(st, 3, body, -1);
    bind_key(st, 4, owner);
    bind_key(st, 5, unit);
    int rc = db_step(st);
    db_done(st);
    return rc < 0 ? -1 : 0;
}

/* A row's entry as the index holds it, or as the table says it should be. */
typedef struct Entry {
    char *body; /* NULL: no entry (the row is gone, or was never indexed) */
    int64_t owner, unit;
} Entry;

int search_index_row(Db *db, Arena *a, const Entity *en, int64_t id) {
    if (!en || !search_indexed(en)) return 0;
    int64_t ek = search_entity_key(en->name);
    Entry now = {0}, was = {0};
    Stmt *st = db_prepare(db, arena_printf(a, "%s WHERE id = ?1", select_fields(a, en)));
    if (!st) return -1;
    db_bind_int64(st, 1, id);
    int rc = db_step(st);
    if (rc == DB_ROW) now = (Entry){row_body(a, st), col_key(st, 1), col_key(st, 2)};
    db_done(st);
    if (rc < 0) return -1;
    st = db_prepare(db, "SELECT body, owner_id, org_unit_id FROM search_docs WHERE entity = ?1 AND row_id = ?2");
    if (!st) return -1;
    db_bind_int64(st, 1, ek);
    db_bind_int64(st, 2, id);
    rc = db_step(st);
    if (rc == DB_ROW) was = (Entry){arena_strdup(a, db_col_text(st, 0)), col_key(st, 1), col_key(st, 2)};
    db_done(st);
    if (rc < 0) return -1;
    bool keys_moved = now.owner != was.owner || now.unit != was.unit;
    if (was.body && now.body && strcmp(was.body, now.body) == 0 && !keys_moved) return 0; /* nothing to do */
    int no = 0, nn = 0;
    int64_t *to = was.body ? body_tokens(a, was.body, &no) : NULL,
            *tn = now.body ? body_tokens(a, now.body, &nn) : NULL;
    if (use_fts(db)) {
        if (search_schema(db) < 0 || (was.body && fts_write(db, a, true, ek, id, to, no, was.owner, was.unit) < 0) ||
            (now.body && fts_write(db, a, false, ek, id, tn, nn, now.owner, now.unit) < 0))
            return -1;
        no = nn = 0; /* no postings in search_tokens */
    }
    /* both sorted: drop the tokens that went, add the ones that came (all of them when the row's
       keys moved: every posting carries them) */
    Posting *gone = arena_alloc(a, (size_t)(no + 1) * sizeof *gone),
            *came = arena_alloc(a, (size_t)(nn + 1) * sizeof *came);
    size_t ng = 0, nc = 0;
    for (int i = 0, j = 0; i < no || j < nn;) {
        if (j == nn || (i < no && (to[i] < tn[j] || keys_moved)))
            gone[ng++] = (Posting){to[i++], id, 0, 0};
        else if (i == no || tn[j] < to[i] || keys_moved)
            came[nc++] = (Posting){tn[j++], id, now.owner, now.unit};
        else
            i++, j++;
    }
    if (postings_write(db, a, false, ek, gone, ng) < 0 || postings_write(db, a, true, ek, came, nc) < 0) return -1;
    if (now.body) return doc_write(db, ek, id, now.body, now.owner, now.unit);
    st = db_prepare(db, "DELETE FROM search_docs WHERE entity = ?1 AND row_id = ?2");
    if (!st) return -1;
    db_bind_int64(st, 1, ek);
    db_bind_int64(st, 2, id);
    rc = db_step(st);
    db_done(st);
    return rc < 0 ? -1 : 0;
}

int search_changed(Req *r, const Entity *en, int64_t id, json_t *vals) {
    bool any = vals == NULL;
    const char *k;
    json_t *v;
    if (vals) {
        json_object_foreach(vals, k, v) {
            const Field *f = entity_field(en, k);
            /* the row's visibility keys are in the index too */
            any = any || (f && (f->flags & F_SEARCH)) || !strcmp(k, "owner_id") || !strcmp(k, "org_unit_id");
        }
    }
    return any ? search_index_row(r->db, r->a, en, id) : 0;
}

/* ---------------------------------------------------------------- rebuild */

static int cmp_posting(const void *x, const void *y) {
    const Posting *a = x, *b = y;
    if (a->token != b->token) return a->token < b->token ? -1 : 1;
    return a->row_id < b->row_id ? -1 : a->row_id > b->row_id;
}

/* Index rows with id > *after, up to `chunk` of them; their count (0 at the end) or -1. The
   postings of the chunk go in token order, so the B-tree is written page after page. */
static int rebuild_chunk(Db *db, const Entity *en, int64_t ek, int64_t *after, int chunk) {
    Arena *a = arena_new();
    Stmt *st = db_prepare(db, arena_printf(a, "%s WHERE id > ?1 ORDER BY id LIMIT %d", select_fields(a, en), chunk));
    int n = 0, rc = -1;
    if (!st) goto out;
    db_bind_int64(st, 1, *after);
    int64_t *ids = arena_alloc(a, (size_t)chunk * sizeof *ids);
    Entry *rows = arena_alloc(a, (size_t)chunk * sizeof *rows);
    while ((rc = db_step(st)) == DB_ROW) {
        ids[n] = db_col_int64(st, 0);
        rows[n++] = (Entry){row_body(a, st), col_key(st, 1), col_key(st, 2)};
    }
    db_done(st);
    if (rc < 0) goto out;
    size_t np = 0, cap = 0;
    for (int i = 0; i < n; i++)
        cap += strlen(rows[i].body) + 1;
    Posting *ps = malloc((cap + 1) * sizeof *ps);
    if (!ps) goto out;
    rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        int nt;
        int64_t *t = body_tokens(a, rows[i].body, &nt);
        if (use_fts(db))
            rc = fts_write(db, a, false, ek, ids[i], t, nt, rows[i].owner, rows[i].unit);
        else
            for (int k = 0; k < nt; k++)
                ps[np++] = (Posting){t[k], ids[i], rows[i].owner, rows[i].unit};
        if (rc == 0) rc = doc_write(db, ek, ids[i], rows[i].body, rows[i].owner, rows[i].unit);
    }
    qsort(ps, np, sizeof *ps, cmp_posting);
    if (rc == 0) rc = postings_write(db, a, true, ek, ps, np);
    free(ps);
    if (n) *after = ids[n - 1];
out:
    arena_free(a);
    return rc < 0 ? -1 : n;
}

/* Take the entity's documents out of search_fts (their words from search_docs). */
static int fts_clear(Db *db, int64_t ek) {
    Arena *a = arena_new();
    int rc = -1;
    Stmt *st = db_prepare(db, "SELECT row_id, body, owner_id, org_unit_id FROM search_docs WHERE entity = ?1");
    if (!st) goto out;
    db_bind_int64(st, 1, ek);
    json_t *docs = json_array();
    while ((rc = db_step(st)) == DB_ROW)
        json_array_append_new(docs, json_pack("[I,s,I,I]", (json_int_t)db_col_int64(st, 0), db_col_text(st, 1),
                                              (json_int_t)col_key(st, 2), (json_int_t)col_key(st, 3)));
    db_done(st);
    size_t i;
    json_t *d;
    json_array_foreach(docs, i, d) {
        if (rc != DB_DONE) break;
        int n;
        int64_t *t = body_tokens(a, json_string_value(json_array_get(d, 1)), &n);
        if (fts_write(db, a, true, ek, json_integer_value(json_array_get(d, 0)), t, n,
                      json_integer_value(json_array_get(d, 2)), json_integer_value(json_array_get(d, 3))) < 0)
            rc = -1;
    }
    json_decref(docs);
out:
    arena_free(a);
    return rc < 0 ? -1 : 0;
}

int64_t search_rebuild(Db *db, const Entity *en) {
    int64_t ek = search_entity_key(en->name), total = 0, after = 0;
    if (search_schema(db) < 0 || db_begin(db) != DB_OK) return -1;
    if (use_fts(db) && fts_clear(db, ek) < 0) goto fail;
    static const char *const clear[] = {"DELETE FROM search_tokens WHERE entity = ?1",
                                        "DELETE FROM search_docs WHERE entity = ?1"};
    for (int i = 0; i < 2; i++) {
        Stmt *st = db_prepare(db, clear[i]);
        if (!st) goto fail;
        db_bind_int64(st, 1, ek);
        int rc = db_step(st);
        db_done(st);
        if (rc < 0) goto fail;
    }
    if (search_indexed(en)) {
        int n;
        while ((n = rebuild_chunk(db, en, ek, &after, 5000)) > 0)
            total += n;
        if (n < 0) goto fail;
    }
    Stmt *st = db_prepare(db, "INSERT INTO search_built(entity, built_at, row_count) VALUES (?1, ?2, ?3)"
                              " ON CONFLICT (entity) DO UPDATE SET built_at = excluded.built_at,"
                              " row_count = excluded.row_count");
    if (!st) goto fail;
    db_bind_text(st, 1, en->name, -1);
    db_bind_int64(st, 2, now_epoch());
    db_bind_int64(st, 3, total);
    int rc = db_step(st);
    db_done(st);
    if (rc < 0 || db_commit(db) != DB_OK) goto fail;
    return total;
fail:
    db_rollback(db);
    return -1;
}

int search_rebuild_needed(Db *db, bool all) {
    int n;
    const Entity *const *ens = entity_all(&n);
    for (int i = 0; i < n; i++) /* two names on one key would mix their rows: refuse to start */
        for (int j = 0; j < i; j++)
            if (search_entity_key(ens[i]->name) == search_entity_key(ens[j]->name)) {
                log_error("search: entities %s and %s share an index key", ens[i]->name, ens[j]->name);
                return -1;
            }
    if (search_schema(db) < 0) return -1;
    if (all) { /* start from nothing: faster than taking each document out */
        static const char zClear[] = "DELETE FROM search_docs; DELETE FROM search_tokens; DELETE FROM search_built";
        if (db_exec(db, zClear) < 0 ||
            (use_fts(db) && db_exec(db, "INSERT INTO search_fts(search_fts) VALUES ('delete-all')") < 0))
            return -1;
    }
    for (int i = 0; i < n; i++) {
        if (!search_indexed(ens[i])) continue;
        if (!all) {
            Stmt *st = db_prepare(db, "SELECT 1 FROM search_built WHERE entity = ?1");
            if (!st) return -1;
            db_bind_text(st, 1, ens[i]->name, -1);
            int rc = db_step(st);
            db_done(st);
            if (rc < 0) return -1;
            if (rc == DB_ROW) continue;
        }
        int64_t t0 = now_epoch();
        int64_t rows = search_rebuild(db, ens[i]);
        if (rows < 0) {
            log_error("search: rebuilding the index of %s failed: %s", ens[i]->name, db_errmsg(db));
            return -1;
        }
        log_info("search: indexed %lld rows of %s in %lld s", (long long)rows, ens[i]->name,
                 (long long)(now_epoch() - t0));
    }
    /* one segment per FTS5 level: fewer doclists to merge per query */
    if (use_fts(db) && db_exec(db, "INSERT INTO search_fts(search_fts) VALUES ('optimize')") < 0) return -1;
    return 0;
}

int search_rebuild_entities(Db *db, char **names, int n) {
    for (int i = 0; i < n; i++) {
        const Entity *en = entity_find(names[i]);
        if (!en || !search_indexed(en)) {
            log_error("search: %s is not an entity with search fields", names[i]);
            return -1;
        }
        int64_t rows = search_rebuild(db, en);
        if (rows < 0) {
            log_error("search: rebuilding the index of %s failed: %s", en->name, db_errmsg(db));
            return -1;
        }
        log_info("search: indexed %lld rows of %s", (long long)rows, en->name);
    }
    return use_fts(db) && db_exec(db, "INSERT INTO search_fts(search_fts) VALUES ('optimize')") < 0 ? -1 : 0;
}
