-- 0046 — NULLs below every value on PostgreSQL too (issue 11; bench/FINDINGS.md 77). SQLite orders NULL
-- below every value, PostgreSQL above: a list by last follow-up, newest first, began on PostgreSQL with the
-- customers never followed up, and a manager's such list read 90,000 of them (235 ms) before its 20 rows.
-- A list's sort now says NULLS FIRST (ascending) / NULLS LAST (descending) on PostgreSQL for a column
-- that can hold NULL (model/list.c order_by), and every index that holds such a sortable column orders
-- it so, or PostgreSQL could not walk it for the list's order; the server's start refuses an index that
-- does not (model/entity.c sort_column_check). Nothing changes on SQLite.
{{pg:DROP INDEX collision_claims_decided;}}
{{pg:CREATE INDEX collision_claims_decided ON collision_claims(decided_at NULLS FIRST);}}
{{pg:DROP INDEX collision_claims_number;}}
{{pg:CREATE INDEX collision_claims_number ON collision_claims(number NULLS FIRST);}}
{{pg:DROP INDEX complaints_customer;}}
{{pg:CREATE INDEX complaints_customer ON complaints(customer_id, root_cause_category, received_at NULLS FIRST);}}
{{pg:DROP INDEX complaints_number;}}
{{pg:CREATE INDEX complaints_number ON complaints(number NULLS FIRST);}}
{{pg:DROP INDEX complaints_received;}}
{{pg:CREATE INDEX complaints_received ON complaints(received_at NULLS FIRST);}}
{{pg:DROP INDEX contacts_birthday;}}
{{pg:CREATE INDEX contacts_birthday ON contacts(birthday NULLS FIRST);}}
{{pg:DROP INDEX contacts_owner_name;}}
{{pg:CREATE INDEX contacts_owner_name ON contacts(owner_id, name_sk NULLS FIRST, name);}}
{{pg:DROP INDEX contracts_delivery_date;}}
{{pg:CREATE INDEX contracts_delivery_date ON contracts(delivery_date NULLS FIRST);}}
{{pg:DROP INDEX contracts_number;}}
{{pg:CREATE INDEX contracts_number ON contracts(number NULLS FIRST);}}
{{pg:DROP INDEX contracts_signed_on;}}
{{pg:CREATE INDEX contracts_signed_on ON contracts(signed_on NULLS FIRST);}}
{{pg:DROP INDEX contracts_total;}}
{{pg:CREATE INDEX contracts_total ON contracts(total NULLS FIRST);}}
{{pg:DROP INDEX customer_needs_review_date;}}
{{pg:CREATE INDEX customer_needs_review_date ON customer_needs(review_date NULLS FIRST);}}
{{pg:DROP INDEX customers_industry_purchase;}}
{{pg:CREATE INDEX customers_industry_purchase ON customers(industry NULLS FIRST, purchase_12m);}}
{{pg:DROP INDEX customers_last_followup;}}
{{pg:CREATE INDEX customers_last_followup ON customers(last_followup_at NULLS FIRST);}}
{{pg:DROP INDEX customers_name_sk;}}
{{pg:CREATE INDEX customers_name_sk ON customers(name_sk NULLS FIRST);}}
{{pg:DROP INDEX customers_number;}}
{{pg:CREATE INDEX customers_number ON customers(number NULLS FIRST);}}
{{pg:DROP INDEX customers_owned_since;}}
{{pg:CREATE INDEX customers_owned_since ON customers(owned_since NULLS FIRST);}}
{{pg:DROP INDEX customers_owner_followup;}}
{{pg:CREATE INDEX customers_owner_followup ON customers(owner_id, last_followup_at NULLS FIRST);}}
{{pg:DROP INDEX customers_owner_industry;}}
{{pg:CREATE INDEX customers_owner_industry ON customers(owner_id, industry NULLS FIRST);}}
{{pg:DROP INDEX customers_owner_name;}}
{{pg:CREATE INDEX customers_owner_name ON customers(owner_id, name_sk NULLS FIRST, name);}}
{{pg:DROP INDEX customers_owner_region_name;}}
{{pg:CREATE INDEX customers_owner_region_name ON customers(owner_id, region NULLS FIRST, name_sk NULLS FIRST);}}
{{pg:DROP INDEX customers_pool_since;}}
{{pg:CREATE INDEX customers_pool_since ON customers(pool_since NULLS FIRST);}}
{{pg:DROP INDEX customers_region_name_sk;}}
{{pg:CREATE INDEX customers_region_name_sk ON customers(region NULLS FIRST, name_sk NULLS FIRST);}}
{{pg:DROP INDEX follow_ups_next;}}
{{pg:CREATE INDEX follow_ups_next ON follow_ups(next_date NULLS FIRST);}}
{{pg:DROP INDEX invoices_number;}}
{{pg:CREATE INDEX invoices_number ON invoices(number NULLS FIRST);}}
{{pg:DROP INDEX invoices_total;}}
{{pg:CREATE INDEX invoices_total ON invoices(total NULLS FIRST);}}
{{pg:DROP INDEX leads_company_sk;}}
{{pg:CREATE INDEX leads_company_sk ON leads(company_sk NULLS FIRST);}}
{{pg:DROP INDEX leads_converted;}}
{{pg:CREATE INDEX leads_converted ON leads(converted_at NULLS FIRST);}}
{{pg:DROP INDEX leads_last_followup;}}
{{pg:CREATE INDEX leads_last_followup ON leads(last_followup_at NULLS FIRST);}}
{{pg:DROP INDEX leads_number;}}
{{pg:CREATE INDEX leads_number ON leads(number NULLS FIRST);}}
{{pg:DROP INDEX leads_pool_since;}}
{{pg:CREATE INDEX leads_pool_since ON leads(pool_since NULLS FIRST);}}
{{pg:DROP INDEX leads_state_since;}}
{{pg:CREATE INDEX leads_state_since ON leads(state_since NULLS FIRST);}}
{{pg:DROP INDEX opportunities_closed;}}
{{pg:CREATE INDEX opportunities_closed ON opportunities(closed_at NULLS FIRST);}}
{{pg:DROP INDEX opportunities_expected_close;}}
{{pg:CREATE INDEX opportunities_expected_close ON opportunities(expected_close NULLS FIRST);}}
{{pg:DROP INDEX opportunities_name_sk;}}
{{pg:CREATE INDEX opportunities_name_sk ON opportunities(name_sk NULLS FIRST);}}
{{pg:DROP INDEX opportunities_number;}}
{{pg:CREATE INDEX opportunities_number ON opportunities(number NULLS FIRST);}}
{{pg:DROP INDEX opportunities_quote_sent;}}
{{pg:CREATE INDEX opportunities_quote_sent ON opportunities(quote_sent_on NULLS FIRST);}}
{{pg:DROP INDEX opportunities_quote_sent_at;}}
{{pg:CREATE INDEX opportunities_quote_sent_at ON opportunities(quote_sent_at NULLS FIRST);}}
{{pg:DROP INDEX opportunities_state_since;}}
{{pg:CREATE INDEX opportunities_state_since ON opportunities(state_since NULLS FIRST);}}
{{pg:DROP INDEX order_inspections_number;}}
{{pg:CREATE INDEX order_inspections_number ON order_inspections(number NULLS FIRST);}}
{{pg:DROP INDEX order_releases_number;}}
{{pg:CREATE INDEX order_releases_number ON order_releases(number NULLS FIRST);}}
{{pg:DROP INDEX order_shipments_number;}}
{{pg:CREATE INDEX order_shipments_number ON order_shipments(number NULLS FIRST);}}
{{pg:DROP INDEX orders_delivery_date;}}
{{pg:CREATE INDEX orders_delivery_date ON orders(delivery_date NULLS FIRST);}}
{{pg:DROP INDEX orders_number;}}
{{pg:CREATE INDEX orders_number ON orders(number NULLS FIRST);}}
{{pg:DROP INDEX orders_total;}}
{{pg:CREATE INDEX orders_total ON orders(total NULLS FIRST);}}
{{pg:DROP INDEX org_units_code_live;}}
{{pg:CREATE UNIQUE INDEX org_units_code_live ON org_units(code NULLS FIRST) WHERE deleted_at IS NULL;}}
{{pg:DROP INDEX payments_bill_maturity;}}
{{pg:CREATE INDEX payments_bill_maturity ON payments(bill_maturity NULLS FIRST);}}
{{pg:DROP INDEX payments_number;}}
{{pg:CREATE INDEX payments_number ON payments(number NULLS FIRST);}}
{{pg:DROP INDEX products_line;}}
{{pg:CREATE INDEX products_line ON products(product_line NULLS FIRST, id);}}
{{pg:DROP INDEX quotes_number;}}
{{pg:CREATE INDEX quotes_number ON quotes(number NULLS FIRST);}}
{{pg:DROP INDEX quotes_opportunity;}}
{{pg:CREATE INDEX quotes_opportunity ON quotes(opportunity_id, sent_at NULLS FIRST);}}
{{pg:DROP INDEX quotes_total;}}
{{pg:CREATE INDEX quotes_total ON quotes(total NULLS FIRST);}}
{{pg:DROP INDEX quotes_valid_until;}}
{{pg:CREATE INDEX quotes_valid_until ON quotes(valid_until NULLS FIRST);}}
{{pg:DROP INDEX service_tickets_assignee;}}
{{pg:CREATE INDEX service_tickets_assignee ON service_tickets(assignee_id, resolved_at NULLS FIRST);}}
{{pg:DROP INDEX service_tickets_number;}}
{{pg:CREATE INDEX service_tickets_number ON service_tickets(number NULLS FIRST);}}
{{pg:DROP INDEX service_tickets_resolved;}}
{{pg:CREATE INDEX service_tickets_resolved ON service_tickets(resolved_at NULLS FIRST);}}
{{pg:DROP INDEX survey_responses_answered;}}
{{pg:CREATE INDEX survey_responses_answered ON survey_responses(answered_at NULLS FIRST);}}
{{pg:DROP INDEX visit_plans_number;}}
{{pg:CREATE INDEX visit_plans_number ON visit_plans(number NULLS FIRST);}}
{{pg:DROP INDEX visits_number;}}
{{pg:CREATE INDEX visits_number ON visits(number NULLS FIRST);}}
