DROP INDEX IF EXISTS ledger_entries_by_record_time;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
