"""``loyalty program set`` options for a new version's item rules and stamp card.

Given options replace the whole rules (or card) of the new version; none keeps those of the
version in force at its effective time; ``--no-item-rules`` / ``--no-stamp-card`` remove them.
What the values may be is the programme's own check, as over HTTP.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer

from domain.commands import UNCHANGED, Unchanged
from domain.item_rules import NO_ITEM_RULES, ItemRules
from domain.stamps import StampBasis, StampCard

Names = list[str] | None


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation as error:
        raise typer.BadParameter(f"{text!r} is not a decimal number") from error


def _multiplier(text: str) -> str:
    """NAME=MULTIPLIER, checked for shape here, read in ``_pairs``."""
    name, sep, value = text.rpartition("=")
    if not sep or not name:
        raise typer.BadParameter(f"{text!r}: use NAME=MULTIPLIER, such as bakery=2")
    _decimal(value)
    return text


CategoryMultiplier = Annotated[
    Names,
    typer.Option(
        "--category-multiplier",
        parser=_multiplier,
        help="CATEGORY=MULTIPLIER, repeatable: points on that category's lines times this.",
    ),
]
SkuMultiplier = Annotated[
    Names,
    typer.Option(
        "--sku-multiplier",
        parser=_multiplier,
        help="SKU=MULTIPLIER, repeatable; a SKU's own wins over its category's.",
    ),
]
ExcludeCategory = Annotated[
    Names, typer.Option("--exclude-category", help="A category that earns nothing; repeatable.")
]
ExcludeSku = Annotated[
    Names, typer.Option("--exclude-sku", help="A SKU that earns nothing; repeatable.")
]
MinSpend = Annotated[
    Decimal | None,
    typer.Option(parser=_decimal, help="The least a sale's earning lines must come to."),
]
NoItemRules = Annotated[
    bool, typer.Option("--no-item-rules", help="The new version earns every line alike.")
]
StampTarget = Annotated[
    int | None, typer.Option(help="Run a stamp card of this many stamps (1 to 1000).")
]
StampBasisOption = Annotated[
    StampBasis | None,
    typer.Option(help="sale: an award per qualifying sale; item: per whole unit of a line."),
]
StampCategory = Annotated[
    Names, typer.Option("--stamp-category", help="A qualifying category; repeatable.")
]
StampSku = Annotated[Names, typer.Option("--stamp-sku", help="A qualifying SKU; repeatable.")]
StampMinSpend = Annotated[
    Decimal | None,
    typer.Option(parser=_decimal, help="The least a sale must come to for stamps."),
]
StampsPerAward = Annotated[
    int | None, typer.Option(help="Stamps per qualifying sale or unit (1 to target).")
]
StampReward = Annotated[
    str | None, typer.Option(help="The catalogue reward id a full card unlocks.")
]
NoStampCard = Annotated[
    bool, typer.Option("--no-stamp-card", help="The new version runs no stamp card.")
]


def item_rules_from(
    category_multipliers: Names,
    sku_multipliers: Names,
    excluded_categories: Names,
    excluded_skus: Names,
    min_spend: Decimal | None,
    remove: bool,
) -> ItemRules | Unchanged:
    given = any(
        (category_multipliers, sku_multipliers, excluded_categories, excluded_skus, min_spend)
    )
    if remove and given:
        raise typer.BadParameter("--no-item-rules cannot go with item rule options")
    if remove:
        return NO_ITEM_RULES
    if not given:
        return UNCHANGED
    return ItemRules(
        category_multipliers=_pairs(category_multipliers),
        sku_multipliers=_pairs(sku_multipliers),
        excluded_categories=frozenset(excluded_categories or ()),
        excluded_skus=frozenset(excluded_skus or ()),
        min_spend=min_spend,
    )


def stamp_card_from(
    target: int | None,
    basis: StampBasis | None,
    categories: Names,
    skus: Names,
    min_spend: Decimal | None,
    stamps_per_award: int | None,
    reward_id: str | None,
    remove: bool,
) -> StampCard | Unchanged | None:
    others = any(
        value is not None and value != []
        for value in (basis, categories, skus, min_spend, stamps_per_award, reward_id)
    )
    if remove and (target is not None or others):
        raise typer.BadParameter("--no-stamp-card cannot go with stamp card options")
    if remove:
        return None
    if target is None:
        if others:
            raise typer.BadParameter("stamp card options need --stamp-target")
        return UNCHANGED
    return StampCard(
        target=target,
        basis=basis or StampBasis.SALE,
        categories=frozenset(categories or ()),
        skus=frozenset(skus or ()),
        min_spend=min_spend,
        stamps_per_award=1 if stamps_per_award is None else stamps_per_award,
        reward_id=reward_id,
    )


def _pairs(options: Names) -> tuple[tuple[str, Decimal], ...]:
    """Kept in the order given, repeats and all: the programme's check names a repeat."""
    return tuple(
        (name, Decimal(value))
        for name, _, value in (text.rpartition("=") for text in options or ())
    )
