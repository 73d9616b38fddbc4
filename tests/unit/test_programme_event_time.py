"""Event time decides the programme's settings too: pausing it, or changing how long points
last or stay pending, acts from the version's effective time on, never on events before it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from uuid import UUID

import pytest

from domain.commands import SetProgramme
from domain.outcomes import Outcome, SkipReason
from domain.redemption import BlockReason, quote_redemption
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.programmes import Programmes
from tests.fakes import FakeClock, FakeStore, FakeUnitOfWorkFactory

from .builders import BUSINESS, T0, account, at, sale

pytestmark = pytest.mark.unit

RATES = SetProgramme(BUSINESS, earn_rate=Decimal(1), redemption_rate=Decimal(100))


async def shop_set_up_at_t0(**settings: object) -> tuple[FakeUnitOfWorkFactory, FakeClock]:
    """A programme in force from T0 (with these settings) and one customer, c1."""
    c1 = account("c1")
    uows = FakeUnitOfWorkFactory(FakeStore(accounts={(BUSINESS, c1.account_id): c1}))
    clock = FakeClock(T0)
    await Programmes(uows, clock).set(replace(RATES, **settings))  # type: ignore[arg-type]
    return uows, clock


def outcome(uows: FakeUnitOfWorkFactory, event_id: str) -> Outcome:
    return uows.store.inbox[(BUSINESS, event_id)].outcome


async def test_pausing_the_programme_today_leaves_last_months_late_sales_earning() -> None:
    uows, clock = await shop_set_up_at_t0()
    clock.advance(days=30)
    await Programmes(uows, clock).set(replace(RATES, active=False))

    await ApplyEventBatch(uows, clock)(
        [
            sale("last-month", "100", occurred_at=at(days=5)),
            sale("after-the-pause", "100", occurred_at=at(days=30, hours=1)),
        ]
    )

    assert outcome(uows, "ev-sale-last-month") == Outcome.applied()
    assert outcome(uows, "ev-sale-after-the-pause") == Outcome.skipped(
        SkipReason.PROGRAMME_INACTIVE
    )
    assert [e.points for e in uows.store.entries] == [100]


async def test_a_sale_made_while_the_programme_was_paused_earns_nothing_after_it_resumes() -> None:
    uows, clock = await shop_set_up_at_t0(active=False)
    clock.advance(days=30)
    await Programmes(uows, clock).set(replace(RATES, active=True))

    await ApplyEventBatch(uows, clock)([sale("paused", "100", occurred_at=at(days=5))])

    assert outcome(uows, "ev-sale-paused") == Outcome.skipped(SkipReason.PROGRAMME_INACTIVE)
    assert uows.store.entries == []


async def test_a_late_sale_keeps_the_validity_and_return_window_in_force_when_it_occurred() -> None:
    uows, clock = await shop_set_up_at_t0(points_validity_days=365, pending_days=14)
    clock.advance(days=30)
    await Programmes(uows, clock).set(replace(RATES, points_validity_days=30, pending_days=0))

    await ApplyEventBatch(uows, clock)(
        [
            sale("before-the-change", "100", occurred_at=at(days=5)),
            sale("after-the-change", "100", occurred_at=at(days=31)),
        ]
    )

    lots = sorted(uows.store.lots.values(), key=lambda lot: lot.earned_at)
    assert [(lot.available_at, lot.expires_at) for lot in lots] == [
        (at(days=5 + 14), at(days=5 + 365)),
        (at(days=31), at(days=31 + 30)),
    ]


async def test_replaying_into_an_empty_store_after_settings_changed_rebuilds_the_same_ledger() -> (
    None
):
    uows, clock = await shop_set_up_at_t0(points_validity_days=365, pending_days=7)
    events = [sale(f"s{day}", "10", occurred_at=at(days=day)) for day in (1, 20, 40)]
    clock.advance(days=41)
    await ApplyEventBatch(uows, clock)(events)
    await Programmes(uows, clock).set(replace(RATES, active=False, points_validity_days=30))
    await Programmes(uows, clock).set(replace(RATES, active=True, pending_days=0))
    c1 = account("c1")
    empty = FakeUnitOfWorkFactory(
        FakeStore(programmes=dict(uows.store.programmes), accounts={(BUSINESS, c1.account_id): c1})
    )

    clock.advance(days=100)
    await ApplyEventBatch(empty, clock)(events)

    def ledger(store: FakeStore) -> list[object]:
        return [(e.entry_id, e.points, e.rates) for e in store.entries]

    def lots(store: FakeStore) -> list[tuple[UUID, datetime, datetime | None]]:
        return sorted((lot.lot_id, lot.available_at, lot.expires_at) for lot in store.lots.values())

    assert ledger(empty.store) == ledger(uows.store)
    assert lots(empty.store) == lots(uows.store)
    assert [r.outcome for r in empty.store.inbox.values()] == [Outcome.applied()] * 3


async def test_a_pause_set_for_next_week_does_not_block_redeeming_today() -> None:
    uows, clock = await shop_set_up_at_t0()
    await Programmes(uows, clock).set(replace(RATES, active=False, effective_from=at(days=7)))
    programme = uows.store.programmes[BUSINESS]
    rich = replace(account("c1"), balance=500)

    today = quote_redemption(rich, programme, at(days=1), 100)
    next_week = quote_redemption(rich, programme, at(days=7), 100)

    assert today.blocked is None
    assert next_week.blocked is BlockReason.PROGRAMME_INACTIVE
