"""What returns against a purchase with lines reverse: named items by what they earned, the
rest by the proportional rule, all as one exact cumulative figure floored once.

The cumulative reversal after each return is ``floor(earned * covered)``, where ``covered``
(a fraction of the sale's exact earning, at most 1) is

- 1 once the money refunded reaches the sale's total (everything came back, however it was
  named: by items, by amount or mixed);
- else the money of returns that named no item of the sale, over the total (the rule of
  returns by amount), plus for each SKU named its share of the sale's exact earning times the
  part of it returned (quantity over quantity bought plus amount over amount bought, at most
  all of it), the sum at most 1.

Each part only grows, so the reversal never goes back; it never passes what was earned, and
splitting a return into parts adds up to the same figure as the whole. A return naming more
of a SKU than was bought is capped at what was bought, and a SKU the sale did not have
reverses nothing: the refund happened at the till either way, refusing it would leave the
points of the goods it did name in place, and the cap is what "never more than an item
earned" needs. A return naming no SKU of the sale at all is taken by its amount, as if it had
named none. The minimum spend is judged when the sale earns: a return that takes a sale
below it reverses what its items earned, not the whole earning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from math import floor

from domain.events import ReturnedItem
from domain.line_earning import EarnedLine


@dataclass(frozen=True)
class SkuReturned:
    """How much of one SKU returns gave back so far, by quantity and by amount."""

    sku: str
    quantity: Decimal = Decimal(0)
    amount: Decimal = Decimal(0)


@dataclass(frozen=True)
class Returned:
    """What returns against a purchase with lines gave back so far: by SKU, and the money
    of returns that named no item of the sale."""

    skus: tuple[SkuReturned, ...] = ()
    unnamed: Decimal = Decimal(0)


NOTHING_RETURNED = Returned()


def returned_after(
    lines: Sequence[EarnedLine], returned: Returned, items: Sequence[ReturnedItem], amount: Decimal
) -> Returned:
    """``returned`` once a return of ``amount`` naming ``items`` is added."""
    sold = {line.sku for line in lines}
    named = [item for item in items if item.sku in sold]
    if not named:
        return replace(returned, unnamed=returned.unnamed + amount)
    by_sku = {entry.sku: entry for entry in returned.skus}
    for item in named:
        entry = by_sku.get(item.sku, SkuReturned(item.sku))
        by_sku[item.sku] = SkuReturned(
            item.sku,
            entry.quantity + (item.quantity or 0),
            entry.amount + (item.amount or 0),
        )
    return replace(returned, skus=tuple(by_sku[sku] for sku in sorted(by_sku)))


def covered(
    lines: Sequence[EarnedLine], returned: Returned, total: Decimal, refunded: Decimal
) -> Fraction:
    """The part of the sale's exact earning the returns so far cover, in [0, 1]."""
    if total <= 0 or refunded >= total:
        return Fraction(1) if refunded > 0 else Fraction(0)
    part = Fraction(returned.unnamed) / Fraction(total)
    earned = sum((Fraction(line.earned) for line in lines), Fraction(0))
    if earned > 0 and returned.skus:
        bought = _by_sku(lines)
        for entry in returned.skus:
            sku_earned, quantity, amount = bought[entry.sku]
            part += sku_earned / earned * _part_returned(entry, quantity, amount)
    return min(part, Fraction(1))


def _by_sku(lines: Sequence[EarnedLine]) -> dict[str, tuple[Fraction, Fraction, Fraction]]:
    """Each SKU's exact earning, quantity and amount over the sale's lines."""
    found: dict[str, tuple[Fraction, Fraction, Fraction]] = {}
    for line in lines:
        earned, quantity, amount = found.get(line.sku, (Fraction(0),) * 3)
        found[line.sku] = (
            earned + Fraction(line.earned),
            quantity + Fraction(line.quantity),
            amount + Fraction(line.amount),
        )
    return found


def _part_returned(entry: SkuReturned, quantity: Fraction, amount: Fraction) -> Fraction:
    part = Fraction(entry.quantity) / quantity if quantity > 0 else Fraction(0)
    if entry.amount > 0:
        part += Fraction(entry.amount) / amount if amount > 0 else Fraction(1)
    return min(part, Fraction(1))


def reversal_target(
    earned: int,
    lines: Sequence[EarnedLine],
    returned: Returned,
    total: Decimal,
    refunded: Decimal,
) -> int:
    """Points that should stand reversed: floor(earned * covered), never more than earned."""
    if earned <= 0:
        return 0
    return floor(earned * covered(lines, returned, total, refunded))
