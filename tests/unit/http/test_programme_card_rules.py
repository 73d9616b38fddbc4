"""A manager sets a version's item rules and stamp card over HTTP, beside its rates: they are
versioned by effective time like the rates, kept when a revision does not mention them,
removed only when asked, shown for every version, and refused with the domain's reason."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest

from adapters.http.auth import Role
from domain.item_rules import NO_ITEM_RULES, ItemRules
from domain.stamps import StampBasis, StampCard

from .conftest import SHOP, Shop, bearer

pytestmark = pytest.mark.unit

RATES = {"earn_rate": "1", "redemption_rate": "100"}
ITEM_RULES = {
    "category_multipliers": {"bakery": "2"},
    "sku_multipliers": {"baguette": "1.5"},
    "excluded_categories": ["tobacco"],
    "excluded_skus": ["gift-card"],
    "min_spend": "5",
}
STAMP_CARD = {
    "target": 10,
    "basis": "item",
    "categories": ["coffee"],
    "stamps_per_award": 1,
    "reward_id": "free-coffee",
}
SHOP_RULES = ItemRules(
    category_multipliers=(("bakery", Decimal(2)),),
    sku_multipliers=(("baguette", Decimal("1.5")),),
    excluded_categories=frozenset({"tobacco"}),
    excluded_skus=frozenset({"gift-card"}),
    min_spend=Decimal(5),
)
COFFEE_CARD = StampCard(
    target=10, basis=StampBasis.ITEM, categories=frozenset({"coffee"}), reward_id="free-coffee"
)
FUTURE = "2030-01-01T00:00:00Z"


async def put(client: httpx.AsyncClient, **body: Any) -> httpx.Response:
    return await client.put("/v1/program", json={**RATES, **body}, headers=bearer(Role.ADMIN))


async def test_a_version_set_with_item_rules_and_a_stamp_card_carries_and_shows_them(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    response = await put(client, item_rules=ITEM_RULES, stamp_card=STAMP_CARD)

    assert response.status_code == 200
    new = shop.store.programmes[SHOP].rules[-1]
    assert (new.item_rules, new.stamp_card) == (SHOP_RULES, COFFEE_CARD)
    shown = response.json()["active_rule"]
    assert shown["item_rules"] == {**ITEM_RULES, "min_spend": "5"}
    assert shown["stamp_card"] == {**STAMP_CARD, "skus": [], "min_spend": None}
    read = (await client.get("/v1/program", headers=bearer(Role.CASHIER))).json()
    assert read["versions"][-1] == shown


async def test_a_version_without_them_shows_empty_rules_and_no_card(
    client: httpx.AsyncClient,
) -> None:
    read = (await client.get("/v1/program", headers=bearer(Role.CASHIER))).json()

    assert read["active_rule"]["stamp_card"] is None
    assert read["active_rule"]["item_rules"] == {
        "category_multipliers": {},
        "sku_multipliers": {},
        "excluded_categories": [],
        "excluded_skus": [],
        "min_spend": None,
    }


async def test_a_revision_of_the_rates_alone_keeps_the_rules_and_the_card(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    await put(client, item_rules=ITEM_RULES, stamp_card=STAMP_CARD)

    response = await client.put(
        "/v1/program", json={"earn_rate": "3", "redemption_rate": "50"}, headers=bearer(Role.ADMIN)
    )

    assert response.status_code == 200
    new = shop.store.programmes[SHOP].rules[-1]
    assert (new.earn_rate, new.item_rules, new.stamp_card) == (Decimal(3), SHOP_RULES, COFFEE_CARD)


@pytest.mark.parametrize(
    "removal",
    [{"item_rules": None, "stamp_card": None}, {"item_rules": {}, "stamp_card": None}],
    ids=["null", "empty rules"],
)
async def test_an_explicit_null_or_empty_rules_remove_them_from_the_new_version_only(
    client: httpx.AsyncClient, shop: Shop, removal: dict[str, Any]
) -> None:
    await put(client, item_rules=ITEM_RULES, stamp_card=STAMP_CARD)

    response = await put(client, **removal)

    assert response.status_code == 200
    *_, carded, plain = shop.store.programmes[SHOP].rules
    assert (plain.item_rules, plain.stamp_card) == (NO_ITEM_RULES, None)
    assert (carded.item_rules, carded.stamp_card) == (SHOP_RULES, COFFEE_CARD)


async def test_a_version_keeps_what_was_in_force_at_its_own_start_not_a_later_versions(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    await put(client, stamp_card=STAMP_CARD, effective_from=FUTURE)

    response = await put(client, earn_rate="2")

    assert response.status_code == 200
    versions = {rule.version: rule for rule in shop.store.programmes[SHOP].rules}
    # Version 3 takes over from version 1 now; the card starts in 2030 as it was set to.
    assert versions[3].stamp_card is None
    assert versions[2].stamp_card == COFFEE_CARD
    shown = response.json()
    assert shown["active_rule"]["version"] == 3
    assert shown["active_rule"]["stamp_card"] is None


async def test_what_is_read_can_be_sent_back_unchanged(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    shown = (await put(client, item_rules=ITEM_RULES, stamp_card=STAMP_CARD)).json()["active_rule"]

    response = await put(client, item_rules=shown["item_rules"], stamp_card=shown["stamp_card"])

    assert response.status_code == 200
    first, second = shop.store.programmes[SHOP].rules[-2:]
    assert (first.item_rules, first.stamp_card) == (second.item_rules, second.stamp_card)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (
            {
                "item_rules": {
                    "category_multipliers": {"tobacco": "2"},
                    "excluded_categories": ["tobacco"],
                }
            },
            "item_rules categories must not be both multiplied and excluded (got 'tobacco')",
        ),
        (
            {"item_rules": {"sku_multipliers": {"x": "2"}, "excluded_skus": ["x"]}},
            "item_rules skus must not be both multiplied and excluded",
        ),
        (
            {"item_rules": {"category_multipliers": {"bakery": "0"}}},
            "item_rules.category_multipliers['bakery'] must be a number greater than 0",
        ),
        (
            {"item_rules": {"sku_multipliers": {"x": "1.005"}}},
            "with at most 2 decimal places",
        ),
        (
            {"multiplier": "20", "item_rules": {"category_multipliers": {"bakery": "5.01"}}},
            "item_rules.category_multipliers['bakery'] times multiplier must be at most 100",
        ),
        ({"item_rules": {"min_spend": "0"}}, "item_rules.min_spend must be a number"),
        ({"item_rules": {"min_spend": "NaN"}}, "item_rules.min_spend must be a number"),
        (
            {"item_rules": {"excluded_categories": ["tobacco "]}},
            "item_rules.excluded_categories must be names of 1 to 128 characters",
        ),
        (
            {"item_rules": {"excluded_skus": ["a\u0000b"]}},
            "item_rules.excluded_skus must be names",
        ),
        ({"stamp_card": {"target": 0}}, "stamp_card.target must be a whole number from 1 to 1000"),
        ({"stamp_card": {"target": 1001}}, "stamp_card.target must be a whole number"),
        (
            {"stamp_card": {"target": 5, "stamps_per_award": 6}},
            "stamp_card.stamps_per_award must be a whole number from 1 to 5",
        ),
        (
            {"stamp_card": {"target": 5, "stamps_per_award": 0}},
            "stamp_card.stamps_per_award must be a whole number from 1 to 5",
        ),
        ({"stamp_card": {"target": 5, "min_spend": "-1"}}, "stamp_card.min_spend must be"),
        ({"stamp_card": {"target": 5, "reward_id": ""}}, "stamp_card.reward_id must be a name"),
        (
            {"stamp_card": {"target": 5, "categories": ["coffee", "\u007f"]}},
            "stamp_card.categories must be names",
        ),
    ],
)
async def test_rules_or_a_card_out_of_the_programmes_bounds_are_refused_with_the_reason(
    client: httpx.AsyncClient, shop: Shop, body: dict[str, Any], reason: str
) -> None:
    response = await put(client, **body)

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    [error] = response.json()["errors"]
    assert reason in error["message"]
    assert shop.uows.made == []


@pytest.mark.parametrize(
    "body",
    [
        {"item_rules": {"category_multipliers": {"bakery": 2}}},
        {"item_rules": {"category_multipliers": ["bakery", "2"]}},
        {"item_rules": {"excluded_categories": "tobacco"}},
        {"item_rules": {"points": "2"}},
        {"stamp_card": {}},
        {"stamp_card": {"target": "10"}},
        {"stamp_card": {"target": 10, "basis": "week"}},
        {"stamp_card": {"target": 10, "reward_id": 7}},
    ],
    ids=[
        "number multiplier",
        "list multipliers",
        "string list",
        "unknown field",
        "no target",
        "string target",
        "unknown basis",
        "number reward",
    ],
)
async def test_a_malformed_rule_or_card_is_a_422_problem(
    client: httpx.AsyncClient, shop: Shop, body: dict[str, Any]
) -> None:
    response = await put(client, **body)

    assert response.status_code == 422
    assert shop.uows.made == []


async def test_kept_rules_that_a_larger_multiplier_would_push_past_the_bound_are_refused(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    await put(client, item_rules={"category_multipliers": {"bakery": "10"}})
    before = shop.store.programmes[SHOP]

    response = await put(client, multiplier="20")

    assert response.status_code == 422
    assert "item_rules.category_multipliers['bakery'] times multiplier" in response.json()["detail"]
    assert shop.store.programmes[SHOP] == before
