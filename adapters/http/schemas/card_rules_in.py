"""A new rule version's item rules and stamp card as a manager sends them. Syntax only here:
what they may be is the programme's own check (``domain.card_limits``), made by the body."""

from __future__ import annotations

from typing import Any

from pydantic import Field, StrictStr
from pydantic.config import JsonDict

from adapters.http.schemas.requests import DecimalText, RequestBody, WholeInt
from domain import card_limits
from domain.item_rules import ItemRules
from domain.stamps import StampBasis, StampCard

_NAMES: JsonDict = {"maxItems": card_limits.MOST_NAMES}


def _multipliers(what: str) -> Any:
    return Field(
        default_factory=dict,
        description=f"Points multiplier by {what}: {card_limits.ITEM_MULTIPLIER.describe()};"
        " times the version's multiplier at most 100. A SKU's own wins over its category's.",
        json_schema_extra={"examples": [{"bakery": "2"}]},
    )


def _money(what: str) -> Any:
    return Field(default=None, description=f"{what}: {card_limits.MIN_SPEND.describe()}.")


class ItemRulesIn(RequestBody):
    """How a sale's line items earn in the new version. `{}` or `null`: every line at the
    version's rates."""

    category_multipliers: dict[StrictStr, DecimalText] = _multipliers("category")
    sku_multipliers: dict[StrictStr, DecimalText] = _multipliers("SKU")
    excluded_categories: list[StrictStr] = Field(
        default_factory=list, description="Categories that earn nothing.", json_schema_extra=_NAMES
    )
    excluded_skus: list[StrictStr] = Field(
        default_factory=list, description="SKUs that earn nothing.", json_schema_extra=_NAMES
    )
    min_spend: DecimalText | None = _money("The least a sale's earning lines must come to")

    def rules(self) -> ItemRules:
        return ItemRules(
            category_multipliers=tuple(self.category_multipliers.items()),
            sku_multipliers=tuple(self.sku_multipliers.items()),
            excluded_categories=frozenset(self.excluded_categories),
            excluded_skus=frozenset(self.excluded_skus),
            min_spend=self.min_spend,
        )


class StampCardIn(RequestBody):
    """A stamp card beside points: `target` stamps unlock the catalogue reward `reward_id`."""

    target: WholeInt = Field(
        description=f"Stamps for a full card: {card_limits.STAMP_TARGET.describe()}.",
        json_schema_extra={
            "minimum": card_limits.STAMP_TARGET.least,
            "maximum": card_limits.STAMP_TARGET.most,
        },
    )
    basis: StampBasis = Field(
        default=StampBasis.SALE,
        description="sale: an award per qualifying sale; item: per whole unit of a line.",
    )
    categories: list[StrictStr] = Field(
        default_factory=list,
        description="Qualifying categories (with skus: both empty means any).",
        json_schema_extra=_NAMES,
    )
    skus: list[StrictStr] = Field(
        default_factory=list, description="Qualifying SKUs.", json_schema_extra=_NAMES
    )
    min_spend: DecimalText | None = _money("The least a sale must come to for stamps")
    stamps_per_award: WholeInt = Field(
        default=1,
        description="Stamps per qualifying sale or unit: from 1 to target.",
        json_schema_extra={"minimum": 1, "maximum": card_limits.STAMP_TARGET.most},
    )
    reward_id: StrictStr | None = Field(
        default=None, description="The catalogue reward a full card unlocks."
    )

    def card(self) -> StampCard:
        return StampCard(
            target=self.target,
            basis=self.basis,
            categories=frozenset(self.categories),
            skus=frozenset(self.skus),
            min_spend=self.min_spend,
            stamps_per_award=self.stamps_per_award,
            reward_id=self.reward_id,
        )
