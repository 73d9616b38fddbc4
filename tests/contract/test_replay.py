"""Replaying every topic from offset 0 under a new consumer group changes no balance."""

from __future__ import annotations

import asyncpg
import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from service.entrypoints.runtime import Service
from service.entrypoints.settings import Settings
from tests.contract.conftest import start_service
from tests.integration.conftest import given_customer, given_programme
from tests.support.events import bill, bill_refund, customer_return, encode, sale
from tests.support.kafka import committed_offsets, eventually, last_offsets, produce

pytestmark = pytest.mark.contract

LEDGER_SNAPSHOT = """
SELECT a.customer_id, a.balance, a.last_seq,
       (SELECT count(*) FROM ledger_entries e
         WHERE e.business_id = a.business_id AND e.account_id = a.account_id) AS entries
FROM accounts a ORDER BY a.customer_id
"""


async def test_replaying_every_topic_under_a_new_consumer_group_changes_no_balance(
    contract_settings: Settings, db: asyncpg.Pool, service: Service
) -> None:
    s = contract_settings
    shop = "replay-shop"
    uow_factory = PostgresUnitOfWorkFactory(db)
    await given_programme(uow_factory, shop, earn_rate="1.5")
    customers = [f"c{i}" for i in range(10)]
    for customer in customers:
        await given_customer(uow_factory, shop, customer)

    sales = [sale(shop, c, f"{10 + i}.75") for i, c in enumerate(customers)]
    bills = [bill(shop, c, f"{20 + i}.10") for i, c in enumerate(customers)]
    returns = [customer_return(shop, x["sale_id"], "5.50") for x in sales]
    refunds = [bill_refund(shop, x["bill_id"], "7.25") for x in bills]
    await produce(
        s.kafka_bootstrap_servers, s.topic_customer_return_created, [encode(r) for r in returns[:5]]
    )
    await produce(s.kafka_bootstrap_servers, s.topic_sale_completed, [encode(x) for x in sales])
    await produce(s.kafka_bootstrap_servers, s.topic_bill_paid, [encode(x) for x in bills])
    await produce(
        s.kafka_bootstrap_servers, s.topic_customer_return_created, [encode(r) for r in returns[5:]]
    )
    await produce(s.kafka_bootstrap_servers, s.topic_bill_refunded, [encode(r) for r in refunds])
    await produce(s.kafka_bootstrap_servers, s.topic_sale_completed, [b"not json"])
    await eventually(
        lambda: db.fetchval("SELECT count(*) FROM inbox WHERE status = 'applied'"),
        lambda n: n == 40,
    )
    before = [tuple(r) for r in await db.fetch(LEDGER_SNAPSHOT)]
    assert sum(r[3] for r in before) == 40 + len(customers)  # and each card_created entry

    replay_group = f"{s.consumer_group}-replay"
    replayer = await start_service(s.model_copy(update={"consumer_group": replay_group}))
    try:
        ends = await last_offsets(s.kafka_bootstrap_servers, list(s.inbound_topics()))
        await eventually(
            lambda: committed_offsets(s.kafka_bootstrap_servers, replay_group, list(ends)),
            lambda done: all(done.get(tp, -1) >= end for tp, end in ends.items() if end > 0),
        )
    finally:
        await replayer.stop()

    assert [tuple(r) for r in await db.fetch(LEDGER_SNAPSHOT)] == before
