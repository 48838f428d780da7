-- 0044 — what is received on each instalment, stored (issue 11; bench/FINDINGS.md 54). The aging
-- board, the collection tasks and the contract check (R-CON-2) summed every counted payment of every
-- instalment ever due to find the open ones: at bench scale 10, 1.4 M payments grouped and 1.8 M
-- instalments joined to their contracts for the 700,000 still open, ~20 s a board. The contracts'
-- rollup (model/rollup.c, per line) keeps `received` as payments are recorded, cleared, voided and
-- deleted; the partial index holds only the instalments not fully received, in contract order, so a
-- board reads what is open, and the contracts in the order they are stored.
ALTER TABLE contract_instalments ADD COLUMN received BIGINT NOT NULL DEFAULT 0; -- fen, counted payments
UPDATE contract_instalments SET received = (SELECT COALESCE(SUM(c.amount), 0) FROM payments c
  WHERE c.instalment_id = contract_instalments.id AND c.deleted_at IS NULL AND c.state <> 'voided'
  AND c.counted_on IS NOT NULL)
  WHERE id IN (SELECT instalment_id FROM payments);
CREATE INDEX contract_instalments_open ON contract_instalments(parent_id, due_date, amount, received)
  WHERE amount > received;
