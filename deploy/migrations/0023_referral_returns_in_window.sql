-- The money of a referral's paying sale returned inside the return window, so the bonuses go
-- back when the returns dated inside it reach the total whatever order they arrive in.
-- depends: 0022_outbox_shards
ALTER TABLE referrals
    ADD COLUMN returned_in_window numeric NOT NULL DEFAULT 0 CHECK (returned_in_window >= 0);
