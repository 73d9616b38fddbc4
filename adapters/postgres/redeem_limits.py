"""PostgresRedeemLimits: what an account's redemptions used of a period (index from 0021)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

# Counted by the redemption, where it was made: a capture keeps a hold's points in the
# period the hold was placed in, a cancellation or expiry takes them out of it.
USED_IN_PERIOD = """
SELECT coalesce(sum(points), 0) FROM redemptions
WHERE business_id = $1 AND account_id = $2 AND created_at >= $3 AND created_at < $4
  AND status IN ('held', 'captured')
  AND (status = 'captured' OR expires_at > $5)
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
