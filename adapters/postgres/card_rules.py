"""A rule version's item rules, stamp card, levels and referral bonuses as the JSON kept in
``rule_versions``."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from domain.item_rules import NO_ITEM_RULES, ItemRules
from domain.levels import Level, LevelBasis, TierPolicy
from domain.referrals import ReferralPolicy
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


def tiers_json(tiers: TierPolicy | None) -> str | None:
    if tiers is None:
        return None
    return json.dumps(
        {
            "basis": tiers.basis.value,
            "window_days": tiers.window_days,
            "levels": [
                {
                    "name": level.name,
                    "threshold": str(level.threshold),
                    "multiplier": str(level.multiplier),
                    "benefits": level.benefits,
                }
                for level in tiers.levels
            ],
        }
    )


def tiers_from(text: str | None) -> TierPolicy | None:
    if text is None:
        return None
    data: dict[str, Any] = json.loads(text)
    levels = tuple(
        Level(
            name=level["name"],
            threshold=Decimal(level["threshold"]),
            multiplier=Decimal(level["multiplier"]),
            benefits=level["benefits"],
        )
        for level in data["levels"]
    )
    return TierPolicy(levels, LevelBasis(data["basis"]), data["window_days"])


def referral_json(referral: ReferralPolicy | None) -> str | None:
    if referral is None:
        return None
    return json.dumps(
        {
            "referrer_points": referral.referrer_points,
            "referred_points": referral.referred_points,
            "return_window_days": referral.return_window_days,
        }
    )


def referral_from(text: str | None) -> ReferralPolicy | None:
    if text is None:
        return None
    data: dict[str, Any] = json.loads(text)
    return ReferralPolicy(
        data["referrer_points"], data["referred_points"], data["return_window_days"]
    )
