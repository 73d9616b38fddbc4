"""The operators' queries on real PostgreSQL: what each answers, that another business's rows
never show, and that paging never repeats or skips a row while entries keep arriving."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from adapters.postgres.reports import PostgresReports
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.commands import ListTransactions
from domain.errors import AccountNotFound
from domain.ledger import Bucket, EntryKind
from domain.reports import DayRange, ExpiringQuery, LevelQuery, MovementQuery, ReferralQuery
from service.use_cases.reports import Reports
from tests.fakes.clock import FakeClock
from tests.integration.report_world import World

pytestmark = pytest.mark.integration

SHOP, RIVAL = "report-shop", "rival-shop"
NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
MARCH = DayRange(date(2026, 3, 1), date(2026, 3, 31))


@pytest.fixture
async def world(uow_factory: PostgresUnitOfWorkFactory) -> World:
    made = World(uow_factory, FakeClock(NOW))
    await made.business(SHOP)
    await made.business(RIVAL)
    return made


@pytest.fixture
def reports(pool: asyncpg.Pool) -> Reports:
    return Reports(PostgresReports(pool), FakeClock(NOW))


def days_ago(days: float) -> datetime:
    return NOW - timedelta(days=days)


async def test_points_expiring_within_a_week_are_this_business_lots_soonest_first_with_a_total(
    world: World, reports: Reports
) -> None:
    await world.post(SHOP, "ann", EntryKind.ADJUSTMENT, 100, days_ago(25))  # expires in 5 days
    await world.post(SHOP, "bob", EntryKind.ADJUSTMENT, 40, days_ago(28))  # in 2 days
    await world.post(SHOP, "ann", EntryKind.ADJUSTMENT, 70, days_ago(10))  # in 20 days
    await world.post(SHOP, "ann", EntryKind.REDEMPTION, -30, days_ago(1))  # first expiring first
    await world.post(RIVAL, "cy", EntryKind.ADJUSTMENT, 500, days_ago(28))

    page = await reports.expiring(ExpiringQuery(SHOP, within_days=7))
    ann = await reports.expiring(ExpiringQuery(SHOP, 7, account_id=world.ids[(SHOP, "ann")]))

    assert [(lot.customer_id, lot.points) for lot in page.lots] == [("bob", 40), ("ann", 70)]
    assert [lot.expires_at for lot in page.lots] == [NOW + timedelta(days=2), days_ago(-5)]
    assert (page.total.points, page.total.lots, page.total.accounts) == (110, 2, 2)
    assert page.until == NOW + timedelta(days=7) and page.next_after is None
    assert [(lot.customer_id, lot.points) for lot in ann.lots] == [("ann", 70)]
    assert ann.total.points == 70


async def test_an_account_of_another_business_is_not_found_by_the_account_reports(
    world: World, reports: Reports
) -> None:
    rivals = await world.customer(RIVAL, "cy")

    with pytest.raises(AccountNotFound):
        await reports.expiring(ExpiringQuery(SHOP, 7, account_id=rivals))
    with pytest.raises(AccountNotFound):
        await reports.referrals(ReferralQuery(SHOP, MARCH, account_id=rivals))


async def test_referral_earnings_net_bonuses_less_reversals_naming_the_referred_in_the_range(
    world: World, reports: Reports
) -> None:
    ann, bob, cy = [await world.customer(SHOP, name) for name in ("ann", "bob", "cy")]
    on = datetime(2026, 3, 2, tzinfo=UTC)
    await world.post(SHOP, "rita", EntryKind.REFERRAL_BONUS, 100, on, referred=ann)
    await world.post(SHOP, "ann", EntryKind.REFERRAL_BONUS, 50, on)
    await world.post(SHOP, "rita", EntryKind.REFERRAL_BONUS, 100, on, referred=bob)
    await world.post(SHOP, "rita", EntryKind.REFERRAL_REVERSAL, -100, on, referred=bob)
    await world.post(
        SHOP, "rita", EntryKind.REFERRAL_BONUS, 100, on - timedelta(days=2), referred=cy
    )
    await world.post(SHOP, "rita", EntryKind.ADJUSTMENT, 7, on)  # not a referral
    await world.post(RIVAL, "rex", EntryKind.REFERRAL_BONUS, 100, on)

    page = await reports.referrals(ReferralQuery(SHOP, MARCH))

    by_customer = {row.customer_id: row for row in page.earnings}
    assert set(by_customer) == {"rita", "ann"}
    rita = by_customer["rita"]
    assert (rita.points, rita.bonuses, rita.reversals) == (100, 2, 1)
    assert set(rita.referred_account_ids) == {ann, bob}
    assert (by_customer["ann"].points, by_customer["ann"].referred_account_ids) == (50, ())
    assert (page.total.points, page.total.bonuses, page.total.reversals) == (150, 3, 1)
    assert page.total.accounts == 2
    february = await reports.referrals(
        ReferralQuery(SHOP, DayRange(date(2026, 2, 28), date(2026, 2, 28)))
    )
    assert [(r.customer_id, r.points) for r in february.earnings] == [("rita", 100)]


async def test_movements_sum_points_by_bucket_per_utc_day_and_store(
    world: World, reports: Reports
) -> None:
    first, second = datetime(2026, 3, 1, 10, tzinfo=UTC), datetime(2026, 3, 2, 0, 30, tzinfo=UTC)
    late_evening = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)  # still 1 March in UTC
    await world.post(SHOP, "ann", EntryKind.EARN, 100, first, store="s-1")
    await world.post(SHOP, "ann", EntryKind.REDEMPTION, -30, late_evening, store="s-1")
    await world.post(SHOP, "ann", EntryKind.ADJUSTMENT, 5, first)
    await world.post(SHOP, "bob", EntryKind.EARN, 20, second, store="s-2")
    await world.post(SHOP, "bob", EntryKind.EXPIRY, -10, second, store="s-2")
    await world.post(RIVAL, "cy", EntryKind.EARN, 900, first, store="s-1")

    page = await reports.movements(
        MovementQuery(SHOP, DayRange(date(2026, 3, 1), date(2026, 3, 2)))
    )

    moved = [
        (row.day.day, row.store_id, nonzero(row.points), row.entries) for row in page.movements
    ]
    assert moved == [
        (1, None, {Bucket.ADMIN: 5}, 1),
        (1, "s-1", {Bucket.PURCHASE: 100, Bucket.REDEMPTION: -30}, 2),
        (2, "s-2", {Bucket.PURCHASE: 20, Bucket.EXPIRY: -10}, 2),
    ]
    assert [bucket for bucket, _ in page.movements[0].points] == list(Bucket)


def nonzero(points: tuple[tuple[Bucket, int], ...]) -> dict[Bucket, int]:
    return {bucket: value for bucket, value in points if value}


async def test_members_per_level_count_cards_not_closed_with_the_base_level_first(
    world: World, reports: Reports, pool: asyncpg.Pool
) -> None:
    for name, level in (("ann", "gold"), ("bob", "silver"), ("dan", "gold"), ("eve", "gold")):
        await world.post(SHOP, name, EntryKind.LEVEL_CHANGE, 0, NOW, level=level)
    await world.customer(SHOP, "cy")
    await world.post(RIVAL, "rex", EntryKind.LEVEL_CHANGE, 0, NOW, level="gold")
    await pool.execute(
        "UPDATE accounts SET status = 'closed' WHERE account_id = $1", world.ids[(SHOP, "dan")]
    )

    page = await reports.levels(LevelQuery(SHOP))
    first = await reports.levels(LevelQuery(SHOP, limit=1))
    rest = await reports.levels(LevelQuery(SHOP, limit=1, after=first.next_after))

    assert [(row.level, row.members) for row in page.levels] == [
        (None, 1),
        ("gold", 2),
        ("silver", 1),
    ]
    assert [row.level for row in first.levels + rest.levels] == [None, "gold"]


async def every_page(fetch: Any, between: Any) -> list[Any]:
    """Rows of every page, calling ``between`` after each page (before the next one)."""
    rows: list[Any] = []
    after = None
    while True:
        page_rows, after = await fetch(after)
        rows += page_rows
        if after is None:
            return rows
        await between()


async def test_paging_every_report_never_repeats_or_skips_a_row_while_entries_arrive(
    world: World, reports: Reports
) -> None:
    rng = random.Random(15)
    day = datetime(2026, 3, 5, tzinfo=UTC)
    for n in range(9):
        moment = day - timedelta(days=rng.randrange(6), hours=rng.randrange(24))
        name, store = f"c{n % 4}", rng.choice(["s-1", "s-2", "s-3", None])
        await world.post(SHOP, name, EntryKind.ADJUSTMENT, 10 + n, days_ago(24 + n % 5))
        await world.post(SHOP, name, EntryKind.EARN, 5, moment, store=store)
        referrer = f"r{n}"
        await world.post(SHOP, referrer, EntryKind.REFERRAL_BONUS, 100, moment)
    before_expiring = await reports.expiring(ExpiringQuery(SHOP, 7, limit=200))
    before_moves = await reports.movements(MovementQuery(SHOP, MARCH, limit=200))
    before_referrals = await reports.referrals(ReferralQuery(SHOP, MARCH, limit=200))
    counter = iter(range(100, 10_000))

    async def arrive() -> None:  # new rows, sorting before and after where paging stands
        for _ in range(2):
            n = next(counter)
            await world.post(SHOP, f"n{n}", EntryKind.ADJUSTMENT, 3, days_ago(rng.uniform(23, 30)))
            moment = day - timedelta(days=rng.randrange(6), hours=rng.randrange(24))
            store = rng.choice(["s-0", "s-2", "s-9", None])
            await world.post(SHOP, f"n{n}", EntryKind.EARN, 1, moment, store=store)
            await world.post(SHOP, f"n{n}", EntryKind.REFERRAL_BONUS, 1, moment)

    async def expiring(after: Any) -> Any:
        page = await reports.expiring(ExpiringQuery(SHOP, 7, limit=2, after=after))
        return [lot.lot_id for lot in page.lots], page.next_after

    async def movements(after: Any) -> Any:
        page = await reports.movements(MovementQuery(SHOP, MARCH, limit=2, after=after))
        return [row.key for row in page.movements], page.next_after

    async def referrals(after: Any) -> Any:
        page = await reports.referrals(ReferralQuery(SHOP, MARCH, limit=2, after=after))
        return [row.account_id for row in page.earnings], page.next_after

    lots = await every_page(expiring, arrive)
    keys = await every_page(movements, arrive)
    accounts: list[UUID] = await every_page(referrals, arrive)

    for seen, before in (
        (lots, [lot.lot_id for lot in before_expiring.lots]),
        (keys, [row.key for row in before_moves.movements]),
        (accounts, [row.account_id for row in before_referrals.earnings]),
    ):
        assert len(seen) == len(set(seen)), "a row came twice"
        assert set(before) <= set(seen), "a row that was there was skipped"


async def test_the_history_filters_by_bucket_and_by_kind_newest_first_a_page_at_a_time(
    world: World, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    at = datetime(2026, 3, 1, tzinfo=UTC)
    await world.post(SHOP, "ann", EntryKind.EARN, 100, at)
    await world.post(SHOP, "ann", EntryKind.ADJUSTMENT, 5, at)
    await world.post(SHOP, "ann", EntryKind.REDEMPTION, -30, at)
    await world.post(SHOP, "ann", EntryKind.EARN, 10, at)
    ann = world.ids[(SHOP, "ann")]
    accounts = world.accounts

    async def kinds(**filters: Any) -> list[EntryKind]:
        found, before = [], None
        while True:
            page = await accounts.transactions(
                ListTransactions(SHOP, ann, limit=1, before_seq=before, **filters)
            )
            found += [entry.kind for entry in page.entries]
            if page.next_before_seq is None:
                return found
            before = page.next_before_seq

    earn, redeem = EntryKind.EARN, EntryKind.REDEMPTION
    assert await kinds(buckets=(Bucket.PURCHASE, Bucket.REDEMPTION)) == [earn, redeem, earn]
    assert await kinds(kinds=(EntryKind.ADJUSTMENT,)) == [EntryKind.ADJUSTMENT]
    assert await kinds(kinds=(earn,), buckets=(Bucket.REDEMPTION,)) == []
    assert (await kinds()).count(earn) == 2
