"""PostgresCustomerProfiles: the profile's clock and name in ``customer_profiles`` (0025)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from domain.customer_updates import Keep

UPDATED_AT = """
SELECT updated_at FROM customer_profiles WHERE business_id = $1 AND account_id = $2
"""

# The WHERE makes the check and the write one step: a newer change recorded meanwhile (by
# another consumer after a rebalance) leaves the row as it is and returns nothing.
RECORD = """
INSERT INTO customer_profiles (business_id, account_id, name, updated_at)
VALUES ($1, $2, CASE WHEN $4::boolean THEN NULL ELSE $3::text END, $5)
ON CONFLICT (business_id, account_id) DO UPDATE
   SET name = CASE WHEN $4::boolean THEN customer_profiles.name ELSE excluded.name END,
       updated_at = excluded.updated_at
 WHERE customer_profiles.updated_at <= excluded.updated_at
RETURNING 1
"""


class PostgresCustomerProfiles:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def updated_at(self, business_id: str, account_id: UUID) -> datetime | None:
        found: datetime | None = await self._connection.fetchval(
            UPDATED_AT, business_id, account_id
        )
        return found

    async def record(
        self, business_id: str, account_id: UUID, at: datetime, name: str | Keep | None
    ) -> bool:
        keep = isinstance(name, Keep)
        given = None if isinstance(name, Keep) else name
        done = await self._connection.fetchval(RECORD, business_id, account_id, given, keep, at)
        return done is not None
