"""PostgresRedemptions: redemptions and their holds (POS retry keys: redemption_start)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from adapters.postgres.json_rows import rows_json, typed_rows
from adapters.postgres.rows import Row
from domain.holds import RefusedCapture
from domain.ledger import Attribution
from domain.redemption import Redemption, RedemptionStatus

COLUMNS = (
    "business_id, redemption_id, account_id, points, discount, capped, status, created_at,"
    " expires_at, captured_at, cancelled_at, entry_id, cancel_entry_id, sale_amount,"
    " sale_reference, actor, store_id, terminal_id, reward_id, reward_description, stamps,"
    " stock_taken"
)

GET = f"SELECT {COLUMNS} FROM redemptions WHERE business_id = $1 AND redemption_id = $2"

UPSERT = f"""
INSERT INTO redemptions ({COLUMNS})
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
        $20, $21, $22)
ON CONFLICT (business_id, redemption_id) DO UPDATE
SET status = EXCLUDED.status, captured_at = EXCLUDED.captured_at,
    cancelled_at = EXCLUDED.cancelled_at, entry_id = EXCLUDED.entry_id,
    cancel_entry_id = EXCLUDED.cancel_entry_id, sale_reference = EXCLUDED.sale_reference
"""

# A stamp reward's hold reserves stamps as a points hold reserves points (same index).
HELD_STAMPS = """
SELECT coalesce(sum(stamps), 0) FROM redemptions
WHERE business_id = $1 AND account_id = $2 AND status = 'held' AND expires_at > $3
"""

HELD_POINTS = """
SELECT coalesce(sum(points), 0) FROM redemptions
WHERE business_id = $1 AND account_id = $2 AND status = 'held' AND expires_at > $3
"""

EXPIRE_OVERDUE = """
UPDATE redemptions SET status = 'expired'
WHERE business_id = $1 AND account_id = $2 AND status = 'held' AND expires_at <= $3
"""

# Marks what it releases: once a redemption has treated a hold's points as free to spend, the
# hold is expired for good, whatever another process's clock says (see RELEASE_OVERDUE_CTE).
# One sale at most per redemption (the 0017 unique index this reads by).
GIVEN_BACK_BY_RETURNS = """
SELECT coalesce(sum(points_spent_returned), 0) FROM purchases
WHERE business_id = $1 AND spend_redemption_id = $2
"""

RELEASE_OVERDUE_CTE = """
released AS (
    UPDATE redemptions SET status = 'expired'
    WHERE business_id = $1 AND account_id = $2 AND status = 'held' AND expires_at <= $3
    RETURNING 1
)
"""

REFUSAL_ROW = (
    "business_id text, event_id text, redemption_id uuid, reason text, sale_reference text,"
    " customer_id text, account_id uuid, points bigint, occurred_at timestamptz,"
    " refused_at timestamptz"
)

INSERT_REFUSALS = f"""
INSERT INTO hold_capture_refusals
    (business_id, event_id, redemption_id, reason, sale_reference, customer_id, account_id,
     points, occurred_at, refused_at)
SELECT * FROM ({typed_rows(1, REFUSAL_ROW)}) AS given
ON CONFLICT (business_id, event_id) DO NOTHING
"""

EXISTING_KEY = """
SELECT request_fingerprint, redemption_id FROM idempotency_keys
WHERE business_id = $1 AND idempotency_key = $2
"""


def redemption_from(row: Row) -> Redemption:
    return Redemption(
        business_id=row["business_id"],
        redemption_id=row["redemption_id"],
        account_id=row["account_id"],
        points=row["points"],
        discount=row["discount"],
        capped=row["capped"],
        status=RedemptionStatus(row["status"]),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        captured_at=row["captured_at"],
        cancelled_at=row["cancelled_at"],
        entry_id=row["entry_id"],
        cancel_entry_id=row["cancel_entry_id"],
        sale_amount=row["sale_amount"],
        sale_reference=row["sale_reference"],
        attribution=Attribution(
            actor=row["actor"], store_id=row["store_id"], terminal_id=row["terminal_id"]
        ),
        reward_id=row["reward_id"],
        reward_description=row["reward_description"],
        stamps=row["stamps"],
        stock_taken=row["stock_taken"],
    )


def redemption_columns(r: Redemption) -> tuple[object, ...]:
    a = r.attribution
    return (
        r.business_id,
        r.redemption_id,
        r.account_id,
        r.points,
        r.discount,
        r.capped,
        r.status.value,
        r.created_at,
        r.expires_at,
        r.captured_at,
        r.cancelled_at,
        r.entry_id,
        r.cancel_entry_id,
        r.sale_amount,
        r.sale_reference,
        a.actor,
        a.store_id,
        a.terminal_id,
        r.reward_id,
        r.reward_description,
        r.stamps,
        r.stock_taken,
    )


class PostgresRedemptions:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def get(self, business_id: str, redemption_id: UUID) -> Redemption | None:
        row = await self._connection.fetchrow(GET, business_id, redemption_id)
        return redemption_from(row) if row else None

    async def save(self, redemption: Redemption) -> None:
        await self._connection.execute(UPSERT, *redemption_columns(redemption))

    async def held_points(self, business_id: str, account_id: UUID, now: datetime) -> int:
        return int(await self._connection.fetchval(HELD_POINTS, business_id, account_id, now))

    async def expire_overdue(self, business_id: str, account_id: UUID, now: datetime) -> None:
        await self._connection.execute(EXPIRE_OVERDUE, business_id, account_id, now)

    async def given_back_by_returns(self, business_id: str, redemption_id: UUID) -> int:
        return int(
            await self._connection.fetchval(GIVEN_BACK_BY_RETURNS, business_id, redemption_id)
        )


def refusals_json(refusals: list[RefusedCapture]) -> str:
    return rows_json(
        (
            r.business_id,
            r.event_id,
            r.redemption_id,
            r.reason.value,
            r.sale_reference,
            r.customer_id,
            r.account_id,
            r.points,
            r.occurred_at,
            r.refused_at,
        )
        for r in refusals
    )
