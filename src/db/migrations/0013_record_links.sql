-- 0013 — links between any two records (issue 9, mechanism 11): complaint → CAPA →
-- verification, visit → finding. One row per link, read from both ends.
CREATE TABLE record_links (
  id           {{id}},
  from_entity  TEXT NOT NULL,        -- entity of the record the link was made from
  from_id      BIGINT NOT NULL,
  to_entity    TEXT NOT NULL,        -- entity of the record it points to
  to_id        BIGINT NOT NULL,
  kind         TEXT NOT NULL,        -- a declared link kind ("related", "caused", "verifies" ...)
  note         TEXT,                 -- why, in the linker's words
  created_at   BIGINT NOT NULL,
  created_by   BIGINT
);
CREATE UNIQUE INDEX record_links_pair ON record_links(from_entity, from_id, to_entity, to_id, kind);
CREATE INDEX record_links_to ON record_links(to_entity, to_id);
