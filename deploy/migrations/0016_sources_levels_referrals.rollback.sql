ALTER TABLE programmes
    DROP CONSTRAINT programmes_redeem_limit_whole,
    DROP COLUMN redeem_limit_period,
    DROP COLUMN redeem_limit_points;

ALTER TABLE rule_versions DROP COLUMN referral, DROP COLUMN tiers;

ALTER TABLE accounts DROP COLUMN level;

ALTER TABLE ledger_entries
    DROP COLUMN referred_account_id,
    DROP COLUMN level_after,
    DROP COLUMN level_before,
    DROP COLUMN description;
