"""The points arithmetic: earning and proportional reversal, exact to the point.

Every floor here is taken over exact rational arithmetic on the decimals' integer ratios:
Decimal's default context keeps 28 significant digits and would round before the floor
(0.999...9 with 29 nines at 100 points a unit rounds to 100.0 and earns 100, not 99).
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_FLOOR, Decimal

from domain.programme import RuleVersion


def floor_points(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def _floor_of_product(*factors: Decimal | int) -> int:
    """floor(f1 * f2 * ...), exact for any number of digits (Python integers do not round)."""
    numerator, denominator = 1, 1
    for factor in factors:
        n, d = factor.as_integer_ratio()
        numerator *= n
        denominator *= d
    return numerator // denominator


def points_earned(
    amount: Decimal,
    rule: RuleVersion,
    occurred_at: datetime,
    level_multiplier: Decimal = Decimal(1),
) -> int:
    """floor(amount * earn_rate * multiplier * level multiplier), the multiplier only inside
    its window, the level's (``domain.levels``) 1 at the base level."""
    if amount <= 0:
        return 0
    return _floor_of_product(
        amount, rule.earn_rate, rule.multiplier_at(occurred_at), level_multiplier
    )


def reversed_points_target(earned: int, total: Decimal, refunded_so_far: Decimal) -> int:
    """Points that should stand reversed once ``refunded_so_far`` of ``total`` was refunded.

    Cumulative floor: floor(earned * min(refunded, total) / total). Taking the difference
    against what was already reversed means partial refunds never reverse more than was
    earned, and a full refund reverses exactly what was earned.
    """
    if earned <= 0 or total <= 0 or refunded_so_far <= 0:
        return 0
    covered_n, covered_d = min(refunded_so_far, total).as_integer_ratio()
    total_n, total_d = total.as_integer_ratio()
    return (earned * covered_n * total_d) // (covered_d * total_n)


def discount_for_points(points: int, redemption_rate: Decimal) -> Decimal:
    """Currency discount bought by ``points`` at ``redemption_rate`` points per unit."""
    return Decimal(points) / redemption_rate
