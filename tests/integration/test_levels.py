"""Levels on real PostgreSQL: level changes stored and rendered for the outbox with their
levels, histories read back across batches, the review sweep once, even when two race."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import asyncpg
import pytest

from adapters.postgres.outbox import MESSAGE
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.events import EventKind
from domain.levels import Level, LevelBasis, TierPolicy
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.level_review import ReviewLevels
from tests.fakes.clock import FakeClock
from tests.integration.conftest import given_customer, given_programme
from tests.support.events import parsed, sale

pytestmark = pytest.mark.integration

TIERS = TierPolicy(
    (
        Level("Silver", Decimal(100), Decimal("1.5")),
        Level("Gold", Decimal(500), Decimal(2), "Lounge"),
    ),
    LevelBasis.POINTS,
    30,
)
DAY0 = datetime(2026, 6, 1, 12, tzinfo=UTC)


def on(day: int) -> str:
    return (DAY0 + timedelta(days=day)).isoformat()


async def _shop(uows: PostgresUnitOfWorkFactory, business: str) -> None:
    await given_programme(uows, business, tiers=TIERS)
    await given_customer(uows, business, "ann")


async def _sales(uows: PostgresUnitOfWorkFactory, business: str, *sales: tuple[str, int]) -> None:
    clock = FakeClock(DAY0 + timedelta(days=400))
    await ApplyEventBatch(uows, clock)(
        [
            parsed(EventKind.SALE_COMPLETED, sale(business, "ann", total, occurred_at=on(day)))
            for total, day in sales
        ]
    )


async def _changes(pool: asyncpg.Pool, business: str) -> list[tuple[str | None, str | None]]:
    rows = await pool.fetch(
        "SELECT level_before, level_after FROM ledger_entries"
        " WHERE business_id = $1 AND kind = 'level_change' ORDER BY seq",
        business,
    )
    return [(r["level_before"], r["level_after"]) for r in rows]


async def test_sales_crossing_thresholds_store_level_changes_and_publish_their_levels(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    business = "levels-shop-1"
    await _shop(uow_factory, business)

    await _sales(uow_factory, business, ("120", 1))
    await _sales(uow_factory, business, ("300", 2), ("10", 3))  # 120 + 450 reaches Gold

    rows = await pool.fetch(
        "SELECT kind, points, level_after, description FROM ledger_entries"
        " WHERE business_id = $1 AND kind IN ('earn', 'level_change') ORDER BY seq",
        business,
    )
    assert [(r["kind"], r["points"], r["level_after"]) for r in rows] == [
        ("earn", 120, None),
        ("level_change", 0, "Silver"),
        ("earn", 450, None),
        ("level_change", 0, "Gold"),
        ("earn", 20, None),
    ]
    assert rows[-1]["description"].endswith(" at Gold")
    level = await pool.fetchval("SELECT level FROM accounts WHERE business_id = $1", business)
    assert level == "Gold"
    messages = await pool.fetch(
        f"SELECT {MESSAGE}::text AS body FROM outbox o JOIN ledger_entries e"
        " ON e.business_id = o.business_id AND e.entry_id = o.entry_id"
        " WHERE o.business_id = $1 ORDER BY o.outbox_id",
        business,
    )
    published = [json.loads(m["body"]) for m in messages]
    changes = [m for m in published if m["kind"] == "level_change"]
    assert [(m["level_before"], m["level_after"], m["bucket"]) for m in changes] == [
        (None, "Silver", "level"),
        ("Silver", "Gold", "level"),
    ]


async def test_a_review_downgrades_once_even_when_two_race(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    business = "levels-shop-2"
    await _shop(uow_factory, business)
    await _sales(uow_factory, business, ("600", 1))
    clock = FakeClock(DAY0 + timedelta(days=400))
    review_at = DAY0 + timedelta(days=45)

    reports = await asyncio.gather(
        ReviewLevels(uow_factory, clock)(review_at, business),
        ReviewLevels(uow_factory, clock)(review_at, business),
    )
    again = await ReviewLevels(uow_factory, clock)(review_at, business)

    assert sorted(r.downgraded for r in reports) == [0, 1]
    assert again.downgraded == 0
    assert await _changes(pool, business) == [(None, "Gold"), ("Gold", None)]
    moment = await pool.fetchval(
        "SELECT occurred_at FROM ledger_entries WHERE business_id = $1"
        " AND kind = 'level_change' AND level_before = 'Gold'",
        business,
    )
    assert moment == datetime(2026, 7, 16, tzinfo=UTC)
    level = await pool.fetchval("SELECT level FROM accounts WHERE business_id = $1", business)
    assert level is None


async def test_histories_read_back_between_batches_give_what_one_batch_gives(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    """Late sales and the window's edges: every batch reads what the ones before it wrote."""
    sales = [("60", 0), ("50", 29), ("30", 31), ("400", 10), ("80", 40), ("200", 69), ("9", 70)]
    await _shop(uow_factory, "levels-whole")
    await _shop(uow_factory, "levels-split")

    await _sales(uow_factory, "levels-whole", *sales)
    for one in sales:
        await _sales(uow_factory, "levels-split", one)

    shapes = []
    for business in ("levels-whole", "levels-split"):
        rows = await pool.fetch(
            "SELECT kind, points, level_before, level_after, occurred_at FROM ledger_entries"
            " WHERE business_id = $1 AND kind <> 'card_created' ORDER BY seq",
            business,
        )
        shapes.append([tuple(r) for r in rows])
    assert shapes[0] == shapes[1]
    assert ("level_change", 0, None, "Silver", DAY0 + timedelta(days=10)) in shapes[0]
