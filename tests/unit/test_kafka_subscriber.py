"""The thin part of the consumer on faststream's in-memory broker (``TestKafkaBroker``): it
applies a poll's events, publishes its dead letters and commits only after both; a failure
commits nothing and rewinds each of the batch's partitions to its first record."""

from __future__ import annotations

import inspect
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka.errors import KafkaConnectionError
from aiokafka.structs import TopicPartition
from faststream import BaseMiddleware
from faststream.kafka import KafkaBroker, KafkaMessage, TestKafkaBroker
from faststream.kafka.message import KafkaMessage as PolledMessage
from faststream.message import StreamMessage
from structlog.testing import capture_logs

from adapters.kafka.dead_letters import DeadLetter, KafkaDeadLetters
from adapters.kafka.event_consumer import KafkaEventConsumer
from domain.batch import BatchChanges, BatchState, apply_batch
from domain.customer_updates import IntakeEvent, ledger_events
from domain.events import EventKind
from service.entrypoints.settings import Settings
from tests.fakes import FakeMetrics
from tests.support.events import encode, sale

pytestmark = pytest.mark.unit

SALES = "sales"
NOW = datetime(2026, 6, 2, tzinfo=UTC)


@dataclass
class Journal:
    """What happened, in order: applies, dead letters received, commits and seeks."""

    lines: list[tuple[Any, ...]] = field(default_factory=list)

    async def commit(self) -> None:
        self.lines.append(("commit",))

    def seek(self, partition: TopicPartition, offset: int) -> None:
        self.lines.append(("seek", partition.topic, partition.partition, offset))


def as_polled(journal: Journal) -> Callable[..., BaseMiddleware]:
    """Hands each batch over as aiokafka's poll does, a tuple of records (``TestKafkaBroker``
    passes a list, which faststream's nack cannot rewind), settled on a consumer that writes
    its commits and seeks to the journal."""

    class AsPolled(BaseMiddleware):
        async def consume_scope(
            self, call_next: Callable[[Any], Awaitable[Any]], msg: StreamMessage[Any]
        ) -> Any:
            if isinstance(msg.raw_message, list):
                msg.raw_message = tuple(msg.raw_message)
            if isinstance(msg, PolledMessage):
                msg.consumer = journal
            return await call_next(msg)

    return AsPolled


class InMemoryApply:
    """The batch handler over the domain rules on an in-memory inbox kept between batches."""

    def __init__(self, journal: Journal, error: Exception | None = None) -> None:
        self.journal, self.error, self.state = journal, error, BatchState()

    async def __call__(self, events: Sequence[IntakeEvent]) -> BatchChanges:
        self.journal.lines.append(("apply", tuple(e.event_id for e in events)))
        if self.error is not None:
            raise self.error
        return apply_batch(self.state, ledger_events(events), NOW)


class UnreachableDeadLetters(KafkaDeadLetters):
    async def publish(self, letters: Sequence[DeadLetter]) -> None:
        raise KafkaConnectionError("dead-letter topic unreachable")


@dataclass
class Wired:
    broker: KafkaBroker
    journal: Journal
    metrics: FakeMetrics


@pytest.fixture
async def wired(request: pytest.FixtureRequest) -> AsyncIterator[Wired]:
    options: dict[str, Any] = getattr(request, "param", {})
    journal = Journal()
    broker = KafkaBroker("127.0.0.1:1", middlewares=(as_polled(journal),))
    metrics = FakeMetrics()
    letters_type = options.get("dead_letters", KafkaDeadLetters)
    KafkaEventConsumer(
        broker,
        {SALES: EventKind.SALE_COMPLETED},
        "group",
        InMemoryApply(journal, options.get("error")),
        letters_type(broker),
        max_records=100,
        metrics=metrics,
    )

    @broker.subscriber(SALES + ".dlq")
    async def dead_lettered(body: object, message: KafkaMessage) -> None:
        headers = message.headers
        journal.lines.append(
            (
                "letter",
                message.body,
                headers["x-dlq-code"],
                headers["x-origin-topic"],
                headers["x-origin-partition"],
                headers["x-origin-offset"],
            )
        )

    async with TestKafkaBroker(broker):
        yield Wired(broker, journal, metrics)


def event_id(body: bytes) -> str:
    return str(json.loads(body)["event_id"])


async def test_a_batch_is_committed_only_after_its_events_are_applied(wired: Wired) -> None:
    first, second = encode(sale("shop", "ann", "1.00")), encode(sale("shop", "bob", "2.00"))

    await wired.broker.publish_batch(first, second, topic=SALES)

    assert wired.journal.lines == [("apply", (event_id(first), event_id(second))), ("commit",)]
    assert ("events", (SALES, "skipped", 2)) in wired.metrics.calls  # no programme: skipped


async def test_an_unparsable_record_is_dead_lettered_with_why_and_where_before_the_commit(
    wired: Wired,
) -> None:
    good = encode(sale("shop", "ann", "1.00"))

    await wired.broker.publish_batch(b"{not json", good, topic=SALES, partition=2)

    assert wired.journal.lines == [
        ("apply", (event_id(good),)),
        ("letter", b"{not json", "invalid_json", SALES, "2", "0"),
        ("commit",),
    ]


async def test_a_batch_of_unparsable_records_only_is_dead_lettered_and_committed_unapplied(
    wired: Wired,
) -> None:
    await wired.broker.publish_batch(b"", b"[]", topic=SALES)

    assert wired.journal.lines == [
        ("letter", b"", "invalid_json", SALES, "0", "0"),
        ("letter", b"[]", "schema_violation", SALES, "0", "0"),
        ("commit",),
    ]


async def test_an_event_id_reused_with_another_payload_is_dead_lettered_and_then_committed(
    wired: Wired,
) -> None:
    original = sale("shop", "ann", "1.00")
    altered = encode({**original, "total_amount": "9.00"})

    await wired.broker.publish_batch(encode(original), topic=SALES)
    await wired.broker.publish_batch(altered, encode(original), topic=SALES)

    assert wired.journal.lines[2:] == [
        ("apply", (original["event_id"], original["event_id"])),
        ("letter", altered, "event_id_reused", SALES, "0", "0"),
        ("commit",),
    ]


@pytest.mark.parametrize("wired", [{"error": ConnectionError("database down")}], indirect=True)
async def test_a_failed_apply_commits_nothing_and_rewinds_the_batch_to_its_first_record(
    wired: Wired,
) -> None:
    good, poison = encode(sale("shop", "ann", "1.00")), b"{not json"

    with capture_logs() as logs:
        await wired.broker.publish_batch(good, poison, topic=SALES, partition=1)

    # Nothing dead-lettered either: the whole batch comes back after the pause.
    assert wired.journal.lines == [("apply", (event_id(good),)), ("seek", SALES, 1, 0)]
    assert [line["event"] for line in logs if line["log_level"] == "warning"] == [
        "batch failed; partitions paused, then redelivered"
    ]


@pytest.mark.parametrize("wired", [{"dead_letters": UnreachableDeadLetters}], indirect=True)
async def test_a_dead_letter_that_cannot_be_published_leaves_the_batch_uncommitted(
    wired: Wired,
) -> None:
    good = encode(sale("shop", "ann", "1.00"))

    await wired.broker.publish_batch(good, b"{not json", topic=SALES)

    assert wired.journal.lines == [("apply", (event_id(good),)), ("seek", SALES, 0, 0)]


def test_the_consumers_own_defaults_are_the_settings_defaults() -> None:
    defaults = {
        name: p.default
        for name, p in inspect.signature(KafkaEventConsumer).parameters.items()
        if p.default is not inspect.Parameter.empty
    }
    settings = Settings.model_fields

    assert defaults == {
        "session_timeout_ms": settings["consumer_session_timeout_ms"].default,
        "heartbeat_interval_ms": settings["consumer_heartbeat_interval_ms"].default,
        "max_poll_interval_ms": settings["consumer_max_poll_interval_ms"].default,
        "fetch_max_wait_ms": settings["consumer_fetch_max_wait_ms"].default,
        "pause_initial_seconds": settings["retry_initial_seconds"].default,
        "pause_max_seconds": settings["retry_max_seconds"].default,
        "tracing": None,  # no setting: the OTEL_* variables decide (adapters/tracing.py)
        "phone_region": settings["phone_region"].default,
    }
