"""The machine's ceiling: set-based SQL with no service around it, and raw consume-and-parse."""

from __future__ import annotations

import json
import time
from decimal import ROUND_FLOOR, Decimal
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from bench.workload import BUSINESS, EARN_RATE

BATCH = 500

APPLY_BATCH = """
WITH ev AS (
    SELECT * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[])
        AS e(event_id, customer_id, points, sale_id)
), j AS (
    SELECT ev.*, a.account_id, a.last_seq, a.balance,
           row_number() OVER w AS n, sum(ev.points) OVER w AS running
    FROM ev JOIN accounts a ON a.business_id = $1 AND a.customer_id = ev.customer_id
    WINDOW w AS (PARTITION BY a.account_id ORDER BY ev.event_id ROWS UNBOUNDED PRECEDING)
), entries AS (
    INSERT INTO ledger_entries (business_id, entry_id, account_id, customer_id, seq, kind,
        points, balance_after, source, source_ref, event_id, occurred_at, recorded_at)
    SELECT $1, gen_random_uuid(), account_id, customer_id, last_seq + n, 'earn', points,
        balance + running, 'sale', sale_id, event_id, now(), now()
    FROM j
)
UPDATE accounts a
SET balance = a.balance + t.points, last_seq = a.last_seq + t.entries, updated_at = now()
FROM (SELECT account_id, sum(points) AS points, count(*) AS entries FROM j GROUP BY account_id) t
WHERE a.business_id = $1 AND a.account_id = t.account_id
"""

RECORD_INBOX = """
INSERT INTO inbox (business_id, event_id, kind, payload_hash, status, occurred_at)
SELECT $1, e, 'sale.completed', '', 'applied', now() FROM unnest($2::text[]) AS e
"""


def points(total: str) -> int:
    return int((Decimal(total) * EARN_RATE).to_integral_value(rounding=ROUND_FLOOR))


async def set_based_sql(database_url: str, payloads: list[dict[str, Any]]) -> float:
    """Ledger rows, balances and inbox rows in batches of 500, one transaction each: events/s."""
    conn = await asyncpg.connect(database_url)
    try:
        started = time.perf_counter()
        for start in range(0, len(payloads), BATCH):
            batch = payloads[start : start + BATCH]
            ids = [p["event_id"] for p in batch]
            async with conn.transaction():
                await conn.execute(
                    APPLY_BATCH,
                    BUSINESS,
                    ids,
                    [p["customer_id"] for p in batch],
                    [points(p["total_amount"]) for p in batch],
                    [p["sale_id"] for p in batch],
                )
                await conn.execute(RECORD_INBOX, BUSINESS, ids)
        return len(payloads) / (time.perf_counter() - started)
    finally:
        await conn.close()


async def raw_consume(bootstrap: str, topic: str, expected: int) -> tuple[float, dict[int, int]]:
    """Read and json-parse every message of ``topic``: msgs/s, and each partition's end offset."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, max_partition_fetch_bytes=4 << 20
    )
    await consumer.start()
    try:
        await consumer.topics()
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(partitions)
        await consumer.seek_to_beginning()
        ends: dict[int, int] = {}
        seen = 0
        started = time.perf_counter()
        deadline = time.monotonic() + 300
        while seen < expected and time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500, max_records=5_000)
            for tp, records in batch.items():
                for record in records:
                    json.loads(record.value or b"")
                seen += len(records)
                if records:
                    ends[tp.partition] = records[-1].offset + 1
        elapsed = time.perf_counter() - started
        if seen < expected:
            raise RuntimeError(f"raw consume saw {seen} of {expected} messages")
        return seen / elapsed, ends
    finally:
        await consumer.stop()
