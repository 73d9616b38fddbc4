"""The bench's 5-item baskets are sales the service accepts and earns by its item rules: five
lines adding up to the total, some by weight, under a programme whose rules and card change
what they earn (or the basket figure would measure total-only earning with bigger messages)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.kafka.parsing import parse_event
from bench.baskets import LINES, basket_programme, baskets
from bench.same_work import inbound
from domain.arithmetic import points_earned
from domain.events import EventKind, PurchaseCompleted
from domain.line_earning import earn_sale
from domain.programme_revision import revise
from domain.stamps import stamps_for_sale

pytestmark = pytest.mark.unit

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), events=st.integers(1, 40))
def test_every_basket_has_five_distinct_skus_whose_amounts_add_up_to_its_total(
    seed: int, events: int
) -> None:
    for payload in baskets(events, customers=7, seed=seed):
        items = payload["items"]
        assert len({line["sku"] for line in items}) == len(items) == LINES
        total = sum((Decimal(line["amount"]) for line in items), Decimal(0))
        assert total == Decimal(payload["total_amount"]) > 0
        for line in items:
            assert Decimal(line["amount"]) >= 0
            assert Decimal(line["discount"]) <= Decimal(line["quantity"]) * Decimal(
                line["unit_price"]
            )


def test_the_parser_accepts_every_basket_with_its_lines() -> None:
    payloads = baskets(500, customers=50)
    events = inbound(payloads)  # raises on any the service would dead-letter
    sales = [e for e in events if isinstance(e, PurchaseCompleted)]
    assert len(sales) == len(payloads)
    assert all(len(sale.items) == LINES for sale in sales)
    assert any(line.quantity % 1 for sale in sales for line in sale.items)  # sold by weight


def test_the_same_seed_makes_the_same_workload_and_tags_keep_event_ids_apart() -> None:
    assert baskets(50, 5, tag="a") == baskets(50, 5, tag="a")
    first, second = baskets(50, 5, tag="a"), baskets(50, 5, tag="b")
    assert not {p["event_id"] for p in first} & {p["event_id"] for p in second}


def test_the_basket_programme_changes_what_baskets_earn_against_their_totals() -> None:
    rule = revise(None, basket_programme(), NOW, None).rule
    assert rule.stamp_card is not None
    differs = below_min_spend = stamps = 0
    for payload in baskets(300, customers=30):
        event = parse_event(EventKind.SALE_COMPLETED, json.dumps(payload).encode())
        assert isinstance(event, PurchaseCompleted)
        earned = earn_sale(event.amount, event.items, rule, event.occurred_at)
        differs += earned.points != points_earned(event.amount, rule, event.occurred_at)
        below_min_spend += earned.below_min_spend
        stamps += stamps_for_sale(rule.stamp_card, event.amount, event.items)[0]
    assert differs > 250  # bakery doubled and tobacco excluded move most baskets
    assert 0 < below_min_spend < 30  # the minimum is in force, and rarely decides
    assert stamps > 0
