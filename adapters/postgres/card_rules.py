"""A rule version's item rules and stamp card as the JSON kept in ``rule_versions``."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from domain.item_rules import NO_ITEM_RULES, ItemRules
from domain.stamps import StampBasis, StampCard


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _money_from(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)


def item_rules_json(rules: ItemRules) -> str | None:
    if rules.empty:
        return None
    return json.dumps(
        {
            "category_multipliers": [[c, str(m)] for c, m in rules.category_multipliers],
            "sku_multipliers": [[s, str(m)] for s, m in rules.sku_multipliers],
            "excluded_categories": sorted(rules.excluded_categories),
            "excluded_skus": sorted(rules.excluded_skus),
            "min_spend": _money(rules.min_spend),
        }
    )


def item_rules_from(text: str | None) -> ItemRules:
    if text is None:
        return NO_ITEM_RULES
    data: dict[str, Any] = json.loads(text)
    return ItemRules(
        category_multipliers=tuple((c, Decimal(m)) for c, m in data["category_multipliers"]),
        sku_multipliers=tuple((s, Decimal(m)) for s, m in data["sku_multipliers"]),
        excluded_categories=frozenset(data["excluded_categories"]),
        excluded_skus=frozenset(data["excluded_skus"]),
        min_spend=_money_from(data["min_spend"]),
    )


def stamp_card_json(card: StampCard | None) -> str | None:
    if card is None:
        return None
    return json.dumps(
        {
            "target": card.target,
            "basis": card.basis.value,
            "categories": sorted(card.categories),
            "skus": sorted(card.skus),
            "min_spend": _money(card.min_spend),
            "stamps_per_award": card.stamps_per_award,
            "reward_id": card.reward_id,
        }
    )


def stamp_card_from(text: str | None) -> StampCard | None:
    if text is None:
        return None
    data: dict[str, Any] = json.loads(text)
    return StampCard(
        target=data["target"],
        basis=StampBasis(data["basis"]),
        categories=frozenset(data["categories"]),
        skus=frozenset(data["skus"]),
        min_spend=_money_from(data["min_spend"]),
        stamps_per_award=data["stamps_per_award"],
        reward_id=data["reward_id"],
    )
