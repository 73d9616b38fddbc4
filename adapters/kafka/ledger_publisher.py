"""KafkaLedgerPublisher: ledger entries onto ``loyalty.ledger``, keyed by account id.

The messages come encoded from the outbox (PostgreSQL renders them in the claim). It has its
own aiokafka producer rather than the broker's: a relay claim of thousands of
entries goes out as a few produce requests, without faststream's per-message layers
(publisher middlewares, logging, context), which profiled as most of the relay's time.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import murmur2

from adapters.kafka.contracts import LedgerEntryPublished
from adapters.kafka.security import PLAINTEXT, KafkaSecurity, client_options
from adapters.tracing_context import TRACEPARENT
from domain.ledger import ENTRY_FIELDS, LedgerEntry, entry_values
from ports.publishing import LedgerMessage

CONTENT_TYPE = ("content-type", b"application/json")
KIND_HEADER = "x-entry-kind"


def ledger_message(entry: LedgerEntry) -> LedgerEntryPublished:
    """The message as its contract model (the schema of ``loyalty.ledger``): the entry's
    fields the contract names, by name (the outbox renders the same in SQL)."""
    fields = dict(zip(ENTRY_FIELDS, entry_values(entry), strict=True))
    return LedgerEntryPublished.model_validate({**fields, "bucket": entry.bucket})


@functools.lru_cache(maxsize=1 << 16)
def _key_hash(key: bytes) -> int:
    return int(murmur2(key)) & 0x7FFFFFFF


def account_partition(key: bytes, all_partitions: list[int], available: list[int]) -> int:
    """The Java client's (and aiokafka's default) murmur2 choice, remembered per account:
    the pure-Python hash was most of the producer's time per message."""
    return all_partitions[_key_hash(key) % len(all_partitions)]


class KafkaLedgerPublisher:
    """Started on first use, so commands that never publish never connect; ``stop`` flushes."""

    def __init__(
        self,
        bootstrap_servers: str,
        topic: str,
        linger_ms: int = 5,
        max_batch_bytes: int = 256 * 1024,
        security: KafkaSecurity = PLAINTEXT,
    ) -> None:
        self._bootstrap_servers = bootstrap_servers
        self._security = security
        self._topic = topic
        self._linger_ms = linger_ms
        self._max_batch_bytes = max_batch_bytes
        self._producer: AIOKafkaProducer | None = None
        self._starting = asyncio.Lock()

    async def _started(self) -> AIOKafkaProducer:
        async with self._starting:
            if self._producer is None:
                # Idempotence off: the embedded broker refuses it, and exactly-once in effect
                # comes from consumers deduplicating by entry id, not from the producer.
                producer = AIOKafkaProducer(
                    bootstrap_servers=self._bootstrap_servers,
                    acks="all",
                    enable_idempotence=False,
                    linger_ms=self._linger_ms,
                    max_batch_size=self._max_batch_bytes,
                    partitioner=account_partition,
                    **client_options(self._security),
                )
                await producer.start()
                self._producer = producer
            return self._producer

    async def publish(self, messages: Sequence[LedgerMessage]) -> None:
        producer = await self._started()
        # Sent in order without waiting for each: one key (account) always maps to one
        # partition, and the producer keeps one batch in flight per partition, so an
        # account's entries stay in order.
        pending = []
        topic = self._topic
        for message in messages:
            headers = [CONTENT_TYPE, (KIND_HEADER, message.kind.encode())]
            if message.traceparent:  # the trace of the posting that wrote the entry goes on
                headers.append((TRACEPARENT, message.traceparent.encode()))
            pending.append(
                await producer.send(
                    topic, message.body, key=message.account_id.encode(), headers=headers
                )
            )
        await asyncio.gather(*pending)

    async def stop(self) -> None:
        async with self._starting:
            if self._producer is not None:
                await self._producer.stop()  # sends what is buffered first
                self._producer = None
