"""The redeem limit per period over HTTP: set and shown with the programme, shown as what is
left on a quote, and a refusal past it answered as problem+json naming what is left."""

from __future__ import annotations

import httpx
import pytest

from adapters.http.auth import Role

from .conftest import Shop, bearer

pytestmark = pytest.mark.unit

RATES = {"earn_rate": "1", "redemption_rate": "100"}


async def limit(client: httpx.AsyncClient, body: dict[str, object]) -> httpx.Response:
    return await client.put("/v1/program", json={**RATES, **body}, headers=bearer(Role.ADMIN))


async def test_an_admin_sets_a_redeem_limit_that_is_kept_until_set_to_null(
    client: httpx.AsyncClient,
) -> None:
    set_ = await limit(client, {"redeem_limit": {"points": 500, "period": "week"}})
    kept = await limit(client, {"hold_minutes": 10})
    read = await client.get("/v1/program", headers=bearer())
    removed = await limit(client, {"redeem_limit": None})

    assert set_.json()["redeem_limit"] == {"points": 500, "period": "week"}
    assert kept.json()["redeem_limit"] == {"points": 500, "period": "week"}
    assert read.json()["redeem_limit"] == {"points": 500, "period": "week"}
    assert removed.json()["redeem_limit"] is None


@pytest.mark.parametrize(
    "given",
    [
        {"points": 0, "period": "day"},
        {"points": 100, "period": "year"},
        {"points": "100", "period": "day"},
        {"points": 100},
        {"points": 100, "period": "day", "per": "till"},
    ],
)
async def test_a_redeem_limit_of_no_points_or_an_unknown_period_is_a_422_problem(
    client: httpx.AsyncClient, shop: Shop, given: dict[str, object]
) -> None:
    response = await limit(client, {"redeem_limit": given})

    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert shop.store.programmes["shop-a"].redeem_limit is None


async def test_past_the_limit_a_redemption_is_refused_as_problem_json_naming_what_is_left(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    await limit(client, {"redeem_limit": {"points": 300, "period": "day"}})
    account = await shop.seed("shop-a", "c-1", 1000)
    url = f"/v1/accounts/{account}/redemptions"
    first = await client.post(url, json={"points": 200}, headers=keyed("k1"))

    preview = await client.post(f"{url}/preview", json={"points": 150}, headers=bearer())
    refused = await client.post(url, json={"points": 150}, headers=keyed("k2"))

    assert first.status_code == 201
    assert first.json()["quote"]["limit_left"] == 300  # as quoted before it was taken
    assert preview.status_code == 200
    assert (preview.json()["blocked"], preview.json()["limit_left"]) == ("period_limit", 100)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert (problem["code"], problem["limit_left"]) == ("period_limit", 100)
    assert problem["resets_at"] == "2025-06-02T00:00:00+00:00"
    assert "100 left" in problem["detail"]
    assert shop.account(account).balance == 800


async def test_without_a_limit_the_quote_shows_limit_left_null(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed("shop-a", "c-1", 500)

    response = await client.post(
        f"/v1/accounts/{account}/redemptions/preview", json={"points": 100}, headers=bearer()
    )

    assert response.json()["limit_left"] is None


def keyed(key: str) -> dict[str, str]:
    return {**bearer(), "Idempotency-Key": key}
