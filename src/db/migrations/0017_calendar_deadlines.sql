-- 0017 — the company calendar and declared deadlines (issue 9, mechanisms 7 and 8).
--
-- calendar_days: dated exceptions to the weekly working pattern, kept by administrators in the
-- company's zone: public holidays ("2026-10-01 国庆节") and make-up workdays (调休上班: a Saturday
-- that is worked, "2026-10-11"). The weekly pattern, working hours and zone are settings
-- (calendar.weekdays, calendar.work_hours, company.time_zone). care.holidays stays what it was:
-- annual greeting days for customer care, not working-day rules.
CREATE TABLE calendar_days (
  day        TEXT PRIMARY KEY,        -- YYYY-MM-DD, a local date in the company's zone
  kind       TEXT NOT NULL,           -- holiday | workday
  name       TEXT NOT NULL DEFAULT '', -- what the day is: 国庆节, 国庆节调休
  updated_at BIGINT NOT NULL,
  updated_by BIGINT                   -- users.id of the administrator
);

-- deadline_clocks: one row per run of a declared deadline clock on one row (src/flow/deadline.c).
-- A run starts when the row enters one of the clock's states, is paused (paused_at set, due_at
-- moved on resume) in its pause states, and stops in any other state; stopped rows are history.
CREATE TABLE deadline_clocks (
  id              {{id}},
  entity          TEXT NOT NULL,     -- entity name ("opportunities", "test_documents")
  row_id          BIGINT NOT NULL,   -- the row's id in the entity's table
  clock           TEXT NOT NULL,     -- declared clock name ("stage", "review")
  state           TEXT NOT NULL,     -- the state the run started in
  started_at      BIGINT NOT NULL,   -- epoch seconds
  paused_at       BIGINT,            -- set while paused
  paused_total    BIGINT NOT NULL DEFAULT 0, -- seconds spent in finished pauses
  due_at          BIGINT NOT NULL,   -- when the limit is reached (moved forward by each resume)
  stopped_at      BIGINT,            -- set once the run has ended
  breached_at     BIGINT,            -- when it went past due (= due_at), once seen or stopped late
  escalated_level INTEGER NOT NULL DEFAULT 0, -- 0 none, 1 the owner reminded, 2 the managers told
  next_at         BIGINT             -- when the deadline job must look at it next; NULL: never
);
-- The job reads only clocks that need it now: open, running and due (or due for escalation).
CREATE INDEX deadline_clocks_next ON deadline_clocks(next_at) WHERE next_at IS NOT NULL;
-- A row's clocks (GET row, state changes).
CREATE INDEX deadline_clocks_row ON deadline_clocks(entity, row_id, clock);

-- deadline_sweeps: (entity, clock) pairs whose rows were given their clocks once (rows that
-- existed before the clock was declared, or written without the workflow: demo data).
CREATE TABLE deadline_sweeps (
  entity   TEXT NOT NULL,
  clock    TEXT NOT NULL,
  swept_at BIGINT NOT NULL,
  PRIMARY KEY (entity, clock)
);

-- The stage watcher's reminders (dedupe keys 'stage:<entity>:<id>:…') are replaced by the stage
-- clocks' ('clock:…'): close the open ones, so that a row still overdue is reminded once, by its
-- clock, on the first run of the deadlines job (which gives existing rows their clocks).
UPDATE tasks SET status = 'done', done_at = created_at
 WHERE status = 'open' AND kind IN ('stage_overdue', 'stage_escalated') AND dedupe_key LIKE 'stage:%';
