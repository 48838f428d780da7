-- 9002 — reviews routed by the data on the test documents (tests/module/testdoc.c, issue 9
-- mechanism 3): which departments must review, and what each of them reviews. The workflow's
-- state column is test_documents.state (9001).
ALTER TABLE test_documents ADD COLUMN needs_legal INTEGER NOT NULL DEFAULT 0;   -- 1: legal reviews it
ALTER TABLE test_documents ADD COLUMN needs_tech INTEGER NOT NULL DEFAULT 0;    -- 1: technical reviews it
ALTER TABLE test_documents ADD COLUMN needs_finance INTEGER NOT NULL DEFAULT 0; -- 1: finance reviews it
ALTER TABLE test_documents ADD COLUMN terms TEXT;  -- contract terms (legal's concern)
ALTER TABLE test_documents ADD COLUMN spec TEXT;   -- technical requirements (technical's concern)
