"""Levels as sales are applied (domain.level_batch through ApplyEventBatch on the fakes): the
level in force at a sale's time multiplies its earning, a sale crossing a threshold posts a
level change after its earn, late sales freeze what came before, returns never downgrade."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.events import InboundEvent
from domain.ledger import EntryKind, LedgerEntry
from domain.levels import Level, LevelBasis, TierPolicy
from service.use_cases.event_intake import ApplyEventBatch
from tests.fakes import FakeStore, FakeUnitOfWorkFactory
from tests.fakes.clock import FakeClock
from tests.unit.builders import (
    BUSINESS,
    RECORDED_AT,
    account,
    at,
    customer_return,
    programme,
    rule,
    sale,
)

pytestmark = pytest.mark.unit

SILVER = Level("Silver", Decimal(100), Decimal("1.5"))
GOLD = Level("Gold", Decimal(500), Decimal(2), "Free coffee")
TIERS = TierPolicy((SILVER, GOLD), LevelBasis.POINTS, 30)


def _world(tiers: TierPolicy | None = TIERS) -> tuple[FakeStore, FakeUnitOfWorkFactory]:
    holder = account("c1")
    store = FakeStore(programmes={BUSINESS: programme(replace(rule(), tiers=tiers))})
    store.accounts[(BUSINESS, holder.account_id)] = holder
    return store, FakeUnitOfWorkFactory(store)


def _run(uows: FakeUnitOfWorkFactory, *batches: list[InboundEvent]) -> None:
    async def go() -> None:
        for batch in batches:
            await ApplyEventBatch(uows, FakeClock(RECORDED_AT))(batch)

    asyncio.run(go())


def _shape(entries: list[LedgerEntry]) -> list[tuple[str, int, str | None, str | None]]:
    return [(e.kind.value, e.points, e.level_before, e.level_after) for e in entries]


def test_the_sale_crossing_a_threshold_earns_at_the_level_before_and_then_moves_it_up() -> None:
    store, uows = _world()

    _run(uows, [sale("s1", "120", occurred_at=at(1)), sale("s2", "100", occurred_at=at(2))])

    assert _shape(store.entries) == [
        ("earn", 120, None, None),
        ("level_change", 0, None, "Silver"),
        ("earn", 150, None, None),
    ]
    change = store.entries[1]
    assert (change.occurred_at, change.source_ref, change.description) == (
        at(1),
        "s1",
        "Level now Silver",
    )
    assert store.entries[2].description == "Points earned on sale s2 at Silver"
    [holder] = store.accounts.values()
    assert (holder.level, holder.balance) == ("Silver", 270)


def test_the_level_multiplies_the_exact_earning_of_items_before_the_one_floor() -> None:
    store, uows = _world()

    _run(uows, [sale("s1", "100", occurred_at=at(1)), sale("s2", "1.70", occurred_at=at(2))])

    assert store.entries[-1].points == 2  # floor(1.70 * 1.5); not floor(1.70) * 1.5


def test_a_return_never_lowers_the_level_mid_period() -> None:
    store, uows = _world()

    _run(
        uows,
        [sale("s1", "120", occurred_at=at(1))],
        [customer_return("r1", "s1", "120", occurred_at=at(2))],
        [sale("s2", "10", occurred_at=at(3))],
    )

    assert [e.kind for e in store.entries] == [
        EntryKind.EARN,
        EntryKind.LEVEL_CHANGE,
        EntryKind.REVERSAL,
        EntryKind.EARN,
    ]
    assert store.entries[-1].points == 15
    [holder] = store.accounts.values()
    assert holder.level == "Silver"


def test_returns_count_against_the_total_a_later_sale_is_judged_by() -> None:
    store, uows = _world()

    _run(
        uows,
        [sale("s1", "90", occurred_at=at(1)), customer_return("r1", "s1", "45", occurred_at=at(2))],
        [sale("s2", "20", occurred_at=at(3))],
    )

    assert EntryKind.LEVEL_CHANGE not in [e.kind for e in store.entries]  # 90 - 45 + 20 < 100


def test_a_late_sale_earns_at_its_own_time_and_its_level_change_is_dated_then() -> None:
    store, uows = _world()

    _run(
        uows,
        [sale("s1", "120", occurred_at=at(10))],
        [sale("late", "50", occurred_at=at(5))],
        [sale("later-late", "500", occurred_at=at(6))],
    )

    late, later_late, change = store.entries[2:]
    assert (late.points, late.description) == (50, "Points earned on sale late")
    assert later_late.points == 500
    assert (change.occurred_at, change.level_before, change.level_after) == (at(6), None, "Gold")
    # Frozen: Silver, recorded at day 10, still stands from day 10 on, so the account keeps it.
    [holder] = store.accounts.values()
    assert holder.level == "Silver"
    _run(uows, [sale("s3", "10", occurred_at=at(11))])
    assert _shape(store.entries[-2:]) == [
        ("earn", 15, None, None),
        ("level_change", 0, "Silver", "Gold"),
    ]


def test_sales_outside_the_rolling_window_do_not_qualify() -> None:
    store, uows = _world()

    _run(uows, [sale("s1", "90", occurred_at=at(0))], [sale("s2", "20", occurred_at=at(31))])

    assert EntryKind.LEVEL_CHANGE not in [e.kind for e in store.entries]


def test_a_programme_without_levels_earns_and_describes_as_before() -> None:
    store, uows = _world(tiers=None)

    _run(uows, [sale("s1", "1000", occurred_at=at(1)), sale("s2", "1.70", occurred_at=at(2))])

    assert _shape(store.entries) == [("earn", 1000, None, None), ("earn", 1, None, None)]
    assert store.entries[1].description == "Points earned on sale s2"
    assert not store.accounts[(BUSINESS, account("c1").account_id)].level


sales = st.lists(
    st.tuples(
        st.sampled_from(["sale", "return"]),
        st.integers(0, 60),
        st.integers(1, 300),
    ),
    min_size=1,
    max_size=14,
)


@settings(max_examples=40, deadline=None)
@given(sales, st.integers(1, 5), st.sampled_from([TIERS, replace(TIERS, window_days=None)]))
def test_the_same_events_in_one_batch_or_many_post_the_same_entries(
    steps: list[tuple[str, int, int]], size: int, tiers: TierPolicy
) -> None:
    """What the loader reads back between batches is what the batch kept in memory."""
    events: list[InboundEvent] = []
    for n, (what, day, amount) in enumerate(steps):
        moment = at(days=day) + timedelta(minutes=n)
        if what == "sale" or n == 0:
            events.append(sale(f"s{n}", str(amount), occurred_at=moment))
        else:
            events.append(customer_return(f"r{n}", f"s{n - 1}", str(amount), occurred_at=moment))
    whole, whole_uows = _world(tiers)
    split, split_uows = _world(tiers)

    _run(whole_uows, events)
    _run(split_uows, *[events[i : i + size] for i in range(0, len(events), size)])

    assert [(e.entry_id, e.entry_hash) for e in whole.entries] == [
        (e.entry_id, e.entry_hash) for e in split.entries
    ]
    assert whole.accounts == split.accounts
    changes = [e for e in whole.entries if e.kind is EntryKind.LEVEL_CHANGE]
    assert all(e.level_after != e.level_before for e in changes)
