"""Earning per line item: each line earns exactly, the sale's points are floored once.

A line earns ``amount * earn_rate * window multiplier * line multiplier``, computed exactly
(products of decimals terminate, so the exact value is kept as a ``Decimal``); the sale earns
the floor of the exact sum of its lines, so rounding happens in one place, once per sale.
A line's multiplier is its SKU's, else its category's, else 1; an excluded SKU or category
earns 0 whatever multiplier it has (an exclusion is a rule about the goods, such as tobacco,
that a promotion must not lift). Under a rule version without item rules a sale earns on its
total, exactly as a sale without items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from math import floor

from domain.arithmetic import points_earned
from domain.events import LineItem
from domain.item_rules import ItemRules
from domain.programme import RuleVersion


@dataclass(frozen=True)
class EarnedLine:
    """A line of a purchase as the service keeps it: what it was and what it earned exactly,
    before the sale's one floor (a return naming it reverses from this)."""

    sku: str
    category: str | None
    quantity: Decimal
    amount: Decimal
    earned: Decimal


@dataclass(frozen=True)
class SaleEarning:
    """What a sale earns: its points (floored once), its lines, the categories it touched,
    and whether it fell short of the minimum spend (then it earns nothing)."""

    points: int
    lines: tuple[EarnedLine, ...] = ()
    categories: tuple[str, ...] = ()
    below_min_spend: bool = False


def exact_decimal(value: Fraction) -> Decimal:
    """A fraction whose denominator divides a power of ten, as the exact decimal it is."""
    denominator = value.denominator
    twos = fives = 0
    while denominator % 2 == 0:
        denominator //= 2
        twos += 1
    while denominator % 5 == 0:
        denominator //= 5
        fives += 1
    if denominator != 1:
        raise ValueError(f"{value} has no finite decimal form")
    places = max(twos, fives)
    digits = value.numerator * 10**places // value.denominator
    return Decimal(f"{digits}E-{places}")  # the string constructor never rounds


def line_multiplier(rules: ItemRules, item: LineItem) -> Decimal:
    """The multiplier of one line: 0 if excluded, else its SKU's, its category's, or 1."""
    if item.sku in rules.excluded_skus or item.category in rules.excluded_categories:
        return Decimal(0)
    for sku, multiplier in rules.sku_multipliers:
        if sku == item.sku:
            return multiplier
    for category, multiplier in rules.category_multipliers:
        if category == item.category:
            return multiplier
    return Decimal(1)


def qualifying_amount(rules: ItemRules, total: Decimal, items: Sequence[LineItem]) -> Decimal:
    """What counts toward the minimum spend: the non-excluded lines, or the total."""
    if not items:
        return total
    return sum(
        (
            item.amount
            for item in items
            if item.sku not in rules.excluded_skus
            and item.category not in rules.excluded_categories
        ),
        Decimal(0),
    )


def earn_sale(
    total: Decimal,
    items: Sequence[LineItem],
    rule: RuleVersion,
    occurred_at: datetime,
    level_multiplier: Decimal = Decimal(1),
) -> SaleEarning:
    """What a sale of ``total`` with ``items`` earns under ``rule`` at ``occurred_at``; the
    member's level multiplies the exact earning (each line's) before the one floor."""
    rules = rule.item_rules
    window = rule.multiplier_at(occurred_at)
    lines = tuple(
        EarnedLine(
            sku=item.sku,
            category=item.category,
            quantity=item.quantity,
            amount=item.amount,
            earned=exact_decimal(
                Fraction(item.amount)
                * Fraction(rule.earn_rate)
                * Fraction(window)
                * Fraction(line_multiplier(rules, item))
                * Fraction(level_multiplier)
            ),
        )
        for item in items
    )
    categories = tuple(sorted({i.category for i in items if i.category is not None}))
    if rules.min_spend is not None and qualifying_amount(rules, total, items) < rules.min_spend:
        return SaleEarning(0, lines, categories, below_min_spend=True)
    if rules.empty or not items:
        points = points_earned(total, rule, occurred_at, level_multiplier)
    else:
        points = floor(sum((Fraction(line.earned) for line in lines), Fraction(0)))
    return SaleEarning(points, lines, categories)
