-- 9003 — what a customer sets through the test documents' public "confirm" link
-- (tests/module/testdoc.c, tests/api/public_links.test.mjs), in the test build only.
ALTER TABLE test_documents ADD COLUMN customer_confirmed INTEGER NOT NULL DEFAULT 0; -- 1 once the customer confirmed
ALTER TABLE test_documents ADD COLUMN customer_note TEXT;                           -- the customer's note, up to 500 characters
