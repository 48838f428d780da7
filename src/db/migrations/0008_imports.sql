-- 0008 — file imports (R-INT-2): one row per upload, dry run or import, so
-- that the uploader can poll a background job from any app server and see
-- the report afterwards. Rows themselves are written by the import through
-- the normal create path (audit included); this table only tracks the job.

CREATE TABLE import_jobs (
  id          {{id}},
  user_id     BIGINT NOT NULL,        -- who uploaded; only they (and admin) may read the job
  entity      TEXT NOT NULL,          -- entity name imported into ("products")
  filename    TEXT,                   -- as the client named the file, for the history
  dry_run     INTEGER NOT NULL DEFAULT 0, -- 1: checked only, nothing written
  state       TEXT NOT NULL,          -- queued | running | done | failed
  processed   INTEGER NOT NULL DEFAULT 0, -- rows handled so far (written at the end; on PostgreSQL also while running)
  total       INTEGER NOT NULL DEFAULT 0, -- data rows in the file
  result      TEXT,                   -- JSON report once finished: counts, errors, duplicates, mapping
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL,        -- last state or progress write (stale running jobs are reported failed)
  finished_at BIGINT
);
CREATE INDEX import_jobs_user ON import_jobs(user_id, id);
