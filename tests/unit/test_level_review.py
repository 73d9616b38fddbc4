"""The level review sweep on the fakes: downgrades at the review moment, once."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain.events import InboundEvent
from domain.ledger import EntryKind
from domain.levels import Level, LevelBasis, TierPolicy
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.level_review import LevelReviewReport, ReviewLevels
from tests.fakes import FakeStore, FakeUnitOfWorkFactory
from tests.fakes.clock import FakeClock
from tests.unit.builders import BUSINESS, RECORDED_AT, account, at, programme, rule, sale

pytestmark = pytest.mark.unit

SILVER = Level("Silver", Decimal(100), Decimal("1.5"))
GOLD = Level("Gold", Decimal(500), Decimal(2))
ROLLING = TierPolicy((SILVER, GOLD), LevelBasis.POINTS, 30)


def _world(tiers: TierPolicy, *events: InboundEvent) -> tuple[FakeStore, FakeUnitOfWorkFactory]:
    holder = account("c1")
    store = FakeStore(programmes={BUSINESS: programme(replace(rule(), tiers=tiers))})
    store.accounts[(BUSINESS, holder.account_id)] = holder
    uows = FakeUnitOfWorkFactory(store)
    asyncio.run(ApplyEventBatch(uows, FakeClock(RECORDED_AT))(list(events)))
    return store, uows


def _review(uows: FakeUnitOfWorkFactory, when: datetime) -> LevelReviewReport:
    return asyncio.run(ReviewLevels(uows, FakeClock(RECORDED_AT))(when))


def _levels(store: FakeStore) -> list[tuple[str | None, str | None, datetime]]:
    return [
        (e.level_before, e.level_after, e.occurred_at)
        for e in store.entries
        if e.kind is EntryKind.LEVEL_CHANGE
    ]


def test_a_rolling_review_moves_down_at_midnight_utc_once() -> None:
    store, uows = _world(
        ROLLING, sale("s1", "600", occurred_at=at(1)), sale("s2", "150", occurred_at=at(20))
    )
    midnight = datetime(2025, 4, 2, tzinfo=UTC)  # day 32 after T0 (Mar 1 12:00)

    first = _review(uows, datetime(2025, 4, 2, 15, 45, tzinfo=UTC))
    again = _review(uows, datetime(2025, 4, 2, 23, 0, tzinfo=UTC))

    assert (first.accounts, first.downgraded, again.downgraded) == (1, 1, 0)
    assert _levels(store)[-1] == ("Gold", "Silver", midnight)
    review = store.entries[-1]
    assert review.points == 0
    assert review.source_ref == f"level review {midnight.isoformat()}"
    [holder] = store.accounts.values()
    assert holder.level == "Silver"


def test_a_review_inside_the_window_keeps_the_level() -> None:
    store, uows = _world(ROLLING, sale("s1", "600", occurred_at=at(1)))

    report = _review(uows, at(days=20))

    assert report.downgraded == 0
    assert _levels(store) == [(None, "Gold", at(1))]


def test_a_calendar_level_holds_through_the_next_year_and_goes_after_it() -> None:
    calendar = replace(ROLLING, window_days=None)
    store, uows = _world(calendar, sale("s1", "600", occurred_at=at(1)))

    kept = _review(uows, datetime(2026, 6, 1, tzinfo=UTC))
    gone = _review(uows, datetime(2027, 1, 1, 8, tzinfo=UTC))

    assert (kept.downgraded, gone.downgraded) == (0, 1)
    assert _levels(store)[-1] == ("Gold", None, datetime(2027, 1, 1, tzinfo=UTC))
    [holder] = store.accounts.values()
    assert holder.level is None


def test_a_review_for_another_business_leaves_this_one_alone() -> None:
    store, uows = _world(ROLLING, sale("s1", "600", occurred_at=at(1)))

    report = asyncio.run(ReviewLevels(uows, FakeClock(RECORDED_AT))(at(days=90), "elsewhere"))

    assert report == LevelReviewReport()
    assert len(_levels(store)) == 1


def test_a_sale_after_a_downgrade_earns_at_the_lower_level() -> None:
    store, uows = _world(ROLLING, sale("s1", "600", occurred_at=at(1)))
    _review(uows, at(days=40))

    asyncio.run(
        ApplyEventBatch(uows, FakeClock(RECORDED_AT))([sale("s2", "10", occurred_at=at(41))])
    )

    assert store.entries[-1].points == 10
