"""A purchase's stamps (``domain.stamp_voids.PurchaseStamps``) to and from its row.

Written by a statement of their own, after the purchases' upsert and only for purchases
with stamps, so a batch without stamps writes what it wrote before.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from adapters.postgres.batch_sql import PURCHASE_KEY
from adapters.postgres.json_rows import typed_rows
from domain.purchases import Purchase
from domain.stamp_voids import NO_STAMPS, PurchaseStamps
from domain.stamps import StampLine

STAMPS_ROW = (
    f"{PURCHASE_KEY}, stamps_earned bigint, stamps_voided bigint, stamp_entry_id uuid,"
    " stamps_returned_amount numeric, stamp_lines jsonb"
)

UPDATE_PURCHASE_STAMPS = f"""
UPDATE purchases AS p
SET stamps_earned = s.stamps_earned, stamps_voided = s.stamps_voided,
    stamp_entry_id = s.stamp_entry_id, stamps_returned_amount = s.stamps_returned_amount,
    stamp_lines = s.stamp_lines
FROM ({typed_rows(1, STAMPS_ROW)}) AS s
WHERE p.business_id = s.business_id AND p.source = s.source AND p.reference = s.reference
"""


def stamps_columns(p: Purchase) -> tuple[object, ...]:
    s = p.stamps
    lines = [
        [
            line.sku,
            str(line.quantity),
            str(line.amount),
            line.stamps,
            str(line.returned_quantity),
            str(line.returned_amount),
        ]
        for line in s.lines
    ]
    return (
        p.business_id,
        p.source.value,
        p.reference,
        s.earned,
        s.voided,
        s.entry_id,
        s.returned_amount,
        json.dumps(lines) if lines else None,
    )


def stamps_from(row: Mapping[str, Any]) -> PurchaseStamps:
    if not row["stamps_earned"]:
        return NO_STAMPS
    text = row["stamp_lines"]
    lines = tuple(
        StampLine(sku, Decimal(q), Decimal(a), stamps, Decimal(rq), Decimal(ra))
        for sku, q, a, stamps, rq, ra in (json.loads(text) if text else [])
    )
    return PurchaseStamps(
        earned=row["stamps_earned"],
        voided=row["stamps_voided"],
        entry_id=row["stamp_entry_id"],
        returned_amount=row["stamps_returned_amount"],
        lines=lines,
    )
