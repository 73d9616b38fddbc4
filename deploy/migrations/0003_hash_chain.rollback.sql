ALTER TABLE ledger_entries DROP COLUMN prev_hash, DROP COLUMN entry_hash;
ALTER TABLE accounts DROP COLUMN last_hash;
