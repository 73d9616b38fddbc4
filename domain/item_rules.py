"""Earning by line item: per-category and per-SKU multipliers and exclusions, and a minimum spend.

Part of a rule version, so the version in force at a sale's ``occurred_at`` decides, like the
rates. A sale without line items earns on its total exactly as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class ItemRules:
    """How a sale's lines earn. A SKU's own multiplier wins over its category's; an excluded
    SKU or category earns nothing; ``min_spend`` is the least a sale's qualifying amount must
    reach to earn at all (None: no minimum)."""

    category_multipliers: tuple[tuple[str, Decimal], ...] = ()
    sku_multipliers: tuple[tuple[str, Decimal], ...] = ()
    excluded_categories: frozenset[str] = frozenset()
    excluded_skus: frozenset[str] = frozenset()
    min_spend: Decimal | None = None

    @property
    def empty(self) -> bool:
        return self == NO_ITEM_RULES


NO_ITEM_RULES = ItemRules()
