"""Enrolling and looking accounts up; the business always comes from the token."""

from __future__ import annotations

from uuid import UUID

import httpx
import pytest

from adapters.http.auth import Role
from domain.ledger import Attribution, EntryKind

from .conftest import OTHER_SHOP, SHOP, Shop, a_programme, bearer

pytestmark = pytest.mark.unit


async def test_enrolling_a_customer_answers_201_with_the_account_and_its_location(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/v1/accounts", json={"customer_id": "c-9"}, headers=bearer())

    assert response.status_code == 201
    account = response.json()
    assert (account["customer_id"], account["balance"], account["status"]) == ("c-9", 0, "active")
    assert response.headers["location"] == f"/v1/accounts/{account['account_id']}"


async def test_the_welcome_bonus_shows_in_the_new_balance(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    shop.store.programmes[SHOP] = a_programme(welcome_bonus=50)

    response = await client.post("/v1/accounts", json={"customer_id": "c-9"}, headers=bearer())

    assert response.json()["balance"] == 50


async def test_enrolling_twice_is_409_with_the_existing_account_id(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    existing = await shop.seed(SHOP, "c-9")

    response = await client.post("/v1/accounts", json={"customer_id": "c-9"}, headers=bearer())

    assert response.status_code == 409
    assert response.json()["code"] == "already_enrolled"
    assert response.json()["account_id"] == str(existing)


async def test_inline_enrolment_by_phone_needs_the_programme_to_allow_it(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    body = {"phone": "+44 7911 123456", "name": "Ann"}

    refused = await client.post("/v1/accounts", json=body, headers=bearer())
    shop.store.programmes[SHOP] = a_programme(inline_enrolment=True)
    accepted = await client.post("/v1/accounts", json=body, headers=bearer())

    assert refused.status_code == 422
    assert refused.json()["code"] == "inline_enrolment_disabled"
    assert accepted.status_code == 201
    assert accepted.json()["name"] == "Ann"
    assert accepted.json()["phone"] == "+447911123456"
    assert accepted.json()["customer_id"].startswith("cust_")


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"phone": "+44 7700 900123"},  # a range kept for drama: no real number
        {"customer_id": "c-1", "card_number": "12"},
        {"customer_id": "c-1", "email": "no-at-sign"},
        {"phone": "call me"},
        {"customer_id": ""},
    ],
)
async def test_enrolment_needs_a_customer_id_or_a_valid_phone_number(
    client: httpx.AsyncClient, body: dict[str, str]
) -> None:
    response = await client.post("/v1/accounts", json=body, headers=bearer())

    assert response.status_code == 422


async def test_the_business_in_the_body_is_not_accepted(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/accounts", json={"customer_id": "c-1", "business_id": OTHER_SHOP}, headers=bearer()
    )

    assert response.status_code == 422


async def test_enrolment_records_who_where_and_from_which_connection(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    shop.store.programmes[SHOP] = a_programme(welcome_bonus=50)  # so enrolment posts an entry

    response = await client.post(
        "/v1/accounts",
        json={"customer_id": "c-9"},
        headers={**bearer(Role.CASHIER), "User-Agent": "till/2.1"},
    )

    (created, bonus) = shop.entries(UUID(response.json()["account_id"]))
    assert created.attribution == bonus.attribution
    assert bonus.business_id == SHOP
    assert bonus.attribution == Attribution(
        store_id="store-7",
        terminal_id="till-2",
        actor="cashier-1",
        ip_address="203.0.113.9",
        user_agent="till/2.1",
    )


async def test_an_account_is_found_by_id_and_by_customer(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 120)

    by_id = await client.get(f"/v1/accounts/{account}", headers=bearer())
    by_customer = await client.get("/v1/accounts", params={"customer_id": "c-1"}, headers=bearer())

    assert by_id.status_code == by_customer.status_code == 200
    assert by_id.json() == by_customer.json()
    assert by_id.json()["available"] == 120


async def test_another_business_s_account_is_404_and_shows_nothing_of_it(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    theirs = await shop.seed(OTHER_SHOP, "c-1", 120)

    paths = [
        ("GET", f"/v1/accounts/{theirs}", None),
        ("GET", "/v1/accounts?customer_id=c-1", None),
        ("GET", f"/v1/accounts/{theirs}/transactions", None),
        ("POST", f"/v1/accounts/{theirs}/redemptions/preview", {"points": 10}),
        ("POST", f"/v1/accounts/{theirs}/adjustments", {"points": 10, "reason": "x"}),
        ("POST", f"/v1/accounts/{theirs}/suspend", None),
    ]
    for method, path, body in paths:
        headers = {**bearer(Role.ADMIN), "Idempotency-Key": "k-1"}
        response = await client.request(method, path, json=body, headers=headers)
        assert response.status_code == 404, path
        assert "120" not in response.text
        assert str(theirs) not in response.json()["detail"]
    assert shop.account(theirs).balance == 120


async def test_a_manager_suspends_and_reactivates_an_account_with_a_reason(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1")

    suspended = await client.post(
        f"/v1/accounts/{account}/suspend",
        json={"reason": "fraud check"},
        headers=bearer(Role.MANAGER),
    )
    reactivated = await client.post(
        f"/v1/accounts/{account}/reactivate", headers=bearer(Role.MANAGER)
    )

    assert suspended.json()["status"] == "suspended"
    assert reactivated.json()["status"] == "active"
    first, second = shop.entries(account)
    assert (first.kind, first.reason, first.attribution.actor) == (
        EntryKind.SUSPENSION,
        "fraud check",
        "manager-1",
    )
    assert (second.kind, second.reason) == (EntryKind.REACTIVATION, None)
