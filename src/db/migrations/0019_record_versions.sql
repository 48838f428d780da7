-- 0019 — versions of signed documents (issue 9, mechanism 4): a signed document (an approved budget,
-- later a signed contract) is changed through a new version; each earlier version is kept whole.
CREATE TABLE record_versions (
  id          {{id}},
  entity      TEXT NOT NULL,
  row_id      BIGINT NOT NULL,
  revision    INTEGER NOT NULL,       -- 1 for the first signed version, then 2, 3 ...
  state       TEXT,                   -- the state it was signed in
  snapshot    TEXT NOT NULL,          -- JSON of the row's fields and lines as signed
  reason      TEXT,                   -- why it was revised
  created_at  BIGINT NOT NULL,        -- when the new version was opened
  created_by  BIGINT
);
CREATE UNIQUE INDEX record_versions_row ON record_versions(entity, row_id, revision);
