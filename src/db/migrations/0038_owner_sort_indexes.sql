-- 0038 — a rep's list pages read ~20 index entries (issue 11; bench/FINDINGS.md 30).
-- A user who sees by owner (a rep) gets a page as two ordered branches (model/list.c
-- list_query_page_sql): their own rows, "owner_id = ? ... ORDER BY <sort> LIMIT <page's end>", and
-- the few rows shared with them. With an index (owner_id, sort column) the first branch walks the
-- rep's rows in the list's order and stops at the page's end, instead of fetching every row of the
-- rep (2,500-13,000 customers at bench scale 1) and sorting them. One index per default sort, and
-- for customers the sorts the list offers that a sales team uses (last follow-up, 12-month purchases,
-- name in pinyin order). The rowid (id) ends each index, so "sort, id DESC" ties walk in order too.
CREATE INDEX customers_owner_created ON customers(owner_id, created_at);
CREATE INDEX customers_owner_followup ON customers(owner_id, last_followup_at);
CREATE INDEX customers_owner_purchase ON customers(owner_id, purchase_12m);
CREATE INDEX customers_owner_name ON customers(owner_id, name_sk, name);
CREATE INDEX contacts_owner_name ON contacts(owner_id, name_sk, name);
CREATE INDEX leads_owner_created ON leads(owner_id, created_at);
CREATE INDEX follow_ups_owner_followed ON follow_ups(owner_id, followed_at);
CREATE INDEX opportunities_owner_created ON opportunities(owner_id, created_at);
CREATE INDEX quotes_owner_created ON quotes(owner_id, created_at);
