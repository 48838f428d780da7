-- 0021 — the search index of every entity's search fields (issue 11; model/search.c,
-- docs/ARCHITECTURE.md "Search index"). Written by the core on every write of a row's
-- searchable text, in the write's transaction; filled for existing rows by the server on
-- its first start (search_built has no line for the entity) or by `salesloop search-rebuild`.
-- entity is a stable 31-bit hash of the entity's name (search_entity_key).

-- one line per row: its search fields normalised (simplified Chinese, half width, lower
-- case) and joined by U+001F, for the final substring check of a query
CREATE TABLE search_docs (
  entity  INTEGER NOT NULL,
  row_id  BIGINT NOT NULL,
  body    TEXT NOT NULL,
  PRIMARY KEY (entity, row_id)
);

-- the row's distinct tokens (PostgreSQL; SQLite keeps them in the FTS5 table search_fts, which
-- the server makes because a migration is plain SQL for both engines): each CJK character and
-- each pair, and the three letters/digits from each position of a run of them; up to three code
-- points packed into an integer (21 bits each), so a prefix is a range
CREATE TABLE search_tokens (
  entity  INTEGER NOT NULL,
  token   BIGINT NOT NULL,
  row_id  BIGINT NOT NULL,
  PRIMARY KEY (entity, token, row_id)
);

-- entities whose index holds every row (a rebuild finished); the others are rebuilt at start
CREATE TABLE search_built (
  entity    TEXT PRIMARY KEY,
  built_at  BIGINT NOT NULL,
  row_count BIGINT NOT NULL
);
