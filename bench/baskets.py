"""The 5-item basket workload: each sale five lines over a few categories and SKUs, some sold
by weight, their amounts adding up to the total; earned under a rule version with item rules
(bakery doubled, tobacco excluded, a minimum spend) and a coffee stamp card, set through the
real ``Programmes`` use case as a manager's ``loyalty program set`` would."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import asyncpg

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from adapters.system_clock import SystemClock
from bench.support import enrolled_customers
from bench.workload import BUSINESS, EARN_RATE
from domain.commands import SetProgramme
from domain.item_rules import ItemRules
from domain.stamps import StampBasis, StampCard
from service.use_cases.programmes import Programmes

LINES = 5
CENT = Decimal("0.01")
GRAM = Decimal("0.001")

# (sku, category, unit price, sold by weight)
CATALOGUE: tuple[tuple[str, str, Decimal, bool], ...] = (
    ("croissant", "bakery", Decimal("1.20"), False),
    ("baguette", "bakery", Decimal("1.10"), False),
    ("espresso-beans", "coffee", Decimal("7.90"), False),
    ("latte", "coffee", Decimal("3.20"), False),
    ("apples", "produce", Decimal("2.99"), True),
    ("bananas", "produce", Decimal("1.89"), True),
    ("milk", "dairy", Decimal("1.05"), False),
    ("cigarettes", "tobacco", Decimal("8.50"), False),
)

ITEM_RULES = ItemRules(
    category_multipliers=(("bakery", Decimal(2)),),
    excluded_categories=frozenset({"tobacco"}),
    min_spend=Decimal("8.00"),
)
STAMP_CARD = StampCard(
    target=10, basis=StampBasis.ITEM, categories=frozenset({"coffee"}), reward_id="free-coffee"
)


def _line(
    rng: random.Random, sku: str, category: str, price: Decimal, by_weight: bool
) -> dict[str, str]:
    if by_weight:
        quantity = (Decimal(rng.randint(250, 2500)) * GRAM).quantize(GRAM)
    else:
        quantity = Decimal(rng.randint(1, 3))
    gross = (quantity * price).quantize(CENT)
    discount = Decimal("0.10") if rng.random() < 0.2 and gross > Decimal("0.10") else Decimal(0)
    return {
        "sku": sku,
        "category": category,
        "quantity": str(quantity),
        "unit_price": str(price),
        "discount": str(discount),
        "amount": str(gross - discount),
    }


def baskets(events: int, customers: int, tag: str = "b", seed: int = 13) -> list[dict[str, Any]]:
    """``sale.completed`` events with five lines of distinct SKUs; the total is their sum."""
    rng = random.Random(seed)
    payloads = []
    for i in range(events):
        items = [_line(rng, *product) for product in rng.sample(CATALOGUE, LINES)]
        total = sum((Decimal(line["amount"]) for line in items), Decimal(0))
        payloads.append(
            {
                "event_id": f"{tag}-evt-{i}",
                "occurred_at": "2026-06-01T12:00:00+00:00",
                "business_id": BUSINESS,
                "sale_id": f"{tag}-sale-{i}",
                "customer_id": f"cust-{rng.randrange(customers)}",
                "total_amount": str(total),
                "currency": "EUR",
                "store_id": "store-1",
                "items": items,
            }
        )
    return payloads


def basket_programme() -> SetProgramme:
    """One version, in force long before the workload's sales."""
    return SetProgramme(
        business_id=BUSINESS,
        earn_rate=EARN_RATE,
        redemption_rate=Decimal(100),
        effective_from=datetime(2020, 1, 1, tzinfo=UTC),
        item_rules=ITEM_RULES,
        stamp_card=STAMP_CARD,
    )


async def enrol_for_baskets(database_url: str, customers: int) -> None:
    """The basket programme and ``customers`` accounts."""
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=2)
    try:
        await Programmes(PostgresUnitOfWorkFactory(pool), SystemClock()).set(basket_programme())
        async with pool.acquire() as conn:
            await enrolled_customers(conn, BUSINESS, customers)
    finally:
        await pool.close()


EFFECTS = """
SELECT (SELECT count(*) FROM ledger_entries WHERE kind = 'earn') AS earn_entries,
       (SELECT count(*) FROM ledger_entries WHERE 'bakery' = ANY(category_ids)) AS bakery_entries,
       (SELECT coalesce(sum(stamps), 0) FROM ledger_entries) AS stamps,
       (SELECT count(*) FROM inbox WHERE reason = 'below_min_spend') AS below_min_spend
"""


async def basket_effects(database_url: str) -> dict[str, int]:
    """What the rules did to the ledger, so a run shows they were in force (not a basket
    workload earning as totals): categories recorded, stamps earned, sales under the minimum."""
    conn = await asyncpg.connect(database_url)
    try:
        row = await conn.fetchrow(EFFECTS)
        assert row is not None
        effects = {k: int(v) for k, v in row.items()}
    finally:
        await conn.close()
    if not (effects["earn_entries"] and effects["bakery_entries"] and effects["stamps"]):
        raise RuntimeError(f"the basket rules left no trace in the ledger: {effects}")
    return effects
