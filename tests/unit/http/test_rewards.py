"""The reward catalogue and redeeming rewards over HTTP, on the real use cases and fakes."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

import httpx
import pytest

from adapters.http.auth import Role
from domain.stamps import StampCard

from .conftest import OTHER_SHOP, SHOP, Shop, bearer

pytestmark = pytest.mark.unit

MUG = {"description": "A mug", "points_cost": 300, "stock": 1}
COFFEE = {"description": "A free coffee", "stamps_cost": 10}


async def stocked(client: httpx.AsyncClient) -> None:
    for reward_id, body in (("mug", MUG), ("free-coffee", COFFEE)):
        response = await client.put(
            f"/v1/rewards/{reward_id}", json=body, headers=bearer(Role.MANAGER)
        )
        assert response.status_code == 200, response.text


def with_stamps(shop: Shop, account_id: UUID, stamps: int) -> None:
    key = (SHOP, account_id)
    shop.store.accounts[key] = replace(shop.store.accounts[key], stamps=stamps)
    programme = shop.store.programmes[SHOP]
    card = StampCard(target=10, reward_id="free-coffee")
    rules = tuple(replace(rule, stamp_card=card) for rule in programme.rules)
    shop.store.programmes[SHOP] = replace(programme, rules=rules)


def keyed(key: str) -> dict[str, str]:
    return {**bearer(), "Idempotency-Key": key}


async def test_a_manager_keeps_the_catalogue_and_every_till_reads_it(
    client: httpx.AsyncClient,
) -> None:
    await stocked(client)

    listed = await client.get("/v1/rewards", headers=bearer())
    retired = await client.post("/v1/rewards/mug/retire", headers=bearer(Role.MANAGER))
    one = await client.get("/v1/rewards/mug", headers=bearer())

    assert [r["reward_id"] for r in listed.json()] == ["free-coffee", "mug"]
    assert retired.status_code == 200 and one.json()["active"] is False
    assert one.json() | {"active": True} == {
        "reward_id": "mug",
        "description": "A mug",
        "points_cost": 300,
        "stamps_cost": None,
        "active": True,
        "active_from": None,
        "active_until": None,
        "stock": 1,
    }


async def test_a_cashier_may_not_change_the_catalogue(client: httpx.AsyncClient) -> None:
    put = await client.put("/v1/rewards/mug", json=MUG, headers=bearer())
    retire = await client.post("/v1/rewards/mug/retire", headers=bearer())

    assert (put.status_code, retire.status_code) == (403, 403)


async def test_a_reward_costs_points_or_stamps_never_both(client: httpx.AsyncClient) -> None:
    both = {**MUG, "stamps_cost": 5}
    response = await client.put("/v1/rewards/mug", json=both, headers=bearer(Role.MANAGER))
    bad_id = await client.put("/v1/rewards/Big%20Mug", json=MUG, headers=bearer(Role.MANAGER))

    assert response.status_code == 422 and response.json()["code"] == "invalid_request"
    assert bad_id.status_code == 422


async def test_another_business_sees_none_of_the_catalogue(client: httpx.AsyncClient) -> None:
    await stocked(client)

    response = await client.get("/v1/rewards/mug", headers=bearer(business_id=OTHER_SHOP))

    assert response.status_code == 404 and response.json()["code"] == "reward_not_found"
    assert (await client.get("/v1/rewards", headers=bearer(business_id=OTHER_SHOP))).json() == []


async def test_redeeming_a_reward_answers_201_once_and_replays_a_retry(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    await stocked(client)
    account = await shop.seed(SHOP, "c-1", 500)
    url = f"/v1/accounts/{account}/reward-redemptions"

    first = await client.post(url, json={"reward_id": "mug"}, headers=keyed("k1"))
    again = await client.post(url, json={"reward_id": "mug"}, headers=keyed("k1"))
    other = await client.post(url, json={"reward_id": "mug", "hold": True}, headers=keyed("k1"))

    assert first.status_code == again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert first.json()["redemption_id"] == again.json()["redemption_id"]
    assert (first.json()["points"], first.json()["status"]) == (300, "captured")
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert shop.account(account).balance == 200
    assert shop.entries(account)[-1].reward_id == "mug"


async def test_the_last_unit_gone_the_next_till_hears_out_of_stock(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    await stocked(client)
    first = await shop.seed(SHOP, "c-1", 500)
    second = await shop.seed(SHOP, "c-2", 500)

    await client.post(
        f"/v1/accounts/{first}/reward-redemptions", json={"reward_id": "mug"}, headers=keyed("a")
    )
    preview = await client.post(f"/v1/accounts/{second}/rewards/mug/preview", headers=bearer())
    refused = await client.post(
        f"/v1/accounts/{second}/reward-redemptions", json={"reward_id": "mug"}, headers=keyed("b")
    )

    assert preview.json()["blocked"] == "out_of_stock"
    assert refused.status_code == 422 and refused.json()["code"] == "out_of_stock"


async def test_a_full_stamp_card_is_redeemed_held_and_captured(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    await stocked(client)
    account = await shop.seed(SHOP, "c-1", 0)
    with_stamps(shop, account, 10)

    preview = await client.post(f"/v1/accounts/{account}/stamp-card/preview", headers=bearer())
    held = await client.post(
        f"/v1/accounts/{account}/stamp-card/redeem", json={"hold": True}, headers=keyed("card")
    )
    rid = held.json()["redemption_id"]
    captured = await client.post(f"/v1/redemptions/{rid}/capture", headers=bearer())

    assert (preview.json()["stamps_to_take"], preview.json()["blocked"]) == (10, None)
    assert held.status_code == 201 and held.json()["status"] == "held"
    assert (held.json()["reward_id"], held.json()["stamps"]) == ("free-coffee", 10)
    assert captured.json()["status"] == "captured"
    assert shop.account(account).stamps == 0
    assert shop.entries(account)[-1].kind.value == "stamp_redemption"


async def test_redeeming_a_reward_needs_an_idempotency_key(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 500)

    response = await client.post(
        f"/v1/accounts/{account}/reward-redemptions", json={"reward_id": "mug"}, headers=bearer()
    )

    assert response.status_code == 400 and shop.uows.made == []
