-- 0001_core.sql — identity, access, audit, workflow and scheduler tables.
-- Portable SQL: {{id}} becomes the backend's auto-increment primary key
-- (INTEGER PRIMARY KEY on SQLite, BIGSERIAL PRIMARY KEY on PostgreSQL).
-- Times are UTC epoch seconds (BIGINT); money is fen (BIGINT).

-- Settings an administrator can change; defaults live in code (settings.c).
CREATE TABLE settings (
  key        TEXT PRIMARY KEY,   -- setting name, e.g. 'auth.lockout_failures'
  value      TEXT NOT NULL,      -- value as text, parsed by its declared type
  updated_at BIGINT NOT NULL,    -- when it was last changed
  updated_by BIGINT              -- user who changed it
);

-- Org units: company -> department -> region/team.
CREATE TABLE org_units (
  id          {{id}},
  version     INTEGER NOT NULL DEFAULT 1,  -- optimistic lock
  owner_id    BIGINT,                      -- system column (unused for units)
  org_unit_id BIGINT,                      -- system column: the unit itself
  name        TEXT NOT NULL,               -- display name, e.g. '华东大区'
  code        TEXT,                        -- short code, unique among live units
  parent_id   BIGINT REFERENCES org_units(id), -- NULL for the company root
  path        TEXT NOT NULL DEFAULT '/',   -- materialised path '/1/4/' for subtree checks
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL,
  created_by  BIGINT,
  updated_by  BIGINT,
  deleted_at  BIGINT                       -- soft delete
);
CREATE INDEX org_units_path ON org_units(path);

CREATE TABLE users (
  id            {{id}},
  version       INTEGER NOT NULL DEFAULT 1,
  owner_id      BIGINT,                 -- system column: the user row itself
  org_unit_id   BIGINT REFERENCES org_units(id), -- the unit the user belongs to
  username      TEXT NOT NULL,          -- sign-in name, unique (case-insensitive)
  display_name  TEXT NOT NULL,          -- shown name, e.g. '王芳'
  email         TEXT,
  phone         TEXT,
  locale        TEXT NOT NULL DEFAULT 'zh-CN', -- zh-CN | zh-TW | en
  password_hash TEXT NOT NULL,          -- Argon2id string from libsodium
  disabled      INTEGER NOT NULL DEFAULT 0,  -- 1: cannot sign in
  failed_logins INTEGER NOT NULL DEFAULT 0,  -- consecutive failures, reset on success
  locked_until  BIGINT NOT NULL DEFAULT 0,   -- sign-in refused until then
  password_changed_at BIGINT,
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL,
  created_by    BIGINT,
  updated_by    BIGINT,
  deleted_at    BIGINT
);
CREATE UNIQUE INDEX users_username ON users(username);

-- Roles held by a user (several per user), by role id from SPEC §0.
CREATE TABLE user_roles (
  user_id BIGINT NOT NULL REFERENCES users(id),
  role    TEXT NOT NULL,
  PRIMARY KEY (user_id, role)
);

-- Browser sessions. Only the SHA-256 of the cookie value is stored.
CREATE TABLE sessions (
  id           {{id}},
  token_hash   TEXT NOT NULL UNIQUE,  -- hex SHA-256 of the cookie value
  user_id      BIGINT NOT NULL REFERENCES users(id),
  csrf         TEXT NOT NULL,         -- CSRF token sent back in X-CSRF-Token
  created_at   BIGINT NOT NULL,
  expires_at   BIGINT NOT NULL,       -- absolute end; extended on activity
  client_addr  TEXT,
  user_agent   TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

-- API tokens for integrations (Authorization: Bearer). Hash only.
CREATE TABLE api_tokens (
  id           {{id}},
  user_id      BIGINT NOT NULL REFERENCES users(id),
  name         TEXT NOT NULL,         -- what the token is for
  token_hash   TEXT NOT NULL UNIQUE,  -- hex SHA-256 of the token
  prefix       TEXT NOT NULL,         -- first characters, to recognise it in lists
  created_at   BIGINT NOT NULL,
  expires_at   BIGINT,                -- NULL: no expiry
  last_used_at BIGINT,
  revoked_at   BIGINT                 -- set by revoke; a revoked token never works again
);

-- Sign-in attempts, for per-address rate limiting.
CREATE TABLE login_attempts (
  id          {{id}},
  at          BIGINT NOT NULL,
  username    TEXT NOT NULL,
  client_addr TEXT NOT NULL,
  ok          INTEGER NOT NULL          -- 1 success, 0 failure
);
CREATE INDEX login_attempts_addr ON login_attempts(client_addr, at);

-- Append-only audit trail, written in the same transaction as the change.
CREATE TABLE audit (
  id          {{id}},
  at          BIGINT NOT NULL,
  user_id     BIGINT,                 -- NULL for the system (scheduler)
  entity      TEXT NOT NULL,          -- entity name, e.g. 'market_research'
  row_id      BIGINT NOT NULL,
  action      TEXT NOT NULL,          -- create | update | delete | action name | approve | reject
  changes     TEXT,                   -- JSON {"field":[before, after]}
  client_addr TEXT,
  request_id  TEXT
);
CREATE INDEX audit_row ON audit(entity, row_id, id);

-- Explicit shares: a row made visible to one more user.
CREATE TABLE shares (
  entity     TEXT NOT NULL,
  row_id     BIGINT NOT NULL,
  user_id    BIGINT NOT NULL REFERENCES users(id),
  created_at BIGINT NOT NULL,
  created_by BIGINT,
  PRIMARY KEY (entity, row_id, user_id)
);
CREATE INDEX shares_user ON shares(user_id, entity);

-- Approval signatures: one row per role per step per round.
CREATE TABLE approval_tasks (
  id           {{id}},
  entity       TEXT NOT NULL,
  row_id       BIGINT NOT NULL,
  round        INTEGER NOT NULL,      -- 1 for the first submission, +1 on each resubmission
  step_no      INTEGER NOT NULL,      -- 0-based index into the declared steps
  step_name    TEXT NOT NULL,
  role         TEXT NOT NULL,         -- role that signs this task
  scope_path   TEXT,                  -- SCOPE_UNIT: the row's org path the signer must contain
  status       TEXT NOT NULL,         -- waiting | pending | approved | rejected | cancelled
  signer_id    BIGINT,
  comment      TEXT,
  activated_at BIGINT,
  due_at       BIGINT,
  signed_at    BIGINT
);
CREATE INDEX approval_tasks_row ON approval_tasks(entity, row_id, round);
CREATE INDEX approval_tasks_pending ON approval_tasks(status, role);

-- Tasks and reminders for one user (follow-ups due, overdue items ...).
CREATE TABLE tasks (
  id         {{id}},
  user_id    BIGINT NOT NULL REFERENCES users(id),
  kind       TEXT NOT NULL,           -- reminder kind, e.g. 'approval_overdue'
  entity     TEXT,
  row_id     BIGINT,
  title      TEXT NOT NULL,
  due_at     BIGINT,
  status     TEXT NOT NULL DEFAULT 'open', -- open | done | cancelled
  dedupe_key TEXT NOT NULL UNIQUE,    -- makes reminder generation idempotent
  created_at BIGINT NOT NULL,
  done_at    BIGINT
);
CREATE INDEX tasks_user ON tasks(user_id, status, due_at);

-- Scheduler: one lease row so one app server runs the jobs at a time.
CREATE TABLE scheduler_lease (
  name       TEXT PRIMARY KEY,        -- 'scheduler'
  holder     TEXT NOT NULL,           -- host:pid of the holder
  expires_at BIGINT NOT NULL
);
CREATE TABLE scheduler_runs (
  job         TEXT PRIMARY KEY,
  last_run_at BIGINT NOT NULL,        -- start of the last run
  last_ok_at  BIGINT,
  last_error  TEXT,
  runs        INTEGER NOT NULL DEFAULT 0
);

-- Document number sequences: QT-2026-000123 never collides under concurrency.
CREATE TABLE doc_numbers (
  prefix TEXT NOT NULL,
  year   INTEGER NOT NULL,
  last   BIGINT NOT NULL,
  PRIMARY KEY (prefix, year)
);
