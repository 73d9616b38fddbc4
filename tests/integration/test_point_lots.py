"""Point lots on real PostgreSQL: expiry, pending points, the sweep and the lot backfill."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from adapters.postgres.migrations import apply_migrations
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.commands import EnrolCustomer, Redeem
from domain.errors import RedemptionBlocked
from domain.events import EventKind
from service.use_cases.accounts import Accounts
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.expiry import ExpirePoints
from service.use_cases.redemptions import Redemptions
from service.use_cases.verification import verify_ledger
from tests.conftest import with_database
from tests.fakes.clock import FakeClock
from tests.integration.conftest import given_programme
from tests.support.events import customer_return, parsed, sale

pytestmark = pytest.mark.integration

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

LOT_INVARIANT_BREACHES = """
SELECT a.customer_id, a.balance, coalesce(sum(l.remaining), 0) AS in_lots
FROM accounts a
LEFT JOIN point_lots l ON l.business_id = a.business_id AND l.account_id = a.account_id
GROUP BY a.business_id, a.account_id
HAVING coalesce(sum(l.remaining), 0) <> greatest(a.balance, 0)
"""


def day(n: float) -> datetime:
    return T0 + timedelta(days=n)


def on(n: float) -> str:
    return day(n).isoformat()


async def shop(uows: PostgresUnitOfWorkFactory, clock: FakeClock, **settings: Any) -> uuid.UUID:
    await given_programme(uows, "shop", **settings)
    view = await Accounts(uows, clock).enrol(EnrolCustomer("shop", "ann"))
    return view.account.account_id


async def lots(pool: asyncpg.Pool) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await pool.fetch(
        "SELECT * FROM point_lots ORDER BY earned_at, lot_id"
    )
    return rows


async def test_fefo_pending_reversal_and_a_sweep_run_twice_on_postgres(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    clock = FakeClock(day(1))
    account_id = await shop(uow_factory, clock, points_validity_days=30, pending_days=7)
    apply = ApplyEventBatch(uow_factory, clock)
    first = sale("shop", "ann", "100", occurred_at=on(0))
    second = sale("shop", "ann", "80", occurred_at=on(10))
    await apply([parsed(EventKind.SALE_COMPLETED, first), parsed(EventKind.SALE_COMPLETED, second)])
    # A return inside the second sale's window takes its own, still pending, points.
    back = customer_return("shop", second["sale_id"], "20", occurred_at=on(12))
    await apply([parsed(EventKind.CUSTOMER_RETURN_CREATED, back)])

    clock.moment = day(12)
    view = await Accounts(uow_factory, clock).account("shop", account_id)
    assert (view.account.balance, view.available, view.pending) == (160, 100, 60)
    redemptions = Redemptions(uow_factory, clock)
    with pytest.raises(RedemptionBlocked):
        await redemptions.redeem(Redeem("shop", account_id, 120, "k0", "k0"))
    await redemptions.redeem(Redeem("shop", account_id, 70, "k1", "k1"))  # the older lot first

    assert [(r["points"], r["remaining"]) for r in await lots(pool)] == [(100, 30), (80, 60)]
    sweeper = ExpirePoints(uow_factory, clock)
    early = await sweeper(day(29))
    first_sweep = await sweeper(day(31))
    second_sweep = await sweeper(day(31))
    assert (early.points, first_sweep.points, second_sweep.points) == (0, 30, 0)
    assert [(r["points"], r["remaining"]) for r in await lots(pool)] == [(100, 0), (80, 60)]
    assert (
        await pool.fetchval("SELECT balance FROM accounts WHERE account_id = $1", account_id) == 60
    )
    assert await pool.fetch(LOT_INVARIANT_BREACHES) == []
    assert (await verify_ledger(uow_factory, "shop", 1e9)).ok


async def test_the_inactivity_policy_expires_everything_once(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    clock = FakeClock(day(1))
    await shop(uow_factory, clock, inactivity_days=90)
    await ApplyEventBatch(uow_factory, clock)(
        [parsed(EventKind.SALE_COMPLETED, sale("shop", "ann", "50", occurred_at=on(0)))]
    )

    sweeper = ExpirePoints(uow_factory, clock)
    reports = [await sweeper(day(80)), await sweeper(day(91)), await sweeper(day(200))]

    assert [r.points for r in reports] == [0, 50, 0]
    rows = await pool.fetch("SELECT points, reason FROM ledger_entries WHERE kind = 'expiry'")
    assert [(r["points"], r["reason"]) for r in rows] == [(-50, "inactivity")]
    assert await pool.fetch(LOT_INVARIANT_BREACHES) == []


@pytest.fixture
async def database_before_lots(postgres_url: str) -> AsyncIterator[str]:
    name = f"loyalty_before_lots_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(postgres_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = with_database(postgres_url, name)
    apply_migrations(url, up_to="0004_outbox_without_foreign_key")
    yield url


OLD_ENTRY = """
INSERT INTO ledger_entries (business_id, entry_id, account_id, customer_id, seq, kind, points,
    balance_after, source, source_ref, occurred_at, recorded_at)
VALUES ('shop', $1, $2, $3, $4, $5, $6, $7, 'sale', gen_random_uuid()::text, $8, $8)
"""


async def test_the_lot_backfill_builds_lots_from_a_ledger_written_by_the_earlier_schema(
    database_before_lots: str,
) -> None:
    conn = await asyncpg.connect(database_before_lots)
    try:
        await conn.execute("INSERT INTO programmes (business_id, name) VALUES ('shop', 'Points')")
        histories = {  # customer: the points of each entry, in order
            "spent-some": [100, 50, -120, 30],  # balance 60: the oldest lots were spent first
            "in-debt": [40, -40, -10],  # balance -10: nothing left in any lot
            "untouched": [25],
        }
        for customer, moves in histories.items():
            account_id, balance = uuid.uuid4(), sum(moves)
            await conn.execute(
                "INSERT INTO accounts (business_id, account_id, customer_id, balance, last_seq)"
                " VALUES ('shop', $1, $2, $3, $4)",
                account_id,
                customer,
                balance,
                len(moves),
            )
            running = 0
            for seq, points in enumerate(moves, start=1):
                running += points
                kind = "earn" if points > 0 else "redemption"
                await conn.execute(
                    OLD_ENTRY,
                    uuid.uuid4(),
                    account_id,
                    customer,
                    seq,
                    kind,
                    points,
                    running,
                    day(seq),
                )
    finally:
        await conn.close()

    assert apply_migrations(database_before_lots)[0] == "0005_point_lots"

    conn = await asyncpg.connect(database_before_lots)
    try:
        rows = await conn.fetch(
            "SELECT a.customer_id, l.points, l.remaining, l.expires_at, l.available_at = "
            " l.earned_at AS available_at_once FROM point_lots l JOIN accounts a USING"
            " (business_id, account_id) ORDER BY a.customer_id, l.earned_at"
        )
        by_customer: dict[str, list[tuple[int, int]]] = {}
        for row in rows:
            assert row["expires_at"] is None and row["available_at_once"]
            by_customer.setdefault(row["customer_id"], []).append((row["points"], row["remaining"]))
        assert by_customer == {
            "in-debt": [(40, 0)],
            "spent-some": [(100, 0), (50, 30), (30, 30)],
            "untouched": [(25, 25)],
        }
        assert await conn.fetch(LOT_INVARIANT_BREACHES) == []
        last_activity = await conn.fetchval(
            "SELECT last_activity_at FROM accounts WHERE customer_id = 'spent-some'"
        )
        assert last_activity == day(4)
    finally:
        await conn.close()
