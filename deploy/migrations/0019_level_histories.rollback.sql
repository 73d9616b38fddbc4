DROP INDEX IF EXISTS accounts_levelled;
DROP INDEX IF EXISTS ledger_entries_level_changes;
DROP INDEX IF EXISTS ledger_entries_qualifying;
