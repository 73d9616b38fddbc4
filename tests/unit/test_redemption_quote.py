"""The redemption quote: the cap before sufficiency, the minimum on the balance, and no point
taken without its value."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.accounts import Account
from domain.programme import Programme, RuleVersion
from domain.redemption import BlockReason, RedemptionQuote, quote_redemption

pytestmark = pytest.mark.unit

AT = datetime(2026, 1, 1, tzinfo=UTC)
ACCOUNT_ID = UUID(int=7)


def quote(
    balance: int,
    points: int,
    *,
    rate: str = "100",
    max_discount: str | None = None,
    min_balance: int = 0,
    sale_amount: str | None = None,
    held: int = 0,
    spendable: int | None = None,
) -> RedemptionQuote:
    rule = RuleVersion(
        1,
        datetime(2020, 1, 1, tzinfo=UTC),
        Decimal(1),
        Decimal(rate),
        max_discount=Decimal(max_discount) if max_discount is not None else None,
        min_balance_to_redeem=min_balance,
    )
    return quote_redemption(
        Account("b", ACCOUNT_ID, "c", balance=balance),
        Programme("b", "p", rules=(rule,)),
        AT,
        points,
        Decimal(sale_amount) if sale_amount is not None else None,
        held,
        spendable,
    )


def test_asking_for_more_points_than_the_cap_needs_takes_only_what_it_needs() -> None:
    # 1,000 points at 100 a unit would be 10.00; the cap is 2.00 (200 points); 300 are there.
    q = quote(300, 1000, max_discount="2")

    assert q.blocked is None
    assert (q.discount, q.points_to_take, q.capped, q.balance_after) == (Decimal(2), 200, True, 100)


def test_a_sale_amount_cap_also_comes_before_the_sufficiency_check() -> None:
    q = quote(300, 1000, sale_amount="1.50")

    assert (q.blocked, q.discount, q.points_to_take) == (None, Decimal("1.50"), 150)


def test_the_capped_points_must_still_be_available() -> None:
    q = quote(300, 1000, max_discount="2", held=150)

    assert q.blocked is BlockReason.INSUFFICIENT_POINTS


def test_the_minimum_balance_is_compared_with_the_balance_not_what_is_unheld() -> None:
    # Balance 500 meets the minimum of 400 although 200 of it are on hold.
    q = quote(500, 100, min_balance=400, held=200)

    assert q.blocked is None
    assert quote(399, 100, min_balance=400).blocked is BlockReason.BELOW_MINIMUM_BALANCE


def test_an_uncapped_discount_takes_only_the_points_its_cents_are_worth() -> None:
    # 151 points at 150 a unit are worth 1.00666...; the discount is 1.00, which 150 buy.
    q = quote(1000, 151, rate="150")
    assert (q.discount, q.points_to_take, q.capped) == (Decimal("1.00"), 150, False)
    # 10 points at 3 a unit give 3.33; 9.99 points' worth is not a whole point, so 10.
    q = quote(100, 10, rate="3")
    assert (q.discount, q.points_to_take) == (Decimal("3.33"), 10)


rates = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(1000), places=2).filter(
    lambda r: r > 0
)
caps = st.none() | st.decimals(min_value=Decimal(0), max_value=Decimal(500), places=3)


@given(
    balance=st.integers(0, 100_000),
    points=st.integers(1, 100_000),
    rate=rates,
    max_discount=caps,
    sale_amount=caps,
    held=st.integers(0, 50_000),
)
def test_a_quote_never_takes_more_than_asked_or_available_nor_gives_more_than_the_caps(
    balance: int,
    points: int,
    rate: Decimal,
    max_discount: Decimal | None,
    sale_amount: Decimal | None,
    held: int,
) -> None:
    q = quote(
        balance,
        points,
        rate=str(rate),
        max_discount=None if max_discount is None else str(max_discount),
        sale_amount=None if sale_amount is None else str(sale_amount),
        held=held,
    )

    assert 0 <= q.points_to_take <= points
    assert q.discount == q.discount.quantize(Decimal("0.01"))
    for cap in (max_discount, sale_amount):
        if cap is not None:
            assert q.discount <= cap
    # Exactly the points the discount is worth, rounded up to a whole point: never a point
    # taken without its value, never a discount beyond the points.
    assert q.points_to_take == math.ceil(q.discount * rate)
    assert q.discount <= Decimal(q.points_to_take) / rate
    if q.blocked is None:
        assert 0 < q.points_to_take <= balance - held
        assert q.discount > 0


@given(
    balance=st.integers(0, 100_000),
    points=st.integers(1, 100_000),
    rate=rates,
    max_discount=caps,
    held=st.integers(0, 50_000),
)
def test_asking_for_more_than_the_cap_needs_answers_as_asking_for_exactly_that(
    balance: int, points: int, rate: Decimal, max_discount: Decimal | None, held: int
) -> None:
    cap = None if max_discount is None else str(max_discount)
    asked = quote(balance, points, rate=str(rate), max_discount=cap, held=held)
    if asked.points_to_take == 0:
        return
    exact = quote(balance, asked.points_to_take, rate=str(rate), max_discount=cap, held=held)

    assert (asked.blocked, asked.discount, asked.points_to_take) == (
        exact.blocked,
        exact.discount,
        exact.points_to_take,
    )
