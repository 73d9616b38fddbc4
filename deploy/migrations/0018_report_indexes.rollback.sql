DROP INDEX IF EXISTS accounts_by_level;
DROP INDEX IF EXISTS ledger_entries_by_day_and_store;
DROP INDEX IF EXISTS ledger_entries_referrals;
DROP INDEX IF EXISTS point_lots_expiring_by_business;
