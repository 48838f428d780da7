-- 0033 — the row's visibility keys in the search index (issue 11; model/search.c,
-- docs/ARCHITECTURE.md "Search index"): a rep's or a manager's search reads the postings of the
-- rows they may see (owner, or a unit of their subtree) instead of confirming every row that holds
-- a common character. Kept by the core on every write of owner_id / org_unit_id (update_row,
-- entity_owner_cascade), as it keeps the searchable text.

-- the owner and unit the row's index entry was written with (SQLite: its FTS5 document holds them
-- as the words "×o<owner>" and "×u<unit>", which a delete must repeat)
ALTER TABLE search_docs ADD COLUMN owner_id BIGINT;
ALTER TABLE search_docs ADD COLUMN org_unit_id BIGINT;

-- PostgreSQL's postings carry them (SQLite keeps this table empty)
ALTER TABLE search_tokens ADD COLUMN owner_id BIGINT;
ALTER TABLE search_tokens ADD COLUMN org_unit_id BIGINT;
CREATE INDEX search_tokens_owner ON search_tokens(entity, token, owner_id, row_id);
CREATE INDEX search_tokens_unit ON search_tokens(entity, token, org_unit_id, row_id);

-- every entity's index is rebuilt with the keys at the next start
DELETE FROM search_built;
