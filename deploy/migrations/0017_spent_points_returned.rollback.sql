DROP INDEX purchases_one_per_spend;

ALTER TABLE purchases
    DROP CONSTRAINT purchases_spend_whole,
    DROP CONSTRAINT purchases_spend_returned_within_spent,
    DROP COLUMN points_spent_returned,
    DROP COLUMN points_spent,
    DROP COLUMN spend_account_id,
    DROP COLUMN spend_entry_id,
    DROP COLUMN spend_redemption_id;
