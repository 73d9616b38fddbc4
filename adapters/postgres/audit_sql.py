"""The SQL of ``loyalty verify`` over balances, chains, reversals, the inbox, the outbox and
lots. Each query but the two chain reads returns only what is wrong."""

from __future__ import annotations

from adapters.postgres.rows import LEDGER_COLUMNS

SCOPE = "($1::text IS NULL OR {alias}.business_id = $1)"

# Whether the account of entry {entry} is purchase {purchase}'s, or one merged into it (one
# merge or a chain: each ``merge_out`` names its survivor): a merge gives the survivor the
# merged account's sales, while their earn and stamp entries stay where they were posted.
EARNED_ON = """coalesce((WITH RECURSIVE merged_into(account_id) AS (
    SELECT {entry}.account_id
    UNION
    SELECT o.source_ref::uuid FROM merged_into m
    JOIN ledger_entries o ON o.business_id = {entry}.business_id
     AND o.account_id = m.account_id AND o.kind = 'merge_out'
) SELECT {purchase}.account_id IN (SELECT account_id FROM merged_into)), false)"""

BALANCES = f"""
SELECT a.business_id, a.account_id, a.balance, a.last_seq, a.last_hash,
       coalesce(e.total, 0) AS total, coalesce(e.entries, 0) AS entries,
       coalesce(e.max_seq, 0) AS max_seq
FROM accounts a
LEFT JOIN (
    SELECT business_id, account_id, sum(points) AS total, count(*) AS entries, max(seq) AS max_seq
    FROM ledger_entries GROUP BY business_id, account_id
) e ON e.business_id = a.business_id AND e.account_id = a.account_id
WHERE {SCOPE.format(alias="a")}
  AND (a.balance <> coalesce(e.total, 0) OR a.last_seq <> coalesce(e.entries, 0)
       OR coalesce(e.max_seq, 0) <> coalesce(e.entries, 0))
"""

OVER_REVERSED = f"""
SELECT earn.business_id, earn.entry_id, earn.source_ref, earn.points,
       -sum(rev.points) AS reversed
FROM ledger_entries earn
JOIN ledger_entries rev
  ON rev.business_id = earn.business_id AND rev.related_entry_id = earn.entry_id
 AND rev.kind = 'reversal'
WHERE earn.kind = 'earn' AND {SCOPE.format(alias="earn")}
GROUP BY earn.business_id, earn.entry_id, earn.source_ref, earn.points
HAVING -sum(rev.points) > earn.points
"""

# A customer.updated changes names and identifiers, not points: applied, it may write no entry.
APPLIED_WITHOUT_ENTRIES = f"""
SELECT i.business_id, i.event_id, i.kind FROM inbox i
WHERE i.status = 'applied' AND i.kind <> 'customer.updated' AND {SCOPE.format(alias="i")}
  AND NOT EXISTS (
    SELECT 1 FROM ledger_entries e WHERE e.business_id = i.business_id AND e.event_id = i.event_id
  )
"""

STALE_OUTBOX = f"""
SELECT o.business_id, o.outbox_id, o.entry_id, o.created_at FROM outbox o
WHERE o.published_at IS NULL AND o.created_at < now() - make_interval(secs => $2)
  AND {SCOPE.format(alias="o")}
ORDER BY o.outbox_id LIMIT 100
"""

ENTRIES_IN_CHAIN_ORDER = f"""
SELECT {LEDGER_COLUMNS} FROM ledger_entries
WHERE ($1::text IS NULL OR business_id = $1)
ORDER BY business_id, account_id, seq
"""

LOTS_NOT_HOLDING_THE_BALANCE = f"""
SELECT a.business_id, a.account_id, a.balance, coalesce(sum(l.remaining), 0) AS in_lots
FROM accounts a
LEFT JOIN point_lots l ON l.business_id = a.business_id AND l.account_id = a.account_id
WHERE {SCOPE.format(alias="a")}
GROUP BY a.business_id, a.account_id
HAVING coalesce(sum(l.remaining), 0) <> greatest(a.balance, 0)
"""

LAST_HASHES = f"""
SELECT business_id, account_id, last_hash FROM accounts a WHERE {SCOPE.format(alias="a")}
"""
