"""A plain Kafka client for tests: raw bytes in, records out, as any upstream system sees it."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.structs import ConsumerRecord

T = TypeVar("T")


async def produce(
    bootstrap: str,
    topic: str,
    payloads: Sequence[bytes],
    key: bytes | None = None,
    headers: Sequence[tuple[str, bytes]] | None = None,
) -> None:
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=False)
    await producer.start()
    try:
        for payload in payloads:
            await producer.send(topic, payload, key=key, headers=list(headers or ()) or None)
        await producer.flush()
    finally:
        await producer.stop()


async def read_topic(
    bootstrap: str,
    topic: str,
    at_least: int,
    timeout: float = 30.0,
    done: Callable[[list[ConsumerRecord[bytes, bytes]]], bool] | None = None,
) -> list[ConsumerRecord[bytes, bytes]]:
    """Every record of ``topic`` from the start, waiting until there are ``at_least`` (and,
    given ``done``, until it says the records read are enough: with duplicates on the topic,
    a count alone can stop before every partition was read)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    records: list[ConsumerRecord[bytes, bytes]] = []
    try:
        partitions = consumer.partitions_for_topic(topic) or set()
        deadline = time.monotonic() + timeout
        while not partitions and time.monotonic() < deadline:
            await consumer.topics()  # refreshes metadata
            partitions = consumer.partitions_for_topic(topic) or set()
        consumer.assign([TopicPartition(topic, p) for p in partitions])
        await consumer.seek_to_beginning()
        while time.monotonic() < deadline:
            if len(records) >= at_least and (done is None or done(records)):
                break
            batch = await consumer.getmany(timeout_ms=500)
            for part in batch.values():
                records.extend(part)
        return records
    finally:
        await consumer.stop()


async def eventually(
    probe: Callable[[], Awaitable[T]],
    accept: Callable[[T], bool],
    timeout: float = 30.0,
) -> T:
    """Poll ``probe`` until ``accept`` holds; fail with the last value seen."""
    deadline = time.monotonic() + timeout
    value = await probe()
    while not accept(value):
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s; last value: {value!r}")
        await asyncio.sleep(0.1)
        value = await probe()
    return value


async def last_offsets(bootstrap: str, topics: Sequence[str]) -> dict[TopicPartition, int]:
    """The offset after each partition's last record, found by reading every record.

    The embedded broker's ListOffsets answer can lag behind what it stores when producers
    batch several records, so tests count what is really there instead.
    """
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    ends: dict[TopicPartition, int] = {}
    try:
        await consumer.topics()  # refreshes metadata
        partitions = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(consumer.partitions_for_topic(topic) or [])
        ]
        if not partitions:
            return ends
        consumer.assign(partitions)
        await consumer.seek_to_beginning()
        idle = 0
        while idle < 2:
            batch = await consumer.getmany(timeout_ms=500)
            idle = 0 if batch else idle + 1
            for tp, records in batch.items():
                ends[tp] = max(ends.get(tp, 0), records[-1].offset + 1)
        return ends
    finally:
        await consumer.stop()


async def committed_offsets(
    bootstrap: str, group: str, partitions: Sequence[TopicPartition]
) -> dict[TopicPartition, int]:
    """The group's committed offsets, read through a consumer that never joins the group."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False
    )
    await consumer.start()
    try:
        return {tp: (await consumer.committed(tp)) or 0 for tp in partitions}
    finally:
        await consumer.stop()
