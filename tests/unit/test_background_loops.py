"""Background loops survive long outages: bounded backoff, and none dies unnoticed."""

from __future__ import annotations

import asyncio

import pytest

from ports.unit_of_work import UnitOfWork
from service.outbox_relay import OutboxRelay

from .builders import RECORDED_AT
from .fake_ports import FakeClock, FakeLedgerPublisher, FakeMetrics

pytestmark = pytest.mark.unit

LONG_OUTAGE = 1_100  # past 1,024, where 0.2 * 2**n stops fitting in a float


class DatabaseDown:
    def __call__(self) -> UnitOfWork:
        raise ConnectionError("database down")


class CountedPauses:
    """Stands in for the relay's sleep: records each wait, stops the relay after ``limit``."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.waits: list[float] = []

    async def __call__(self, stopping: asyncio.Event, seconds: float) -> None:
        self.waits.append(seconds)
        if len(self.waits) >= self.limit:
            stopping.set()


async def test_the_relay_keeps_retrying_through_more_than_a_thousand_failures_in_a_row() -> None:
    pauses, metrics = CountedPauses(LONG_OUTAGE), FakeMetrics()
    relay = OutboxRelay(
        DatabaseDown(),
        FakeLedgerPublisher(),
        10,
        0.0,
        lambda error: isinstance(error, ConnectionError),
        FakeClock(RECORDED_AT),
        metrics,
        pause=pauses,
    )

    await relay.run(asyncio.Event())  # returns once stopped, instead of dying on the way

    assert len(pauses.waits) == LONG_OUTAGE
    assert all(0 < wait <= 30.0 for wait in pauses.waits)
    assert pauses.waits[-1] == pytest.approx(30.0, abs=0.5)
    assert metrics.calls.count(("retry", ("outbox",))) == LONG_OUTAGE
