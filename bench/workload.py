"""The measured load: sale.completed events over enrolled customers, produced as raw JSON."""

from __future__ import annotations

import asyncio
import json
import random
import time
from decimal import Decimal
from typing import Any

import asyncpg
from aiokafka import AIOKafkaProducer

from bench.support import programme_with_customers

BUSINESS = "bench-shop"
EARN_RATE = Decimal("1.5")


def sales(events: int, customers: int, tag: str = "e", seed: int = 11) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [
        {
            "event_id": f"{tag}-evt-{i}",
            "occurred_at": "2026-06-01T12:00:00+00:00",
            "business_id": BUSINESS,
            "sale_id": f"{tag}-sale-{i}",
            "customer_id": f"cust-{rng.randrange(customers)}",
            "total_amount": f"{rng.randint(100, 20000) / 100:.2f}",
            "currency": "EUR",
            "store_id": "store-1",
        }
        for i in range(events)
    ]


async def enrol(database_url: str, customers: int) -> None:
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    try:
        await programme_with_customers(pool, BUSINESS, EARN_RATE, customers)
    finally:
        await pool.close()


def _producer(bootstrap: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        enable_idempotence=False,
        linger_ms=5,
        max_batch_size=256 * 1024,
        request_timeout_ms=60_000,
    )


async def produce_all(bootstrap: str, topic: str, payloads: list[dict[str, Any]]) -> None:
    """Everything at once, keyed by customer (one customer's sales stay in order)."""
    producer = _producer(bootstrap)
    await producer.start()
    try:
        pending = []
        for p in payloads:
            key = str(p["customer_id"]).encode()
            pending.append(await producer.send(topic, json.dumps(p).encode(), key=key))
            if len(pending) >= 5_000:
                await asyncio.gather(*pending)
                pending.clear()
        await producer.flush()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


async def produce_paced(
    bootstrap: str, topic: str, payloads: list[dict[str, Any]], rate: float
) -> dict[str, float]:
    """At ``rate`` events/s, each stamped with ``bench_sent_at`` (epoch seconds) when sent;
    answers the send time of each event id."""
    producer = _producer(bootstrap)
    await producer.start()
    sent: dict[str, float] = {}
    try:
        started = time.monotonic()
        for i, p in enumerate(payloads):
            delay = started + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            sent[p["event_id"]] = now = time.time()
            body = json.dumps({**p, "bench_sent_at": now}).encode()
            await producer.send(topic, body, key=str(p["customer_id"]).encode())
        await producer.flush()
    finally:
        await producer.stop()
    return sent
