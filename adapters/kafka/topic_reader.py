"""Reading a topic outside any consumer group: for replays and dead-letter tools.

Nothing is committed, so the live consumer group's offsets never move.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import ConsumerRecord

from adapters.kafka.parsing import read_batch
from adapters.kafka.security import PLAINTEXT, KafkaSecurity, client_options
from domain.events import EventKind
from ports.intake import ReadBatch


@dataclass(frozen=True)
class TopicRange:
    topic: str
    partitions: Sequence[int] | None = None
    from_offset: int | None = None
    from_time: datetime | None = None
    to_time: datetime | None = None


class KafkaTopicReader:
    def __init__(
        self, bootstrap_servers: str, batch_size: int = 500, security: KafkaSecurity = PLAINTEXT
    ) -> None:
        self._bootstrap = bootstrap_servers
        self._security = security
        self._batch_size = batch_size
        self.estimated_total: int | None = None

    async def batches(self, wanted: TopicRange) -> AsyncIterator[list[ConsumerRecord]]:
        """Records of the range, in batches, until the topic has nothing more to give."""
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap,
            enable_auto_commit=False,
            group_id=None,
            max_poll_records=self._batch_size,
            **client_options(self._security),
        )
        await consumer.start()
        try:
            partitions = await self._assign(consumer, wanted)
            end_ms = int(wanted.to_time.timestamp() * 1000) if wanted.to_time else None
            open_partitions = set(partitions)
            idle = 0
            # Read until the broker has had nothing more for 3 s: end offsets are only an
            # estimate here, as some brokers report them behind what they store.
            while open_partitions and idle < 6:
                fetched = await consumer.getmany(timeout_ms=500)
                idle = 0 if fetched else idle + 1
                batch: list[ConsumerRecord] = []
                for tp, records in fetched.items():
                    for record in records:
                        if end_ms is not None and record.timestamp > end_ms:
                            open_partitions.discard(tp)
                            consumer.pause(tp)  # past the range: read no further here
                            break
                        if tp in open_partitions:
                            batch.append(record)
                if batch:
                    yield batch
        finally:
            await consumer.stop()

    async def events(self, wanted: TopicRange, kind: EventKind) -> AsyncIterator[ReadBatch]:
        """The range's records parsed as ``kind`` events, batch by batch, with a count of
        those that cannot be parsed."""
        async for records in self.batches(wanted):
            yield read_batch(kind, [record.value for record in records])

    async def _assign(self, consumer: AIOKafkaConsumer, wanted: TopicRange) -> list[TopicPartition]:
        await consumer.topics()
        known = sorted(consumer.partitions_for_topic(wanted.topic) or [])
        chosen = [p for p in known if wanted.partitions is None or p in wanted.partitions]
        partitions = [TopicPartition(wanted.topic, p) for p in chosen]
        if not partitions:
            raise LookupError(f"topic {wanted.topic} has no such partitions")
        ends = await self._estimate_ends(partitions)
        consumer.assign(partitions)
        if wanted.from_time is not None:
            at = int(wanted.from_time.timestamp() * 1000)
            found = await consumer.offsets_for_times({tp: at for tp in partitions})
            for tp in partitions:
                meta = found.get(tp)
                consumer.seek(tp, meta.offset if meta is not None else ends[tp])
            starts = {tp: found[tp].offset if found.get(tp) else ends[tp] for tp in partitions}
        elif wanted.from_offset is not None:
            for tp in partitions:
                consumer.seek(tp, wanted.from_offset)
            starts = {tp: wanted.from_offset for tp in partitions}
        else:
            await consumer.seek_to_beginning(*partitions)
            starts = await consumer.beginning_offsets(partitions)
        self.estimated_total = sum(max(ends[tp] - starts[tp], 0) for tp in partitions)
        return partitions

    async def _estimate_ends(self, partitions: list[TopicPartition]) -> dict[TopicPartition, int]:
        """End offsets, asked by a consumer of their own: the reading one never sees them."""
        probe = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap,
            enable_auto_commit=False,
            **client_options(self._security),
        )
        await probe.start()
        try:
            return dict(await probe.end_offsets(partitions))
        finally:
            await probe.stop()
