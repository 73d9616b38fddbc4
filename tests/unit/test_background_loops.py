"""Background loops survive long outages: bounded backoff, and none dies unnoticed."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from typing import cast

import pytest
from aiokafka.structs import ConsumerRecord
from faststream.kafka import KafkaBroker, KafkaMessage
from hypothesis import given
from hypothesis import strategies as st
from structlog.testing import capture_logs

from adapters.kafka.dead_letters import KafkaDeadLetters
from adapters.kafka.event_consumer import KafkaEventConsumer
from domain.batch import BatchChanges
from domain.customer_updates import IntakeEvent
from domain.events import EventKind
from ports.backoff import Backoff
from ports.unit_of_work import UnitOfWork
from service.use_cases.outbox_relay import OutboxRelay
from tests.fakes import FakeClock, FakeLedgerPublisher, FakeMetrics
from tests.support.events import sale

from .builders import RECORDED_AT

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


class Redelivered:
    """A polled batch as the subscriber hands it over, remembering how it was settled."""

    def __init__(self, record: ConsumerRecord[bytes, bytes]) -> None:
        self.raw_message = (record,)
        self.settled: list[str] = []

    async def ack(self) -> None:
        self.settled.append("ack")

    async def nack(self) -> None:
        self.settled.append("nack")


async def database_down(events: Sequence[IntakeEvent]) -> BatchChanges:
    raise ConnectionError("database down")


async def test_the_consumer_keeps_pausing_and_redelivering_through_a_thousand_failures() -> None:
    consumer = KafkaEventConsumer(
        KafkaBroker("127.0.0.1:1"),  # never started: batches are handed over directly
        {"sales": EventKind.SALE_COMPLETED},
        "group",
        database_down,
        cast(KafkaDeadLetters, None),  # nothing to dead-letter: every batch fails first
        max_records=10,
        metrics=FakeMetrics(),
        pause_initial_seconds=0.2,
        pause_max_seconds=30.0,
    )
    body = json.dumps(sale("shop", "alice", "10")).encode()
    message = Redelivered(ConsumerRecord("sales", 0, 7, 0, 0, None, body, None, 0, len(body), []))

    with capture_logs() as logs:
        for _ in range(LONG_OUTAGE):
            await consumer._consume(None, cast(KafkaMessage, message))

    assert message.settled == ["nack"] * LONG_OUTAGE  # never committed, never given up on
    pauses = [line["pause_seconds"] for line in logs if "pause_seconds" in line]
    assert len(pauses) == LONG_OUTAGE
    assert all(0 < pause <= 30.0 + 0.2 for pause in pauses)
    assert pauses[-1] >= 30.0


@given(
    failures=st.integers(min_value=0, max_value=10**12),
    initial=st.floats(min_value=1e-6, max_value=60.0),
    maximum=st.floats(min_value=1e-6, max_value=3600.0),
)
def test_a_backoff_wait_is_never_past_its_bound_and_never_shrinks_as_failures_grow(
    failures: int, initial: float, maximum: float
) -> None:
    backoff = Backoff(initial, maximum)

    wait, next_wait = backoff.seconds(failures), backoff.seconds(failures + 1)

    assert 0 <= wait <= next_wait <= maximum
    assert backoff.seconds(failures + 10_000) == pytest.approx(maximum)
