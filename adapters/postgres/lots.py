"""PostgresPointLots: the lots a balance is made of, what took from them, what is due.

Lots are written with their posting (``PostgresLedger.post``)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from uuid import UUID

import asyncpg

from adapters.postgres.accounts import ACCOUNT_COLUMNS
from adapters.postgres.json_rows import rows_json, typed_rows
from adapters.postgres.rows import Row, account_from, qualified
from domain.accounts import Account
from domain.lots import AccountKey, Lot, LotChanges

LOT_COLUMNS = (
    "business_id, account_id, lot_id, entry_id, earned_at, available_at, expires_at, points,"
    " remaining"
)

LOT_ROW = (
    "business_id text, account_id uuid, lot_id uuid, entry_id uuid, earned_at timestamptz,"
    " available_at timestamptz, expires_at timestamptz, points bigint, remaining bigint"
)
TAKE_ROW = "business_id text, entry_id uuid, lot_id uuid, points bigint"

OPEN_LOTS = f"""
SELECT {LOT_COLUMNS} FROM point_lots
WHERE (business_id, account_id) IN ({typed_rows(1, "business_id text, account_id uuid")})
  AND remaining > 0
"""


def upsert_lots_sql(param: int) -> str:
    """New lots, and what is left in changed ones, from JSON parameter ``$param``."""
    return f"""
INSERT INTO point_lots ({LOT_COLUMNS})
SELECT {LOT_COLUMNS} FROM ({typed_rows(param, LOT_ROW)}) AS lots
ON CONFLICT (business_id, lot_id) DO UPDATE SET remaining = EXCLUDED.remaining
"""


def insert_takes_sql(param: int) -> str:
    return f"""
INSERT INTO lot_takes (business_id, entry_id, lot_id, points)
SELECT business_id, entry_id, lot_id, points FROM ({typed_rows(param, TAKE_ROW)}) AS takes
"""


TAKEN_BY = f"""
SELECT {qualified("l", LOT_COLUMNS)}, t.points AS taken
FROM lot_takes t JOIN point_lots l ON l.business_id = t.business_id AND l.lot_id = t.lot_id
WHERE t.business_id = $1 AND t.entry_id = $2
ORDER BY l.expires_at NULLS LAST, l.lot_id
"""

# Due: points in a lot expired by $1, or an account with points quiet for longer than its
# programme's inactivity limit. After the cursor ($2, $3) in key order, and locked in that
# order, as event batches lock accounts (batch_sql.LOCK_ACCOUNTS): ORDER BY the same columns
# in SQL, so both follow the database's collation, whatever Python's order would be.
LOCK_DUE = f"""
SELECT {ACCOUNT_COLUMNS} FROM accounts
WHERE (business_id, account_id) IN (
    SELECT business_id, account_id FROM point_lots
    WHERE remaining > 0 AND expires_at <= $1::timestamptz
    UNION ALL
    SELECT a.business_id, a.account_id FROM accounts a
    JOIN programmes p ON p.business_id = a.business_id AND p.inactivity_days IS NOT NULL
    WHERE a.balance > 0
      AND a.last_activity_at <= $1::timestamptz - make_interval(days => p.inactivity_days)
)
  AND ($2::text IS NULL OR (business_id, account_id) > ($2::text, $3::uuid))
ORDER BY business_id, account_id
LIMIT $4
FOR UPDATE
"""


def lot_from(row: Row) -> Lot:
    return Lot(
        business_id=row["business_id"],
        account_id=row["account_id"],
        lot_id=row["lot_id"],
        entry_id=row["entry_id"],
        earned_at=row["earned_at"],
        available_at=row["available_at"],
        expires_at=row["expires_at"],
        points=row["points"],
        remaining=row["remaining"],
    )


def lot_rows(changes: LotChanges) -> str:
    return rows_json(
        (
            lot.business_id,
            lot.account_id,
            lot.lot_id,
            lot.entry_id,
            lot.earned_at,
            lot.available_at,
            lot.expires_at,
            lot.points,
            lot.remaining,
        )
        for lot in changes.lots.values()
    )


def take_rows(changes: LotChanges) -> str:
    return rows_json((t.business_id, t.entry_id, t.lot_id, t.points) for t in changes.takes)


class PostgresPointLots:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def open_lots(self, accounts: Collection[AccountKey]) -> dict[AccountKey, list[Lot]]:
        found: dict[AccountKey, list[Lot]] = {key: [] for key in accounts}
        if not accounts:
            return found
        rows = await self._connection.fetch(OPEN_LOTS, rows_json(accounts))
        for row in rows:
            lot = lot_from(row)
            found[lot.account_key].append(lot)
        return found

    async def taken_by(self, business_id: str, entry_id: UUID) -> list[tuple[Lot, int]]:
        rows = await self._connection.fetch(TAKEN_BY, business_id, entry_id)
        return [(lot_from(row), row["taken"]) for row in rows]

    async def lock_due(self, now: datetime, after: AccountKey | None, limit: int) -> list[Account]:
        business_id, account_id = after or (None, None)
        rows = await self._connection.fetch(LOCK_DUE, now, business_id, account_id, limit)
        return [account_from(row) for row in rows]
