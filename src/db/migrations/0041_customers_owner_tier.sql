-- 0041 — a rep's customer list filtered by tier counts what it shows (issue 11; bench/FINDINGS.md 43).
-- The list's total is counted to five pages past the page (model/list.c list_query_total) without an
-- order, so SQLite walks whichever (owner_id, …) index it likes: for 重要/关键 customers it walked
-- (owner_id, purchase_12m) from the smallest buyers, where those tiers are not, and read nearly every
-- row of the rep (24,010 at bench scale 10) for 121 matches. With (owner_id, tier) it reads the matches:
-- that list through SQLite alone went from 8 to 692 a second at scale 10.
CREATE INDEX customers_owner_tier ON customers(owner_id, tier);
