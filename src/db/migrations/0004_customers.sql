-- 0004 — customers and what hangs on them (SPEC §1, §2): customers (R-CUS-1),
-- contacts, the customer needs archive (R-PRE-3), competitor intelligence
-- (R-PRE-1), duplicate/collision control (R-CUS-3), tiering history (R-CUS-6)
-- and the public pool (R-CUS-9). System columns as in model/entity.h.

CREATE TABLE customers (
  id              {{id}},
  version         INTEGER NOT NULL DEFAULT 1,
  owner_id        BIGINT,             -- the owning rep; NULL while in the public pool
  org_unit_id     BIGINT,             -- unit the customer belongs to (its pool when unowned)
  number          TEXT,               -- CU-2026-000001
  name            TEXT NOT NULL,      -- company name as written
  tax_id          TEXT,               -- unified social credit code / tax id (18 chars in China)
  industry        TEXT,
  region          TEXT,
  address         TEXT,
  phone           TEXT,               -- switchboard
  email           TEXT,
  website         TEXT,
  source          TEXT,               -- online | trade_show | referral | telemarketing | walk_in | other
  referrer_customer_id BIGINT,        -- referred by this customer (R-CUS-3 referral rule)
  tier            TEXT NOT NULL DEFAULT 'normal', -- important | key | normal
  tier_manual     INTEGER NOT NULL DEFAULT 0,     -- 1: set by hand, the nightly recompute leaves it
  tier_reason     TEXT,               -- why (thresholds met, or the manual reason)
  visit_frequency TEXT,               -- monthly | quarterly | half_yearly (default from tier)
  potential_value BIGINT NOT NULL DEFAULT 0,      -- fen, the rep's estimate (潜在价值)
  purchase_12m    BIGINT NOT NULL DEFAULT 0,      -- fen, trailing 12 months, computed
  orders_12m      INTEGER NOT NULL DEFAULT 0,     -- purchases in the trailing 12 months, computed
  credit_limit    BIGINT NOT NULL DEFAULT 0,      -- fen
  payment_terms   TEXT,
  tags            TEXT,               -- comma-separated
  in_pool         INTEGER NOT NULL DEFAULT 0,     -- 1: in the public pool of org_unit_id
  pool_reason     TEXT,               -- why it went to the pool
  pool_since      BIGINT,
  previous_owner_id BIGINT,           -- owner before the pool (cool-down)
  owned_since     BIGINT,             -- when the current owner got it
  last_followup_at BIGINT,            -- latest follow-up, maintained by follow-ups
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL,
  created_by      BIGINT,
  updated_by      BIGINT,
  deleted_at      BIGINT
);
CREATE INDEX customers_owner ON customers(owner_id, id);
CREATE INDEX customers_unit ON customers(org_unit_id, id);
CREATE INDEX customers_tier ON customers(tier, id);
CREATE INDEX customers_pool ON customers(in_pool, org_unit_id);
CREATE INDEX customers_name ON customers(name);

CREATE TABLE contacts (
  id          {{id}},
  version     INTEGER NOT NULL DEFAULT 1,
  owner_id    BIGINT,
  org_unit_id BIGINT,
  customer_id BIGINT NOT NULL,        -- the customer the person works for
  name        TEXT NOT NULL,
  role        TEXT,                   -- purchasing | technical | user_dept | management | finance | other
  title       TEXT,                   -- job title
  phone       TEXT,
  mobile      TEXT,
  email       TEXT,
  wechat      TEXT,
  birthday    TEXT,                   -- YYYY-MM-DD (care reminders)
  is_primary  INTEGER NOT NULL DEFAULT 0,
  note        TEXT,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL,
  created_by  BIGINT,
  updated_by  BIGINT,
  deleted_at  BIGINT
);
CREATE INDEX contacts_customer ON contacts(customer_id, id);
CREATE INDEX contacts_owner ON contacts(owner_id, id);

CREATE TABLE customer_needs (
  id             {{id}},
  version        INTEGER NOT NULL DEFAULT 1,
  owner_id       BIGINT,
  org_unit_id    BIGINT,
  customer_id    BIGINT NOT NULL,
  need_date      TEXT NOT NULL,       -- YYYY-MM-DD
  kind           TEXT NOT NULL,       -- explicit | implicit | legal | company (the four kinds of the seeds)
  description    TEXT NOT NULL,
  pain_points    TEXT,
  budget         BIGINT,              -- fen
  purchasing_power TEXT,              -- high | medium | low
  review_date    TEXT,                -- next periodic review, YYYY-MM-DD
  status         TEXT NOT NULL DEFAULT 'open', -- open | addressed | obsolete
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL,
  created_by     BIGINT,
  updated_by     BIGINT,
  deleted_at     BIGINT
);
CREATE INDEX customer_needs_customer ON customer_needs(customer_id, id);
CREATE INDEX customer_needs_owner ON customer_needs(owner_id, id);

CREATE TABLE competitors (
  id             {{id}},
  version        INTEGER NOT NULL DEFAULT 1,
  owner_id       BIGINT,
  org_unit_id    BIGINT,
  name           TEXT NOT NULL,       -- competitor company
  products       TEXT,                -- their competing products
  strengths      TEXT,
  weaknesses     TEXT,
  price_level    TEXT,                -- higher | similar | lower
  market_share_bp INTEGER,            -- estimated share, basis points
  region         TEXT,
  source         TEXT,                -- research | visit | trade_show | customer | other
  research_id    BIGINT,              -- market research record it came from, if any
  observed_on    TEXT,                -- YYYY-MM-DD
  note           TEXT,
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL,
  created_by     BIGINT,
  updated_by     BIGINT,
  deleted_at     BIGINT
);
CREATE INDEX competitors_name ON competitors(name);

-- Normalised match keys of customers and leads, maintained on every write:
-- duplicate and collision detection is one indexed lookup.
CREATE TABLE match_keys (
  entity TEXT NOT NULL,               -- customers | leads
  row_id BIGINT NOT NULL,
  kind   TEXT NOT NULL,               -- phone | name | tax_id | email
  value  TEXT NOT NULL,               -- normalised value
  PRIMARY KEY (entity, row_id, kind, value)
);
CREATE INDEX match_keys_lookup ON match_keys(kind, value);

-- A rep's claim on a customer or lead that collided with another owner's (撞单).
CREATE TABLE collision_claims (
  id            {{id}},
  version       INTEGER NOT NULL DEFAULT 1,
  owner_id      BIGINT,               -- the claimant
  org_unit_id   BIGINT,
  state         TEXT NOT NULL DEFAULT 'pending', -- pending | decided | withdrawn
  number        TEXT,                 -- CL-2026-000001
  target_entity TEXT NOT NULL,        -- customers | leads
  target_id     BIGINT NOT NULL,      -- the existing record
  target_owner_id BIGINT,             -- its owner when the claim was filed
  match_kind    TEXT,                 -- which key matched: phone | name | tax_id | email
  reason        TEXT NOT NULL,        -- why the claimant believes it is theirs
  attempted     TEXT,                 -- JSON of the record the claimant tried to create
  decision      TEXT,                 -- keep | transfer | share
  decision_note TEXT,
  decided_by    BIGINT,
  decided_at    BIGINT,
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL,
  created_by    BIGINT,
  updated_by    BIGINT,
  deleted_at    BIGINT
);
CREATE INDEX collision_claims_target ON collision_claims(target_entity, target_id);
CREATE INDEX collision_claims_state ON collision_claims(state, id);

-- Tier changes, computed or manual (R-CUS-6).
CREATE TABLE tier_history (
  id           {{id}},
  customer_id  BIGINT NOT NULL,
  at           BIGINT NOT NULL,
  old_tier     TEXT,
  new_tier     TEXT NOT NULL,
  source       TEXT NOT NULL,         -- recompute | manual
  reason       TEXT,
  user_id      BIGINT,
  purchase_12m BIGINT,
  orders_12m   INTEGER
);
CREATE INDEX tier_history_customer ON tier_history(customer_id, at);

-- Public pool movements of customers and leads (R-CUS-9).
CREATE TABLE pool_events (
  id       {{id}},
  entity   TEXT NOT NULL,             -- customers | leads
  row_id   BIGINT NOT NULL,
  at       BIGINT NOT NULL,
  event    TEXT NOT NULL,             -- returned | claimed | assigned
  user_id  BIGINT,                    -- who claimed / was assigned / lost it
  reason   TEXT
);
CREATE INDEX pool_events_row ON pool_events(entity, row_id, at);
CREATE INDEX pool_events_user ON pool_events(user_id, event, at);
