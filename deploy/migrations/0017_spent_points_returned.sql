-- The points a sale was paid with (the redemption, its capture's entry and account), and how
-- many of them its returns and cancellation gave back, never more than were spent. Constant
-- defaults: no table rewrite. A redemption pays for one sale at most.
-- depends: 0016_sources_levels_referrals
ALTER TABLE purchases
    ADD COLUMN spend_redemption_id uuid,
    ADD COLUMN spend_entry_id uuid,
    ADD COLUMN spend_account_id uuid,
    ADD COLUMN points_spent bigint NOT NULL DEFAULT 0,
    ADD COLUMN points_spent_returned bigint NOT NULL DEFAULT 0,
    ADD CONSTRAINT purchases_spend_returned_within_spent
        CHECK (points_spent_returned >= 0 AND points_spent_returned <= points_spent),
    ADD CONSTRAINT purchases_spend_whole
        CHECK ((spend_redemption_id IS NULL) = (spend_entry_id IS NULL)
           AND (spend_redemption_id IS NULL) = (spend_account_id IS NULL)
           AND (spend_redemption_id IS NOT NULL OR points_spent = 0));

CREATE UNIQUE INDEX purchases_one_per_spend
    ON purchases (business_id, spend_redemption_id) WHERE spend_redemption_id IS NOT NULL;
