"""The points arithmetic: earning, multiplier windows and proportional reversal."""

from __future__ import annotations

import math
from datetime import datetime
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.arithmetic import (
    discount_for_points,
    floor_points,
    points_earned,
    reversed_points_target,
)
from domain.ledger import Source
from domain.programme import RuleVersion
from domain.purchases import Purchase

from .builders import BUSINESS, T0, at, rule

pytestmark = pytest.mark.unit

WINDOW = rule(multiplier="2", multiplier_from=at(days=10), multiplier_until=at(days=20))


def purchase(earned: int, total: str) -> Purchase:
    return Purchase(
        business_id=BUSINESS,
        source=Source.SALE,
        reference="s1",
        event_id="ev-sale-s1",
        occurred_at=T0,
        total=Decimal(total),
        currency="EUR",
        points_earned=earned,
    )


def refund_in_turn(p: Purchase, *amounts: str) -> list[int]:
    reversals = []
    for amount in amounts:
        p, to_reverse = p.after_refund(Decimal(amount))
        reversals.append(to_reverse)
    return reversals


@pytest.mark.parametrize(
    ("amount", "earn_rate", "expected"),
    [
        ("19.99", "1.5", 29),  # 29.985
        ("100", "1", 100),
        ("9.99", "1", 9),
        ("0.99", "1", 0),
        ("4.35", "100", 435),  # as a float: 434.99999999999994
        ("0.29", "100", 29),  # as a float: 28.999999999999996
    ],
)
def test_earning_is_the_floor_of_amount_times_earn_rate(
    amount: str, earn_rate: str, expected: int
) -> None:
    assert points_earned(Decimal(amount), rule(earn_rate=earn_rate), T0) == expected


def test_decimal_sums_earn_exactly_where_floats_would_lose_a_point() -> None:
    amount = Decimal("0.7") + Decimal("0.1")  # 0.7999999999999999 as floats

    assert points_earned(amount, rule(earn_rate="10"), T0) == 8


@pytest.mark.parametrize("amount", ["0", "0.00", "-0.01", "-250"])
def test_zero_and_negative_amounts_earn_nothing(amount: str) -> None:
    assert points_earned(Decimal(amount), rule(earn_rate="3"), T0) == 0


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(days=9, hours=23), 100),  # before the window
        (at(days=10), 200),  # the start is inside
        (at(days=15), 200),
        (at(days=19, hours=23), 200),
        (at(days=20), 100),  # the end is outside
        (at(days=30), 100),
    ],
)
def test_the_multiplier_applies_only_inside_its_half_open_window(
    moment: datetime, expected: int
) -> None:
    assert points_earned(Decimal("100"), WINDOW, moment) == expected


def test_a_multiplier_with_no_window_applies_at_any_time() -> None:
    always_double = rule(multiplier="2")

    assert points_earned(Decimal("10"), always_double, at(days=-400)) == 20
    assert points_earned(Decimal("10"), always_double, at(days=400)) == 20


def test_a_window_open_at_one_end_is_bounded_only_by_the_other() -> None:
    from_day_ten = rule(multiplier="3", multiplier_from=at(days=10))
    until_day_ten = rule(multiplier="3", multiplier_until=at(days=10))

    assert points_earned(Decimal("10"), from_day_ten, at(days=9)) == 10
    assert points_earned(Decimal("10"), from_day_ten, at(days=900)) == 30
    assert points_earned(Decimal("10"), until_day_ten, at(days=-900)) == 30
    assert points_earned(Decimal("10"), until_day_ten, at(days=10)) == 10


def test_the_multiplier_applies_before_flooring_not_after() -> None:
    # floor(3.5 * 3) = 10, whereas floor(3.5) * 3 would give 9
    assert points_earned(Decimal("3.5"), rule(multiplier="3"), T0) == 10


def test_floor_points_rounds_towards_minus_infinity() -> None:
    assert floor_points(Decimal("2.999")) == 2
    assert floor_points(Decimal("-0.5")) == -1


@pytest.mark.parametrize(
    ("earned", "total", "refunded", "expected"),
    [
        (10, "30", "10", 3),
        (10, "30", "20", 6),
        (10, "30", "30", 10),
        (7, "10", "12", 7),  # capped at the total
        (0, "10", "10", 0),
        (10, "0", "5", 0),
        (10, "30", "0", 0),
    ],
)
def test_the_reversal_target_is_the_cumulative_floor_of_the_refunded_share(
    earned: int, total: str, refunded: str, expected: int
) -> None:
    assert reversed_points_target(earned, Decimal(total), Decimal(refunded)) == expected


def test_two_partial_returns_then_the_rest_reverse_exactly_what_was_earned() -> None:
    reversals = refund_in_turn(purchase(earned=10, total="30"), "10", "10", "10")

    assert reversals == [3, 3, 4]
    assert sum(reversals) == 10


def test_refunds_beyond_the_total_never_reverse_more_than_was_earned() -> None:
    reversals = refund_in_turn(purchase(earned=7, total="10"), "6", "6", "5")

    assert reversals == [4, 3, 0]


def test_a_refund_too_small_to_reverse_a_point_is_caught_up_by_the_next() -> None:
    reversals = refund_in_turn(purchase(earned=3, total="100"), "20", "20", "60")

    assert reversals == [0, 1, 2]


def test_after_refund_keeps_the_running_totals_on_the_purchase() -> None:
    after, _ = purchase(earned=10, total="30").after_refund(Decimal("10"))

    assert after.refunded_amount == Decimal("10")
    assert after.points_reversed == 3


def test_a_discount_is_points_divided_by_the_redemption_rate() -> None:
    assert discount_for_points(250, Decimal("100")) == Decimal("2.5")
    assert discount_for_points(3, Decimal("4")) == Decimal("0.75")


# Exactness: Decimal's default context keeps 28 digits and rounds before the floor could act.

TWENTY_NINE_NINES = "9" * 29


@pytest.mark.parametrize(
    ("amount", "earn_rate", "multiplier", "expected"),
    [
        (TWENTY_NINE_NINES, "100", "1", int(TWENTY_NINE_NINES) * 100),
        ("0." + TWENTY_NINE_NINES, "100", "1", 99),  # 99.999...: rounded to 100 in 28 digits
        ("0." + TWENTY_NINE_NINES, "1", "3", 2),
        ("1E+400", "1E-399", "1", 10),  # exponents far outside the default context's range
    ],
)
def test_earning_floors_the_exact_product_however_many_digits_it_has(
    amount: str, earn_rate: str, multiplier: str, expected: int
) -> None:
    earned = points_earned(Decimal(amount), rule(earn_rate=earn_rate, multiplier=multiplier), T0)

    assert earned == expected


def test_the_reversal_target_floors_the_exact_share_however_many_digits_it_has() -> None:
    total = Decimal("1" + "0" * 30)
    refunded = Decimal("9" * 30 + ".9999")  # a hair below the total: one point short of it all

    assert reversed_points_target(100, total, refunded) == 99


_exact_decimals = st.decimals(allow_nan=False, allow_infinity=False, min_value=0)
_huge_or_tiny = st.builds(
    lambda digits, exponent: Decimal(f"{digits}E{exponent}"),
    st.integers(min_value=0, max_value=10**60),
    st.integers(min_value=-80, max_value=80),
)
_non_negative = _exact_decimals | _huge_or_tiny


@given(_non_negative, _non_negative, _non_negative.filter(lambda m: m > 0))
def test_earning_equals_the_floor_computed_with_exact_fractions(
    amount: Decimal, earn_rate: Decimal, multiplier: Decimal
) -> None:
    earning_rule = RuleVersion(
        version=1,
        effective_from=T0,
        earn_rate=earn_rate,
        redemption_rate=Decimal(1),
        multiplier=multiplier,
    )
    exact = math.floor(Fraction(amount) * Fraction(earn_rate) * Fraction(multiplier))

    assert points_earned(amount, earning_rule, T0) == (exact if amount > 0 else 0)


@given(
    st.integers(min_value=0, max_value=10**12),
    _non_negative.filter(lambda t: t > 0),
    _non_negative,
)
def test_the_reversal_target_equals_the_floor_computed_with_exact_fractions(
    earned: int, total: Decimal, refunded: Decimal
) -> None:
    covered = min(Fraction(refunded), Fraction(total))
    exact = math.floor(earned * covered / Fraction(total)) if refunded > 0 else 0

    assert reversed_points_target(earned, total, refunded) == exact
