"""Poison never stops a partition: every hostile record the parser knows, each followed by a
good sale on the same partition, against the real broker and database in one consumer run."""

from __future__ import annotations

import asyncpg
import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from service.entrypoints.runtime import Service
from service.entrypoints.settings import Settings
from tests.integration.conftest import given_customer, given_programme
from tests.integration.ledger_queries import balance
from tests.support.events import encode, sale
from tests.support.hostile_inputs import hostile_records
from tests.support.kafka import eventually, produce, read_topic

pytestmark = pytest.mark.contract

SHOP = "poison-shop"
CUSTOMER = "pia"


async def test_each_hostile_record_is_dead_lettered_with_its_reason_and_the_next_is_applied(
    contract_settings: Settings, db: asyncpg.Pool, service: Service
) -> None:
    s = contract_settings
    uow_factory = PostgresUnitOfWorkFactory(db)
    await given_programme(uow_factory, SHOP, earn_rate="1")
    await given_customer(uow_factory, SHOP, CUSTOMER)
    hostile = hostile_records(SHOP, CUSTOMER)
    goods = [sale(SHOP, CUSTOMER, "1.00") for _ in hostile]
    interleaved = [raw for h, g in zip(hostile, goods, strict=True) for raw in (h.raw, encode(g))]

    # One key: every record on one partition, each poison right before a good sale.
    await produce(s.kafka_bootstrap_servers, s.topic_sale_completed, interleaved, key=b"one")  # type: ignore[arg-type]

    await eventually(lambda: balance(db, SHOP, CUSTOMER), lambda b: b == len(goods), timeout=60)
    applied = await db.fetchval(
        "SELECT count(*) FROM inbox WHERE business_id = $1 AND status = 'applied'"
        " AND event_id = ANY($2::text[])",
        SHOP,
        [g["event_id"] for g in goods],
    )
    assert applied == len(goods)
    letters = await read_topic(
        s.kafka_bootstrap_servers,
        s.topic_sale_completed + s.dead_letter_suffix,
        at_least=len(hostile),
        timeout=60,
    )
    assert len(letters) == len(hostile)
    got = sorted((r.value or b"", dict(r.headers)["x-dlq-code"].decode()) for r in letters)
    assert got == sorted((h.raw or b"", h.code) for h in hostile)
    for letter in letters:
        headers = {k: v.decode() for k, v in letter.headers}
        assert headers["x-dlq-reason"].startswith(headers["x-dlq-code"] + ": ")
        assert len(headers["x-dlq-reason"]) > len(headers["x-dlq-code"]) + 2
        assert headers["x-origin-topic"] == s.topic_sale_completed
    origins = [
        (int(dict(r.headers)["x-origin-partition"]), int(dict(r.headers)["x-origin-offset"]))
        for r in letters
    ]
    assert len({partition for partition, _ in origins}) == 1
    offsets = sorted(offset for _, offset in origins)
    assert offsets == list(range(offsets[0], offsets[0] + 2 * len(offsets), 2))  # interleaved
