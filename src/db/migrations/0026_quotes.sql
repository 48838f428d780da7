-- Quotations (报价单, R-QUO-1..3; modules/quotes.c): lines from the catalogue, computed amounts,
-- approval by discount and margin, validity and expiry.
CREATE TABLE quotes (
  id               {{id}},
  version          INTEGER NOT NULL DEFAULT 1,
  owner_id         BIGINT,
  org_unit_id      BIGINT,
  state            TEXT NOT NULL DEFAULT 'draft',
  number           TEXT,                 -- QT-2026-000001
  customer_id      BIGINT NOT NULL,      -- customers.id
  opportunity_id   BIGINT,               -- opportunities.id
  contact_id       BIGINT,               -- contacts.id
  valid_until      TEXT,                 -- YYYY-MM-DD, company time zone
  tax_rate_bp      INTEGER NOT NULL DEFAULT 1300,
  service_content  TEXT,
  delivery_term    TEXT,
  payment_terms    TEXT,
  price_basis      TEXT,                 -- market and competitors' prices considered
  gross_total      BIGINT,               -- computed (fen)
  discount_total   BIGINT,
  subtotal         BIGINT,
  cost_total       BIGINT,
  profit           BIGINT,
  tax              BIGINT,
  total            BIGINT,
  discount_rate_bp INTEGER,              -- computed: discount_total / gross_total
  margin_bp        INTEGER,              -- computed: profit / subtotal
  approval_level   TEXT,                 -- auto | manager | director (settings quote.*)
  sent_at          BIGINT,               -- when it went to the customer
  created_at       BIGINT NOT NULL,
  updated_at       BIGINT NOT NULL,
  created_by       BIGINT,
  updated_by       BIGINT,
  deleted_at       BIGINT
);
CREATE INDEX quotes_owner ON quotes(owner_id, id);
CREATE INDEX quotes_unit ON quotes(org_unit_id);
CREATE INDEX quotes_state ON quotes(state);
CREATE INDEX quotes_number ON quotes(number);
CREATE INDEX quotes_customer ON quotes(customer_id);
CREATE INDEX quotes_opportunity ON quotes(opportunity_id, sent_at);
CREATE INDEX quotes_contact ON quotes(contact_id);
CREATE INDEX quotes_valid_until ON quotes(valid_until);
CREATE INDEX quotes_total ON quotes(total);
CREATE INDEX quotes_created ON quotes(created_at);

CREATE TABLE quote_lines (
  id           {{id}},
  parent_id    BIGINT NOT NULL,        -- quotes.id
  idx          INTEGER NOT NULL,
  product_id   BIGINT NOT NULL,        -- products.id
  spec         TEXT,
  quantity     BIGINT NOT NULL,        -- thousandths
  unit_price   BIGINT NOT NULL,        -- fen
  discount_bp  INTEGER NOT NULL DEFAULT 0,
  unit_cost    BIGINT,                 -- fen, from the product's standard cost unless given
  gross        BIGINT,
  discount     BIGINT,
  amount       BIGINT,
  cost         BIGINT
);
CREATE INDEX quote_lines_parent ON quote_lines(parent_id, idx);

ALTER TABLE opportunities ADD COLUMN quote_sent_at BIGINT; -- rollup: latest quote sent for it
CREATE INDEX opportunities_quote_sent_at ON opportunities(quote_sent_at);
