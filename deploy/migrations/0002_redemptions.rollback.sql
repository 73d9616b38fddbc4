DROP TABLE IF EXISTS idempotency_keys, redemptions;
ALTER TABLE ledger_entries DROP COLUMN ip_address, DROP COLUMN user_agent, DROP COLUMN reason;
ALTER TABLE accounts DROP COLUMN phone, DROP COLUMN name;
ALTER TABLE programmes DROP COLUMN hold_minutes;
