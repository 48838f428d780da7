-- Every filterable or sortable column of the large tables leads an index (the start-up check in
-- entity_check_schema refuses one that does not, unless the field is declared F_NOINDEX: values of
-- low cardinality, or measures sorted within rows the visibility condition has already narrowed).
CREATE INDEX customers_number ON customers(number);
CREATE INDEX customers_tax_id ON customers(tax_id);
CREATE INDEX customers_referrer ON customers(referrer_customer_id);
CREATE INDEX customers_pool_since ON customers(pool_since);
CREATE INDEX customers_previous_owner ON customers(previous_owner_id);
CREATE INDEX customers_owned_since ON customers(owned_since);
CREATE INDEX contacts_name ON contacts(name);
CREATE INDEX contacts_birthday ON contacts(birthday);
CREATE INDEX customer_needs_need_date ON customer_needs(need_date);
CREATE INDEX customer_needs_review_date ON customer_needs(review_date);
CREATE INDEX collision_claims_number ON collision_claims(number);
CREATE INDEX collision_claims_target_id ON collision_claims(target_id);
CREATE INDEX collision_claims_target_owner ON collision_claims(target_owner_id);
CREATE INDEX collision_claims_decided ON collision_claims(decided_at);
CREATE INDEX leads_number ON leads(number);
CREATE INDEX leads_company ON leads(company);
CREATE INDEX leads_referrer ON leads(referrer_customer_id);
CREATE INDEX leads_state_since ON leads(state_since);
CREATE INDEX leads_last_followup ON leads(last_followup_at);
CREATE INDEX leads_converted ON leads(converted_at);
CREATE INDEX leads_pool_since ON leads(pool_since);
CREATE INDEX opportunities_number ON opportunities(number);
CREATE INDEX opportunities_name ON opportunities(name);
CREATE INDEX opportunities_contact ON opportunities(contact_id);
CREATE INDEX opportunities_lead ON opportunities(lead_id);
CREATE INDEX opportunities_product ON opportunities(product_id);
CREATE INDEX opportunities_expected_close ON opportunities(expected_close);
CREATE INDEX opportunities_quote_sent ON opportunities(quote_sent_on);
CREATE INDEX opportunities_state_since ON opportunities(state_since);
CREATE INDEX opportunities_closed ON opportunities(closed_at);
CREATE INDEX follow_ups_opportunity ON follow_ups(opportunity_id);
CREATE INDEX follow_ups_contact ON follow_ups(contact_id);
CREATE INDEX follow_ups_followed ON follow_ups(followed_at);
CREATE INDEX follow_up_plans_customer ON follow_up_plans(customer_id);
CREATE INDEX follow_up_plans_next_date ON follow_up_plans(next_date);
