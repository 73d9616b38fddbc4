-- The relay now deletes the outbox rows it has published instead of stamping published_at:
-- the ledger holds the history, the outbox only what is still to be sent, so it no longer
-- grows by a row per entry forever. Rows published before this change go now.
-- depends: 0006_hot_balance_updates

DELETE FROM outbox WHERE published_at IS NOT NULL;
