"""Redeem limits per period on real PostgreSQL: refusal, preview, what frees a period, the CLI
option, the index the period's read uses, and many tills at once never passing the limit."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import pytest
from typer.testing import CliRunner

from adapters.postgres.redeem_limits import USED_IN_PERIOD
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.commands import AdjustPoints, CancelRedemption, EnrolCustomer, PreviewRedemption, Redeem
from domain.errors import ConcurrentUpdate, RedemptionBlocked
from domain.events import EventKind
from domain.redeem_limits import LimitPeriod, PeriodLimitReached, RedeemLimit, period_bounds
from service.entrypoints.cli import app
from service.use_cases.accounts import Accounts
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.redemptions import Redemptions
from tests.fakes.clock import FakeClock
from tests.integration.conftest import given_programme
from tests.integration.ledger_queries import balance, entry_sum
from tests.support.events import customer_return, parsed, sale, sale_cancelled

pytestmark = pytest.mark.integration

PROGRAM_SET = ("program", "set", "cli-shop", "--earn-rate", "1", "--redemption-rate", "100")


@pytest.fixture
def clock() -> FakeClock:
    """Noon today (UTC): near what the database calls now, far from a period's edge."""
    today = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    return FakeClock(today)


async def limited_account(
    uow_factory: PostgresUnitOfWorkFactory, clock: FakeClock, limit: RedeemLimit, points: int
) -> UUID:
    await given_programme(uow_factory, "cafe", redeem_limit=limit)
    accounts = Accounts(uow_factory, clock)
    view = await accounts.enrol(EnrolCustomer("cafe", "zoe"))
    await accounts.adjust(AdjustPoints("cafe", view.account.account_id, points, "opening"))
    return view.account.account_id


def redeem(account_id: UUID, points: int, key: str, hold: bool = False) -> Redeem:
    return Redeem("cafe", account_id, points, key, f"fp-{key}", hold=hold)


async def test_past_the_limit_a_redemption_is_refused_and_cancelling_or_expiry_frees_it(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory, clock: FakeClock
) -> None:
    account_id = await limited_account(uow_factory, clock, RedeemLimit(300, LimitPeriod.DAY), 2000)
    till = Redemptions(uow_factory, clock)
    taken = await till.redeem(redeem(account_id, 200, "r1"))
    await till.redeem(redeem(account_id, 100, "h1", hold=True))

    quote = await till.preview(PreviewRedemption("cafe", account_id, 1))
    with pytest.raises(PeriodLimitReached, match="0 left"):
        await till.redeem(redeem(account_id, 1, "r2"))
    assert (quote.limit_left, quote.blocked and quote.blocked.value) == (0, "period_limit")

    clock.advance(minutes=31)  # the hold expires: its 100 points are free again
    assert (await till.preview(PreviewRedemption("cafe", account_id, 1))).limit_left == 100
    await till.cancel(CancelRedemption("cafe", taken.redemption.redemption_id, supervisor=True))
    assert (await till.preview(PreviewRedemption("cafe", account_id, 1))).limit_left == 300
    await till.redeem(redeem(account_id, 300, "r3"))

    assert await balance(pool, "cafe", "zoe") == 1700 == await entry_sum(pool, "cafe", "zoe")


async def test_points_a_sales_returns_give_back_free_the_period_again(
    uow_factory: PostgresUnitOfWorkFactory, clock: FakeClock
) -> None:
    """A redemption that paid for a sale stops counting in the share its returns gave back:
    a limit caps what is spent, and goods brought back were not kept."""
    account_id = await limited_account(uow_factory, clock, RedeemLimit(300, LimitPeriod.DAY), 2000)
    till = Redemptions(uow_factory, clock)
    held = await till.redeem(redeem(account_id, 300, "h1", hold=True))
    hold_id = str(held.redemption.redemption_id)
    apply = ApplyEventBatch(uow_factory, clock)
    paid = sale("cafe", "zoe", "40", loyalty_redemption_id=hold_id)
    await apply([parsed(EventKind.SALE_COMPLETED, paid)])
    assert (await till.preview(PreviewRedemption("cafe", account_id, 1))).limit_left == 0

    back = customer_return("cafe", paid["sale_id"], "10")
    await apply([parsed(EventKind.CUSTOMER_RETURN_CREATED, back)])
    assert (await till.preview(PreviewRedemption("cafe", account_id, 1))).limit_left == 75
    await apply([parsed(EventKind.SALE_CANCELLED, sale_cancelled("cafe", paid["sale_id"]))])
    assert (await till.preview(PreviewRedemption("cafe", account_id, 1))).limit_left == 300


async def test_concurrent_redeems_and_holds_never_pass_the_limit(
    database_url: str, uow_factory: PostgresUnitOfWorkFactory, clock: FakeClock
) -> None:
    account_id = await limited_account(
        uow_factory, clock, RedeemLimit(300, LimitPeriod.WEEK), 10_000
    )
    tills = await asyncpg.create_pool(database_url, min_size=16, max_size=16)
    till = Redemptions(PostgresUnitOfWorkFactory(tills), clock)

    async def attempt(i: int) -> str:
        try:
            await till.redeem(redeem(account_id, 10, f"race-{i}", hold=i % 2 == 0))
            return "ok"
        except RedemptionBlocked as error:
            return error.code
        except ConcurrentUpdate:
            return "conflict"

    try:
        outcomes = await asyncio.gather(*(attempt(i) for i in range(120)))
    finally:
        await tills.close()

    since, until = period_bounds(LimitPeriod.WEEK, clock.now())
    used = await uow_factory_used(uow_factory, account_id, since, until, clock.now())
    assert outcomes.count("ok") == 30
    assert set(outcomes) <= {"ok", "period_limit", "conflict"}
    assert used == 300


async def uow_factory_used(
    uow_factory: PostgresUnitOfWorkFactory,
    account_id: UUID,
    since: datetime,
    until: datetime,
    now: datetime,
) -> int:
    async with uow_factory() as uow:
        return await uow.redeem_limits.used_in_period("cafe", account_id, since, until, now)


async def test_the_periods_read_uses_the_index_for_redemptions_that_count(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory, clock: FakeClock
) -> None:
    account_id = await limited_account(uow_factory, clock, RedeemLimit(300, LimitPeriod.DAY), 100)
    since, until = period_bounds(LimitPeriod.DAY, clock.now())
    async with pool.acquire() as connection, connection.transaction():
        await connection.execute("SET LOCAL enable_seqscan = off")
        plan = await connection.fetchval(
            f"EXPLAIN (FORMAT JSON) {USED_IN_PERIOD}",
            "cafe",
            account_id,
            since,
            until,
            clock.now(),
        )

    assert "redemptions_counting_by_period" in json.dumps(plan)


def test_program_set_sets_keeps_and_removes_the_redeem_limit(database_url: str) -> None:
    def program_set(*options: str) -> object:
        result = CliRunner().invoke(
            app,
            [*PROGRAM_SET, *options],
            env={"LOYALTY_DATABASE_URL": database_url, "LOYALTY_LOG_FORMAT": "json"},
        )
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout[result.stdout.index("{") :])["redeem_limit"]

    assert program_set("--redeem-limit", "500/week") == {"points": 500, "period": "week"}
    assert program_set("--earn-rate", "2") == {"points": 500, "period": "week"}
    assert program_set("--no-redeem-limit") is None
