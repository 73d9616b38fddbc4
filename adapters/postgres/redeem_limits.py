"""PostgresRedeemLimits: what an account's redemptions used of a period (index from 0021)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

# Counted by the redemption, where it was made: a capture keeps a hold's points in the
# period the hold was placed in, a cancellation or expiry takes them out of it, and so do the
# points the returns or cancellation of the sale it paid for gave back (purchases, by the
# 0017 unique index on spend_redemption_id).
USED_IN_PERIOD = """
SELECT coalesce(sum(r.points - coalesce(p.points_spent_returned, 0)), 0) FROM redemptions r
LEFT JOIN purchases p
  ON p.business_id = r.business_id AND p.spend_redemption_id = r.redemption_id
WHERE r.business_id = $1 AND r.account_id = $2 AND r.created_at >= $3 AND r.created_at < $4
  AND r.status IN ('held', 'captured')
  AND (r.status = 'captured' OR r.expires_at > $5)
"""


class PostgresRedeemLimits:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def used_in_period(
        self, business_id: str, account_id: UUID, since: datetime, until: datetime, now: datetime
    ) -> int:
        used = await self._connection.fetchval(
            USED_IN_PERIOD, business_id, account_id, since, until, now
        )
        return int(used)
