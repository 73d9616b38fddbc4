"""Verify's hold checks: a capture made after its hold expired breaks the hold semantics;
a capture a sale could not make (recorded in hold_capture_refusals) is a notice."""

from __future__ import annotations

import asyncpg

SCOPE = "($1::text IS NULL OR {alias}.business_id = $1)"

# Liveness is judged by the service's clock when the capture is made, so every capture's
# captured_at is before its expires_at; one at or after it took points already released.
CAPTURED_AFTER_EXPIRY = f"""
SELECT r.business_id, r.redemption_id, r.points, r.expires_at, r.captured_at
FROM redemptions r
WHERE r.expires_at IS NOT NULL AND r.captured_at >= r.expires_at
  AND {SCOPE.format(alias="r")}
ORDER BY r.business_id, r.redemption_id
"""

REFUSED_CAPTURES = f"""
SELECT h.business_id, h.event_id, h.redemption_id, h.reason, h.sale_reference, h.points,
       h.refused_at
FROM hold_capture_refusals h
WHERE {SCOPE.format(alias="h")}
ORDER BY h.refused_at, h.business_id, h.event_id LIMIT 100
"""


async def hold_breaches(connection: asyncpg.Connection, business_id: str | None) -> list[str]:
    return [
        f"redemption {r['business_id']}/{r['redemption_id']} ({r['points']} points) was"
        f" captured at {r['captured_at'].isoformat()}, after its hold expired at"
        f" {r['expires_at'].isoformat()}"
        for r in await connection.fetch(CAPTURED_AFTER_EXPIRY, business_id)
    ]


async def refused_capture_notices(
    connection: asyncpg.Connection, business_id: str | None
) -> list[str]:
    return [
        f"sale {r['business_id']}/{r['sale_reference']} (event {r['event_id']}) named hold"
        f" {r['redemption_id']} but could not capture it ({r['reason']}, at"
        f" {r['refused_at'].isoformat()}): {r['points'] or 'no'} points taken for its discount"
        for r in await connection.fetch(REFUSED_CAPTURES, business_id)
    ]
