"""Referrals over HTTP: the code on the account, finding it, enrolment naming it (422 naming
the field when it cannot be used), and the programme's referral bonuses in and out."""

from __future__ import annotations

import httpx
import pytest

from adapters.http.auth import Role

from .conftest import OTHER_SHOP, SHOP, Shop, bearer

pytestmark = pytest.mark.unit


async def _enrol(
    client: httpx.AsyncClient, customer: str, code: str | None = None, shop: str = SHOP
) -> httpx.Response:
    body = {"customer_id": customer} | ({"referral_code": code} if code is not None else {})
    return await client.post("/v1/accounts", json=body, headers=bearer(business_id=shop))


async def test_an_enrolled_account_shows_its_code_and_the_referred_one_its_referrer(
    client: httpx.AsyncClient,
) -> None:
    anna = (await _enrol(client, "anna")).json()
    code = anna["referral_code"]

    bob = await _enrol(client, "bob", code.lower()[:4] + "-" + code[4:])
    found = await client.get(f"/v1/referrals/{code}", headers=bearer())
    read = await client.get(f"/v1/accounts/{bob.json()['account_id']}", headers=bearer())

    assert bob.status_code == 201 and len(code) == 8
    assert (anna["referred_by"], bob.json()["referred_by"]) == (None, anna["account_id"])
    assert found.json()["account_id"] == anna["account_id"]
    assert read.json()["referred_by"] == anna["account_id"]


@pytest.mark.parametrize("code", ["ZZZZZZZZ", "nonsense!", "of-another-shop"])
async def test_a_code_that_names_no_account_of_this_programme_is_a_422_naming_the_field(
    client: httpx.AsyncClient, shop: Shop, code: str
) -> None:
    if code == "of-another-shop":
        code = (await _enrol(client, "zoe", shop=OTHER_SHOP)).json()["referral_code"]

    response = await _enrol(client, "bob", code)

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["code"] == "referral_code_unknown"
    assert [e["field"] for e in problem["errors"]] == ["referral_code"]
    assert not [a for a in shop.store.accounts.values() if a.customer_id == "bob"]


async def test_the_code_of_a_suspended_account_is_refused(client: httpx.AsyncClient) -> None:
    anna = (await _enrol(client, "anna")).json()
    await client.post(f"/v1/accounts/{anna['account_id']}/suspend", headers=bearer(Role.MANAGER))

    response = await _enrol(client, "bob", anna["referral_code"])

    assert (response.status_code, response.json()["code"]) == (422, "referrer_not_active")


async def test_another_programmes_code_is_not_found(client: httpx.AsyncClient) -> None:
    code = (await _enrol(client, "zoe", shop=OTHER_SHOP)).json()["referral_code"]

    response = await client.get(f"/v1/referrals/{code}", headers=bearer())

    assert response.status_code == 404


async def test_the_programme_sets_shows_keeps_and_removes_its_referral_bonuses(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    rates = {"earn_rate": "1", "redemption_rate": "100"}
    referral = {"referrer_points": 50, "referred_points": 20, "return_window_days": 14}
    admin = bearer(Role.ADMIN)

    made = await client.put("/v1/program", json={**rates, "referral": referral}, headers=admin)
    kept = await client.put("/v1/program", json=rates, headers=admin)
    negative = {**referral, "referrer_points": -1}
    bad = await client.put("/v1/program", json={**rates, "referral": negative}, headers=admin)
    removed = await client.put("/v1/program", json={**rates, "referral": None}, headers=admin)

    assert made.json()["active_rule"]["referral"] == referral
    assert kept.json()["active_rule"]["referral"] == referral
    assert bad.status_code == 422
    assert removed.json()["active_rule"]["referral"] is None
    assert shop.store.programmes[SHOP].rules[-1].referral is None
