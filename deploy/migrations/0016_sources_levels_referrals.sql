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
