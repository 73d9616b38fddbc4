"""Item rules and a stamp card set through the programme's use case and the CLI, on real
PostgreSQL: each version reads back as it was set, the version in force at an event time is
the one chosen, and a revision that does not mention them keeps those it takes over from."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from typer.testing import CliRunner

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from adapters.system_clock import SystemClock
from domain.commands import SetProgramme
from domain.item_rules import NO_ITEM_RULES, ItemRules
from domain.stamps import StampBasis, StampCard
from service.entrypoints.cli import app
from service.use_cases.programmes import Programmes

pytestmark = pytest.mark.integration

JAN, MAR, APR, JUN = (datetime(2026, month, 1, tzinfo=UTC) for month in (1, 3, 4, 6))
BAKERY = ItemRules(
    category_multipliers=(("bakery", Decimal(2)), ("pastry", Decimal("1.25"))),
    sku_multipliers=(("baguette", Decimal("0.5")),),
    excluded_categories=frozenset({"tobacco", "lottery"}),
    excluded_skus=frozenset({"gift-card"}),
    min_spend=Decimal("5.00"),
)
COFFEE = StampCard(
    target=10,
    basis=StampBasis.ITEM,
    categories=frozenset({"coffee"}),
    skus=frozenset({"espresso-beans"}),
    min_spend=Decimal("2.50"),
    stamps_per_award=2,
    reward_id="free-coffee",
)


def version(effective_from: datetime, **card: Any) -> SetProgramme:
    return SetProgramme(
        "card-shop", Decimal(1), Decimal(100), effective_from=effective_from, **card
    )


async def test_versions_set_with_rules_and_a_card_read_back_equal_and_decide_by_event_time(
    uow_factory: PostgresUnitOfWorkFactory,
) -> None:
    programmes = Programmes(uow_factory, SystemClock())
    await programmes.set(version(JAN))
    await programmes.set(version(MAR, item_rules=BAKERY, stamp_card=COFFEE))
    await programmes.set(version(JUN))  # takes over from March's: keeps its rules and card
    set_last = await programmes.set(version(APR, item_rules=NO_ITEM_RULES, stamp_card=None))

    stored = await programmes.get("card-shop")

    assert stored.rules == set_last.rules
    by_version = {rule.version: rule for rule in stored.rules}
    assert [(by_version[v].item_rules, by_version[v].stamp_card) for v in (1, 2, 3, 4)] == [
        (NO_ITEM_RULES, None),
        (BAKERY, COFFEE),
        (BAKERY, COFFEE),
        (NO_ITEM_RULES, None),
    ]
    in_force = {
        moment.month: rule.version
        for moment in (JAN, MAR, APR, JUN)
        if (rule := stored.rule_at(moment)) is not None
    }
    assert in_force == {1: 1, 3: 2, 4: 4, 6: 3}
    assert stored.rule_at(MAR.replace(day=15)) == by_version[2]


def program_set(database_url: str, *options: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        app,
        ["program", "set", "cli-shop", "--earn-rate", "1", "--redemption-rate", "100", *options],
        env={"LOYALTY_DATABASE_URL": database_url, "LOYALTY_LOG_FORMAT": "json"},
    )
    assert result.exit_code == 0, result.output
    shown: dict[str, Any] = json.loads(result.stdout[result.stdout.index("{") :])
    return shown["rules"][-1]  # type: ignore[no-any-return]


def test_program_set_configures_the_shop_of_the_issue_and_keeps_it_until_told(
    database_url: str,
) -> None:
    shop = [
        "--category-multiplier", "bakery=2",
        "--exclude-category", "tobacco",
        "--min-spend", "5",
        "--stamp-target", "10",
        "--stamp-category", "coffee",
        "--stamp-basis", "item",
        "--stamp-reward", "free-coffee",
    ]  # fmt: skip
    item_rules = {
        "category_multipliers": {"bakery": "2"},
        "sku_multipliers": {},
        "excluded_categories": ["tobacco"],
        "excluded_skus": [],
        "min_spend": "5",
    }
    stamp_card = {
        "target": 10,
        "basis": "item",
        "categories": ["coffee"],
        "skus": [],
        "min_spend": None,
        "stamps_per_award": 1,
        "reward_id": "free-coffee",
    }

    first = program_set(database_url, *shop)
    kept = program_set(database_url, "--earn-rate", "2")
    removed = program_set(database_url, "--no-stamp-card", "--no-item-rules")

    assert (first["item_rules"], first["stamp_card"]) == (item_rules, stamp_card)
    assert (kept["earn_rate"], kept["item_rules"], kept["stamp_card"]) == (
        "2",
        item_rules,
        stamp_card,
    )
    assert removed["stamp_card"] is None
    assert removed["item_rules"] == {
        **item_rules,
        "category_multipliers": {},
        "excluded_categories": [],
        "min_spend": None,
    }
