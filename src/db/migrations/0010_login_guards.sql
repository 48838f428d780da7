-- Sign-in guards (issue 8). One row per user name ('u:' || name, whether or not such a user
-- exists, so a locked unknown name answers exactly like a locked account) and one per client
-- address ('a:' || address). A sign-in updates its rows BEFORE the password is verified, in a
-- transaction of its own: the update locks the row (PostgreSQL) or the database (SQLite), so
-- parallel attempts are counted one after the other and never exceed the limits.
--   failures      attempts reserved since the last success or lockout (user rows)
--   locked_until  sign-in refused until then (user rows)
-- users.failed_logins / users.locked_until are no longer used; existing locks move here.
CREATE TABLE login_guards (
  name         TEXT PRIMARY KEY,
  failures     INTEGER NOT NULL DEFAULT 0,
  locked_until BIGINT NOT NULL DEFAULT 0,
  updated_at   BIGINT NOT NULL
);
CREATE INDEX login_guards_updated ON login_guards(updated_at);

INSERT INTO login_guards(name, failures, locked_until, updated_at)
SELECT 'u:' || username, failed_logins, locked_until, locked_until FROM users
 WHERE deleted_at IS NULL AND (failed_logins > 0 OR locked_until > 0);
