ALTER TABLE accounts RESET (fillfactor);
CREATE INDEX accounts_inactive ON accounts (business_id, last_activity_at) WHERE balance > 0;
