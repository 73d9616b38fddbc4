"""KafkaEventConsumer: one batch subscriber over the four inbound topics.

Each poll is parsed at the edge, applied by the handler in one transaction, dead letters
are published, and only then are the offsets committed (manual acknowledgement).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Mapping
from typing import Any, TypeAlias

import structlog
from aiokafka.structs import ConsumerRecord, TopicPartition
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage

from adapters.kafka.dead_letters import DeadLetter, KafkaDeadLetters
from adapters.kafka.parsing import Rejection, parse_event
from domain.events import EventKind, InboundEvent
from domain.outcomes import Outcome
from ports.backoff import Backoff
from ports.intake import EventBatchHandler
from ports.metrics import ServiceMetrics

log = structlog.get_logger("loyalty.consumer")

Record: TypeAlias = ConsumerRecord  # of bytes keys and values


async def _keep_raw(message: KafkaMessage) -> None:
    """The subscriber reads raw records itself: garbage must reach the DLQ, not the decoder."""
    return None


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
        pause_initial_seconds: float = 0.2,
        pause_max_seconds: float = 30.0,
    ) -> None:
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
        try:
            await self.process(records)
        except Exception:
            await message.nack()  # rewinds each partition to the batch's first record
            self._pause_with_backoff(records)
            return
        self._failures = 0
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
        started = time.perf_counter()
        events: list[InboundEvent] = []
        origins: dict[int, Record] = {}
        letters: list[DeadLetter] = []
        for record in records:
            parsed = parse_event(self._topics[record.topic], record.value)
            if isinstance(parsed, Rejection):
                letters.append(DeadLetter(record, parsed.code, parsed.detail))
                continue
            events.append(parsed)
            origins[id(parsed)] = record
        changes = await self._handler(events) if events else None
        known = changes.outcomes() if changes is not None else {}
        if changes is not None:
            for event, error in changes.failed:
                letters.append(DeadLetter(origins[id(event)], "processing_failed", error))
            for event in changes.conflicts:
                letters.append(
                    DeadLetter(
                        origins[id(event)],
                        "event_id_reused",
                        f"event id {event.event_id} was already applied with a different payload",
                    )
                )
            # One line per event only when debugging: a filtered-out call still built its
            # arguments for every event.
            for event in events if log.is_enabled_for(logging.DEBUG) else ():
                r = origins[id(event)]
                outcome = known.get((event.business_id, event.event_id))
                log.debug(
                    "event handled",
                    event_id=event.event_id,
                    topic=r.topic,
                    partition=r.partition,
                    offset=r.offset,
                    outcome=str(outcome.status) if outcome else "duplicate_or_conflict",
                    reason=str(outcome.reason) if outcome and outcome.reason else None,
                )
        for letter in letters:
            r = letter.record
            log.warning(
                "message dead-lettered",
                topic=r.topic,
                partition=r.partition,
                offset=r.offset,
                reason=f"{letter.code}: {letter.detail}",
            )
        if letters:
            await self._dead_letters.publish(letters)
        self._record_metrics(records, events, origins, known, letters, started)
        log.info(
            "batch applied",
            size=len(records),
            applied_events=len(events),
            dead_lettered=len(letters),
            duplicates=len(changes.duplicates) if changes else 0,
        )

    def _record_metrics(
        self,
        records: tuple[Record, ...],
        events: list[InboundEvent],
        origins: dict[int, Record],
        known: dict[tuple[str, str], Outcome],
        letters: list[DeadLetter],
        started: float,
    ) -> None:
        outcomes: Counter[tuple[str, str]] = Counter()
        for event in events:
            found = known.get((event.business_id, event.event_id))
            status = found.status.value if found else "duplicate"
            outcomes[(origins[id(event)].topic, status)] += 1
        for letter in letters:
            outcomes[(letter.record.topic, "dead_lettered")] += 1
        for (topic, status), count in outcomes.items():
            self._metrics.events(topic, status, count)
        self._metrics.batch(len(records), time.perf_counter() - started)
        consumer = getattr(self._subscriber, "consumer", None)
        if consumer is None:
            return
        newest: dict[tuple[str, int], int] = {}
        for record in records:
            key = (record.topic, record.partition)
            newest[key] = max(newest.get(key, -1), record.offset)
        for (topic, partition), offset in newest.items():
            highwater = consumer.highwater(TopicPartition(topic, partition))
            if highwater is not None:
                self._metrics.consumer_lag(topic, partition, max(highwater - offset - 1, 0))
