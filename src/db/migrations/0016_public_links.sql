-- Public links (issue 9, mechanism 9): a token bound to one record and one purpose that lets
-- someone without an account see a declared projection of the record, or submit declared fields
-- (satisfaction surveys, a complaint's status page). Only the token's SHA-256 is stored: the
-- token itself is shown once, when the link is made, and a stolen table opens nothing.
-- The public routes are limited per client address on login_guards rows named 'p:' || address:
-- there `failures` counts the requests of the current 10-minute window and `locked_until` is the
-- end of that window (src/model/publink.c).
CREATE TABLE public_links (
  id           {{id}},
  entity       TEXT NOT NULL,          -- entity name of the record ("test_documents")
  row_id       BIGINT NOT NULL,        -- the record's id
  purpose      TEXT NOT NULL,          -- one of the entity's declared purposes ("status")
  token_hash   TEXT NOT NULL UNIQUE,   -- hex SHA-256 of the token (the token is never stored)
  created_by   BIGINT NOT NULL,        -- users.id of who made the link
  created_at   BIGINT NOT NULL,        -- epoch seconds
  expires_at   BIGINT NOT NULL,        -- the link answers 404 from then on
  max_uses     INTEGER,                -- 1 for a single-use purpose, NULL for no limit
  uses         INTEGER NOT NULL DEFAULT 0, -- submissions (or views, for a read-only purpose) so far
  revoked_at   BIGINT,                 -- set when revoked; the link answers 404 from then on
  last_used_at BIGINT                  -- last public view or submission
);
CREATE INDEX public_links_row ON public_links(entity, row_id);
