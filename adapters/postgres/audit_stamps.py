"""Verify's stamp checks: an account's stamps equal its entries' and every entry's stamp
balance is the running sum; stamp entries are of their kind's sign and carry no points; an
adjustment never took stamps below zero; purchases agree with the stamps they earned and
voided. Each query returns only what is wrong."""

from __future__ import annotations

import asyncpg

from adapters.postgres.audit_sql import EARNED_ON, SCOPE

STAMP_BALANCES = f"""
SELECT a.business_id, a.account_id, a.stamps, coalesce(sum(e.stamps), 0) AS total
FROM accounts a
LEFT JOIN ledger_entries e ON e.business_id = a.business_id AND e.account_id = a.account_id
WHERE {SCOPE.format(alias="a")}
GROUP BY a.business_id, a.account_id, a.stamps
HAVING a.stamps <> coalesce(sum(e.stamps), 0)
"""

STAMP_ENTRIES_OUT_OF_LINE = f"""
SELECT * FROM (
    SELECT business_id, entry_id, account_id, seq, kind, points, stamps, CASE
        WHEN stamps_balance_after <> running THEN 'its stamp balance is not the running sum'
        WHEN kind LIKE 'stamp\\_%' AND points <> 0 THEN 'a stamp entry carries points'
        WHEN kind IN ('earn', 'reversal', 'adjustment') AND stamps <> 0
            THEN 'a points entry carries stamps'
        WHEN kind = 'stamp_earn' AND stamps <= 0 THEN 'a stamp earn gives no stamps'
        WHEN kind = 'stamp_void' AND stamps >= 0 THEN 'a stamp void takes no stamps'
        WHEN kind = 'stamp_adjustment' AND stamps < 0 AND stamps_balance_after < 0
            THEN 'an adjustment took stamps below zero'
        END AS problem
    FROM (
        SELECT e.*, sum(stamps) OVER (
            PARTITION BY business_id, account_id ORDER BY seq) AS running
        FROM ledger_entries e WHERE {SCOPE.format(alias="e")}
    ) chained
) checked
WHERE problem IS NOT NULL
"""

PURCHASES_NOT_MATCHING_THEIR_STAMPS = f"""
SELECT * FROM (
    SELECT p.business_id, p.source, p.reference, p.account_id, p.stamps_earned,
           p.stamps_voided, p.stamp_entry_id, e.kind AS entry_kind, e.stamps AS entry_stamps,
           {EARNED_ON.format(entry="e", purchase="p")} AS on_its_account,
           e.source AS entry_source, e.source_ref,
           coalesce(-(SELECT sum(v.stamps) FROM ledger_entries v
                      WHERE v.business_id = p.business_id
                        AND v.related_entry_id = p.stamp_entry_id
                        AND v.kind = 'stamp_void'), 0) AS in_voids
    FROM purchases p
    LEFT JOIN ledger_entries e
      ON e.business_id = p.business_id AND e.entry_id = p.stamp_entry_id
    WHERE {SCOPE.format(alias="p")} AND (p.stamps_earned <> 0 OR p.stamp_entry_id IS NOT NULL)
) stamped
WHERE entry_kind IS DISTINCT FROM 'stamp_earn' OR entry_stamps IS DISTINCT FROM stamps_earned
   OR NOT on_its_account OR entry_source <> source
   OR source_ref <> reference OR in_voids <> stamps_voided
"""

STAMP_ENTRIES_WITHOUT_THEIR_RECORD = f"""
SELECT e.business_id, e.entry_id, e.kind, e.source, e.source_ref, e.stamps
FROM ledger_entries e
WHERE e.kind IN ('stamp_earn', 'stamp_void') AND {SCOPE.format(alias="e")}
  AND NOT EXISTS (
    SELECT 1 FROM purchases p
    WHERE e.kind = 'stamp_earn' AND p.business_id = e.business_id
      AND p.stamp_entry_id = e.entry_id
  )
  AND NOT EXISTS (
    SELECT 1 FROM refunds f
    WHERE e.kind = 'stamp_void' AND f.business_id = e.business_id AND f.source = e.source
      AND f.reference = e.source_ref AND f.status = 'applied'
  )
"""


async def stamp_balance_breaches(
    connection: asyncpg.Connection, business_id: str | None
) -> list[str]:
    fetch = connection.fetch
    breaches = [
        f"account {r['business_id']}/{r['account_id']}: {r['stamps']} stamps but entries sum"
        f" to {r['total']}"
        for r in await fetch(STAMP_BALANCES, business_id)
    ]
    breaches += [
        f"{r['kind']} {r['business_id']}/{r['entry_id']} (account {r['account_id']},"
        f" seq {r['seq']}, {r['stamps']} stamps, {r['points']} points): {r['problem']}"
        for r in await fetch(STAMP_ENTRIES_OUT_OF_LINE, business_id)
    ]
    return breaches


async def purchase_stamp_breaches(
    connection: asyncpg.Connection, business_id: str | None
) -> list[str]:
    fetch = connection.fetch
    breaches = [
        f"purchase {r['business_id']}/{r['source']}:{r['reference']}: earned"
        f" {r['stamps_earned']} stamps and voided {r['stamps_voided']}, but its stamp earn"
        f" {r['stamp_entry_id']} ({r['entry_kind']}) gives {r['entry_stamps']} and its voids"
        f" take {r['in_voids']}"
        for r in await fetch(PURCHASES_NOT_MATCHING_THEIR_STAMPS, business_id)
    ]
    breaches += [
        f"{r['kind']} {r['business_id']}/{r['entry_id']} ({r['source']}:{r['source_ref']},"
        f" {r['stamps']} stamps) belongs to no purchase or applied refund"
        for r in await fetch(STAMP_ENTRIES_WITHOUT_THEIR_RECORD, business_id)
    ]
    return breaches
