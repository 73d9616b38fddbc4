"""A new rule version never takes effect at or before an event already applied: that event
earned under the version then in force, and a replay would give it the new one."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from domain.commands import SetProgramme
from domain.errors import InvalidRequest
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.programmes import Programmes
from tests.fakes import FakeClock, FakeStore, FakeUnitOfWorkFactory

from .builders import BUSINESS, RECORDED_AT, account, at, sale
from .builders import programme as make_programme

pytestmark = pytest.mark.unit


def _shop() -> FakeUnitOfWorkFactory:
    store = FakeStore(programmes={BUSINESS: make_programme()})
    store.accounts = {(a.business_id, a.account_id): a for a in [account("c1")]}
    return FakeUnitOfWorkFactory(store)


def _change(effective_from: object = None) -> SetProgramme:
    return SetProgramme(BUSINESS, Decimal(3), Decimal(100), effective_from=effective_from)  # type: ignore[arg-type]


async def test_a_rule_effective_at_or_before_an_applied_event_is_refused() -> None:
    uows, clock = _shop(), FakeClock(RECORDED_AT)
    await ApplyEventBatch(uows, clock)([sale("s1", "10", occurred_at=at(days=1))])

    for moment in (at(days=1), at(days=0)):
        with pytest.raises(InvalidRequest, match="latest event already applied"):
            await Programmes(uows, clock).set(_change(moment))
    await Programmes(uows, clock).set(_change(at(days=1) + timedelta(microseconds=1)))


async def test_by_default_a_change_starts_after_an_event_applied_earlier_in_this_second() -> None:
    """From the start of this second by default, unless a sale of this second was already
    applied: that sale keeps what it earned, on replay too."""
    now = RECORDED_AT.replace(microsecond=500_000)
    uows, clock = _shop(), FakeClock(now)
    earlier = now.replace(microsecond=200_000)
    await ApplyEventBatch(uows, clock)([sale("s1", "10", occurred_at=earlier)])

    programme = await Programmes(uows, clock).set(_change())

    assert programme.rules[-1].effective_from == earlier + timedelta(microseconds=1)
    assert programme.rule_at(earlier) == programme.rules[0]


async def test_with_no_event_this_second_a_change_starts_at_the_start_of_it() -> None:
    now = RECORDED_AT.replace(microsecond=500_000)
    uows, clock = _shop(), FakeClock(now)

    programme = await Programmes(uows, clock).set(_change())

    assert programme.rules[-1].effective_from == now.replace(microsecond=0)


async def test_a_producer_clock_running_ahead_moves_the_default_after_its_events() -> None:
    uows, clock = _shop(), FakeClock(RECORDED_AT)
    ahead = RECORDED_AT + timedelta(minutes=5)
    await ApplyEventBatch(uows, clock)([sale("s1", "10", occurred_at=ahead)])

    programme = await Programmes(uows, clock).set(_change())

    assert programme.rules[-1].effective_from == ahead + timedelta(microseconds=1)
