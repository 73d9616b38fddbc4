-- Tamper evidence: every entry carries the hash of its content chained to the previous
-- entry of its account; the account keeps the hash of its newest entry.
-- depends: 0002_redemptions

ALTER TABLE ledger_entries
    ADD COLUMN prev_hash  text NOT NULL DEFAULT '',
    ADD COLUMN entry_hash text NOT NULL DEFAULT '';

ALTER TABLE accounts
    ADD COLUMN last_hash text NOT NULL DEFAULT repeat('0', 64);
