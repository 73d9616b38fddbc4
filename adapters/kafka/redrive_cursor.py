"""KafkaRedriveCursor: how far ``dlq redrive --all`` has dealt with a dead-letter topic.

Letters stay on their topic after a redrive (``dlq list`` still shows them), so without a
memory every ``--all`` sent every old copy again. The memory is a consumer-group offset on the
dead-letter topic, committed after the letters before it were sent or set aside: Kafka keeps
it (no table, no file beside the tool), it is per partition like the letters, and it needs no
group membership (the partitions are assigned by hand, so no rebalance is involved).
"""

from __future__ import annotations

from collections.abc import Mapping

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import OffsetAndMetadata

from adapters.kafka.security import PLAINTEXT, KafkaSecurity, client_options


class KafkaRedriveCursor:
    def __init__(
        self, bootstrap_servers: str, group_id: str, security: KafkaSecurity = PLAINTEXT
    ) -> None:
        self._bootstrap = bootstrap_servers
        self._security = security
        self._group = group_id

    async def positions(self, topic: str) -> dict[int, int]:
        """Per partition, the first offset not yet dealt with (0 when never committed)."""
        consumer = await self._consumer()
        try:
            await consumer.topics()
            partitions = [
                TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()
            ]
            return {tp.partition: await consumer.committed(tp) or 0 for tp in partitions}
        finally:
            await consumer.stop()

    async def advance(self, topic: str, positions: Mapping[int, int]) -> None:
        """Record that every letter below ``positions[partition]`` has been dealt with."""
        if not positions:
            return
        consumer = await self._consumer()
        try:
            offsets = {
                TopicPartition(topic, p): OffsetAndMetadata(offset, "")
                for p, offset in positions.items()
            }
            consumer.assign(list(offsets))
            await consumer.commit(offsets)
        finally:
            await consumer.stop()

    async def _consumer(self) -> AIOKafkaConsumer:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self._bootstrap,
            group_id=self._group,
            enable_auto_commit=False,
            **client_options(self._security),
        )
        await consumer.start()
        return consumer
