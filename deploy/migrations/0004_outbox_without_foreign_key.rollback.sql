ALTER TABLE outbox ADD FOREIGN KEY (business_id, entry_id)
    REFERENCES ledger_entries (business_id, entry_id);
