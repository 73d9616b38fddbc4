CREATE INDEX outbox_unpublished ON outbox (outbox_id) WHERE published_at IS NULL;
DROP INDEX outbox_pending_by_shard;
ALTER TABLE outbox DROP COLUMN shard;
