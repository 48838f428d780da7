-- Contracts completed for users (issue 12, R-CON-1..4; modules/contracts.c): the explanation of a
-- difference from the quote, the technical department's classification when the rep cannot tell,
-- the review route the settings gave, the customer's confirmation of a change, and the
-- opportunity's signed contract (a rollup).
ALTER TABLE contracts ADD COLUMN quote_diff_note TEXT;                        -- why it differs from its quote
ALTER TABLE contracts ADD COLUMN class_unsure INTEGER NOT NULL DEFAULT 0;     -- the rep cannot tell general/special
ALTER TABLE contracts ADD COLUMN tech_class TEXT;                             -- general | special, by the technical department
ALTER TABLE contracts ADD COLUMN general_depts INTEGER NOT NULL DEFAULT 0;    -- computed: legal and finance review a general one
ALTER TABLE contracts ADD COLUMN final_by TEXT;                               -- computed: gm | sales_director | none
ALTER TABLE contracts ADD COLUMN is_change INTEGER NOT NULL DEFAULT 0;        -- a new version of a signed contract
ALTER TABLE contracts ADD COLUMN change_confirmed_by TEXT;                    -- the customer's confirmation of the change
ALTER TABLE contracts ADD COLUMN change_confirmed_on TEXT;                    -- YYYY-MM-DD
ALTER TABLE contracts ADD COLUMN change_confirmed_via TEXT;                   -- supplement | letter | email | fax | phone
-- the reasons of a special contract are list filters
CREATE INDEX contracts_new_product ON contracts(new_product);
CREATE INDEX contracts_over_capacity ON contracts(over_capacity);
CREATE INDEX contracts_over_tech ON contracts(over_tech);
CREATE INDEX contracts_customer_materials ON contracts(customer_materials);
CREATE INDEX contracts_credit_risk ON contracts(credit_risk);
CREATE INDEX contracts_low_margin ON contracts(low_margin);

-- latest signing date of the opportunity's contracts (rollup of contracts.signed_on): "won needs a
-- signed contract" reads it
ALTER TABLE opportunities ADD COLUMN contract_signed_on TEXT;
