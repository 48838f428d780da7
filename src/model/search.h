/*
** search.h — the search index of the entities' search fields (F_SEARCH), kept by the core on
** every write of a row's searchable text and read by the list language's q= (list.c).
** docs/ARCHITECTURE.md "Search index".
*/
#ifndef SALESLOOP_SEARCH_H
#define SALESLOOP_SEARCH_H

#include "entity.h"

/* Text as the index sees it: traditional -> simplified Chinese (OpenCC t2s), full width ->
   half width, ASCII lower case, control characters -> space. Arena string. */
char *search_normalise(Arena *a, const char *s);

/* Tokens of normalised text, sorted and distinct: at each position of a run of CJK characters
   the character and the two from there, of a run of letters and digits the three code points from
   there (fewer at a run's end); packed by search_pack. Returns the count (at most max). */
int search_doc_tokens(const char *norm, int64_t *out, int max);

/* One condition of a query: the row has a token in [lo, hi] (lo == hi: that token). */
typedef struct SearchTerm {
    int64_t lo, hi;
} SearchTerm;

/* The conditions every row holding normalised query text q as a substring meets: a run of one or
   two CJK characters as that token, of up to three letters/digits as a prefix range, a longer run as
   each of its bigrams (trigrams). Returns the count (at most max; 0 when q has no letters, digits
   or CJK). */
int search_query_terms(const char *q, SearchTerm *out, int max);

/* The FTS5 query (SQLite) of terms: "华为" AND "cu" * ... (arena string). */
char *search_match(Arena *a, const SearchTerm *terms, int n);

/* Where the entity's documents begin in search_fts (rowid = base | row id; SQLite). */
int64_t search_fts_base(int64_t entity_key);

/* Make the engine's own index table (SQLite: the FTS5 table search_fts). 0 or -1. */
int search_schema(Db *db);

/* Up to three code points as one token (21 bits each, the first highest). */
int64_t search_pack(const uint32_t *cp, int n);

/* The stable key of an entity in the index tables (20 bits of FNV-1a of its name). */
int64_t search_entity_key(const char *name);

/* Has the entity fields the index covers (F_SEARCH columns)? */
bool search_indexed(const Entity *en);

/* Bring the index of one row up to date with its stored search fields (in the caller's
   transaction). 0, or -1 on a database error (the write must fail: the index never drifts). */
/* The SQL of a search field's text on a table alias ("t." or ""): a code's name, else the column. */
char *search_column(Arena *a, const Field *f, const char *alias);
int search_index_row(Db *db, Arena *a, const Entity *en, int64_t id);

/* After a write of the fields in vals (NULL: a new row) of row id: its index entry follows when
   a search field was written. The one call of every write path (crud.c: create and update_row;
   publink.c: a form). 0 or -1 (the write fails). */
int search_changed(Req *r, const Entity *en, int64_t id, json_t *vals);

/* Rebuild the index of one entity from its table (own transaction); rows indexed, or -1. */
int64_t search_rebuild(Db *db, const Entity *en);

/* Rebuild every entity the index does not hold whole yet (search_built), or all with all=true.
   Logs each; 0, or -1 on an error. */
int search_rebuild_needed(Db *db, bool all);

/* Rebuild the index of the named entities only; 0, or -1 (an unknown name, a database error). */
int search_rebuild_entities(Db *db, char **names, int n);

#endif
