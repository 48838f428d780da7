-- 0012 — referral claims (issue 8, R-CUS-3). A new customer or lead whose referrer the creator
-- cannot see stays the creator's, and a collision claim (match_kind 'referral') in the name of
-- the referrer's owner puts the question to the managers; the claim keeps the referrer.
ALTER TABLE collision_claims ADD COLUMN referrer_id BIGINT; -- customers.id of the referrer (referral claims only)
