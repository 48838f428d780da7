-- 0048 — a name sorted in the language's order is sorted by its key (issue 11). customers.name,
-- contacts.name, leads.company and opportunities.name are F_SORTKEY: a list orders them by <name>_sk (pinyin
-- for 汉字), never by the text, which no list filters either. Their indexes on the text alone were there
-- because the start-up check asked for an index led by every sortable column; it now asks for one led by
-- the sort key (model/entity.c index_check). The four are dropped: each was a B-tree every create wrote
-- and no statement read. Contacts had no index led by name_sk: a manager's contacts sorted by name sorted
-- every visible contact; it has one now.
DROP INDEX customers_name;
DROP INDEX contacts_name;
DROP INDEX leads_company;
DROP INDEX opportunities_name;
CREATE INDEX contacts_name_sk ON contacts(name_sk{{pg: NULLS FIRST}});
