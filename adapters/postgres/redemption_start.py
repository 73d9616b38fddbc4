"""PostgresRedemptionStart: what a redemption reads, in two statements instead of five.

Every statement is a round trip the till waits on; at 32 concurrent tills the redeem API was
spending a quarter of its CPU in socket sends. The spending state is read in a statement of
its own, after the lock: under READ COMMITTED a statement that waited for a lock still reads
the other tables as they were when it began, so lots read with the lock could be stale.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from adapters.postgres.accounts import ACCOUNT_COLUMNS
from adapters.postgres.lots import lot_from
from adapters.postgres.programmes import PROGRAMME_COLUMNS
from adapters.postgres.redemptions import EXISTING_KEY, HELD_POINTS, RELEASE_OVERDUE_CTE
from adapters.postgres.rows import account_from, programme_from, qualified, rule_from
from ports.repositories import KeyClaim, SpendingState

CLAIM_AND_LOCK = f"""
WITH claim AS (
    INSERT INTO idempotency_keys
        (business_id, idempotency_key, request_fingerprint, redemption_id)
    VALUES ($1, $2, $3, $4)
    ON CONFLICT (business_id, idempotency_key) DO NOTHING
    RETURNING 1
)
SELECT EXISTS (SELECT FROM claim) AS claimed, a.*
FROM (SELECT) AS one
LEFT JOIN LATERAL (
    SELECT {ACCOUNT_COLUMNS} FROM accounts
    WHERE business_id = $1 AND account_id = $5
    FOR UPDATE
) AS a ON true
"""

SPENDING_STATE = f"""
SELECT
    ({HELD_POINTS}) AS held_points,
    (SELECT array_agg(l) FROM point_lots l
     WHERE l.business_id = $1 AND l.account_id = $2 AND l.remaining > 0) AS lots,
    {qualified("p", PROGRAMME_COLUMNS)},
    (SELECT array_agg(r ORDER BY r.version) FROM rule_versions r WHERE r.business_id = $1)
        AS rules
FROM (SELECT) AS one
LEFT JOIN programmes p ON p.business_id = $1
"""

# The same read, marking the overdue holds it counts as released (a data-modifying WITH runs
# whether or not the query reads it; the held-points subquery sees the rows as they were,
# and counts only live holds either way).
RELEASING_SPENDING_STATE = f"WITH {RELEASE_OVERDUE_CTE}{SPENDING_STATE}"


class PostgresRedemptionStart:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def claim_and_lock(
        self, business_id: str, key: str, fingerprint: str, redemption_id: UUID, account_id: UUID
    ) -> KeyClaim:
        row = await self._connection.fetchrow(
            CLAIM_AND_LOCK, business_id, key, fingerprint, redemption_id, account_id
        )
        assert row is not None
        account = account_from(row) if row["account_id"] is not None else None
        if row["claimed"]:
            return KeyClaim(None, account)
        # Read now, in a statement of its own: a concurrent first request with this key was
        # waited for by the unique index, and only a new statement sees what it committed.
        first = await self._connection.fetchrow(EXISTING_KEY, business_id, key)
        return KeyClaim((first["request_fingerprint"], first["redemption_id"]), account)

    async def spending_state(
        self, business_id: str, account_id: UUID, now: datetime, *, releasing: bool = False
    ) -> SpendingState:
        query = RELEASING_SPENDING_STATE if releasing else SPENDING_STATE
        row = await self._connection.fetchrow(query, business_id, account_id, now)
        assert row is not None
        programme = None
        if row["business_id"] is not None:
            programme = programme_from(row, [rule_from(r) for r in row["rules"] or ()])
        lots = [lot_from(lot) for lot in row["lots"] or ()]
        return SpendingState(int(row["held_points"]), programme, lots)
