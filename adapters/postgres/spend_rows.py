"""A purchase's spent points (``domain.spend_returns.SaleSpend``) to and from its row.

Written by a statement of their own, after the purchases' upsert and only for purchases
paid with points, so a batch without them writes what it wrote before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from adapters.postgres.batch_sql import PURCHASE_KEY
from adapters.postgres.json_rows import typed_rows
from domain.purchases import Purchase
from domain.spend_returns import SaleSpend

SPEND_ROW = (
    f"{PURCHASE_KEY}, spend_redemption_id uuid, spend_entry_id uuid, spend_account_id uuid,"
    " points_spent bigint, points_spent_returned bigint"
)

UPDATE_PURCHASE_SPEND = f"""
UPDATE purchases AS p
SET spend_redemption_id = s.spend_redemption_id, spend_entry_id = s.spend_entry_id,
    spend_account_id = s.spend_account_id, points_spent = s.points_spent,
    points_spent_returned = s.points_spent_returned
FROM ({typed_rows(1, SPEND_ROW)}) AS s
WHERE p.business_id = s.business_id AND p.source = s.source AND p.reference = s.reference
"""


def spend_columns(p: Purchase) -> tuple[object, ...]:
    s = p.spend
    assert s is not None
    return (
        p.business_id,
        p.source.value,
        p.reference,
        s.redemption_id,
        s.entry_id,
        s.account_id,
        s.points,
        s.returned,
    )


def spend_from(row: Mapping[str, Any]) -> SaleSpend | None:
    if row["spend_redemption_id"] is None:
        return None
    return SaleSpend(
        redemption_id=row["spend_redemption_id"],
        entry_id=row["spend_entry_id"],
        account_id=row["spend_account_id"],
        points=row["points_spent"],
        returned=row["points_spent_returned"],
    )


# ``loyalty verify``: a capture never gets back more than it took, by spend returns and a
# cancellation of the redemption together; and each sale's count of what came back is the
# sum of its spend-return entries.
OVER_GIVEN_BACK = """
SELECT c.business_id, c.entry_id, c.source_ref, -c.points AS spent, sum(b.points) AS given_back
FROM ledger_entries c
JOIN ledger_entries b
  ON b.business_id = c.business_id AND b.related_entry_id = c.entry_id
 AND b.kind IN ('spend_return', 'redemption_cancelled')
WHERE c.kind = 'redemption' AND ($1::text IS NULL OR c.business_id = $1)
GROUP BY c.business_id, c.entry_id, c.source_ref, c.points
HAVING sum(b.points) > -c.points
UNION ALL
SELECT p.business_id, p.spend_entry_id, p.reference, p.points_spent_returned,
       coalesce(sum(b.points), 0)
FROM purchases p
LEFT JOIN ledger_entries b
  ON b.business_id = p.business_id AND b.related_entry_id = p.spend_entry_id
 AND b.kind = 'spend_return'
WHERE p.spend_entry_id IS NOT NULL AND ($1::text IS NULL OR p.business_id = $1)
GROUP BY p.business_id, p.spend_entry_id, p.reference, p.points_spent_returned
HAVING coalesce(sum(b.points), 0) <> p.points_spent_returned
"""


def over_given_back(rows: Iterable[Any]) -> list[str]:
    return [
        f"capture {r['business_id']}/{r['entry_id']} ({r['source_ref']}): {r['spent']} spent"
        f" or counted back, {r['given_back']} given back"
        for r in rows
    ]
