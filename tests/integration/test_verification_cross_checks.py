"""``loyalty verify`` holds purchases, refunds, redemptions and lot takes against the ledger:
each breach planted with SQL, as a bug or an attacker would leave it, is named; a clean
ledger gives nothing; what breaks no invariant is a notice, not a breach."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg
import pytest
from typer.testing import CliRunner

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from adapters.system_clock import SystemClock
from domain.commands import CancelRedemption, Redeem
from domain.events import EventKind
from domain.ledger import Attribution
from service.entrypoints.cli import app
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.redemptions import Redemptions
from service.use_cases.verification import verify_ledger
from tests.integration.conftest import given_customer, given_programme
from tests.support.events import customer_return, parsed, sale

pytestmark = pytest.mark.integration

SHOP = "audit-shop"
TILL = Attribution(store_id="store-1", terminal_id="till-1")  # may give back what it took


@dataclass(frozen=True)
class World:
    captured: UUID  # 20 points taken at once
    held: UUID  # 10 points on hold
    given_back: UUID  # 15 points captured, then cancelled
    released: UUID  # 5 points held, then cancelled
    captured_entry: UUID
    cancel_entry: UUID  # given_back's


async def redeem(redemptions: Redemptions, account: UUID, points: int, hold: bool) -> UUID:
    command = Redeem(
        SHOP, account, points, f"key-{points}", f"fp-{points}", hold=hold, attribution=TILL
    )
    return (await redemptions.redeem(command)).redemption.redemption_id


@pytest.fixture
async def world(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory, apply_events: ApplyEventBatch
) -> World:
    """amy earns 100 and returns 30 worth; bo earns 50; amy redeems four ways; a return
    waits for a sale not seen yet."""
    await given_programme(uow_factory, SHOP)
    for customer in ("amy", "bo"):
        await given_customer(uow_factory, SHOP, customer)
    amy_sale, bo_sale = sale(SHOP, "amy", "100.00"), sale(SHOP, "bo", "50.00")
    await apply_events(
        [
            parsed(EventKind.SALE_COMPLETED, amy_sale),
            parsed(EventKind.SALE_COMPLETED, bo_sale),
            parsed(
                EventKind.CUSTOMER_RETURN_CREATED, customer_return(SHOP, amy_sale["sale_id"], "30")
            ),
            parsed(EventKind.CUSTOMER_RETURN_CREATED, customer_return(SHOP, "sale-unseen", "5")),
        ]
    )
    amy = await pool.fetchval("SELECT account_id FROM accounts WHERE customer_id = 'amy'")
    redemptions = Redemptions(uow_factory, SystemClock())
    captured = await redeem(redemptions, amy, 20, hold=False)
    held = await redeem(redemptions, amy, 10, hold=True)
    given_back = await redeem(redemptions, amy, 15, hold=False)
    released = await redeem(redemptions, amy, 5, hold=True)
    for cancelled in (given_back, released):
        await redemptions.cancel(CancelRedemption(SHOP, cancelled, TILL))
    entries = await pool.fetchrow(
        "SELECT (SELECT entry_id FROM redemptions WHERE redemption_id = $1),"
        " (SELECT cancel_entry_id FROM redemptions WHERE redemption_id = $2)",
        captured,
        given_back,
    )
    return World(captured, held, given_back, released, *entries)


def copy_entry(entry: object, **changes: str) -> str:
    """SQL adding a copy of an entry (new id, far later seq) with some columns changed."""
    sets = "".join(f", {column} = {value}" for column, value in changes.items())
    return (
        f"CREATE TEMP TABLE copied AS SELECT * FROM ledger_entries WHERE entry_id = '{entry}';"
        f" UPDATE copied SET entry_id = gen_random_uuid(), seq = seq + 1000{sets};"
        " INSERT INTO ledger_entries SELECT * FROM copied; DROP TABLE copied;"
    )


PLANTS: dict[str, tuple[str, str]] = {
    "a purchase earning other than its earn entry": (
        "UPDATE purchases SET points_earned = points_earned + 5 WHERE customer_id = 'bo'",
        "earned 55 but its earn entry",
    ),
    "an earn entry no purchase claims": (
        "UPDATE purchases SET earn_entry_id = NULL, points_earned = 0 WHERE customer_id = 'bo'",
        "belongs to no purchase",
    ),
    "a purchase reversing other than its reversal entries": (
        "UPDATE purchases SET points_reversed = 29 WHERE customer_id = 'amy'",
        "reversed 29 but its reversal entries take 30",
    ),
    "a refund reversing other than its reversal entry": (
        "UPDATE refunds SET points_reversed = 31 WHERE status = 'applied'",
        "(applied) reversed 31 but has 1 reversal entries taking 30",
    ),
    "an applied refund recorded as skipped": (
        "UPDATE refunds SET status = 'skipped', points_reversed = 0 WHERE status = 'applied'",
        "(skipped) reversed 0 but has 1 reversal entries taking 30",
    ),
    "a reversal entry no refund claims": (
        "DELETE FROM refunds WHERE status = 'applied'",
        "belongs to no refund",
    ),
    "a captured redemption of more points than its capture entry took": (
        "UPDATE redemptions SET points = 21 WHERE redemption_id = '{w.captured}'",
        "(captured, 21 points) does not match its capture entry",
    ),
    "a hold recorded as captured with no capture entry": (
        "UPDATE redemptions SET status = 'captured' WHERE redemption_id = '{w.held}'",
        "(captured, 10 points) has no capture entry",
    ),
    "a captured redemption recorded as expired": (
        "UPDATE redemptions SET status = 'expired', entry_id = NULL"
        " WHERE redemption_id = '{w.captured}'",
        "(expired, 20 points) was never captured but has a capture entry",
    ),
    "a redemption captured twice": (
        copy_entry("{w.captured_entry}"),
        "(captured, 20 points) is captured by 2 entries",
    ),
    "an expired hold with a capture entry": (
        "UPDATE redemptions SET status = 'expired' WHERE redemption_id = '{w.held}';"
        + copy_entry("{w.captured_entry}", source_ref="'{w.held}'", points="-10"),
        "(expired, 10 points) was never captured but has a capture entry",
    ),
    "a captured redemption cancelled without its cancel entry": (
        "UPDATE redemptions SET cancel_entry_id = NULL WHERE redemption_id = '{w.given_back}'",
        "(cancelled, 15 points) does not match its cancel entry",
    ),
    "a cancel entry for a hold released before capture": (
        copy_entry("{w.cancel_entry}", source_ref="'{w.released}'", points="5"),
        "(cancelled, 5 points) was not cancelled after capture but has a cancel entry",
    ),
    "a capture entry naming no redemption": (
        copy_entry("{w.captured_entry}", source_ref="gen_random_uuid()::text"),
        "names no redemption",
    ),
    "lot takes short of their entry": (
        "UPDATE lot_takes SET points = points - 1 WHERE entry_id = '{w.captured_entry}'",
        "took 19 from lots, not 20",
    ),
    "lot takes of an entry deleted": (
        "DELETE FROM lot_takes WHERE entry_id = '{w.captured_entry}'",
        "took 0 from lots, not 20",
    ),
    "a lot given back its taken points": (
        "UPDATE point_lots SET remaining = points"
        " WHERE lot_id IN (SELECT lot_id FROM lot_takes WHERE entry_id = '{w.captured_entry}')",
        "left after takes of",
    ),
    "a take from another account's lot": (
        "UPDATE lot_takes SET lot_id = (SELECT lot_id FROM point_lots l JOIN accounts a"
        " USING (business_id, account_id) WHERE a.customer_id = 'bo')"
        " WHERE entry_id = '{w.captured_entry}'",
        "is not by a negative entry from a lot of its account",
    ),
}


async def test_a_clean_ledger_gives_no_breach_and_no_notice(
    uow_factory: PostgresUnitOfWorkFactory, world: World
) -> None:
    report = await verify_ledger(uow_factory, None, 300)

    assert (report.breaches, report.notices) == ([], [])
    # Their card_created entries, earns of amy and bo, amy's reversal, two captures and the
    # cancel of one of them.
    assert (report.entries_checked, report.accounts_checked) == (8, 2)


@pytest.mark.parametrize("plant", PLANTS, ids=lambda name: name.replace(" ", "_"))
async def test_verify_names_each_breach_planted_with_sql(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory, world: World, plant: str
) -> None:
    sql, expected = PLANTS[plant]
    async with pool.acquire() as attacker:
        await attacker.execute(sql.format(w=world))

    report = await verify_ledger(uow_factory, None, 300)

    named = [breach for breach in report.breaches if expected in breach]
    assert named, f"{expected!r} not among {report.breaches}"
    assert not report.ok


async def test_a_return_for_more_than_its_sale_is_a_notice_not_a_breach(
    uow_factory: PostgresUnitOfWorkFactory, apply_events: ApplyEventBatch, world: World
) -> None:
    bought = sale(SHOP, "bo", "50.00")
    returned = customer_return(SHOP, bought["sale_id"], "80")
    await apply_events(
        [
            parsed(EventKind.SALE_COMPLETED, bought),
            parsed(EventKind.CUSTOMER_RETURN_CREATED, returned),
        ]
    )

    report = await verify_ledger(uow_factory, None, 300)

    assert report.ok, report.breaches
    [notice] = report.notices
    assert notice.endswith(f"sale:{bought['sale_id']} was refunded 80 EUR of a 50.00 total")


async def test_a_return_parked_longer_than_the_bound_is_a_notice_not_a_breach(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory, world: World
) -> None:
    await pool.execute(
        "UPDATE inbox SET processed_at = now() - interval '8 days' WHERE status = 'parked'"
    )

    by_default = await verify_ledger(uow_factory, None, 300)
    with_a_longer_bound = await verify_ledger(uow_factory, None, 300, 9 * 24 * 3600)

    assert by_default.ok and with_a_longer_bound.ok
    [notice] = by_default.notices
    assert "parked since" in notice and "waiting for sale:sale-unseen" in notice
    assert with_a_longer_bound.notices == []


def verify_command(database_url: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app, ["verify"], env={"LOYALTY_DATABASE_URL": database_url, "LOYALTY_LOG_FORMAT": "json"}
    )
    return result.exit_code, result.output


@pytest.fixture
async def long_parked(pool: asyncpg.Pool, world: World) -> None:
    await pool.execute(
        "UPDATE inbox SET processed_at = now() - interval '8 days' WHERE status = 'parked'"
    )


@pytest.fixture
async def captured_twice(pool: asyncpg.Pool, world: World) -> None:
    await pool.execute(copy_entry("{w.captured_entry}").format(w=world))


def test_the_verify_command_prints_notices_and_still_exits_0(
    database_url: str, long_parked: None
) -> None:
    code, output = verify_command(database_url)

    assert code == 0, output
    assert "NOTICE: refund audit-shop/return:" in output
    assert "0 breach(es), 1 notice(s)" in output


def test_the_verify_command_exits_1_on_a_breach(database_url: str, captured_twice: None) -> None:
    code, output = verify_command(database_url)

    assert code == 1
    assert "BREACH: redemption audit-shop/" in output and "is captured by 2 entries" in output
