"""PostgresLiveHolds: an account's live holds, for closing it."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from adapters.postgres.redemptions import COLUMNS, redemption_from
from domain.redemption import Redemption

LIVE_HOLDS = f"""
SELECT {COLUMNS} FROM redemptions
WHERE business_id = $1 AND account_id = $2 AND status = 'held' AND expires_at > $3
ORDER BY created_at, redemption_id
"""


class PostgresLiveHolds:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def live_holds(
        self, business_id: str, account_id: UUID, now: datetime
    ) -> list[Redemption]:
        rows = await self._connection.fetch(LIVE_HOLDS, business_id, account_id, now)
        return [redemption_from(row) for row in rows]
