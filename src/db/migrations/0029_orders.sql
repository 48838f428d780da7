-- Orders to delivery (R-ORD-1..4; modules/orders*.c): orders from a signed contract or through
-- order review, their lines and delivery plan, customer property, pre-delivery inspections signed
-- by the warehouse and QC, emergency releases approved by the GM, shipments with batch numbers
-- (traceability) and the customer's receipt.
CREATE TABLE orders (
  id                 {{id}},
  version            INTEGER NOT NULL DEFAULT 1,
  owner_id           BIGINT,
  org_unit_id        BIGINT,
  state              TEXT NOT NULL DEFAULT 'draft',
  number             TEXT,                 -- SO-2026-000001
  customer_id        BIGINT NOT NULL,      -- customers.id
  contract_id        BIGINT,               -- contracts.id (signed), or NULL: order review
  contact_id         BIGINT,               -- contacts.id
  source             TEXT NOT NULL DEFAULT 'contract', -- contract | written | oral | phone
  confirmed_with     TEXT,                 -- the customer's person who confirmed an order without contract
  confirmed_at       BIGINT,               -- when (UTC epoch seconds)
  confirmed_how      TEXT,                 -- phone | visit | fax | email | wechat
  delivery_date      TEXT,                 -- YYYY-MM-DD, company time zone
  delivery_plan      TEXT,                 -- deliveries by date
  delivery_address   TEXT,
  packaging          TEXT,                 -- packaging requirements
  transport          TEXT,                 -- transport requirements
  quality_standard   TEXT,                 -- quality standard and product requirements
  tax_rate_bp        INTEGER NOT NULL DEFAULT 1300,
  subtotal           BIGINT,               -- computed (fen)
  tax                BIGINT,
  total              BIGINT,
  ordered_qty        BIGINT,               -- computed: sum of the lines (thousandths)
  emergency          INTEGER NOT NULL DEFAULT 0, -- an emergency release (紧急放行) was approved
  carrier            TEXT,                 -- logistics of the latest shipment
  waybill_no         TEXT,
  shipped_on         TEXT,
  arrival_on         TEXT,
  received_by        TEXT,                 -- the customer's receipt (R-ORD-4)
  received_at        BIGINT,
  service_contact    TEXT,                 -- service contact given to the customer
  claim_rules        TEXT,                 -- claim rules given to the customer
  state_since        BIGINT,
  created_at         BIGINT NOT NULL,
  updated_at         BIGINT NOT NULL,
  created_by         BIGINT,
  updated_by         BIGINT,
  deleted_at         BIGINT
);
CREATE INDEX orders_owner ON orders(owner_id, id);
CREATE INDEX orders_unit ON orders(org_unit_id);
CREATE INDEX orders_state ON orders(state);
CREATE INDEX orders_number ON orders(number);
CREATE INDEX orders_customer ON orders(customer_id);
CREATE INDEX orders_contract ON orders(contract_id);
CREATE INDEX orders_contact ON orders(contact_id);
CREATE INDEX orders_source ON orders(source);
CREATE INDEX orders_delivery_date ON orders(delivery_date);
CREATE INDEX orders_emergency ON orders(emergency);
CREATE INDEX orders_total ON orders(total);
CREATE INDEX orders_created ON orders(created_at);

CREATE TABLE order_lines (
  id               {{id}},
  parent_id        BIGINT NOT NULL,      -- orders.id
  idx              INTEGER NOT NULL,
  contract_line_id BIGINT,               -- contract_lines.id it is ordered from
  product_id       BIGINT NOT NULL,      -- products.id
  spec             TEXT,
  quantity         BIGINT NOT NULL,      -- thousandths
  unit_price       BIGINT NOT NULL,      -- fen
  delivery_date    TEXT,                 -- YYYY-MM-DD: the delivery plan per line
  amount           BIGINT
);
CREATE INDEX order_lines_parent ON order_lines(parent_id, idx);
CREATE INDEX order_lines_contract_line ON order_lines(contract_line_id);
CREATE INDEX order_lines_product ON order_lines(product_id);

-- Customer property (顾客财产): materials, drawings, samples the customer supplied, with handover.
CREATE TABLE order_property (
  id            {{id}},
  parent_id     BIGINT NOT NULL,         -- orders.id
  idx           INTEGER NOT NULL,
  kind          TEXT NOT NULL,           -- material | drawing | sample | other
  description   TEXT NOT NULL,
  quantity      BIGINT,                  -- thousandths
  handed_by     TEXT,                    -- the customer's person who handed it over
  received_by   TEXT,                    -- who received it here
  received_on   TEXT,                    -- YYYY-MM-DD
  condition     TEXT,
  returned_on   TEXT
);
CREATE INDEX order_property_parent ON order_property(parent_id, idx);

-- Pre-delivery inspection (交付前检验, R-ORD-2): one lot of one order line.
CREATE TABLE order_inspections (
  id                 {{id}},
  version            INTEGER NOT NULL DEFAULT 1,
  owner_id           BIGINT,
  org_unit_id        BIGINT,
  state              TEXT NOT NULL DEFAULT 'draft', -- draft | signing | signed
  number             TEXT,                 -- IN-2026-000001
  order_id           BIGINT NOT NULL,      -- orders.id
  order_line_id      BIGINT NOT NULL,      -- order_lines.id
  product_id         BIGINT,               -- from the line
  lot_no             TEXT NOT NULL,        -- batch / lot number
  quantity           BIGINT NOT NULL,      -- thousandths
  result             TEXT NOT NULL,        -- qualified | unqualified | pending | pending_disposal | scrapped
  inspected_on       TEXT,
  certificate        INTEGER NOT NULL DEFAULT 0, -- checklist: certificate of conformity
  packaging_ok       INTEGER NOT NULL DEFAULT 0, -- packaging checked
  manual             INTEGER NOT NULL DEFAULT 0, -- user and maintenance manual
  findings           TEXT,
  concession         INTEGER NOT NULL DEFAULT 0, -- 让步接收
  customer_agreement TEXT,                 -- who agreed at the customer, how
  agreed_on          TEXT,
  state_since        BIGINT,
  created_at         BIGINT NOT NULL,
  updated_at         BIGINT NOT NULL,
  created_by         BIGINT,
  updated_by         BIGINT,
  deleted_at         BIGINT
);
CREATE INDEX order_inspections_owner ON order_inspections(owner_id, id);
CREATE INDEX order_inspections_unit ON order_inspections(org_unit_id);
CREATE INDEX order_inspections_state ON order_inspections(state);
CREATE INDEX order_inspections_number ON order_inspections(number);
CREATE INDEX order_inspections_order ON order_inspections(order_id);
CREATE INDEX order_inspections_line ON order_inspections(order_line_id, lot_no);
CREATE INDEX order_inspections_lot ON order_inspections(lot_no);
CREATE INDEX order_inspections_result ON order_inspections(result);
CREATE INDEX order_inspections_created ON order_inspections(created_at);

-- Emergency release (紧急放行): goods not yet inspected, approved by the GM (a setting).
CREATE TABLE order_releases (
  id             {{id}},
  version        INTEGER NOT NULL DEFAULT 1,
  owner_id       BIGINT,
  org_unit_id    BIGINT,
  state          TEXT NOT NULL DEFAULT 'requested', -- requested | approved | refused
  number         TEXT,                   -- ER-2026-000001
  order_id       BIGINT NOT NULL,
  order_line_id  BIGINT NOT NULL,
  product_id     BIGINT,
  lot_no         TEXT NOT NULL,
  quantity       BIGINT NOT NULL,
  reason         TEXT NOT NULL,
  approved_by    BIGINT,                 -- users.id
  approved_at    BIGINT,
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL,
  created_by     BIGINT,
  updated_by     BIGINT,
  deleted_at     BIGINT
);
CREATE INDEX order_releases_owner ON order_releases(owner_id, id);
CREATE INDEX order_releases_unit ON order_releases(org_unit_id);
CREATE INDEX order_releases_state ON order_releases(state);
CREATE INDEX order_releases_number ON order_releases(number);
CREATE INDEX order_releases_order ON order_releases(order_id);
CREATE INDEX order_releases_line ON order_releases(order_line_id, lot_no);
CREATE INDEX order_releases_lot ON order_releases(lot_no);
CREATE INDEX order_releases_created ON order_releases(created_at);

-- Shipments (发货): quantities per order line with batch and serial numbers (R-ORD-3).
CREATE TABLE order_shipments (
  id           {{id}},
  version      INTEGER NOT NULL DEFAULT 1,
  owner_id     BIGINT,
  org_unit_id  BIGINT,
  number       TEXT,                     -- SH-2026-000001
  order_id     BIGINT NOT NULL,
  customer_id  BIGINT,                   -- from the order
  shipped_on   TEXT NOT NULL,
  carrier      TEXT,
  waybill_no   TEXT,
  arrival_on   TEXT,
  emergency    INTEGER NOT NULL DEFAULT 0, -- carries emergency-released goods
  concession   INTEGER NOT NULL DEFAULT 0, -- carries goods accepted by concession
  note         TEXT,
  created_at   BIGINT NOT NULL,
  updated_at   BIGINT NOT NULL,
  created_by   BIGINT,
  updated_by   BIGINT,
  deleted_at   BIGINT
);
CREATE INDEX order_shipments_owner ON order_shipments(owner_id, id);
CREATE INDEX order_shipments_unit ON order_shipments(org_unit_id);
CREATE INDEX order_shipments_number ON order_shipments(number);
CREATE INDEX order_shipments_order ON order_shipments(order_id);
CREATE INDEX order_shipments_customer ON order_shipments(customer_id);
CREATE INDEX order_shipments_shipped ON order_shipments(shipped_on);
CREATE INDEX order_shipments_emergency ON order_shipments(emergency);
CREATE INDEX order_shipments_created ON order_shipments(created_at);

CREATE TABLE order_shipment_lines (
  id            {{id}},
  parent_id     BIGINT NOT NULL,         -- order_shipments.id
  idx           INTEGER NOT NULL,
  order_line_id BIGINT NOT NULL,
  product_id    BIGINT,
  lot_no        TEXT NOT NULL,
  serials       TEXT,                    -- serial numbers, space or comma separated
  quantity      BIGINT NOT NULL,
  basis         TEXT NOT NULL DEFAULT 'qualified' -- qualified | emergency | concession
);
CREATE INDEX order_shipment_lines_parent ON order_shipment_lines(parent_id, idx);
CREATE INDEX order_shipment_lines_lot ON order_shipment_lines(lot_no);
CREATE INDEX order_shipment_lines_line ON order_shipment_lines(order_line_id, lot_no);
