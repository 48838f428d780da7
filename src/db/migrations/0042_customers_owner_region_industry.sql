-- 0042 — customer lists filtered by region or industry read their matches (issue 11; bench/FINDINGS.md
-- 43, 45). Company names begin with their city, so one region's customers sit together in the name
-- order, and walking (owner_id, name_sk) for 20 of them read most of a rep's rows (83 ms a page at bench
-- scale 10). With (owner_id, region) and (owner_id, industry) a rep's filter is a range within the
-- owner's rows (F_OWNER_INDEXED, model/list.c), and the start-up check refuses the flag without its
-- index. An industry is a leaf code, filtered by equality: (industry, purchase_12m) gives a manager's
-- "largest buyers of an industry" in order (0.36 s -> under 10 ms through SQLite alone at scale 10)
-- and leads with industry as the index it replaces did.
CREATE INDEX customers_owner_region ON customers(owner_id, region);
CREATE INDEX customers_owner_industry ON customers(owner_id, industry);
DROP INDEX customers_industry;
CREATE INDEX customers_industry_purchase ON customers(industry, purchase_12m);
