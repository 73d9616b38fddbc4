"""Stamp cards: stamps beside points on the same account and ledger, and the reward a full
card unlocks.

Part of a rule version, so the card in force at a sale's ``occurred_at`` decides how many
stamps it earns.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal


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
