"""The reference model's arithmetic for line items and stamp cards, in exact fractions and
written from the README's rules, not from the service's code.

Points: each line earns amount x rate x its multiplier (a SKU's over its category's, an
exclusion 0) exactly; the sale earns the floor of the exact sum, once. A return reverses
floor(earned x covered) cumulatively, covered being 1 once the money refunded reaches the
total, else the unnamed money over the total plus, per SKU named, its share of the exact
earning times the part of it returned (at most all of it). Stamps: per qualifying sale or per
whole unit of a qualifying line; voided cumulatively in proportion to the money returned by
amount plus, per SKU named on an item card, the part of its stamps returned, and all of them
once the money refunded reaches the total.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from domain.events import PurchaseCompleted, RefundIssued
from domain.item_rules import ItemRules
from domain.stamps import StampBasis, StampCard

F0 = Fraction(0)


@dataclass
class SkuPart:
    """One SKU of a sale: what it earned (exactly, or in stamps), bought and came back."""

    earned: Fraction = F0
    quantity: Fraction = F0
    amount: Fraction = F0
    back_quantity: Fraction = F0
    back_amount: Fraction = F0

    def part_back(self) -> Fraction:
        part = self.back_quantity / self.quantity if self.quantity > 0 else F0
        if self.back_amount > 0:
            part += self.back_amount / self.amount if self.amount > 0 else Fraction(1)
        return min(part, Fraction(1))


@dataclass
class SaleItems:
    """What the model keeps of a sale beyond its points: lines by SKU, returns, stamps."""

    lines: dict[str, SkuPart] = field(default_factory=dict)
    refunded: Fraction = F0
    unnamed: Fraction = F0
    stamps: int = 0
    stamps_voided: int = 0
    stamp_lines: dict[str, SkuPart] = field(default_factory=dict)
    stamps_by_amount: Fraction = F0


def multiplier(rules: ItemRules, sku: str, category: str | None) -> Fraction:
    if sku in rules.excluded_skus or category in rules.excluded_categories:
        return F0
    found = dict(rules.sku_multipliers).get(sku)
    if found is None and category is not None:
        found = dict(rules.category_multipliers).get(category)
    return Fraction(found) if found is not None else Fraction(1)


def sale_points(
    rules: ItemRules, rate: Decimal, event: PurchaseCompleted, level: Fraction = Fraction(1)
) -> tuple[int, SaleItems]:
    """Points of a sale at a level's multiplier, and its lines by SKU with what each earned
    exactly."""
    kept = SaleItems()
    for item in event.items:
        part = kept.lines.setdefault(item.sku, SkuPart())
        part.earned += (
            Fraction(item.amount)
            * Fraction(rate)
            * multiplier(rules, item.sku, item.category)
            * level
        )
        part.quantity += Fraction(item.quantity)
        part.amount += Fraction(item.amount)
    if rules.min_spend is not None:
        spend = Fraction(event.amount)
        if event.items:  # what counts: the lines not excluded
            spend = sum(
                (
                    Fraction(i.amount)
                    for i in event.items
                    if i.sku not in rules.excluded_skus
                    and i.category not in rules.excluded_categories
                ),
                F0,
            )
        if spend < Fraction(rules.min_spend):
            return 0, kept
    if rules.empty or not event.items:
        return math.floor(Fraction(event.amount) * Fraction(rate) * level), kept
    return math.floor(sum((p.earned for p in kept.lines.values()), F0)), kept


def sale_stamps(card: StampCard | None, event: PurchaseCompleted, kept: SaleItems) -> None:
    if card is None or event.amount <= 0:
        return
    if card.min_spend is not None and event.amount < card.min_spend:
        return
    named = bool(card.categories or card.skus)
    qualifying = [
        i
        for i in event.items
        if i.amount > 0 and (not named or i.sku in card.skus or i.category in card.categories)
    ]
    if card.basis is StampBasis.SALE:
        kept.stamps = card.stamps_per_award if qualifying or not named else 0
        return
    for item in qualifying:
        part = kept.stamp_lines.setdefault(item.sku, SkuPart())
        part.earned += math.floor(item.quantity) * card.stamps_per_award
        part.quantity += Fraction(item.quantity)
        part.amount += Fraction(item.amount)
    kept.stamp_lines = {sku: p for sku, p in kept.stamp_lines.items() if p.earned > 0}
    kept.stamps = int(sum((p.earned for p in kept.stamp_lines.values()), F0))


def points_reversed(kept: SaleItems, earned: int, total: Decimal, refund: RefundIssued) -> int:
    """Add ``refund`` to what came back; the points that must stand reversed after it."""
    kept.refunded += Fraction(refund.amount)
    named = [i for i in refund.items if i.sku in kept.lines]
    if not named:
        kept.unnamed += Fraction(refund.amount)
    for item in named:
        part = kept.lines[item.sku]
        part.back_quantity += Fraction(item.quantity or 0)
        part.back_amount += Fraction(item.amount or 0)
    if earned <= 0:
        return 0
    if kept.refunded >= Fraction(total):
        return earned
    covered = kept.unnamed / Fraction(total)
    exact = sum((p.earned for p in kept.lines.values()), F0)
    if exact > 0:
        covered += sum((p.earned / exact * p.part_back() for p in kept.lines.values()), F0)
    return math.floor(earned * min(covered, Fraction(1)))


def stamps_to_void(kept: SaleItems, total: Decimal, refund: RefundIssued) -> int:
    """Add ``refund`` to the stamps' returns (``kept.refunded`` already counts it); the
    stamps to void now."""
    if kept.stamps <= 0:
        return 0
    if refund.items and kept.stamp_lines:
        for item in refund.items:
            part = kept.stamp_lines.get(item.sku)
            if part is not None:
                part.back_quantity += Fraction(item.quantity or 0)
                part.back_amount += Fraction(item.amount or 0)
    else:
        kept.stamps_by_amount += Fraction(refund.amount)
    share = min(kept.stamps_by_amount, Fraction(total)) / Fraction(total)
    target = math.floor(kept.stamps * share) + sum(
        math.floor(p.earned * p.part_back()) for p in kept.stamp_lines.values()
    )
    if kept.refunded >= Fraction(total):
        target = kept.stamps
    target = max(min(target, kept.stamps), kept.stamps_voided)
    delta = target - kept.stamps_voided
    kept.stamps_voided = target
    return delta
