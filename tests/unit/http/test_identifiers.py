"""The till finds an account by phone, card or e-mail; staff add identifiers, managers remove
them; one identifier never belongs to two accounts."""

from __future__ import annotations

import httpx
import pytest

from adapters.http.auth import Role

from .conftest import OTHER_SHOP, SHOP, Shop, a_programme, bearer

pytestmark = pytest.mark.unit


async def enrolled_by_phone(client: httpx.AsyncClient, shop: Shop, phone: str) -> dict[str, str]:
    shop.store.programmes[SHOP] = a_programme(inline_enrolment=True)
    response = await client.post("/v1/accounts", json={"phone": phone}, headers=bearer())
    assert response.status_code == 201, response.text
    found: dict[str, str] = response.json()
    return found


async def test_the_till_finds_an_inline_enrolled_account_by_its_phone_in_another_format(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await enrolled_by_phone(client, shop, "+44 7911 123456")

    found = await client.get("/v1/accounts", params={"phone": "07911-123456"}, headers=bearer())

    assert found.status_code == 200
    assert found.json()["account_id"] == account["account_id"]
    assert found.json()["identifiers"] == [{"kind": "phone", "value": "+447911123456"}]


async def test_enrolling_the_same_phone_again_answers_409_with_the_first_account(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await enrolled_by_phone(client, shop, "07911 123456")

    again = await client.post("/v1/accounts", json={"phone": "+447911123456"}, headers=bearer())

    assert again.status_code == 409
    assert again.json()["account_id"] == account["account_id"]


async def test_an_unknown_identifier_is_a_problem_404_and_an_invalid_number_a_422(
    client: httpx.AsyncClient,
) -> None:
    unknown = await client.get("/v1/accounts", params={"card": "12345678"}, headers=bearer())
    invalid = await client.get("/v1/accounts", params={"phone": "12"}, headers=bearer())
    both = await client.get(
        "/v1/accounts", params={"customer_id": "c-1", "email": "a@b.c"}, headers=bearer()
    )

    assert (unknown.status_code, unknown.json()["code"]) == (404, "identifier_not_found")
    assert unknown.headers["content-type"] == "application/problem+json"
    assert (invalid.status_code, invalid.json()["code"]) == (422, "invalid_identifier")
    assert both.status_code == 422


async def test_an_identifier_added_finds_the_account_and_another_account_cannot_take_it(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    first, second = await shop.seed(SHOP, "c-1"), await shop.seed(SHOP, "c-2")
    card = {"kind": "card", "value": "6011 0000 0000 0004"}

    added = await client.post(f"/v1/accounts/{first}/identifiers", json=card, headers=bearer())
    again = await client.post(f"/v1/accounts/{first}/identifiers", json=card, headers=bearer())
    taken = await client.post(f"/v1/accounts/{second}/identifiers", json=card, headers=bearer())
    found = await client.get("/v1/accounts", params={"card": "6011000000000004"}, headers=bearer())
    elsewhere = await client.get(
        "/v1/accounts", params={"card": "6011000000000004"}, headers=bearer(business_id=OTHER_SHOP)
    )

    assert added.status_code == again.status_code == 200
    assert again.json()["identifiers"] == [{"kind": "card", "value": "6011000000000004"}]
    assert (taken.status_code, taken.json()["code"]) == (409, "identifier_taken")
    assert found.json()["account_id"] == str(first)
    assert elsewhere.status_code == 404


async def test_a_manager_removes_an_identifier_and_the_till_no_longer_finds_it(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1")
    email = {"kind": "email", "value": "Ann@Example.com"}
    await client.post(f"/v1/accounts/{account}/identifiers", json=email, headers=bearer())
    path = f"/v1/accounts/{account}/identifiers/email/ann@example.com"

    by_cashier = await client.delete(path, headers=bearer(Role.CASHIER))
    removed = await client.delete(path, headers=bearer(Role.MANAGER))
    twice = await client.delete(path, headers=bearer(Role.MANAGER))
    found = await client.get("/v1/accounts", params={"email": "ann@example.com"}, headers=bearer())

    assert by_cashier.status_code == 403
    assert (removed.status_code, removed.json()["identifiers"]) == (200, [])
    assert twice.status_code == 404
    assert found.status_code == 404


async def test_a_closed_account_takes_no_new_identifier(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1")
    closed = await client.post(
        f"/v1/accounts/{account}/close", json={"reason": "moved"}, headers=bearer(Role.MANAGER)
    )
    card = {"kind": "card", "value": "12345678"}

    refused = await client.post(f"/v1/accounts/{account}/identifiers", json=card, headers=bearer())

    assert closed.status_code == 200, closed.text
    assert (refused.status_code, refused.json()["code"]) == (409, "account_closed")
