"""PostgresRewards: the reward catalogue, and the stamps live holds reserve."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from adapters.postgres.redemptions import HELD_STAMPS
from adapters.postgres.rows import Row
from domain.rewards import Reward

COLUMNS = (
    "business_id, reward_id, description, points_cost, stamps_cost, active, active_from,"
    " active_until, stock"
)

GET = f"SELECT {COLUMNS} FROM rewards WHERE business_id = $1 AND reward_id = $2"

# Under READ COMMITTED a locking read that waited returns the row as the other transaction
# left it: the stock a second till sees is what the first one left.
LOCK = f"{GET} FOR UPDATE"

LISTED = f"SELECT {COLUMNS} FROM rewards WHERE business_id = $1 ORDER BY reward_id"

UPSERT = f"""
INSERT INTO rewards ({COLUMNS})
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
ON CONFLICT (business_id, reward_id) DO UPDATE
SET description = EXCLUDED.description, points_cost = EXCLUDED.points_cost,
    stamps_cost = EXCLUDED.stamps_cost, active = EXCLUDED.active,
    active_from = EXCLUDED.active_from, active_until = EXCLUDED.active_until,
    stock = EXCLUDED.stock
"""


# Only holds whose account can be locked at once: a locked one may be capturing its hold by
# the clock of another process; it is released on a later redemption. The trigger of
# migration 0014 gives each released unit back.
RELEASE_OVERDUE = """
WITH owners AS (
    SELECT a.business_id, a.account_id FROM accounts a
    WHERE a.business_id = $1 AND a.account_id IN (
        SELECT account_id FROM redemptions
        WHERE business_id = $1 AND reward_id = $2 AND status = 'held' AND expires_at <= $3)
    FOR UPDATE OF a SKIP LOCKED
)
UPDATE redemptions r SET status = 'expired'
FROM owners o
WHERE r.business_id = o.business_id AND r.account_id = o.account_id AND r.reward_id = $2
  AND r.status = 'held' AND r.expires_at <= $3
"""

OVERDUE_UNITS = """
SELECT count(*) FROM redemptions
WHERE business_id = $1 AND reward_id = $2 AND status = 'held' AND expires_at <= $3
  AND stock_taken
"""


def reward_from(row: Row) -> Reward:
    return Reward(
        business_id=row["business_id"],
        reward_id=row["reward_id"],
        description=row["description"],
        points_cost=row["points_cost"],
        stamps_cost=row["stamps_cost"],
        active=row["active"],
        active_from=row["active_from"],
        active_until=row["active_until"],
        stock=row["stock"],
    )


class PostgresRewards:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def get(self, business_id: str, reward_id: str) -> Reward | None:
        row = await self._connection.fetchrow(GET, business_id, reward_id)
        return reward_from(row) if row else None

    async def lock(self, business_id: str, reward_id: str) -> Reward | None:
        row = await self._connection.fetchrow(LOCK, business_id, reward_id)
        return reward_from(row) if row else None

    async def listed(self, business_id: str) -> list[Reward]:
        return [reward_from(row) for row in await self._connection.fetch(LISTED, business_id)]

    async def save(self, reward: Reward) -> None:
        await self._connection.execute(
            UPSERT,
            reward.business_id,
            reward.reward_id,
            reward.description,
            reward.points_cost,
            reward.stamps_cost,
            reward.active,
            reward.active_from,
            reward.active_until,
            reward.stock,
        )

    async def release_overdue(self, business_id: str, reward_id: str, now: datetime) -> None:
        await self._connection.execute(RELEASE_OVERDUE, business_id, reward_id, now)

    async def overdue_units(self, business_id: str, reward_id: str, now: datetime) -> int:
        return int(await self._connection.fetchval(OVERDUE_UNITS, business_id, reward_id, now))

    async def held_stamps(self, business_id: str, account_id: UUID, now: datetime) -> int:
        return int(await self._connection.fetchval(HELD_STAMPS, business_id, account_id, now))
