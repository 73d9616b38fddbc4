"""Line items on PostgreSQL: a mixed basket earns per line, keeps its lines, and a partial
return of named items reverses what they earned, parked or not, and replays to nothing."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import asyncpg
import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.events import EventKind
from domain.item_rules import ItemRules
from service.use_cases.event_intake import ApplyEventBatch
from tests.integration.conftest import given_customer, given_programme
from tests.integration.ledger_queries import balance, entries, inbox_outcome
from tests.support.events import customer_return, item, parsed, returned, sale

pytestmark = pytest.mark.integration

SALE = EventKind.SALE_COMPLETED
RETURN = EventKind.CUSTOMER_RETURN_CREATED
BASKET = [
    item("bread", "2.45", category="bakery"),  # doubled: earns 4.90
    item("croissant", "4.05", category="bakery", quantity="3", unit_price="1.35"),  # 8.10
    item("cigarettes", "8.00", category="tobacco"),  # excluded: 0
    item("apples", "3.30", category="fruit", quantity="1.5", unit_price="2.40", discount="0.30"),
]  # 12.00 + 3.30 = 16.30 points exactly: the sale earns 16


@pytest.fixture
async def shop(uow_factory: PostgresUnitOfWorkFactory) -> str:
    rules = ItemRules(
        category_multipliers=(("bakery", Decimal(2)),), excluded_categories=frozenset({"tobacco"})
    )
    await given_programme(uow_factory, "bakery-shop", item_rules=rules)
    await given_customer(uow_factory, "bakery-shop", "alice")
    return "bakery-shop"


async def purchase_row(pool: asyncpg.Pool, shop: str, sale_id: str) -> asyncpg.Record:
    row = await pool.fetchrow(
        "SELECT * FROM purchases WHERE business_id = $1 AND reference = $2", shop, sale_id
    )
    assert row is not None
    return row


async def moves(pool: asyncpg.Pool, shop: str) -> list[asyncpg.Record]:
    """Alice's entries that move points (enrolment may write a card_created entry first)."""
    return [e for e in await entries(pool, shop, "alice") if e["kind"] != "card_created"]


def the_sale(shop: str) -> dict[str, Any]:
    return sale(shop, "alice", "17.80", items=BASKET)


async def test_a_mixed_basket_earns_per_line_and_keeps_its_lines_and_categories(
    pool: asyncpg.Pool, apply_events: ApplyEventBatch, shop: str
) -> None:
    payload = the_sale(shop)

    await apply_events([parsed(SALE, payload)])

    [entry] = await moves(pool, shop)
    assert (entry["kind"], entry["points"]) == ("earn", 16)
    assert entry["category_ids"] == ["bakery", "fruit", "tobacco"]
    row = await purchase_row(pool, shop, payload["sale_id"])
    lines = json.loads(row["items"])
    assert [(line["sku"], Decimal(line["earned"])) for line in lines] == [
        ("bread", Decimal("4.90")),
        ("croissant", Decimal("8.10")),
        ("cigarettes", 0),
        ("apples", Decimal("3.30")),
    ]
    assert row["returned_items"] is None


async def test_a_partial_return_of_named_items_reverses_what_they_earned_then_the_rest_all(
    pool: asyncpg.Pool, apply_events: ApplyEventBatch, shop: str
) -> None:
    payload = the_sale(shop)
    await apply_events([parsed(SALE, payload)])
    first = customer_return(
        shop,
        payload["sale_id"],
        "10.70",
        items=[returned("cigarettes", quantity="1"), returned("croissant", quantity="2")],
        terminal_id="till-5",
        staff_id="staff-2",
    )

    await apply_events([parsed(RETURN, first)])

    # two of three croissants: 5.40 of 16.30 exact points; the cigarettes earned nothing
    assert [e["points"] for e in await moves(pool, shop)] == [16, -5]
    reversal = (await moves(pool, shop))[-1]
    assert (reversal["terminal_id"], reversal["staff_id"]) == ("till-5", "staff-2")
    row = await purchase_row(pool, shop, payload["sale_id"])
    assert json.loads(row["returned_items"])["skus"] == [
        ["cigarettes", "1", "0"],
        ["croissant", "2", "0"],
    ]

    rest = customer_return(shop, payload["sale_id"], "7.10")
    await apply_events([parsed(RETURN, rest)])

    assert await balance(pool, shop, "alice") == 0
    assert [e["points"] for e in await moves(pool, shop)] == [16, -5, -11]


async def test_a_return_of_named_items_parked_before_its_sale_reverses_them_once_it_comes(
    pool: asyncpg.Pool, apply_events: ApplyEventBatch, shop: str
) -> None:
    payload = the_sale(shop)
    early = customer_return(
        shop,
        payload["sale_id"],
        "5.75",
        items=[returned("bread", quantity="1"), returned("apples", amount="3.30")],
    )
    await apply_events([parsed(RETURN, early)])
    assert await inbox_outcome(pool, shop, early["event_id"]) == ("parked", None)

    await apply_events([parsed(SALE, payload)])

    # bread 4.90 + apples 3.30 = 8.20 of 16.30 exact points: floor(16 * 8.20 / 16.30) = 8
    assert [e["points"] for e in await moves(pool, shop)] == [16, -8]
    assert await inbox_outcome(pool, shop, early["event_id"]) == ("applied", None)


async def test_replaying_a_basket_and_its_returns_changes_nothing(
    pool: asyncpg.Pool, apply_events: ApplyEventBatch, shop: str
) -> None:
    payload = the_sale(shop)
    back = customer_return(
        shop, payload["sale_id"], "2.45", items=[returned("bread", quantity="1")]
    )
    events = [parsed(SALE, payload), parsed(RETURN, back)]
    await apply_events(events)
    before = [dict(e) for e in await moves(pool, shop)]

    await apply_events([parsed(SALE, payload), parsed(RETURN, back)])

    assert [dict(e) for e in await moves(pool, shop)] == before
    assert [e["points"] for e in before] == [16, -4]
