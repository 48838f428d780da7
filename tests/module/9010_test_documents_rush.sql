-- 9010 — a conditional field on the test document: a rush order needs a reason.
ALTER TABLE test_documents ADD COLUMN rush INTEGER NOT NULL DEFAULT 0;  -- a rush order (0/1)
ALTER TABLE test_documents ADD COLUMN rush_reason TEXT;                 -- required while rush is set
