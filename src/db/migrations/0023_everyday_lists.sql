-- 0023 — everyday lists (issue 10): names sorted in Chinese (pinyin) order, and saved views.
-- The sort key of a text field flagged F_SORTKEY (model/sortkey.c): the hex of ICU's "zh" collation
-- key, so that plain byte order is pinyin order on both engines; filled at start for existing rows.
ALTER TABLE customers ADD COLUMN name_sk TEXT;           -- sort key of name
ALTER TABLE contacts ADD COLUMN name_sk TEXT;            -- sort key of name
ALTER TABLE leads ADD COLUMN company_sk TEXT;            -- sort key of company
ALTER TABLE opportunities ADD COLUMN name_sk TEXT;       -- sort key of name
CREATE INDEX customers_name_sk ON customers(name_sk);
CREATE INDEX leads_company_sk ON leads(company_sk);
CREATE INDEX opportunities_name_sk ON opportunities(name_sk);

-- A user's saved views of a list: the list's query (filters, search, sort, columns, mine/team).
CREATE TABLE saved_views (
  id          {{id}},
  user_id     BIGINT NOT NULL,        -- whose view (only they see it)
  entity      TEXT NOT NULL,          -- the list's entity
  name        TEXT NOT NULL,          -- the user's name for it, unique per user and entity
  query       TEXT NOT NULL,          -- JSON object of list query parameters: {"filter[state]": "won", ...}
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX saved_views_name ON saved_views(user_id, entity, name);
