-- 9001 — the test-only document module (tests/module/testdoc.c), in the test build only.
CREATE TABLE test_documents (
  id           {{id}},
  version      INTEGER NOT NULL DEFAULT 1,
  owner_id     BIGINT,
  org_unit_id  BIGINT,
  state        TEXT NOT NULL DEFAULT 'draft',
  number       TEXT,                 -- TD-2026-000001
  title        TEXT NOT NULL,
  customer_id  BIGINT,               -- customers.id
  tax_rate_bp  INTEGER NOT NULL DEFAULT 1300,
  subtotal     BIGINT,               -- computed: sum of the lines' amounts (fen)
  tax          BIGINT,               -- computed: subtotal x tax rate (fen)
  total        BIGINT,               -- computed: subtotal + tax (fen)
  total_qty    BIGINT,               -- computed: sum of the lines' quantities (thousandths)
  created_at   BIGINT NOT NULL,
  updated_at   BIGINT NOT NULL,
  created_by   BIGINT,
  updated_by   BIGINT,
  deleted_at   BIGINT
);
CREATE INDEX test_documents_total ON test_documents(total{{pg: NULLS FIRST}});
CREATE INDEX test_documents_customer ON test_documents(customer_id);

CREATE TABLE test_document_lines (
  id           {{id}},
  parent_id    BIGINT NOT NULL,      -- test_documents.id
  idx          INTEGER NOT NULL,     -- position in the document, from 0
  item         TEXT NOT NULL,
  quantity     BIGINT NOT NULL,      -- thousandths
  unit_price   BIGINT NOT NULL,      -- fen
  discount_bp  INTEGER NOT NULL DEFAULT 0,
  gross        BIGINT,               -- computed: quantity x unit price (fen)
  discount     BIGINT,               -- computed: gross x discount (fen)
  amount       BIGINT                -- computed: gross - discount (fen)
);
CREATE INDEX test_document_lines_parent ON test_document_lines(parent_id, idx);
