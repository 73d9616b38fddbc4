"""Stamp cards: stamps beside points on the same account and ledger, and the reward a full
card unlocks.

Part of a rule version, so the card in force at a sale's ``occurred_at`` decides how many
stamps it earns.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # events import the programme, which imports this module
    from domain.events import LineItem


class StampBasis(enum.StrEnum):
    SALE = "sale"
    """One award per qualifying sale."""
    ITEM = "item"
    """One award per qualifying line item unit (whole units of its quantity)."""


@dataclass(frozen=True)
class StampCard:
    """A card of ``target`` stamps that unlocks ``reward_id`` (a catalogue reward costing
    stamps). A sale or line qualifies when it is in one of ``categories`` or ``skus`` (both
    empty: any) and the sale reaches ``min_spend``; each qualifying one earns
    ``stamps_per_award``."""

    target: int
    basis: StampBasis = StampBasis.SALE
    categories: frozenset[str] = frozenset()
    skus: frozenset[str] = frozenset()
    min_spend: Decimal | None = None
    stamps_per_award: int = 1
    reward_id: str | None = None


@dataclass(frozen=True)
class StampLine:
    """What the lines of one SKU earned in stamps on a card with an item basis, and how much
    of them came back (by quantity and by amount), so a return naming items voids the stamps
    those items earned."""

    sku: str
    quantity: Decimal
    amount: Decimal
    stamps: int
    returned_quantity: Decimal = Decimal(0)
    returned_amount: Decimal = Decimal(0)


def qualifies(card: StampCard, category: str | None, sku: str) -> bool:
    """A line is on the card when the card names its category or SKU, or names none."""
    if not card.categories and not card.skus:
        return True
    return sku in card.skus or (category is not None and category in card.categories)


def stamps_for_sale(
    card: StampCard, total: Decimal, items: tuple[LineItem, ...]
) -> tuple[int, tuple[StampLine, ...]]:
    """The stamps a sale earns on ``card``, and by SKU what earned them (item basis only).

    Nothing below ``min_spend`` or for a total of zero or less; a line of zero or negative
    amount (a free or fully discounted item, such as a reward's free coffee) never qualifies,
    so a card cannot be filled by ringing up free goods.
    """
    if total <= 0 or (card.min_spend is not None and total < card.min_spend):
        return 0, ()
    lines = [line for line in items if line.amount > 0 and qualifies(card, line.category, line.sku)]
    if card.basis is StampBasis.SALE:
        named = bool(card.categories or card.skus)
        return (card.stamps_per_award if lines or not named else 0), ()
    by_sku: dict[str, StampLine] = {}
    for line in lines:
        units = max(int(line.quantity.to_integral_value(rounding=ROUND_FLOOR)), 0)
        was = by_sku.get(line.sku, StampLine(line.sku, Decimal(0), Decimal(0), 0))
        by_sku[line.sku] = StampLine(
            line.sku,
            was.quantity + line.quantity,
            was.amount + line.amount,
            was.stamps + units * card.stamps_per_award,
        )
    earning = tuple(line for line in by_sku.values() if line.stamps > 0)
    return sum(line.stamps for line in earning), earning
