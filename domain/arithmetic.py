"""The points arithmetic: earning and proportional reversal, exact to the point."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_FLOOR, Decimal

from domain.programme import RuleVersion


def floor_points(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def points_earned(amount: Decimal, rule: RuleVersion, occurred_at: datetime) -> int:
    """floor(amount * earn_rate * multiplier), the multiplier only inside its window."""
    if amount <= 0:
        return 0
    return floor_points(amount * rule.earn_rate * rule.multiplier_at(occurred_at))


def reversed_points_target(earned: int, total: Decimal, refunded_so_far: Decimal) -> int:
    """Points that should stand reversed once ``refunded_so_far`` of ``total`` was refunded.

    Cumulative floor: floor(earned * min(refunded, total) / total). Taking the difference
    against what was already reversed means partial refunds never reverse more than was
    earned, and a full refund reverses exactly what was earned.
    """
    if earned <= 0 or total <= 0 or refunded_so_far <= 0:
        return 0
    covered = min(refunded_so_far, total)
    return floor_points(Decimal(earned) * covered / total)


def discount_for_points(points: int, redemption_rate: Decimal) -> Decimal:
    """Currency discount bought by ``points`` at ``redemption_rate`` points per unit."""
    return Decimal(points) / redemption_rate
