-- 0042 — a rep's customer list filtered by region or industry reads the rep's matches (issue 11;
-- bench/FINDINGS.md 43). Company names begin with their city, so one region's customers sit together
-- in the name order, and walking (owner_id, name_sk) for 20 of them read most of a rep's rows (83 ms a
-- page at bench scale 10). With these indexes the filter is a range within the owner's rows
-- (F_OWNER_INDEXED, model/list.c), and the start-up check refuses the flag without its index.
CREATE INDEX customers_owner_region ON customers(owner_id, region);
CREATE INDEX customers_owner_industry ON customers(owner_id, industry);
