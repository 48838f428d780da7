-- 0015_reviews.sql — reviews routed by the data (issue 9, mechanism 3): steps that apply only
-- when a condition on the record holds, reviewer sets computed from the record, collect-all
-- rounds, re-review by the reviewers whose concern changed, the owner's-manager scope, and
-- delegation of one's approvals while away.

-- A task may be skipped (its condition did not hold), or kept (an earlier approval that the
-- change since did not touch); scope_exact asks for the signer's unit to be exactly scope_path
-- (the owner's manager) instead of containing it.
ALTER TABLE approval_tasks ADD COLUMN scope_exact INTEGER NOT NULL DEFAULT 0; -- 1: signer's unit = scope_path
ALTER TABLE approval_tasks ADD COLUMN on_behalf_of BIGINT;  -- users.id the signer signed for (a delegation)
ALTER TABLE approval_tasks ADD COLUMN reason TEXT;          -- message key: why skipped or kept
ALTER TABLE approval_tasks ADD COLUMN kept_from BIGINT;     -- approval_tasks.id whose approval a 'kept' task carries

-- One row per approval round: what the record looked like when the round opened, so that the
-- next round knows which fields and lines changed (re-review by concern).
CREATE TABLE approval_rounds (
  entity     TEXT NOT NULL,
  row_id     BIGINT NOT NULL,
  round      INTEGER NOT NULL,     -- approval_tasks.round
  snapshot   TEXT NOT NULL,        -- JSON: the declared fields and lines when the round opened
  changed    TEXT,                 -- JSON array of the fields/lines changed since the previous round
  opened_at  BIGINT NOT NULL,
  opened_by  BIGINT,               -- users.id who opened it (submitted)
  PRIMARY KEY (entity, row_id, round)
);

-- Delegation while away: from_user's approvals may be signed by to_user between starts_at
-- (inclusive) and ends_at (exclusive), unless ended earlier.
CREATE TABLE delegations (
  id           {{id}},
  from_user_id BIGINT NOT NULL REFERENCES users(id), -- the delegator (away)
  to_user_id   BIGINT NOT NULL REFERENCES users(id), -- the delegate who signs on their behalf
  starts_at    BIGINT NOT NULL,                      -- epoch seconds
  ends_at      BIGINT NOT NULL,                      -- epoch seconds, after starts_at
  note         TEXT,                                 -- why (free text of the delegator)
  created_at   BIGINT NOT NULL,
  created_by   BIGINT,                               -- users.id (the delegator, or admin)
  ended_at     BIGINT,                               -- set when ended before ends_at
  ended_by     BIGINT                                -- users.id who ended it
);
CREATE INDEX delegations_to ON delegations(to_user_id, ends_at);
CREATE INDEX delegations_from ON delegations(from_user_id, ends_at);
