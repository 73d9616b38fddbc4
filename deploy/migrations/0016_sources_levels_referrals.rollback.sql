ALTER TABLE accounts DROP COLUMN level;

ALTER TABLE ledger_entries
    DROP COLUMN referred_account_id,
    DROP COLUMN level_after,
    DROP COLUMN level_before,
    DROP COLUMN description;
