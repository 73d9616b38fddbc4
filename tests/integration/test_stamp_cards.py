"""Stamp cards on PostgreSQL: filled across several sales, voided in proportion by a return,
once per sale whatever the redeliveries, and every check of ``loyalty verify`` clean."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.events import EventKind
from domain.stamps import StampBasis, StampCard
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.verification import verify_ledger
from tests.integration.conftest import given_customer, given_programme
from tests.support.events import customer_return, parsed, sale

pytestmark = pytest.mark.integration

SALE = EventKind.SALE_COMPLETED
RETURN = EventKind.CUSTOMER_RETURN_CREATED


def _line(sku: str, category: str, quantity: str, amount: str) -> dict[str, Any]:
    return {
        "sku": sku,
        "category": category,
        "quantity": quantity,
        "unit_price": amount,
        "discount": "0",
        "amount": amount,
    }


async def _shop(uow_factory: PostgresUnitOfWorkFactory, card: StampCard) -> str:
    await given_programme(uow_factory, "cafe", stamp_card=card)
    await given_customer(uow_factory, "cafe", "alice")
    return "cafe"


async def _stamps(pool: asyncpg.Pool) -> tuple[int, list[tuple[str, int, int]]]:
    held = await pool.fetchval("SELECT stamps FROM accounts WHERE customer_id = 'alice'")
    rows = await pool.fetch(
        "SELECT kind, stamps, stamps_balance_after FROM ledger_entries"
        " WHERE customer_id = 'alice' AND stamps <> 0 ORDER BY seq"
    )
    return held, [(r["kind"], r["stamps"], r["stamps_balance_after"]) for r in rows]


async def _verified(uow_factory: PostgresUnitOfWorkFactory) -> list[str]:
    return (await verify_ledger(uow_factory, None, outbox_max_age_seconds=10**9)).breaches


async def test_a_card_fills_across_several_sales_once_each_whatever_the_redeliveries(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory, apply_events: ApplyEventBatch
) -> None:
    shop = await _shop(uow_factory, StampCard(target=5, categories=frozenset({"coffee"})))
    sales = [
        sale(shop, "alice", "2.40", items=[_line("esp", "coffee", "1", "2.40")]) for _ in range(5)
    ]
    cake = sale(shop, "alice", "3.00", items=[_line("tart", "bakery", "1", "3.00")])
    await apply_events([parsed(SALE, s) for s in sales[:3]])
    await apply_events([parsed(SALE, s) for s in [*sales, cake, sales[0]]])

    held, moves = await _stamps(pool)
    assert held == 5
    assert moves == [("stamp_earn", 1, n) for n in range(1, 6)]
    earned = await pool.fetch("SELECT stamps_earned FROM purchases WHERE stamps_earned > 0")
    assert len(earned) == 5
    assert await _verified(uow_factory) == []


async def test_a_partial_return_voids_in_proportion_and_items_void_what_they_earned(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory, apply_events: ApplyEventBatch
) -> None:
    card = StampCard(target=10, basis=StampBasis.ITEM, categories=frozenset({"coffee"}))
    shop = await _shop(uow_factory, card)
    bought = sale(
        shop,
        "alice",
        "16.00",
        items=[_line("esp", "coffee", "4", "10.00"), _line("cig", "tobacco", "1", "6.00")],
    )
    await apply_events([parsed(SALE, bought)])
    by_amount = customer_return(shop, bought["sale_id"], "8.00")  # half: floor(4 * 8 / 16)
    await apply_events([parsed(RETURN, by_amount)])
    assert (await _stamps(pool))[0] == 2

    tobacco = customer_return(
        shop, bought["sale_id"], "6.00", items=[{"sku": "cig", "quantity": "1"}]
    )
    await apply_events([parsed(RETURN, tobacco)])
    assert (await _stamps(pool))[0] == 2  # the tobacco earned no stamps

    cups = customer_return(shop, bought["sale_id"], "1.00", items=[{"sku": "esp", "quantity": "1"}])
    await apply_events([parsed(RETURN, cups)])

    held, moves = await _stamps(pool)
    assert held == 1  # one cup of the four named: with the half by amount, 3 of 4 stamps void
    assert moves == [("stamp_earn", 4, 4), ("stamp_void", -2, 2), ("stamp_void", -1, 1)]

    # The rest of the money: refunds now reach the total, so every stamp is voided, as every
    # point is reversed, however the returns were named.
    rest = customer_return(shop, bought["sale_id"], "1.00")
    await apply_events([parsed(RETURN, rest)])
    assert (await _stamps(pool))[0] == 0
    row = await pool.fetchrow(
        "SELECT stamps_earned, stamps_voided, stamps_returned_amount, stamp_lines"
        " FROM purchases WHERE reference = $1",
        bought["sale_id"],
    )
    # earned, voided, and the money of the returns by amount (8.00 and the last 1.00)
    assert (row["stamps_earned"], row["stamps_voided"], row["stamps_returned_amount"]) == (4, 4, 9)
    assert await _verified(uow_factory) == []


async def test_verify_finds_a_stamp_balance_that_does_not_match_its_entries(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory, apply_events: ApplyEventBatch
) -> None:
    shop = await _shop(uow_factory, StampCard(target=5))
    await apply_events([parsed(SALE, sale(shop, "alice", "4.00"))])
    assert await _verified(uow_factory) == []

    await pool.execute("UPDATE accounts SET stamps = stamps + 3 WHERE customer_id = 'alice'")
    await pool.execute("UPDATE purchases SET stamps_voided = 1")

    breaches = await _verified(uow_factory)
    assert any("4 stamps but entries sum to 1" in b for b in breaches), breaches
    assert any("voided 1" in b for b in breaches), breaches
