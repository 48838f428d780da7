-- 0037 — after the sale, wired together (issue 13; modules/visits.c, surveys.c, complaints.c):
-- a visit's finding remembers the complaint or service ticket it became (the two are also joined
-- by a link, links.c), a survey run may choose its customers by a recent delivery, and an on-site
-- plan item is confirmed with the customer the day before.

-- visits.c: POST /visits/:id/findings/:line/raise
ALTER TABLE visit_findings ADD COLUMN complaint_id BIGINT; -- complaints.id made from the finding
ALTER TABLE visit_findings ADD COLUMN ticket_id BIGINT;    -- service_tickets.id made from the finding

-- surveys.c: customers with a shipment shipped (or arrived) within the last N days
ALTER TABLE survey_runs ADD COLUMN delivered_days INTEGER;

-- visits.c: an on-site plan item confirmed with the customer the day before (R-VIS-1 seed
-- detail); the daily job "visit_confirmations" reminds the rep of tomorrow's unconfirmed ones
ALTER TABLE visit_plan_items ADD COLUMN confirmed_at BIGINT; -- when (UTC epoch seconds)
ALTER TABLE visit_plan_items ADD COLUMN confirmed_by BIGINT; -- users.id who confirmed it
CREATE INDEX visit_plan_items_planned ON visit_plan_items(planned_on, method);
