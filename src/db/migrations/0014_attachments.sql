-- 0014 — attachments on any record (issue 9 mechanism 5, R-INT-3). One row per file attached to
-- one record; the bytes live in the data folder under their SHA-256 (DATA/files/ab/cd/<sha256>),
-- so the same content attached twice is stored once (Fossil attach.c: metadata keyed by the
-- target, content by hash). Rows are soft-deleted; the file stays while any row names it.

CREATE TABLE attachments (
  id         {{id}},
  entity     TEXT NOT NULL,          -- entity name of the record the file belongs to ('customers')
  row_id     BIGINT NOT NULL,        -- id of that record
  sha256     TEXT NOT NULL,          -- lower-case hex SHA-256 of the content: its file name
  size       BIGINT NOT NULL,        -- bytes
  mime       TEXT NOT NULL,          -- type sniffed from the bytes (libmagic), never the client's
  file_name  TEXT NOT NULL,          -- display name, sanitised (no path separators or controls)
  created_at BIGINT NOT NULL,        -- when it was attached
  created_by BIGINT,                 -- users.id of the uploader
  deleted_at BIGINT,                 -- soft delete: hidden from lists and downloads
  deleted_by BIGINT                  -- users.id of who removed it
);
CREATE INDEX attachments_row ON attachments(entity, row_id, id);
CREATE INDEX attachments_sha ON attachments(sha256);
