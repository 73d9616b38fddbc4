-- depends: 0016_sources_levels_referrals

-- What an account's redemptions used of a period (adapters/postgres/redeem_limits.py), read
-- under the account's lock on every redemption of a programme with a redeem limit: the
-- account's redemptions that still count, by the time they were made.
CREATE INDEX redemptions_counting_by_period
    ON redemptions (business_id, account_id, created_at)
    INCLUDE (points, status, expires_at)
    WHERE status IN ('held', 'captured');
