"""``sale.cancelled`` on a real broker: a sale paid partly with points, returned in part and
then cancelled (twice) ends with every earned point reversed and every spent point given
back, published on the ledger topic; a poison cancellation goes to its dead-letter topic and
the next one is applied."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from adapters.system_clock import SystemClock
from domain.commands import Redeem
from service.entrypoints.runtime import Service
from service.entrypoints.settings import Settings
from service.use_cases.redemptions import Redemptions
from tests.integration.conftest import given_customer, given_programme
from tests.integration.ledger_queries import balance, inbox_outcome
from tests.support.events import customer_return, encode, sale, sale_cancelled
from tests.support.kafka import eventually, produce, read_topic

pytestmark = pytest.mark.contract

SHOP = "cancel-shop"


@pytest.fixture(scope="module")
async def shop(db: asyncpg.Pool, service: Service) -> PostgresUnitOfWorkFactory:
    uow_factory = PostgresUnitOfWorkFactory(db)
    await given_programme(uow_factory, SHOP, earn_rate="1")
    for customer in ("ann", "bo"):
        await given_customer(uow_factory, SHOP, customer)
    return uow_factory


async def test_a_cancelled_sale_gives_back_what_it_spent_and_reverses_what_it_earned(
    contract_settings: Settings, db: asyncpg.Pool, shop: PostgresUnitOfWorkFactory
) -> None:
    s, bs = contract_settings, contract_settings.kafka_bootstrap_servers
    await produce(bs, s.topic_sale_completed, [encode(sale(SHOP, "ann", "100.00"))])
    await eventually(lambda: balance(db, SHOP, "ann"), lambda b: b == 100)
    account_id = await db.fetchval(
        "SELECT account_id FROM accounts WHERE business_id = $1 AND customer_id = 'ann'", SHOP
    )
    till = Redemptions(shop, SystemClock())
    held = await till.redeem(Redeem(SHOP, account_id, 60, "k-ann", "k-ann", hold=True))
    paid = sale(SHOP, "ann", "30.00", loyalty_redemption_id=str(held.redemption.redemption_id))
    await produce(bs, s.topic_sale_completed, [encode(paid)])
    await eventually(lambda: balance(db, SHOP, "ann"), lambda b: b == 100 - 60 + 30)

    back = customer_return(SHOP, paid["sale_id"], "10.00")
    await produce(bs, s.topic_customer_return_created, [encode(back)])
    await eventually(lambda: balance(db, SHOP, "ann"), lambda b: b == 70 - 10 + 20)
    cancelled = sale_cancelled(SHOP, paid["sale_id"])
    await produce(bs, s.topic_sale_cancelled, [encode(cancelled), encode(cancelled)])

    await eventually(lambda: balance(db, SHOP, "ann"), lambda b: b == 100)
    assert await inbox_outcome(db, SHOP, cancelled["event_id"]) == ("applied", None)
    key = str(account_id).encode()

    def both_given_back(found: list[Any]) -> bool:  # a count alone may stop short of them
        kinds = [json.loads(r.value)["kind"] for r in found if r.key == key]
        return kinds.count("spend_return") >= 2

    records = await read_topic(bs, s.topic_ledger, at_least=7, done=both_given_back)
    mine = [json.loads(r.value) for r in records if r.key == key]
    moves = [(m["kind"], m["points"], m["bucket"]) for m in mine if m["kind"] == "spend_return"]
    assert moves == [("spend_return", 20, "redemption"), ("spend_return", 40, "redemption")]


async def test_a_poison_cancellation_is_dead_lettered_and_the_next_one_is_applied(
    contract_settings: Settings, db: asyncpg.Pool, shop: PostgresUnitOfWorkFactory
) -> None:
    s, bs = contract_settings, contract_settings.kafka_bootstrap_servers
    bought = sale(SHOP, "bo", "25.00")
    await produce(bs, s.topic_sale_completed, [encode(bought)])
    await eventually(lambda: balance(db, SHOP, "bo"), lambda b: b == 25)
    poison = {**sale_cancelled(SHOP, bought["sale_id"]), "sale_id": None}

    good = sale_cancelled(SHOP, bought["sale_id"])
    await produce(bs, s.topic_sale_cancelled, [encode(poison), encode(good)], key=b"one")

    await eventually(lambda: balance(db, SHOP, "bo"), lambda b: b == 0)
    [letter] = await read_topic(bs, s.topic_sale_cancelled + s.dead_letter_suffix, at_least=1)
    assert dict(letter.headers)["x-dlq-code"] == b"schema_violation"
    assert json.loads(letter.value or b"{}")["event_id"] == poison["event_id"]
