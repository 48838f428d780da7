-- 0037 — after the sale, wired together (issue 13; modules/visits.c, surveys.c, complaints.c):
-- a visit's finding remembers the complaint or service ticket it became (the two are also joined
-- by a link, links.c), and a survey run may choose its customers by a recent delivery.

-- visits.c: POST /visits/:id/findings/:line/raise
ALTER TABLE visit_findings ADD COLUMN complaint_id BIGINT; -- complaints.id made from the finding
ALTER TABLE visit_findings ADD COLUMN ticket_id BIGINT;    -- service_tickets.id made from the finding

-- surveys.c: customers with a shipment shipped (or arrived) within the last N days
ALTER TABLE survey_runs ADD COLUMN delivered_days INTEGER;
