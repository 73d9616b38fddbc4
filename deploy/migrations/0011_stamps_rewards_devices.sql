-- The loyalty card beside points: a stamp balance on the account, and on every ledger entry
-- its stamps, the stamp balance after it, the reward it redeemed, the item categories its
-- sale touched and the paired tablet that acted. Constant defaults: no table rewrite, and
-- every entry written before keeps its hash (chain.py hashes these only when set).
-- depends: 0008_hold_capture_refusals 0010_programme_settings_by_event_time
ALTER TABLE accounts
    ADD COLUMN stamps bigint NOT NULL DEFAULT 0;

ALTER TABLE ledger_entries
    ADD COLUMN device_id text,
    ADD COLUMN stamps bigint NOT NULL DEFAULT 0,
    ADD COLUMN stamps_balance_after bigint NOT NULL DEFAULT 0,
    ADD COLUMN reward_id text,
    ADD COLUMN reward_description text,
    ADD COLUMN category_ids text[] NOT NULL DEFAULT '{}';

-- A rule version's line-item earning rules and stamp card, versioned by event time with the
-- rates (JSON: they are read whole with their version, never queried by part).
ALTER TABLE rule_versions
    ADD COLUMN item_rules jsonb,
    ADD COLUMN stamp_card jsonb;
