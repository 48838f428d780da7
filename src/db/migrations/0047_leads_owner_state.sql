-- 0047 — a rep's leads in a state (issue 11; bench/FINDINGS.md 80). "My new and contacted leads" is the
-- leads list a rep opens most. Its total counted on PostgreSQL by ANDing the bitmaps of the owner's
-- 24,640 leads and the 89,662 leads in those states (34-80 ms); with (owner_id, state) it reads the
-- owner's leads in those states only (1.3 ms). SQLite reads it too for the total, and keeps walking
-- (owner_id, created_at) for the page.
CREATE INDEX leads_owner_state ON leads(owner_id, state);
