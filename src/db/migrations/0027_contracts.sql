-- Contracts (合同, R-CON-1..4; modules/contracts.c): lines and totals as on a quote, the payment
-- schedule (instalments, read by receivables), quality and acceptance terms, the general/special
-- classification with its reasons, review, signing, and change through new versions.
CREATE TABLE contracts (
  id                 {{id}},
  version            INTEGER NOT NULL DEFAULT 1,
  owner_id           BIGINT,
  org_unit_id        BIGINT,
  state              TEXT NOT NULL DEFAULT 'draft',
  number             TEXT,                 -- CT-2026-000001
  kind               TEXT NOT NULL DEFAULT 'contract', -- contract | tender (标书, reviewed before submission)
  title              TEXT,
  customer_id        BIGINT NOT NULL,      -- customers.id
  quote_id           BIGINT,               -- quotes.id it was made from
  opportunity_id     BIGINT,               -- opportunities.id
  contact_id         BIGINT,               -- contacts.id
  signed_on          TEXT,                 -- YYYY-MM-DD, company time zone
  delivery_date      TEXT,
  end_date           TEXT,
  warranty_months    INTEGER,
  tax_rate_bp        INTEGER NOT NULL DEFAULT 1300,
  payment_terms      TEXT,
  quality_terms      TEXT,                 -- quality clauses and acceptance criteria
  delivery_terms     TEXT,                 -- place, transport, packaging
  -- reasons for a special contract the rep answers (R-CON-2)
  new_product        INTEGER NOT NULL DEFAULT 0,
  over_capacity      INTEGER NOT NULL DEFAULT 0,
  over_tech          INTEGER NOT NULL DEFAULT 0,
  customer_materials INTEGER NOT NULL DEFAULT 0,
  -- reasons read from the data (computed on every save)
  credit_risk        INTEGER NOT NULL DEFAULT 0,
  low_margin         INTEGER NOT NULL DEFAULT 0,
  classification     TEXT NOT NULL DEFAULT 'general', -- general | special
  special_reasons    TEXT,                 -- space-separated reason codes
  quote_differs      INTEGER NOT NULL DEFAULT 0, -- lines or terms differ from the quote
  gross_total        BIGINT,               -- computed (fen)
  discount_total     BIGINT,
  subtotal           BIGINT,
  cost_total         BIGINT,
  profit             BIGINT,
  tax                BIGINT,
  total              BIGINT,
  margin_bp          INTEGER,
  scheduled_total    BIGINT,               -- computed: sum of the instalments
  created_at         BIGINT NOT NULL,
  updated_at         BIGINT NOT NULL,
  created_by         BIGINT,
  updated_by         BIGINT,
  deleted_at         BIGINT
);
CREATE INDEX contracts_owner ON contracts(owner_id, id);
CREATE INDEX contracts_unit ON contracts(org_unit_id);
CREATE INDEX contracts_state ON contracts(state);
CREATE INDEX contracts_number ON contracts(number);
CREATE INDEX contracts_customer ON contracts(customer_id);
CREATE INDEX contracts_quote ON contracts(quote_id);
CREATE INDEX contracts_opportunity ON contracts(opportunity_id);
CREATE INDEX contracts_contact ON contracts(contact_id);
CREATE INDEX contracts_classification ON contracts(classification);
CREATE INDEX contracts_kind ON contracts(kind);
CREATE INDEX contracts_signed_on ON contracts(signed_on);
CREATE INDEX contracts_delivery_date ON contracts(delivery_date);
CREATE INDEX contracts_total ON contracts(total);
CREATE INDEX contracts_created ON contracts(created_at);

CREATE TABLE contract_lines (
  id            {{id}},
  parent_id     BIGINT NOT NULL,        -- contracts.id
  idx           INTEGER NOT NULL,
  product_id    BIGINT NOT NULL,        -- products.id
  spec          TEXT,
  quantity      BIGINT NOT NULL,        -- thousandths
  unit_price    BIGINT NOT NULL,        -- fen
  discount_bp   INTEGER NOT NULL DEFAULT 0,
  unit_cost     BIGINT,                 -- fen, the product's standard cost unless given
  delivery_date TEXT,                   -- YYYY-MM-DD, when it differs from the contract's
  gross         BIGINT,
  discount      BIGINT,
  amount        BIGINT,
  cost          BIGINT
);
CREATE INDEX contract_lines_parent ON contract_lines(parent_id, idx);
CREATE INDEX contract_lines_product ON contract_lines(product_id);

-- The payment schedule (付款计划): receivables are counted against these rows, whose ids stay
-- stable across edits and versions of the contract (lines are updated by id).
CREATE TABLE contract_instalments (
  id          {{id}},
  parent_id   BIGINT NOT NULL,          -- contracts.id
  idx         INTEGER NOT NULL,
  term        TEXT NOT NULL,            -- prepayment | delivery | acceptance | retention | other
  due_date    TEXT NOT NULL,            -- YYYY-MM-DD, company time zone
  amount      BIGINT NOT NULL,          -- fen
  condition   TEXT                      -- 发货前, 验收合格后 30 天 ...
);
CREATE INDEX contract_instalments_parent ON contract_instalments(parent_id, idx);
CREATE INDEX contract_instalments_due ON contract_instalments(due_date);
