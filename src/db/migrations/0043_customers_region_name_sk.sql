-- 0043 — a province's customers in name order, code by code (issue 11; bench/FINDINGS.md 50). A filter
-- by a code with codes below it reads one branch per code present, "region = ?" in the list's order
-- (model/list.c list_query_page_sql): with (region, name_sk) a manager's province list sorted by name
-- walks each code's index from its start and stops at the page's end (1-3 lists/s -> over 1,000
-- through SQLite alone at bench scale 10, where it sorted 143,000 customers for 20); with (owner_id,
-- region, name_sk) a rep's does the same within the rep's rows. Both lead as the indexes they replace.
-- The list's name order is the sort key's (F_SORTKEY); (region, name) gave the order of the text.
DROP INDEX customers_region_name;
CREATE INDEX customers_region_name_sk ON customers(region, name_sk);
DROP INDEX customers_owner_region;
CREATE INDEX customers_owner_region_name ON customers(owner_id, region, name_sk);
