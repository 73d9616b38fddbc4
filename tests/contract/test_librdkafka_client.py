"""A second client on the real broker: librdkafka 2.16 (confluent-kafka) produces a sale the
running service applies, and reads the ledger message back in a consumer group; the README's
client lines run as written."""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import sys
from pathlib import Path

import asyncpg
import pytest
from confluent_kafka import Consumer, TopicPartition

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from service.entrypoints.runtime import Service
from service.entrypoints.settings import Settings
from tests.integration.conftest import given_customer, given_programme
from tests.integration.ledger_queries import balance
from tests.support.events import encode, sale
from tests.support.kafka import eventually
from tests.support.librdkafka_client import consume, produce

pytestmark = pytest.mark.contract

ROOT = Path(__file__).resolve().parents[2]
SHOP = "rdkafka-shop"


@pytest.fixture(scope="module")
async def shop(db: asyncpg.Pool, service: Service) -> str:
    uow_factory = PostgresUnitOfWorkFactory(db)
    await given_programme(uow_factory, SHOP, earn_rate="1")
    await given_customer(uow_factory, SHOP, "eve")
    return SHOP


async def test_a_sale_produced_by_librdkafka_is_applied_and_its_ledger_message_read_by_a_group(
    contract_settings: Settings, db: asyncpg.Pool, shop: str
) -> None:
    s = contract_settings
    bought = sale(shop, "eve", "42.50")
    # The service runs in this event loop: the blocking client runs beside it, in a thread.
    await asyncio.to_thread(
        produce,
        s.kafka_bootstrap_servers,
        s.topic_sale_completed,
        encode(bought),
        bought["sale_id"].encode(),
    )

    await eventually(lambda: balance(db, shop, "eve"), lambda b: b == 42)
    records = await asyncio.to_thread(
        consume, s.kafka_bootstrap_servers, s.topic_ledger, "upstream-ledger-reader", 100
    )

    earns = [json.loads(r.value() or b"") for r in records]
    earns = [e for e in earns if e["business_id"] == shop and e["kind"] == "earn"]
    assert [(e["points"], e["source_ref"], e["amount"]) for e in earns] == [
        (42, bought["sale_id"], "42.50")
    ]
    mine = next(r for r in records if json.loads(r.value() or b"")["kind"] == "earn")
    assert mine.key() == earns[0]["account_id"].encode()
    checker = Consumer(
        {"bootstrap.servers": s.kafka_bootstrap_servers, "group.id": "upstream-ledger-reader"}
    )
    try:
        position = TopicPartition(s.topic_ledger, mine.partition() or 0)
        committed = await asyncio.to_thread(checker.committed, [position], 10)
    finally:
        checker.close()
    assert committed[0].offset > (
        mine.offset() or 0
    )  # the group's position moved past what it read


def _readme_client_lines() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [
        line.strip().removeprefix("# or:").strip()
        for line in text.splitlines()
        if "tests.support.librdkafka_client" in line and "`" not in line
    ]


async def test_the_readme_client_lines_produce_and_read_the_dead_letter_as_written(
    contract_settings: Settings, shop: str, tmp_path: Path
) -> None:
    s = contract_settings
    lines = _readme_client_lines()
    assert any(" produce " in line for line in lines) and any(" consume " in line for line in lines)
    # The README publishes junk.txt with `loyalty publish`; this test, with librdkafka.
    await asyncio.to_thread(produce, s.kafka_bootstrap_servers, s.topic_sale_completed, b"not json")
    (tmp_path / "sale.json").write_bytes(encode(sale(shop, "eve", "1.00")))
    env = {
        **os.environ,
        "LOYALTY_KAFKA_BOOTSTRAP_SERVERS": s.kafka_bootstrap_servers,
        "PYTHONPATH": str(ROOT),
    }
    outputs = []
    for line in lines:
        # This module's topics carry a prefix: the README names the defaults.
        command = re.sub(r"\bsale\.completed\b", s.topic_sale_completed, line)
        argv = shlex.split(command)
        argv = [sys.executable, *argv[1:]] if argv[0].endswith("python") else argv
        process = await asyncio.create_subprocess_exec(
            *argv,
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), 120)
        assert process.returncode == 0, (line, err.decode()[-2000:])
        outputs.append(out.decode())

    assert "x-dlq-code=invalid_json" in outputs[-1]
    assert f"x-origin-topic={s.topic_sale_completed}" in outputs[-1]
