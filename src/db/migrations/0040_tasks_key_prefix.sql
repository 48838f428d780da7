-- Closing a record's reminders matches their dedupe_key by prefix ("followup:customers:42:",
-- flow/tasks.c task_close) on every follow-up create. SQLite reads it as a range of the unique
-- index on dedupe_key; PostgreSQL can use an index for LIKE 'prefix%' only with text_pattern_ops
-- when the database's collation is not C (bench/FINDINGS.md 32: every open reminder was read).
{{pg:CREATE INDEX tasks_open_key_prefix ON tasks (dedupe_key text_pattern_ops) WHERE status = 'open';}}
