"""The programme: anyone may read it, only an admin sets it."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from adapters.http.auth import Role

from .conftest import NOW, SHOP, Shop, bearer

pytestmark = pytest.mark.unit

RATES = {"earn_rate": "1.5", "redemption_rate": "100"}


async def test_a_cashier_reads_the_programme_with_its_active_version_and_history(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/v1/program", headers=bearer(Role.CASHIER))

    assert response.status_code == 200
    programme = response.json()
    assert programme["active_rule"]["version"] == 1
    assert programme["active_rule"]["redemption_rate"] == "100"
    assert [v["version"] for v in programme["versions"]] == [1]


async def test_an_admin_sets_a_new_version_in_force_now_by_default(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    response = await client.put(
        "/v1/program", json={**RATES, "hold_minutes": 15}, headers=bearer(Role.ADMIN)
    )

    assert response.status_code == 200
    programme = response.json()
    assert (programme["active_rule"]["version"], programme["hold_minutes"]) == (2, 15)
    assert programme["active_rule"]["earn_rate"] == "1.5"
    new = shop.store.programmes[SHOP].rules[-1]
    assert (new.earn_rate, new.effective_from) == (Decimal("1.5"), NOW)


async def test_a_future_version_is_listed_but_not_yet_active(client: httpx.AsyncClient) -> None:
    response = await client.put(
        "/v1/program",
        json={**RATES, "effective_from": "2030-01-01T00:00:00+00:00"},
        headers=bearer(Role.ADMIN),
    )

    programme = response.json()
    assert programme["active_rule"]["version"] == 1
    assert [v["version"] for v in programme["versions"]] == [1, 2]


@pytest.mark.parametrize(
    "body",
    [
        {"earn_rate": "1"},
        {**RATES, "earn_rate": "0"},
        {**RATES, "redemption_rate": "-1"},
        {**RATES, "active": "true"},
        {**RATES, "effective_from": "2030-01-01T00:00:00"},
        {
            **RATES,
            "multiplier_from": "2030-01-02T00:00:00Z",
            "multiplier_until": "2030-01-01T00:00:00Z",
        },
        {**RATES, "business_id": "shop-b"},
    ],
    ids=[
        "no redemption rate",
        "zero rate",
        "negative rate",
        "string bool",
        "naive time",
        "window backwards",
        "business in body",
    ],
)
async def test_an_invalid_programme_is_a_422_problem(
    client: httpx.AsyncClient, shop: Shop, body: dict[str, object]
) -> None:
    response = await client.put("/v1/program", json=body, headers=bearer(Role.ADMIN))

    assert response.status_code == 422
    assert shop.uows.made == []


OUT_OF_BOUNDS = ["1e400", "NaN", "Infinity", "0", "-1", "1.23456789", "123456789012"]


@pytest.mark.parametrize("value", OUT_OF_BOUNDS)
@pytest.mark.parametrize("field", ["earn_rate", "redemption_rate", "multiplier", "max_discount"])
async def test_a_rate_out_of_the_programmes_bounds_is_refused_with_the_domains_reason(
    client: httpx.AsyncClient, shop: Shop, field: str, value: str
) -> None:
    response = await client.put(
        "/v1/program", json={**RATES, field: value}, headers=bearer(Role.ADMIN)
    )

    assert response.status_code == 422
    [error] = response.json()["errors"]
    # The same words as the CLI and the use case: one check, in the domain.
    assert f"{field} must be a number greater than 0 and at most" in error["message"]
    assert "decimal places" in error["message"]
    assert shop.uows.made == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("hold_minutes", 0), ("hold_minutes", 1441), ("pending_days", 366), ("welcome_bonus", -1)],
)
async def test_a_setting_out_of_the_programmes_bounds_is_refused_with_its_range(
    client: httpx.AsyncClient, shop: Shop, field: str, value: int
) -> None:
    response = await client.put(
        "/v1/program", json={**RATES, field: value}, headers=bearer(Role.ADMIN)
    )

    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert f"{field} must be a whole number from" in error["message"]
    assert shop.uows.made == []


async def test_rates_at_the_programmes_bounds_are_accepted(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    body = {
        "earn_rate": "1000",
        "redemption_rate": "0.0001",
        "multiplier": "100.00",
        "max_discount": "9999999999.99",
    }

    response = await client.put("/v1/program", json=body, headers=bearer(Role.ADMIN))

    assert response.status_code == 200
    new = shop.store.programmes[SHOP].rules[-1]
    assert (new.earn_rate, new.multiplier) == (Decimal(1000), Decimal(100))
