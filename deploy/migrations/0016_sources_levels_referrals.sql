-- Entries gain a human description, the level either side of a level change and, on a
-- referrer's bonus, the referred account (all hashed when set: see domain.chain.ADDED_FIELDS);
-- accounts keep the member's level now. Nullable, no default: no table rewrite, and entries
-- written before keep their hashes (their new columns stay null).
-- depends: 0015_devices_and_staff_pins
ALTER TABLE ledger_entries
    ADD COLUMN description text,
    ADD COLUMN level_before text,
    ADD COLUMN level_after text,
    ADD COLUMN referred_account_id uuid;

ALTER TABLE accounts ADD COLUMN level text;

-- A rule version's levels and referral bonuses (JSON, read and written whole with it, like
-- its stamp card), and the programme's redeem limit per period (a setting, acting when a
-- till redeems).
ALTER TABLE rule_versions
    ADD COLUMN tiers jsonb,
    ADD COLUMN referral jsonb;

ALTER TABLE programmes
    ADD COLUMN redeem_limit_points integer CHECK (redeem_limit_points > 0),
    ADD COLUMN redeem_limit_period text CHECK (redeem_limit_period IN ('day', 'week', 'month')),
    ADD CONSTRAINT programmes_redeem_limit_whole
        CHECK ((redeem_limit_points IS NULL) = (redeem_limit_period IS NULL));
