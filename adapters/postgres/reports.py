"""PostgresReports: the operators' queries, each one statement on a connection of its own."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any
from uuid import UUID

import asyncpg

from adapters.postgres import report_sql as sql
from adapters.postgres.rows import Row
from domain.ledger import EntryKind
from domain.reports import (
    DayRange,
    ExpiringLot,
    ExpiringQuery,
    ExpiringTotal,
    LevelCount,
    LevelQuery,
    Movement,
    MovementQuery,
    ReferralEarning,
    ReferralQuery,
    ReferralTotal,
    bucket_points,
)


def day_bounds(days: DayRange) -> tuple[datetime, datetime]:
    """The range as [start of its first day, start of the day after its last), in UTC."""
    start = datetime.combine(days.first, time(), tzinfo=UTC)
    return start, datetime.combine(days.last + timedelta(days=1), time(), tzinfo=UTC)


def movement_from(row: Row) -> Movement:
    return Movement(
        day=row["day"],
        store_id=row["store"] or None,
        points=bucket_points({kind: row[kind.value] for kind in EntryKind}),
        entries=row["entries"],
    )


def earning_from(row: Row) -> ReferralEarning:
    return ReferralEarning(
        account_id=row["account_id"],
        customer_id=row["customer_id"],
        points=row["points"],
        bonuses=row["bonuses"],
        reversals=row["reversals"],
        referred_account_ids=tuple(sorted(row["referred"])),
    )


class PostgresReports:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def _fetch(self, statement: str, *args: Any) -> list[asyncpg.Record]:
        async with self._pool.acquire() as connection:
            rows: list[asyncpg.Record] = await connection.fetch(statement, *args)
            return rows

    async def has_account(self, business_id: str, account_id: UUID) -> bool:
        rows = await self._fetch(sql.HAS_ACCOUNT, business_id, account_id)
        return bool(rows[0][0])

    async def expiring(self, query: ExpiringQuery, until: datetime) -> list[ExpiringLot]:
        one = query.account_id is not None
        statement = sql.expiring(one_account=one, after=query.after is not None)
        args: list[Any] = [query.business_id, until]
        args += [query.account_id] if one else []
        args += list(query.after) if query.after is not None else []
        rows = await self._fetch(statement, *args, query.limit)
        return [
            ExpiringLot(
                account_id=row["account_id"],
                customer_id=row["customer_id"],
                lot_id=row["lot_id"],
                points=row["remaining"],
                expires_at=row["expires_at"],
            )
            for row in rows
        ]

    async def expiring_total(self, query: ExpiringQuery, until: datetime) -> ExpiringTotal:
        one = query.account_id is not None
        args: list[Any] = [query.business_id, until] + ([query.account_id] if one else [])
        row = (await self._fetch(sql.expiring_total(one_account=one), *args))[0]
        return ExpiringTotal(points=row["points"], lots=row["lots"], accounts=row["accounts"])

    async def referrals(self, query: ReferralQuery) -> list[ReferralEarning]:
        one = query.account_id is not None
        statement = sql.referrals(one_account=one, after=query.after is not None)
        args: list[Any] = [query.business_id, *day_bounds(query.days)]
        args += [query.account_id] if one else []
        args += [query.after] if query.after is not None else []
        return [earning_from(row) for row in await self._fetch(statement, *args, query.limit)]

    async def referral_total(self, query: ReferralQuery) -> ReferralTotal:
        one = query.account_id is not None
        args: list[Any] = [query.business_id, *day_bounds(query.days)]
        args += [query.account_id] if one else []
        row = (await self._fetch(sql.referral_total(one_account=one), *args))[0]
        return ReferralTotal(
            points=row["points"],
            bonuses=row["bonuses"],
            reversals=row["reversals"],
            accounts=row["accounts"],
        )

    async def movements(self, query: MovementQuery) -> list[Movement]:
        after = list(query.after) if query.after is not None else []
        statement = sql.movements(after=bool(after))
        args = [query.business_id, query.days.first, query.days.last, *after, query.limit]
        return [movement_from(row) for row in await self._fetch(statement, *args)]

    async def levels(self, query: LevelQuery) -> list[LevelCount]:
        after = [query.after] if query.after else []  # after the base level: no parameter
        statement = sql.levels(after=query.after)
        rows = await self._fetch(statement, query.business_id, *after, query.limit)
        return [LevelCount(level=row["level"], members=row["members"]) for row in rows]
