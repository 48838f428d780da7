-- 0005 — the pipeline (SPEC §2): leads with conversion (R-CUS-2), follow-ups
-- and follow-up plans (R-CUS-4, R-CUS-7), opportunities with stages (R-CUS-5,
-- R-CUS-10), sales plans and quotas (R-CUS-8).

CREATE TABLE leads (
  id              {{id}},
  version         INTEGER NOT NULL DEFAULT 1,
  owner_id        BIGINT,             -- NULL while in the public pool
  org_unit_id     BIGINT,
  state           TEXT NOT NULL DEFAULT 'new', -- new | contacted | qualified | converted | disqualified
  state_since     BIGINT,             -- when the current state began (stage time limits)
  number          TEXT,               -- LD-2026-000001
  company         TEXT NOT NULL,      -- company name as given
  contact_name    TEXT,
  phone           TEXT,
  email           TEXT,
  wechat          TEXT,
  tax_id          TEXT,
  industry        TEXT,
  region          TEXT,
  source          TEXT NOT NULL,      -- online | trade_show | referral | telemarketing | walk_in | other
  referrer_customer_id BIGINT,        -- referring customer (its owner gets the lead)
  referrer_name   TEXT,               -- referrer when not a customer
  estimated_value BIGINT NOT NULL DEFAULT 0, -- fen
  score           INTEGER,            -- 0..100 potential value assessment (潜在价值评估)
  product_interest TEXT,
  note            TEXT,
  disqualify_reason TEXT,
  converted_customer_id    BIGINT,
  converted_contact_id     BIGINT,
  converted_opportunity_id BIGINT,
  converted_at    BIGINT,
  in_pool         INTEGER NOT NULL DEFAULT 0,
  pool_reason     TEXT,
  pool_since      BIGINT,
  previous_owner_id BIGINT,
  owned_since     BIGINT,
  last_followup_at BIGINT,
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL,
  created_by      BIGINT,
  updated_by      BIGINT,
  deleted_at      BIGINT
);
CREATE INDEX leads_owner ON leads(owner_id, id);
CREATE INDEX leads_unit ON leads(org_unit_id, id);
CREATE INDEX leads_state ON leads(state, id);
CREATE INDEX leads_pool ON leads(in_pool, org_unit_id);

CREATE TABLE follow_ups (
  id             {{id}},
  version        INTEGER NOT NULL DEFAULT 1,
  owner_id       BIGINT,
  org_unit_id    BIGINT,
  customer_id    BIGINT,              -- one of customer_id / lead_id is set
  lead_id        BIGINT,
  opportunity_id BIGINT,
  contact_id     BIGINT,
  followed_at    BIGINT NOT NULL,     -- when it happened
  channel        TEXT NOT NULL,       -- phone | email | visit | wechat | meeting | fax
  kind           TEXT NOT NULL DEFAULT 'normal', -- normal | care (birthday, holiday greetings)
  content        TEXT NOT NULL,
  feedback       TEXT,                -- customer feedback
  next_step      TEXT,
  next_date      TEXT,                -- YYYY-MM-DD; overdue -> reminder
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL,
  created_by     BIGINT,
  updated_by     BIGINT,
  deleted_at     BIGINT
);
CREATE INDEX follow_ups_customer ON follow_ups(customer_id, followed_at);
CREATE INDEX follow_ups_lead ON follow_ups(lead_id, followed_at);
CREATE INDEX follow_ups_owner ON follow_ups(owner_id, id);
CREATE INDEX follow_ups_next ON follow_ups(next_date);

CREATE TABLE follow_up_plans (
  id             {{id}},
  version        INTEGER NOT NULL DEFAULT 1,
  owner_id       BIGINT,
  org_unit_id    BIGINT,
  customer_id    BIGINT NOT NULL,
  content        TEXT NOT NULL,       -- what to follow up on
  channel        TEXT NOT NULL,
  frequency_days INTEGER NOT NULL,    -- every N days
  next_date      TEXT NOT NULL,       -- next planned follow-up, YYYY-MM-DD
  active         INTEGER NOT NULL DEFAULT 1,
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL,
  created_by     BIGINT,
  updated_by     BIGINT,
  deleted_at     BIGINT
);
CREATE INDEX follow_up_plans_next ON follow_up_plans(active, next_date);

CREATE TABLE opportunities (
  id              {{id}},
  version         INTEGER NOT NULL DEFAULT 1,
  owner_id        BIGINT,
  org_unit_id     BIGINT,
  state           TEXT NOT NULL DEFAULT 'prospecting', -- prospecting | needs_analysis | proposal | negotiation | won | lost
  state_since     BIGINT,             -- when the current stage began
  number          TEXT,               -- OP-2026-000001
  name            TEXT NOT NULL,
  customer_id     BIGINT NOT NULL,
  contact_id      BIGINT,
  lead_id         BIGINT,             -- the lead it was converted from
  product_id      BIGINT,             -- main product
  products        TEXT,               -- products / scope in words
  amount          BIGINT NOT NULL DEFAULT 0, -- fen
  probability_bp  INTEGER,            -- win probability in basis points (default per stage)
  expected_close  TEXT,               -- YYYY-MM-DD
  needs_analysis  TEXT,               -- the needs-analysis record (required before proposal)
  quote_sent_on   TEXT,               -- YYYY-MM-DD a quotation was sent (required before negotiation)
  quote_ref       TEXT,               -- quotation number
  contract_ref    TEXT,               -- signed contract number
  loss_reason     TEXT,               -- price | product | competitor | timing | no_budget | relationship | other
  loss_note       TEXT,
  competitor      TEXT,
  closed_at       BIGINT,
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL,
  created_by      BIGINT,
  updated_by      BIGINT,
  deleted_at      BIGINT
);
CREATE INDEX opportunities_owner ON opportunities(owner_id, id);
CREATE INDEX opportunities_unit ON opportunities(org_unit_id, id);
CREATE INDEX opportunities_state ON opportunities(state, id);
CREATE INDEX opportunities_customer ON opportunities(customer_id, id);

-- Every stage change of an opportunity, with the time spent in the stage left.
CREATE TABLE opportunity_stages (
  id              {{id}},
  opportunity_id  BIGINT NOT NULL,
  from_stage      TEXT,
  to_stage        TEXT NOT NULL,
  at              BIGINT NOT NULL,
  user_id         BIGINT,
  seconds_in_from BIGINT,             -- time spent in from_stage
  override_reason TEXT                -- set when a manager skipped a prerequisite
);
CREATE INDEX opportunity_stages_opp ON opportunity_stages(opportunity_id, at);

-- Sales plans and quotas (R-CUS-8), allocated top-down: a unit's plan is split
-- into its sub-units' and reps' plans.
CREATE TABLE sales_plans (
  id                   {{id}},
  version              INTEGER NOT NULL DEFAULT 1,
  owner_id             BIGINT,
  org_unit_id          BIGINT,
  period_kind          TEXT NOT NULL,   -- year | quarter | month
  period_start         TEXT NOT NULL,   -- YYYY-MM-DD
  plan_unit_id         BIGINT NOT NULL, -- the unit the target is for
  rep_id               BIGINT,          -- the rep, for a personal quota
  parent_plan_id       BIGINT,          -- the plan this one was allocated from
  target_amount        BIGINT NOT NULL DEFAULT 0, -- fen
  target_volume        INTEGER NOT NULL DEFAULT 0,
  target_new_customers INTEGER NOT NULL DEFAULT 0,
  note                 TEXT,
  created_at           BIGINT NOT NULL,
  updated_at           BIGINT NOT NULL,
  created_by           BIGINT,
  updated_by           BIGINT,
  deleted_at           BIGINT
);
CREATE INDEX sales_plans_parent ON sales_plans(parent_plan_id);
CREATE INDEX sales_plans_period ON sales_plans(period_start, plan_unit_id);
