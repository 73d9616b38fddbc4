"""Levels over HTTP: set and shown with the programme's versions, refused when they make no
sense, and the account showing its level and the level's benefits."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from adapters.http.auth import Role

from .conftest import Shop, bearer

pytestmark = pytest.mark.unit

RATES = {"earn_rate": "1", "redemption_rate": "100"}
TIERS = {
    "basis": "points",
    "window_days": None,
    "levels": [
        {"name": "Silver", "threshold": "100", "multiplier": "1.5"},
        {"name": "Gold", "threshold": "500", "multiplier": "2", "benefits": "Free coffee"},
    ],
}


async def program(client: httpx.AsyncClient, body: dict[str, object]) -> httpx.Response:
    return await client.put("/v1/program", json={**RATES, **body}, headers=bearer(Role.ADMIN))


async def test_levels_are_set_kept_by_a_later_version_and_removed_by_null(
    client: httpx.AsyncClient,
) -> None:
    set_ = await program(client, {"tiers": TIERS})
    kept = await program(client, {"earn_rate": "2"})
    removed = await program(client, {"tiers": None})

    assert set_.status_code == 200, set_.text
    shown = set_.json()["active_rule"]["tiers"]
    assert shown["window_days"] is None
    assert shown["levels"][1] == {
        "name": "Gold",
        "threshold": "500",
        "multiplier": "2",
        "benefits": "Free coffee",
    }
    assert kept.json()["active_rule"]["tiers"] == shown
    assert removed.json()["active_rule"]["tiers"] is None


@pytest.mark.parametrize(
    "levels",
    [
        [],
        [{"name": "Gold", "threshold": "500"}, {"name": "Silver", "threshold": "100"}],
        [{"name": "Gold", "threshold": "100"}, {"name": "Gold", "threshold": "500"}],
        [{"name": "Zero", "threshold": "0"}],
        [{"name": "Odd", "threshold": "NaN"}],
        [{"name": "Free", "threshold": "10", "multiplier": "0"}],
    ],
)
async def test_levels_out_of_order_repeated_or_not_positive_are_a_422_problem(
    client: httpx.AsyncClient, shop: Shop, levels: list[dict[str, str]]
) -> None:
    response = await program(client, {"tiers": {"levels": levels}})

    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert all(rule.tiers is None for rule in shop.store.programmes["shop-a"].rules)


async def test_the_account_shows_its_level_and_the_levels_benefits(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    await program(client, {"tiers": TIERS})
    account_id = await shop.seed("shop-a", "c-1")
    key = ("shop-a", account_id)
    shop.store.accounts[key] = replace(shop.store.accounts[key], level="Gold")

    response = await client.get(f"/v1/accounts/{account_id}", headers=bearer())

    assert response.status_code == 200, response.text
    assert (response.json()["level"], response.json()["level_benefits"]) == ("Gold", "Free coffee")
