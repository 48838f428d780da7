-- 9011 — references to a line of another document (FT_LINE, src/model/lineref.c) on the test
-- document (tests/module/testdoc.c, tests/api/line_refs.test.mjs), in the test build only.
ALTER TABLE test_documents ADD COLUMN follows_id BIGINT;           -- test_documents.id: the document this one follows
ALTER TABLE test_documents ADD COLUMN follows_line_id BIGINT;      -- a line of follows_id
ALTER TABLE test_document_lines ADD COLUMN source_line_id BIGINT;  -- a line of the parent's follows_id
