"""Line items through the real broker: a basket earns per line into the ledger and its topic,
a return naming items reverses what they earned, and lines that do not add up to the total
are dead-lettered with their own code while the next record is applied."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import asyncpg
import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.item_rules import ItemRules
from service.entrypoints.runtime import Service
from service.entrypoints.settings import Settings
from tests.integration.conftest import given_customer, given_programme
from tests.integration.ledger_queries import balance
from tests.support.events import customer_return, encode, item, returned, sale
from tests.support.kafka import eventually, produce, read_topic

pytestmark = pytest.mark.contract

SHOP = "basket-shop"


@pytest.fixture(scope="module")
async def shop(db: asyncpg.Pool, service: Service) -> str:
    uow_factory = PostgresUnitOfWorkFactory(db)
    rules = ItemRules(
        category_multipliers=(("bakery", Decimal(2)),), excluded_categories=frozenset({"tobacco"})
    )
    await given_programme(uow_factory, SHOP, earn_rate="1", item_rules=rules)
    await given_customer(uow_factory, SHOP, "ann")
    return SHOP


async def test_a_basket_earns_per_line_and_a_return_of_named_items_reverses_what_they_earned(
    contract_settings: Settings, db: asyncpg.Pool, shop: str
) -> None:
    s = contract_settings
    basket = sale(
        shop,
        "ann",
        "20.00",
        items=[
            item("bread", "5.00", category="bakery"),  # 10
            item("cigarettes", "10.00", category="tobacco"),  # 0
            item("milk", "5.00", category="dairy"),  # 5
        ],
    )
    await produce(s.kafka_bootstrap_servers, s.topic_sale_completed, [encode(basket)])
    await eventually(lambda: balance(db, shop, "ann"), lambda b: b == 15)

    back = customer_return(
        shop,
        basket["sale_id"],
        "15.00",
        items=[returned("cigarettes", quantity="1"), returned("milk", amount="5.00")],
    )
    await produce(s.kafka_bootstrap_servers, s.topic_customer_return_created, [encode(back)])
    await eventually(lambda: balance(db, shop, "ann"), lambda b: b == 10)

    def earn_and_reversal(found: list[Any]) -> bool:  # card_created entries count too
        kinds = {json.loads(r.value)["kind"] for r in found if r.value}
        return {"earn", "reversal"} <= kinds

    records = await read_topic(
        s.kafka_bootstrap_servers, s.topic_ledger, at_least=2, done=earn_and_reversal
    )
    moves = [json.loads(r.value) for r in records if r.value]
    moves = [m for m in moves if m["kind"] in ("earn", "reversal")]
    assert [(m["kind"], m["points"]) for m in moves] == [("earn", 15), ("reversal", -5)]
    assert moves[0]["category_ids"] == ["bakery", "dairy", "tobacco"]


async def test_lines_that_do_not_add_up_are_dead_lettered_and_the_next_sale_is_applied(
    contract_settings: Settings, db: asyncpg.Pool, shop: str
) -> None:
    s = contract_settings
    wrong = sale(shop, "ann", "9.00", items=[item("bread", "4.00"), item("milk", "4.00")])
    right = sale(shop, "ann", "8.00", items=[item("bread", "4.00"), item("milk", "4.00")])
    start = await balance(db, shop, "ann")

    await produce(
        s.kafka_bootstrap_servers, s.topic_sale_completed, [encode(wrong), encode(right)], key=b"k"
    )

    await eventually(lambda: balance(db, shop, "ann"), lambda b: b == start + 8)
    [letter] = await read_topic(
        s.kafka_bootstrap_servers, s.topic_sale_completed + s.dead_letter_suffix, at_least=1
    )
    assert dict(letter.headers)["x-dlq-code"] == b"items_do_not_add_up"
    assert json.loads(letter.value or b"{}")["event_id"] == wrong["event_id"]
