-- Distributing the loyalty schema over Citus, on business_id (a tenant per business).
-- Run once on the coordinator, after `loyalty migrate` on a database with the citus extension
-- (CREATE EXTENSION citus) and before the service writes. Not exercised against Citus here
-- (Citus is not installable on these machines); tests/integration/test_citus_plan.py runs this
-- file on PostgreSQL against stub functions that enforce Citus's ordering rule (a table's
-- foreign-key parents distributed first) and checks it names every table the migrations create.
-- Read NOTES.md beside this file first: triggers, advisory locks, cross-tenant queries.
--
-- Every table carries business_id in its primary key, unique keys and foreign keys (migration
-- 0001's rule), so every table can be hash-distributed on it and colocated with the others: a
-- business's rows of every table sit on one node, every query that names a business is routed
-- to that node, and foreign keys, joins and triggers between tables stay local. No table is a
-- reference table: none is shared by all businesses (if a global catalogue appears, such as
-- currencies, it becomes one with create_reference_table).

-- Triggers on distributed tables (immutability of ledger_entries, stock given back on
-- redemptions) are refused by default; ours touch only the row's own business (NOTES.md).
SET citus.enable_unsafe_triggers TO on;

-- The programme first: rule_versions references it.
SELECT create_distributed_table('programmes', 'business_id');
SELECT create_distributed_table('rule_versions', 'business_id', colocate_with => 'programmes');
SELECT create_distributed_table('accounts', 'business_id', colocate_with => 'programmes');
SELECT create_distributed_table('rewards', 'business_id', colocate_with => 'programmes');

-- What hangs off an account (each references accounts or rewards by (business_id, ...)).
SELECT create_distributed_table('ledger_entries', 'business_id', colocate_with => 'programmes');
SELECT create_distributed_table('redemptions', 'business_id', colocate_with => 'programmes');
SELECT create_distributed_table('point_lots', 'business_id', colocate_with => 'programmes');
SELECT create_distributed_table('lot_takes', 'business_id', colocate_with => 'programmes');
SELECT create_distributed_table('referral_codes', 'business_id', colocate_with => 'programmes');
SELECT create_distributed_table('referrals', 'business_id', colocate_with => 'programmes');

-- Sales and returns as the events saw them, the inbox of processed events, the outbox.
SELECT create_distributed_table('purchases', 'business_id', colocate_with => 'programmes');
SELECT create_distributed_table('refunds', 'business_id', colocate_with => 'programmes');
SELECT create_distributed_table('inbox', 'business_id', colocate_with => 'programmes');
SELECT create_distributed_table('outbox', 'business_id', colocate_with => 'programmes');
SELECT create_distributed_table('hold_capture_refusals', 'business_id',
                                colocate_with => 'programmes');

-- The HTTP side: idempotency keys, paired devices, staff PINs.
SELECT create_distributed_table('idempotency_keys', 'business_id',
                                colocate_with => 'programmes');
SELECT create_distributed_table('devices', 'business_id', colocate_with => 'programmes');
SELECT create_distributed_table('staff_pins', 'business_id', colocate_with => 'programmes');

-- Personal data kept out of the ledger (erasure deletes these rows), forwards after a merge,
-- the record of chains re-sealed by an erasure, and the keys of imported rows.
SELECT create_distributed_table('customer_identifiers', 'business_id',
                                colocate_with => 'programmes');
SELECT create_distributed_table('customer_profiles', 'business_id',
                                colocate_with => 'programmes');
SELECT create_distributed_table('account_forwards', 'business_id',
                                colocate_with => 'programmes');
SELECT create_distributed_table('chain_reseals', 'business_id', colocate_with => 'programmes');
SELECT create_distributed_table('import_rows', 'business_id', colocate_with => 'programmes');

-- Webhooks: endpoints first (deliveries reference them). The delivery worker reads each
-- business's entries by record time, so it stays routed to one node per business.
SELECT create_distributed_table('webhook_endpoints', 'business_id',
                                colocate_with => 'programmes');
SELECT create_distributed_table('webhook_deliveries', 'business_id',
                                colocate_with => 'programmes');

-- yoyo's own tables (_yoyo_migration, _yoyo_log, _yoyo_version, yoyo_lock) stay local to the
-- coordinator: `loyalty migrate` runs there, and Citus propagates the DDL it issues.
