"""10,000 bad messages of every kind among good ones: all dead-lettered, all good applied,
and the consumer never restarts."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaProducer

from service.entrypoints.settings import Settings
from tests.faults.harness import ServiceProcess, Workload
from tests.faults.setup_data import balances, inbox_count, programme_with_customers
from tests.faults.streaming import wait_for
from tests.support.kafka import read_topic

pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]


def bad_message(rng: random.Random, good: dict[str, Any], i: int) -> bytes:
    variant = i % 8
    if variant == 0:
        return rng.randbytes(rng.randint(1, 300))
    if variant == 1:
        return b"\xc3\x28 invalid utf-8 " + str(i).encode()
    if variant == 2:
        return json.dumps({**good, "event_id": f"bad-{i}", "total_amount": {"x": 1}}).encode()
    if variant == 3:
        return json.dumps({**good, "event_id": f"bad-{i}", "total_amount": "-12.00"}).encode()
    if variant == 4:
        return json.dumps({**good, "event_id": f"bad-{i}", "total_amount": "1e30"}).encode()
    if variant == 5:
        return json.dumps({**good, "event_id": f"bad-{i}", "padding": "x" * 1_000_000}).encode()[
            :900_000
        ]  # 0.9 MB, cut mid-string: not JSON
    if variant == 6:
        return json.dumps({k: v for k, v in good.items() if k != "currency"}).encode()
    return json.dumps({**good, "event_id": f"bad-{i}", "occurred_at": "yesterday"}).encode()


async def test_a_flood_of_bad_messages_is_dead_lettered_and_every_good_one_applied(
    fault_settings: Settings, fault_db: asyncpg.Pool, tmp_path: Path
) -> None:
    s = fault_settings
    load = Workload.generate("flood-shop", customers=200, sales=2000, returns=0)
    await programme_with_customers(fault_db, load.business, load.earn_rate, 200)
    service = ServiceProcess(s, tmp_path / "service.log")
    service.start()
    rng = random.Random(5)
    bad = [bad_message(rng, load.sales[i % 2000], i) for i in range(10_000)]
    producer = AIOKafkaProducer(
        bootstrap_servers=s.kafka_bootstrap_servers,
        enable_idempotence=False,
        max_request_size=2_000_000,
    )
    await producer.start()
    try:
        for i, sale in enumerate(load.sales):
            await producer.send(s.topic_sale_completed, json.dumps(sale).encode())
            for b in bad[5 * i : 5 * i + 5]:
                await producer.send(s.topic_sale_completed, b)
        await producer.flush()
    finally:
        await producer.stop()
    pid = service.process.pid if service.process else None

    await wait_for(lambda: inbox_count(fault_db), lambda n: n == 2000, 300)
    dlq = s.topic_sale_completed + s.dead_letter_suffix
    letters = await read_topic(s.kafka_bootstrap_servers, dlq, at_least=10_000, timeout=180)

    assert len(letters) == 10_000
    assert sorted(r.value for r in letters) == sorted(bad)
    codes = {dict(r.headers)["x-dlq-code"].decode() for r in letters}
    assert codes == {"invalid_utf8", "invalid_json", "schema_violation"}
    assert await balances(fault_db, load.business) == load.expected_balances()
    assert service.alive and service.process and service.process.pid == pid
    assert service.starts == 1, "the consumer never restarted"
    assert service.stop() == 0
