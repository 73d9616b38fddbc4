-- Indexes for the operators' queries (adapters/postgres/report_sql.py), each read one business
-- at a time, a page at a time in the index's own order, so a page reads only its rows.
-- Plain CREATE INDEX: migrations run in a transaction (CONCURRENTLY cannot); on a large
-- ledger, build them by hand with CONCURRENTLY first and this migration finds them there.
-- depends: 0017_spent_points_returned

-- Points expiring within N days, per business, soonest first. The included columns answer
-- the window's total from the index alone.
CREATE INDEX IF NOT EXISTS point_lots_expiring_by_business
    ON point_lots (business_id, expires_at, lot_id) INCLUDE (account_id, remaining)
    WHERE remaining > 0 AND expires_at IS NOT NULL;

-- Referral earnings per account: referral entries are few, so a partial index keeps them
-- apart from the rest of the ledger. Its kinds are domain.ledger.kinds_in(Bucket.REFERRAL).
CREATE INDEX IF NOT EXISTS ledger_entries_referrals
    ON ledger_entries (business_id, account_id, occurred_at)
    INCLUDE (kind, points, referred_account_id)
    WHERE kind IN ('referral_bonus', 'referral_reversal');

-- Movements by UTC day and store: the grouping keys themselves, so groups come out in order
-- and a page stops after its last group.
CREATE INDEX IF NOT EXISTS ledger_entries_by_day_and_store
    ON ledger_entries (business_id, ((occurred_at AT TIME ZONE 'UTC')::date),
                       (coalesce(store_id, '')))
    INCLUDE (kind, points);

-- Members per level (null: the base level, first), closed cards left out. The level column
-- itself, not an expression of it, so the count reads the index alone.
CREATE INDEX IF NOT EXISTS accounts_by_level
    ON accounts (business_id, level NULLS FIRST) WHERE status <> 'closed';
