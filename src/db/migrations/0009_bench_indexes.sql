-- 0009 — indexes for customer lists, found by `make bench` (bench/FINDINGS.md).
-- A list is "WHERE <visibility> AND <filters> ORDER BY <sort> LIMIT 20" plus a count
-- capped at 1,001 rows. For a manager, who sees a whole region (~45,000 of 100,000
-- customers), SQLite answered the page from the filter's index with a sort of every
-- match, or scanned the table, and counted by scanning: 7-400 lists/s through SQLite
-- alone. With an index on the sort column it walks in order and stops after 20 rows,
-- and with one on the filter column the capped count visits ~2,000 rows, not the table:
-- 700-1,400 lists/s.
CREATE INDEX customers_created ON customers(created_at);             -- default sort (-created_at)
CREATE INDEX customers_last_followup ON customers(last_followup_at); -- sort; the pool's age check
CREATE INDEX customers_purchase ON customers(purchase_12m);          -- sort (tier work lists)
CREATE INDEX customers_region_name ON customers(region, name);       -- filter region, sorted by name
CREATE INDEX customers_industry ON customers(industry);              -- filter
CREATE INDEX customers_source ON customers(source);                  -- filter
