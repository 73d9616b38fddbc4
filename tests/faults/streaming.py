"""Streaming a workload onto the broker at a steady pace, as upstream systems would."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiokafka import AIOKafkaProducer

from service.entrypoints.settings import Settings
from tests.faults.harness import Workload


def interleaved(load: Workload, seed: int = 3) -> list[tuple[str, dict[str, Any]]]:
    """Sales and returns mixed, so some returns are published before their sale."""
    items: list[tuple[str, dict[str, Any]]] = [("sale", s) for s in load.sales]
    items += [("return", r) for r in load.returns]
    random.Random(seed).shuffle(items)
    return items


async def stream(load: Workload, settings: Settings, chunk: int = 100, pause: float = 0.5) -> int:
    topics = {
        "sale": settings.topic_sale_completed,
        "return": settings.topic_customer_return_created,
    }
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        enable_idempotence=False,
        acks="all",
        request_timeout_ms=60_000,
    )
    await producer.start()
    sent = 0
    try:
        items = interleaved(load)
        for start in range(0, len(items), chunk):
            for kind, payload in items[start : start + chunk]:
                await producer.send(topics[kind], json.dumps(payload).encode())
                sent += 1
            await producer.flush()
            await asyncio.sleep(pause)
    finally:
        await producer.stop()
    return sent


async def wait_for(
    probe: Callable[[], Awaitable[Any]], accept: Callable[[Any], bool], timeout: float
) -> float:
    """Seconds until ``accept(await probe())``; fails with the last value after ``timeout``."""
    started = time.monotonic()
    value = await probe()
    while not accept(value):
        if time.monotonic() - started > timeout:
            raise AssertionError(f"not reached within {timeout}s; last value {value!r}")
        await asyncio.sleep(0.2)
        value = await probe()
    return time.monotonic() - started
