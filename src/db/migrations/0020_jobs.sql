-- 0020 — one background-job queue (issue 9, item 11): imports, exports and, later, deliveries.
-- A job kind is declared in code (model/jobs.h); this table holds every job of every kind,
-- queued, running or finished, so that the owner can poll it from any app server, see its
-- report and download its file. Replaces import_jobs (its rows are carried over).

CREATE TABLE jobs (
  id               {{id}},
  kind             TEXT NOT NULL,          -- declared kind: "import", "export", ...
  user_id          BIGINT NOT NULL,        -- who queued it; only they (and admin) see it, only they download
  entity           TEXT,                   -- the entity it works on, when it has one
  record_id        BIGINT,                 -- the record it works on, when it has one
  title            TEXT,                   -- what the owner recognises it by (an import's file name)
  state            TEXT NOT NULL,          -- queued | running | done | failed | cancelled
  params           TEXT NOT NULL DEFAULT '{}', -- JSON the runner gets (an export's list query, an import's options)
  processed        BIGINT NOT NULL DEFAULT 0,  -- units (rows) done; written at the end, on PostgreSQL also while running
  total            BIGINT NOT NULL DEFAULT 0,  -- units expected, 0 while unknown
  result           TEXT,                   -- JSON report once finished (counts, errors, ...)
  error            TEXT,                   -- why it failed: a message {"m": key, "p": {...}} rendered for the reader
  file_path        TEXT,                   -- result file, relative to the data folder (jobs/<id>-<random>.<ext>)
  file_name        TEXT,                   -- the name it is downloaded under
  file_type        TEXT,                   -- its Content-Type
  file_expires_at  BIGINT,                 -- housekeeping removes the file after this (setting jobs.file_retention_days)
  cancel_requested INTEGER NOT NULL DEFAULT 0, -- 1: the owner asked to stop; the runner checks between rows
  attempts         INTEGER NOT NULL DEFAULT 0, -- runs started (a kind with retries queues a failed run again)
  run_at           BIGINT NOT NULL,        -- not to be started before (a retry's back-off)
  runner           TEXT,                   -- the app server running it (host:port); its restart fails the job
  created_at       BIGINT NOT NULL,
  started_at       BIGINT,
  updated_at       BIGINT NOT NULL,        -- last state or progress write
  finished_at      BIGINT
);
CREATE INDEX jobs_queued ON jobs(run_at, id) WHERE state = 'queued';
CREATE INDEX jobs_user ON jobs(user_id, id);
CREATE INDEX jobs_files ON jobs(file_expires_at) WHERE file_path IS NOT NULL;

INSERT INTO jobs(kind, user_id, entity, title, state, params, processed, total, result, run_at, created_at,
                 started_at, updated_at, finished_at)
SELECT 'import', user_id, entity, filename,
       CASE WHEN state IN ('queued', 'running') THEN 'failed' ELSE state END,
       CASE WHEN dry_run = 1 THEN '{"dry_run":true}' ELSE '{"dry_run":false}' END,
       processed, total, result, created_at, created_at, created_at, updated_at, finished_at
  FROM import_jobs ORDER BY id;
DROP TABLE import_jobs;
