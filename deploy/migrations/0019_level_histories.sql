-- Level histories (adapters/postgres/level_rows.py): an account's earns and reversals by
-- event time, and its level changes apart (few), so the latest change before a window is
-- one index probe whatever the account earned; and the accounts above the base level a
-- level review walks in key order.
-- depends: 0016_sources_levels_referrals

CREATE INDEX IF NOT EXISTS ledger_entries_qualifying
    ON ledger_entries (business_id, account_id, occurred_at)
    INCLUDE (kind, points, amount, seq, level_after)
    WHERE kind IN ('earn', 'reversal');

CREATE INDEX IF NOT EXISTS ledger_entries_level_changes
    ON ledger_entries (business_id, account_id, occurred_at, seq)
    INCLUDE (level_after)
    WHERE kind = 'level_change';

CREATE INDEX IF NOT EXISTS accounts_levelled
    ON accounts (business_id, account_id)
    WHERE level IS NOT NULL AND status <> 'closed';
