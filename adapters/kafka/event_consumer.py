"""KafkaEventConsumer: one batch subscriber over the four inbound topics.

What each record becomes is decided in ``adapters.kafka.routing``, without IO. Here, each
poll's events are applied by the handler in one transaction, its dead letters published, and
only then are the offsets committed: the acknowledgement is manual, since faststream's
default commits a batch before its handler runs. A failure commits nothing: the batch's
partitions are rewound to its first records and paused for a growing delay.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import Any

import structlog
from aiokafka.structs import TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage

from adapters.kafka.dead_letters import KafkaDeadLetters
from adapters.kafka.routing import Record, Routed, Settled, route_batch, settle_batch
from adapters.phone_numbers import DEFAULT_REGION
from adapters.tracing_context import ConsumerTracing
from domain.events import EventKind
from ports.backoff import Backoff
from ports.intake import EventBatchHandler
from ports.metrics import ServiceMetrics

log = structlog.get_logger("loyalty.consumer")


async def _keep_raw(message: KafkaMessage) -> None:
    """The subscriber reads raw records itself: garbage must reach the DLQ, not the decoder."""
    return None


def record_ranges(records: tuple[Record, ...]) -> list[str]:
    """``topic/partition:first-last`` for each partition in a batch, in first-seen order."""
    spans: dict[tuple[str, int], list[int]] = {}
    for r in records:
        span = spans.setdefault((r.topic, r.partition), [r.offset, r.offset])
        span[0], span[1] = min(span[0], r.offset), max(span[1], r.offset)
    return [f"{t}/{p}:{lo}-{hi}" for (t, p), (lo, hi) in spans.items()]


class KafkaEventConsumer:
    def __init__(
        self,
        broker: KafkaBroker,
        topics: Mapping[str, EventKind],
        group_id: str,
        handler: EventBatchHandler,
        dead_letters: KafkaDeadLetters,
        max_records: int,
        metrics: ServiceMetrics,
        session_timeout_ms: int = 10_000,
        heartbeat_interval_ms: int = 3_000,
        max_poll_interval_ms: int = 300_000,
        fetch_max_wait_ms: int = 50,  # as Settings.consumer_fetch_max_wait_ms
        pause_initial_seconds: float = Backoff.initial_seconds,
        pause_max_seconds: float = Backoff.max_seconds,
        tracing: ConsumerTracing | None = None,
        phone_region: str = DEFAULT_REGION,
    ) -> None:
        self._tracing = tracing or ConsumerTracing()
        self._phone_region = phone_region
        self._backoff = Backoff(
            pause_initial_seconds, pause_max_seconds, jitter_seconds=pause_initial_seconds
        )
        self._failures = 0
        self._topics = dict(topics)
        self._metrics = metrics
        self._handler = handler
        self._dead_letters = dead_letters
        self._subscriber = broker.subscriber(
            *self._topics,
            batch=True,
            group_id=group_id,
            ack_policy=AckPolicy.MANUAL,
            auto_offset_reset="earliest",
            max_records=max_records,
            session_timeout_ms=session_timeout_ms,
            heartbeat_interval_ms=heartbeat_interval_ms,
            max_poll_interval_ms=max_poll_interval_ms,
            fetch_max_wait_ms=fetch_max_wait_ms,
            decoder=_keep_raw,
        )
        self._subscriber(self._consume)

    async def stop(self) -> None:
        """Stop fetching; the batch in flight finishes and commits first."""
        await self._subscriber.stop()

    def running(self) -> bool:
        """Whether the subscriber is started and its poll loop alive (faststream restarts a
        poll loop that dies; this tells readiness while it is down)."""
        tasks = getattr(self._subscriber, "tasks", ())
        return bool(self._subscriber.running) and any(not task.done() for task in tasks)

    async def _consume(self, body: object, message: KafkaMessage) -> None:
        records: tuple[Record, ...] = tuple(message.raw_message)  # type: ignore[arg-type]
        # Every line about this batch names its records; per-event lines add the event's own.
        with structlog.contextvars.bound_contextvars(records=record_ranges(records)):
            try:
                await self.process(records)
            except Exception:
                await message.nack()  # rewinds each partition to the batch's first record
                self._pause_with_backoff(records)
                return
        self._failures = 0
        # Commits the position of every assigned partition: this batch's stand just past it,
        # and one a failed batch rewound (and paused) still stands at its first record.
        await message.ack()

    def _pause_with_backoff(self, records: tuple[Record, ...]) -> None:
        """Pause the batch's partitions for a growing, jittered delay instead of blocking the
        poll loop: the member keeps heartbeating and polling, so it keeps its partitions."""
        self._failures += 1
        delay = self._backoff.seconds(self._failures)
        partitions = {TopicPartition(r.topic, r.partition) for r in records}
        log.warning(
            "batch failed; partitions paused, then redelivered",
            size=len(records),
            failures=self._failures,
            pause_seconds=round(delay, 2),
            exc_info=True,
        )
        consumer = getattr(self._subscriber, "consumer", None)
        if consumer is None:
            return
        consumer.pause(*partitions)
        asyncio.get_running_loop().call_later(delay, self._resume, consumer, partitions)

    @staticmethod
    def _resume(consumer: Any, partitions: set[TopicPartition]) -> None:
        assigned = consumer.assignment()
        still_ours = [tp for tp in partitions if tp in assigned]
        if still_ours:  # a rebalance may have moved them on meanwhile
            consumer.resume(*still_ours)

    async def process(self, records: tuple[Record, ...]) -> None:
        """Apply a poll's events, then publish its dead letters; raises (and publishes
        nothing more) on a failure, which leaves the batch to be redelivered."""
        started = time.perf_counter()
        routed = route_batch(records, self._topics, self._phone_region)
        # The events' inbound trace contexts go on to the ledger messages they cause.
        traced = ((r.topic, r.headers, e.business_id, e.event_id) for r, e in routed.parsed)
        with self._tracing.batch(traced):
            changes = await self._handler(routed.events) if routed.parsed else None
        settled = settle_batch(routed, changes)
        if changes is not None:
            self._log_events(routed, settled)
        for letter in settled.letters:
            r = letter.record
            log.warning(
                "message dead-lettered",
                topic=r.topic,
                partition=r.partition,
                offset=r.offset,
                reason=f"{letter.code}: {letter.detail}",
            )
        if settled.letters:
            await self._dead_letters.publish(settled.letters)
        self._record_metrics(records, routed, settled, started)
        log.info(
            "batch applied",
            size=len(records),
            applied_events=len(routed.parsed),
            dead_lettered=len(settled.letters),
            duplicates=len(changes.duplicates) if changes else 0,
        )

    @staticmethod
    def _log_events(routed: Routed, settled: Settled) -> None:
        # One line per event only when debugging: a filtered-out call still built its
        # arguments for every event.
        if not log.is_enabled_for(logging.DEBUG):
            return
        for r, event in routed.parsed:
            outcome = settled.event_outcomes.get((event.business_id, event.event_id))
            log.debug(
                "event handled",
                event_id=event.event_id,
                topic=r.topic,
                partition=r.partition,
                offset=r.offset,
                outcome=str(outcome.status) if outcome else "duplicate_or_conflict",
                reason=str(outcome.reason) if outcome and outcome.reason else None,
            )

    def _record_metrics(
        self, records: tuple[Record, ...], routed: Routed, settled: Settled, started: float
    ) -> None:
        for (topic, status), count in settled.outcomes.items():
            self._metrics.events(topic, status, count)
        self._metrics.batch(len(records), time.perf_counter() - started)
        consumer = getattr(self._subscriber, "consumer", None)
        if consumer is None:
            return
        for (topic, partition), next_offset in routed.next_offsets.items():
            highwater = consumer.highwater(TopicPartition(topic, partition))
            if highwater is not None:
                self._metrics.consumer_lag(topic, partition, max(highwater - next_offset, 0))
