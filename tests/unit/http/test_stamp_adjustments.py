"""Stamps over HTTP: a manager adjusts them by hand (never below zero, once per key), and
the account shows them with the card's target."""

from __future__ import annotations

from dataclasses import replace

import httpx
import pytest

from adapters.http.auth import Role
from domain.ledger import EntryKind
from domain.stamps import StampCard

from .conftest import SHOP, Shop, a_programme, bearer

pytestmark = pytest.mark.unit


def _keyed(key: str) -> dict[str, str]:
    return {**bearer(Role.MANAGER), "Idempotency-Key": key}


async def _adjust(
    client: httpx.AsyncClient, account: object, body: dict[str, object], key: str
) -> httpx.Response:
    return await client.post(
        f"/v1/accounts/{account}/adjustments",
        json={"reason": "card lost", **body},
        headers=_keyed(key),
    )


def _with_card(shop: Shop, target: int = 10) -> None:
    programme = a_programme()
    rule = replace(programme.rules[0], stamp_card=StampCard(target=target))
    shop.store.programmes[SHOP] = replace(programme, rules=(rule,))


async def test_a_manager_adds_stamps_by_hand_as_a_stamp_adjustment_entry(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 100)

    response = await _adjust(client, account, {"stamps": 4}, "k-1")

    assert response.status_code == 201
    entry = response.json()
    assert (entry["kind"], entry["points"], entry["balance_after"]) == ("stamp_adjustment", 0, 100)
    assert (entry["stamps"], entry["stamps_balance_after"]) == (4, 4)


async def test_stamps_are_never_taken_below_zero_by_hand(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1")
    await _adjust(client, account, {"stamps": 3}, "k-1")

    too_many = await _adjust(client, account, {"stamps": -4}, "k-2")
    all_of_them = await _adjust(client, account, {"stamps": -3}, "k-3")

    assert too_many.status_code == 422
    assert all_of_them.status_code == 201
    assert all_of_them.json()["stamps_balance_after"] == 0


async def test_a_retried_stamp_adjustment_answers_the_first_entry_and_adds_nothing(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1")

    first = await _adjust(client, account, {"stamps": 2}, "k-1")
    again = await _adjust(client, account, {"stamps": 2}, "k-1")

    assert again.status_code == 201
    assert again.json() == first.json()
    assert [e.kind for e in shop.store.entries] == [EntryKind.STAMP_ADJUSTMENT]


async def test_a_key_used_for_points_is_refused_for_stamps(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 100)
    await _adjust(client, account, {"points": 5}, "k-1")

    response = await _adjust(client, account, {"stamps": 5}, "k-1")

    assert response.status_code == 422
    assert [e.kind for e in shop.store.entries if e.kind.value.endswith("adjustment")] == [
        EntryKind.ADJUSTMENT
    ]


@pytest.mark.parametrize(
    "body", [{"points": 5, "stamps": 1}, {"points": 0, "stamps": 0}, {"stamps": 0}, {}]
)
async def test_an_adjustment_gives_points_or_stamps_not_both_nor_neither(
    client: httpx.AsyncClient, shop: Shop, body: dict[str, object]
) -> None:
    account = await shop.seed(SHOP, "c-1", 100)

    response = await _adjust(client, account, body, "k-1")

    assert response.status_code == 422


async def test_a_cashier_cannot_adjust_stamps(client: httpx.AsyncClient, shop: Shop) -> None:
    account = await shop.seed(SHOP, "c-1")

    response = await client.post(
        f"/v1/accounts/{account}/adjustments",
        json={"stamps": 5, "reason": "x"},
        headers={**bearer(Role.CASHIER), "Idempotency-Key": "k-1"},
    )

    assert response.status_code == 403


async def test_the_account_shows_its_stamps_and_what_the_card_still_needs(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    _with_card(shop, target=10)
    account = await shop.seed(SHOP, "c-1")
    await _adjust(client, account, {"stamps": 7}, "k-1")

    shown = (await client.get(f"/v1/accounts/{account}", headers=bearer())).json()

    assert (shown["stamps"], shown["stamp_target"], shown["stamps_to_go"]) == (7, 10, 3)


async def test_without_a_card_the_account_shows_no_target(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 10)

    shown = (await client.get(f"/v1/accounts/{account}", headers=bearer())).json()

    assert (shown["stamps"], shown["stamp_target"], shown["stamps_to_go"]) == (0, None, None)
