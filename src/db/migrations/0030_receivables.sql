-- Receivables and invoices (款项回收、发票, R-AR-1..2; modules/receivables.c, invoices.c): payments
-- recorded against the instalments of signed contracts (contract_instalments), by method; invoices
-- with lines, voided and reissued, never edited after issue.
CREATE TABLE payments (
  id              {{id}},
  version         INTEGER NOT NULL DEFAULT 1,
  owner_id        BIGINT,               -- the contract's owner (F_REF_OWNER)
  org_unit_id     BIGINT,
  state           TEXT NOT NULL DEFAULT 'recorded', -- recorded | cleared (cheque) | voided
  number          TEXT,                 -- RC-2026-000001
  contract_id     BIGINT NOT NULL,      -- contracts.id
  instalment_id   BIGINT NOT NULL,      -- contract_instalments.id
  customer_id     BIGINT,               -- the contract's customer (copied, for lists)
  method          TEXT NOT NULL,        -- transfer | cash | cheque | acceptance
  amount          BIGINT NOT NULL,      -- fen
  paid_on         TEXT NOT NULL,        -- YYYY-MM-DD, company time zone: received
  cheque_no       TEXT,
  bill_no         TEXT,                 -- bank acceptance bill (银行承兑汇票) number
  bill_bank       TEXT,                 -- accepting bank
  bill_maturity   TEXT,                 -- YYYY-MM-DD
  cleared_on      TEXT,                 -- cheque: the day it cleared (counted from then)
  counted_on      TEXT,                 -- the day it counts as received (null: not yet)
  payer           TEXT,
  note            TEXT,
  void_reason     TEXT,
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL,
  created_by      BIGINT,
  updated_by      BIGINT,
  deleted_at      BIGINT
);
CREATE INDEX payments_owner ON payments(owner_id, id);
CREATE INDEX payments_unit ON payments(org_unit_id);
CREATE INDEX payments_state ON payments(state);
CREATE INDEX payments_number ON payments(number);
CREATE INDEX payments_contract ON payments(contract_id);
CREATE INDEX payments_instalment ON payments(instalment_id, state, counted_on, amount);
CREATE INDEX payments_customer ON payments(customer_id);
CREATE INDEX payments_method ON payments(method);
CREATE INDEX payments_paid_on ON payments(paid_on);
CREATE INDEX payments_bill_maturity ON payments(bill_maturity);
CREATE INDEX payments_amount ON payments(amount);
CREATE INDEX payments_created ON payments(created_at);

CREATE TABLE invoices (
  id              {{id}},
  version         INTEGER NOT NULL DEFAULT 1,
  owner_id        BIGINT,
  org_unit_id     BIGINT,
  state           TEXT NOT NULL DEFAULT 'draft', -- draft | issued | voided
  number          TEXT,                 -- IV-2026-000001 (the system's)
  invoice_no      TEXT,                 -- 发票号码 from the tax system
  invoice_date    TEXT NOT NULL,        -- YYYY-MM-DD
  kind            TEXT NOT NULL,        -- special (增值税专用发票) | ordinary (普通发票)
  contract_id     BIGINT NOT NULL,      -- contracts.id
  order_id        BIGINT,               -- orders.id (once orders exist)
  payment_id      BIGINT,               -- payments.id
  customer_id     BIGINT,               -- the contract's customer
  issuer_name     TEXT NOT NULL,        -- 开票方全称
  payee_name      TEXT NOT NULL,        -- 受票方（购买方）全称
  payee_tax_id    TEXT,
  issued_later    INTEGER NOT NULL DEFAULT 0, -- 补开
  subtotal        BIGINT,               -- computed (fen)
  tax             BIGINT,
  total           BIGINT,
  issued_at       BIGINT,
  reissue_of      BIGINT,               -- invoices.id of the voided invoice this one replaces
  void_reason     TEXT,
  voided_at       BIGINT,
  receipt_signer  TEXT,                 -- the customer's signature on receipt
  receipt_on      TEXT,
  note            TEXT,
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL,
  created_by      BIGINT,
  updated_by      BIGINT,
  deleted_at      BIGINT
);
CREATE INDEX invoices_owner ON invoices(owner_id, id);
CREATE INDEX invoices_unit ON invoices(org_unit_id);
CREATE INDEX invoices_state ON invoices(state);
CREATE INDEX invoices_number ON invoices(number);
CREATE INDEX invoices_invoice_no ON invoices(invoice_no);
CREATE INDEX invoices_date ON invoices(invoice_date);
CREATE INDEX invoices_kind ON invoices(kind);
CREATE INDEX invoices_contract ON invoices(contract_id, state);
CREATE INDEX invoices_order ON invoices(order_id);
CREATE INDEX invoices_payment ON invoices(payment_id);
CREATE INDEX invoices_customer ON invoices(customer_id);
CREATE INDEX invoices_reissue_of ON invoices(reissue_of);
CREATE INDEX invoices_total ON invoices(total);
CREATE INDEX invoices_created ON invoices(created_at);

CREATE TABLE invoice_lines (
  id           {{id}},
  parent_id    BIGINT NOT NULL,         -- invoices.id
  idx          INTEGER NOT NULL,
  item         TEXT NOT NULL,           -- 货物或应税劳务、服务名称
  spec         TEXT,
  unit         TEXT,
  quantity     BIGINT NOT NULL,         -- thousandths
  unit_price   BIGINT NOT NULL,         -- fen, before tax
  tax_rate_bp  INTEGER NOT NULL DEFAULT 1300,
  amount       BIGINT,                  -- computed: quantity × unit price
  tax          BIGINT                   -- computed: amount × rate
);
CREATE INDEX invoice_lines_parent ON invoice_lines(parent_id, idx);
