"""An account's history, a page at a time with opaque cursors, and manual adjustments."""

from __future__ import annotations

import base64

import httpx
import pytest

from adapters.http.auth import Role
from adapters.http.cursor import decode_cursor, encode_cursor
from adapters.http.problems import ProblemError

from .conftest import SHOP, Shop, bearer

pytestmark = pytest.mark.unit


def _keyed(key: str) -> dict[str, str]:
    return {**bearer(Role.MANAGER), "Idempotency-Key": key}


async def _adjust(
    client: httpx.AsyncClient, account: object, points: int, key: str | None = None
) -> httpx.Response:
    return await client.post(
        f"/v1/accounts/{account}/adjustments",
        json={"points": points, "reason": "till count"},
        headers=_keyed(key or f"count-{points}"),
    )


async def test_a_manager_adjustment_answers_201_with_the_ledger_entry(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 100)

    response = await _adjust(client, account, -30)

    assert response.status_code == 201
    entry = response.json()
    assert (entry["kind"], entry["points"], entry["balance_after"]) == ("adjustment", -30, 70)
    assert (entry["reason"], entry["actor"], entry["terminal_id"]) == (
        "till count",
        "manager-1",
        "till-2",
    )


@pytest.mark.parametrize(
    "body", [{"points": 0, "reason": "x"}, {"points": 5}, {"points": 5, "reason": "   "}]
)
async def test_an_adjustment_needs_non_zero_points_and_a_reason(
    client: httpx.AsyncClient, shop: Shop, body: dict[str, object]
) -> None:
    account = await shop.seed(SHOP, "c-1", 100)

    response = await client.post(
        f"/v1/accounts/{account}/adjustments", json=body, headers=_keyed("k-1")
    )

    assert response.status_code == 422


async def test_an_adjustment_without_an_idempotency_key_is_a_400_problem_and_posts_nothing(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 100)

    response = await client.post(
        f"/v1/accounts/{account}/adjustments",
        json={"points": 5, "reason": "goodwill"},
        headers=bearer(Role.MANAGER),
    )

    assert response.status_code == 400
    assert response.json()["code"] == "idempotency_key_missing"
    assert shop.uows.made == []


async def test_the_idempotency_key_of_an_adjustment_reaches_the_port(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 100)

    response = await _adjust(client, account, 5, key="ticket-17")
    retry = await _adjust(client, account, 5, key="ticket-17")

    assert response.status_code == 201
    # The key names the entry: a retry under it finds the first entry and posts nothing.
    assert retry.json()["entry_id"] == response.json()["entry_id"]
    assert shop.account(account).balance == 105


async def test_pages_run_newest_first_and_the_cursor_leads_to_the_next_page(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 100)
    for points in range(1, 6):
        await _adjust(client, account, points)
    path = f"/v1/accounts/{account}/transactions"

    first = (await client.get(path, params={"limit": 4}, headers=bearer())).json()
    second = (
        await client.get(
            path, params={"limit": 4, "cursor": first["next_cursor"]}, headers=bearer()
        )
    ).json()

    assert [e["seq"] for e in first["entries"]] == [6, 5, 4, 3]
    assert [e["seq"] for e in second["entries"]] == [2, 1]
    assert second["next_cursor"] is None


async def test_the_kind_filter_reaches_the_port(client: httpx.AsyncClient, shop: Shop) -> None:
    account = await shop.seed(SHOP, "c-1", 100)
    await _adjust(client, account, 5)

    response = await client.get(
        f"/v1/accounts/{account}/transactions", params={"kind": "earn"}, headers=bearer()
    )

    assert [e["kind"] for e in response.json()["entries"]] == ["earn"]


@pytest.mark.parametrize(
    "cursor",
    [
        "not base64!",
        "%%%",
        base64.urlsafe_b64encode(b"before:-3").decode(),
        base64.urlsafe_b64encode(b"before:0").decode(),
        base64.urlsafe_b64encode(b"12").decode(),
        base64.urlsafe_b64encode(b"before:" + b"9" * 19).decode(),
    ],
)
async def test_a_cursor_the_api_did_not_make_is_a_400_problem(
    client: httpx.AsyncClient, shop: Shop, cursor: str
) -> None:
    account = await shop.seed(SHOP, "c-1", 100)

    response = await client.get(
        f"/v1/accounts/{account}/transactions", params={"cursor": cursor}, headers=bearer()
    )

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


@pytest.mark.parametrize("limit", [0, 201, "many"])
async def test_a_limit_outside_one_to_two_hundred_is_a_422_problem(
    client: httpx.AsyncClient, shop: Shop, limit: int | str
) -> None:
    account = await shop.seed(SHOP, "c-1", 100)

    response = await client.get(
        f"/v1/accounts/{account}/transactions", params={"limit": limit}, headers=bearer()
    )

    assert response.status_code == 422


@pytest.mark.parametrize("seq", [1, 42, 10**17])
def test_a_cursor_round_trips_to_its_sequence_number_and_is_url_safe(seq: int) -> None:
    cursor = encode_cursor(seq)

    assert decode_cursor(cursor) == seq
    assert cursor.isascii() and not set(cursor) & set("+/=")


def test_a_cursor_with_a_non_ascii_character_is_refused() -> None:
    with pytest.raises(ProblemError):
        decode_cursor("YmVmb3JlOjE€")


async def test_a_misspelt_query_parameter_is_a_422_problem_rather_than_ignored(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 100)

    response = await client.get(
        f"/v1/accounts/{account}/transactions", params={"kinds": "earn"}, headers=bearer()
    )

    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["kinds"]
    assert shop.uows.made == []


async def test_without_a_token_an_unknown_query_parameter_still_answers_401(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 100)

    response = await client.get(f"/v1/accounts/{account}/transactions", params={"kinds": "earn"})

    assert response.status_code == 401
