-- depends: 0021_redeem_limits

-- The outbox in shards by account, so relays on several instances publish at once: each
-- shard is claimed under its own advisory lock, and an account's rows all sit in one shard,
-- in outbox_id order, so one holder at a time keeps them in order (adapters/postgres/outbox.py).
--
-- The shard is stored on the row, computed by PostgreSQL from the account (the hash that
-- hash partitioning uses, stable across machines and versions), so every writer agrees,
-- including a service of the previous version still posting during an upgrade. The count is
-- fixed (16, ports.publishing.OUTBOX_SHARDS): changing it while rows are pending would put an
-- account's newer rows in another shard than its older ones, and two relays could then
-- publish that account at once, out of order. To change it, stop the relays, let nothing be
-- pending, then migrate.
--
-- STORED: indexed, and PostgreSQL 18 would otherwise make it virtual. The outbox holds only
-- pending rows (0007), so the rewrite this causes is small.
ALTER TABLE outbox
    ADD COLUMN shard smallint NOT NULL
    GENERATED ALWAYS AS (abs(uuid_hash_extended(account_id, 0) % 16)) STORED;

-- Each shard's oldest pending rows, in order. It replaces the index over the whole outbox in
-- outbox_id order: one index less to write on every entry posted.
CREATE INDEX outbox_pending_by_shard ON outbox (shard, outbox_id) WHERE published_at IS NULL;
DROP INDEX outbox_unpublished;
