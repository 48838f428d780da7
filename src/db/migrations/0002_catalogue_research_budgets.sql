-- 0002 — the first declared entities: product catalogue (R-PRE-2), market
-- research (R-PRE-1) and expense budgets with approval (R-EXP-1).
-- Every entity table carries the system columns of model/entity.h.

CREATE TABLE products (
  id            {{id}},
  version       INTEGER NOT NULL DEFAULT 1,
  owner_id      BIGINT,
  org_unit_id   BIGINT,
  code          TEXT NOT NULL,        -- product code, unique among live products
  name          TEXT NOT NULL,        -- product name
  model         TEXT,                 -- 型号
  spec          TEXT,                 -- 规格
  unit          TEXT NOT NULL,        -- unit of sale: 台, 件, 套, kg ...
  list_price    BIGINT NOT NULL DEFAULT 0,  -- fen
  standard_cost BIGINT NOT NULL DEFAULT 0,  -- fen
  product_line  TEXT,
  active        INTEGER NOT NULL DEFAULT 1,
  description   TEXT,
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL,
  created_by    BIGINT,
  updated_by    BIGINT,
  deleted_at    BIGINT
);
CREATE INDEX products_code ON products(code);
CREATE INDEX products_line ON products(product_line, id);

CREATE TABLE market_research (
  id            {{id}},
  version       INTEGER NOT NULL DEFAULT 1,
  owner_id      BIGINT,
  org_unit_id   BIGINT,
  research_date TEXT NOT NULL,        -- YYYY-MM-DD
  topic         TEXT NOT NULL,
  kind          TEXT NOT NULL,        -- questionnaire | interview | trade_show | seminar | desk
  region        TEXT,
  findings      TEXT,
  competitors   TEXT,                 -- competitors mentioned, free text
  respondents   INTEGER,              -- people or companies surveyed
  cost          BIGINT NOT NULL DEFAULT 0, -- fen
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL,
  created_by    BIGINT,
  updated_by    BIGINT,
  deleted_at    BIGINT
);
CREATE INDEX market_research_owner ON market_research(owner_id, id);
CREATE INDEX market_research_unit ON market_research(org_unit_id, id);
CREATE INDEX market_research_date ON market_research(research_date, id);

CREATE TABLE budgets (
  id            {{id}},
  version       INTEGER NOT NULL DEFAULT 1,
  owner_id      BIGINT,
  org_unit_id   BIGINT,
  state         TEXT NOT NULL DEFAULT 'draft',
  number        TEXT,                 -- BG-2026-000001
  budget_unit_id BIGINT,              -- org unit the budget is for
  period_kind   TEXT NOT NULL,        -- year | quarter | month
  period_start  TEXT NOT NULL,        -- YYYY-MM-DD, first day of the period
  category      TEXT NOT NULL,        -- marketing | travel | entertainment | training | other
  amount        BIGINT NOT NULL,      -- fen
  note          TEXT,
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL,
  created_by    BIGINT,
  updated_by    BIGINT,
  deleted_at    BIGINT
);
CREATE INDEX budgets_owner ON budgets(owner_id, id);
CREATE INDEX budgets_unit ON budgets(org_unit_id, id);
CREATE INDEX budgets_state ON budgets(state, id);
