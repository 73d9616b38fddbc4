"""The expiry sweep on real PostgreSQL: distinct expiries, held points kept, and one account
the database refuses never stopping the sweep for the others."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest

from adapters.postgres.errors import is_conflict_error, is_transient_database_error
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.commands import AdjustPoints, CaptureRedemption, EnrolCustomer, Redeem
from domain.events import EventKind
from service.entrypoints.settings import Settings
from service.use_cases.accounts import Accounts
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.expiry import ExpirePoints
from service.use_cases.redemptions import Redemptions
from service.use_cases.verification import verify_ledger
from tests.fakes.clock import FakeClock
from tests.integration.test_point_lots import LOT_INVARIANT_BREACHES, day, on, shop
from tests.support.events import parsed, sale
from tests.support.process import LOYALTY

pytestmark = pytest.mark.integration


def sweeper(uows: PostgresUnitOfWorkFactory, clock: FakeClock, chunk: int = 500) -> ExpirePoints:
    return ExpirePoints(
        uows,
        clock,
        chunk=chunk,
        is_transient=is_transient_database_error,
        is_conflict=is_conflict_error,
    )


async def balances(pool: asyncpg.Pool) -> dict[str, int]:
    return dict(await pool.fetch("SELECT customer_id, balance FROM accounts"))


async def test_an_adjustment_after_an_inactivity_expiry_is_expired_without_stalling_the_sweep(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    clock = FakeClock(day(1))
    account_id = await shop(uow_factory, clock, inactivity_days=90)
    await ApplyEventBatch(uow_factory, clock)(
        [parsed(EventKind.SALE_COMPLETED, sale("shop", "ann", "50", occurred_at=on(0)))]
    )
    first = await sweeper(uow_factory, clock)(day(91))
    clock.moment = day(92)
    await Accounts(uow_factory, clock).adjust(
        AdjustPoints("shop", account_id, 30, reason="goodwill")
    )

    second = await sweeper(uow_factory, clock)(day(93))
    again = await sweeper(uow_factory, clock)(day(93))

    assert (first.points, second.points, again.points) == (50, 30, 0)
    rows = await pool.fetch(
        "SELECT points, reason FROM ledger_entries WHERE kind = 'expiry' ORDER BY seq"
    )
    assert [(r["points"], r["reason"]) for r in rows] == [(-50, "inactivity"), (-30, "inactivity")]
    assert await balances(pool) == {"ann": 0}
    assert await pool.fetch(LOT_INVARIANT_BREACHES) == []
    assert (await verify_ledger(uow_factory, "shop", 1e9)).ok


async def test_points_on_a_live_hold_outlast_their_lot_until_the_hold_is_captured(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    clock = FakeClock(day(30) - timedelta(minutes=10))
    account_id = await shop(uow_factory, clock, points_validity_days=30)
    await ApplyEventBatch(uow_factory, clock)(
        [parsed(EventKind.SALE_COMPLETED, sale("shop", "ann", "100", occurred_at=on(0)))]
    )
    redemptions = Redemptions(uow_factory, clock)
    held = await redemptions.redeem(Redeem("shop", account_id, 80, "k1", "k1", hold=True))

    clock.moment = day(30) + timedelta(minutes=5)  # the lot expired, the hold is live
    swept = await sweeper(uow_factory, clock)()
    await redemptions.capture(CaptureRedemption("shop", held.redemption.redemption_id))

    assert swept.points == 20
    assert await balances(pool) == {"ann": 0}
    assert await pool.fetch(LOT_INVARIANT_BREACHES) == []
    assert (await verify_ledger(uow_factory, "shop", 1e9)).ok


REFUSE_ONE_ACCOUNT = """
CREATE FUNCTION refuse_bad_expiry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kind = 'expiry' AND NEW.customer_id = 'bad' THEN
        RAISE EXCEPTION 'a row this account cannot take';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER refuse_bad_expiry BEFORE INSERT ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION refuse_bad_expiry();
"""


@pytest.mark.parametrize("chunk", [1, 500])
async def test_an_account_the_database_refuses_is_skipped_and_the_others_expire(
    chunk: int, pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    clock = FakeClock(day(1))
    await shop(uow_factory, clock, points_validity_days=30)
    customers = ["bad", *(f"c{n}" for n in range(5))]
    for customer in customers:
        await Accounts(uow_factory, clock).enrol(EnrolCustomer("shop", customer))
    await ApplyEventBatch(uow_factory, clock)(
        [
            parsed(EventKind.SALE_COMPLETED, sale("shop", c, "40", occurred_at=on(0)))
            for c in ["ann", *customers]
        ]
    )
    await pool.execute(REFUSE_ONE_ACCOUNT)

    report = await sweeper(uow_factory, clock, chunk)(day(31))

    assert (report.accounts, report.points, report.failed) == (6, 240, 1)
    assert await balances(pool) == {"bad": 40} | {c: 0 for c in ["ann", *customers[1:]]}
    assert await pool.fetch(LOT_INVARIANT_BREACHES) == []


async def test_loyalty_expire_reports_an_account_it_could_not_expire_and_exits_1(
    database_url: str, uow_factory: PostgresUnitOfWorkFactory, tmp_path: Path
) -> None:
    clock = FakeClock(day(1))
    await shop(uow_factory, clock, points_validity_days=30)
    await Accounts(uow_factory, clock).enrol(EnrolCustomer("shop", "bad"))
    await ApplyEventBatch(uow_factory, clock)(
        [
            parsed(EventKind.SALE_COMPLETED, sale("shop", c, "40", occurred_at=on(0)))
            for c in ("ann", "bad")
        ]
    )
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(REFUSE_ONE_ACCOUNT)
    finally:
        await conn.close()

    command = await asyncio.create_subprocess_exec(
        LOYALTY,
        "expire",
        "--now",
        day(31).isoformat(),
        env=Settings(database_url=database_url).as_env(),
        cwd=tmp_path,  # no .loyalty/dev.env here
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(command.communicate(), timeout=60)

    assert command.returncode == 1, err.decode()
    assert "expired 40 points in 1 entries over 1 accounts" in out.decode()
    assert "could not expire 1 accounts" in err.decode()
