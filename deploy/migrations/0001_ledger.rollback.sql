DROP TABLE IF EXISTS outbox, inbox, refunds, purchases, ledger_entries, accounts, rule_versions, programmes;
DROP FUNCTION IF EXISTS ledger_entries_are_immutable();
