"""Preview and redeem, with an Idempotency-Key so a POS retry never redeems twice."""

from __future__ import annotations

from uuid import UUID

import httpx
import pytest

from .conftest import OTHER_SHOP, SHOP, Shop, bearer

pytestmark = pytest.mark.unit


def keyed(key: str = "sale-1") -> dict[str, str]:
    return {**bearer(), "Idempotency-Key": key}


async def test_a_preview_quotes_the_discount_and_changes_nothing(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 500)

    response = await client.post(
        f"/v1/accounts/{account}/redemptions/preview",
        json={"points": 400, "sale_amount": "2.50"},
        headers=bearer(),
    )

    assert response.status_code == 200
    quote = response.json()
    assert (quote["discount"], quote["capped"], quote["points_to_take"]) == ("2.50", True, 250)
    assert (quote["balance_after"], quote["blocked"]) == (250, None)
    assert shop.account(account).balance == 500


async def test_a_preview_says_why_a_redemption_is_blocked(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 50)

    response = await client.post(
        f"/v1/accounts/{account}/redemptions/preview", json={"points": 400}, headers=bearer()
    )

    assert response.status_code == 200
    assert response.json()["blocked"] == "insufficient_points"
    assert "Not enough points" in response.json()["blocked_detail"]


async def test_redeeming_without_an_idempotency_key_is_a_400_problem(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 500)

    response = await client.post(
        f"/v1/accounts/{account}/redemptions", json={"points": 100}, headers=bearer()
    )

    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "idempotency_key_missing"
    assert shop.uows.made == []


async def test_redeeming_takes_the_points_and_answers_201_with_the_redemption(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 500)

    response = await client.post(
        f"/v1/accounts/{account}/redemptions", json={"points": 100}, headers=keyed()
    )

    assert response.status_code == 201
    redemption = response.json()
    assert (redemption["status"], redemption["points"], redemption["discount"]) == (
        "captured",
        100,
        "1.00",
    )
    assert response.headers["location"] == f"/v1/redemptions/{redemption['redemption_id']}"
    assert "idempotent-replayed" not in response.headers
    assert shop.account(account).balance == 400


async def test_a_retry_with_the_same_key_and_body_replays_the_first_answer(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 500)
    path = f"/v1/accounts/{account}/redemptions"

    first = await client.post(path, json={"points": 100}, headers=keyed())
    retry = await client.post(path, json={"hold": False, "points": 100}, headers=keyed())

    assert retry.status_code == 201
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.json()["redemption_id"] == first.json()["redemption_id"]
    assert shop.account(account).balance == 400


async def test_the_same_key_with_another_body_is_422(client: httpx.AsyncClient, shop: Shop) -> None:
    account = await shop.seed(SHOP, "c-1", 500)
    path = f"/v1/accounts/{account}/redemptions"

    await client.post(path, json={"points": 100}, headers=keyed())
    reused = await client.post(path, json={"points": 200}, headers=keyed())

    assert reused.status_code == 422
    assert reused.json()["code"] == "idempotency_key_reused"


async def test_the_fingerprint_names_the_account_and_the_canonical_body(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    mine, other = await shop.seed(SHOP, "c-1", 500), await shop.seed(SHOP, "c-2", 500)

    await client.post(f"/v1/accounts/{mine}/redemptions", json={"points": 1}, headers=keyed("a"))
    await client.post(
        f"/v1/accounts/{mine}/redemptions", json={"hold": False, "points": 1}, headers=keyed("b")
    )
    await client.post(f"/v1/accounts/{other}/redemptions", json={"points": 1}, headers=keyed("c"))

    a, b, c = (shop.store.idempotency_keys[(SHOP, key)][0] for key in "abc")
    assert a == b != c
    assert len(a) == 64


async def test_a_blocked_redemption_is_a_422_problem_with_the_reason_code(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 50)

    response = await client.post(
        f"/v1/accounts/{account}/redemptions", json={"points": 100}, headers=keyed()
    )

    assert response.status_code == 422
    assert response.json()["code"] == "insufficient_points"
    assert response.json()["detail"] == "Not enough points available for this redemption."


async def test_a_hold_reserves_the_points_until_captured(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 500)

    held = await client.post(
        f"/v1/accounts/{account}/redemptions", json={"points": 100, "hold": True}, headers=keyed()
    )
    redemption = held.json()["redemption_id"]
    during = await client.get(f"/v1/accounts/{account}", headers=bearer())
    captured = await client.post(f"/v1/redemptions/{redemption}/capture", headers=bearer())
    again = await client.post(f"/v1/redemptions/{redemption}/capture", headers=bearer())

    assert (held.json()["status"], held.json()["expires_at"]) == ("held", "2025-06-01T12:30:00Z")
    assert (during.json()["balance"], during.json()["available"]) == (500, 400)
    assert captured.json()["status"] == "captured"
    # Capturing twice takes the points once and answers with the capture.
    assert (again.status_code, again.json()["status"]) == (200, "captured")
    assert shop.account(account).balance == 400


async def test_a_hold_past_its_expiry_reads_as_expired_and_cannot_be_captured(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 500)
    held = await client.post(
        f"/v1/accounts/{account}/redemptions", json={"points": 100, "hold": True}, headers=keyed()
    )
    redemption = held.json()["redemption_id"]
    shop.clock.advance(minutes=31)

    read = await client.get(f"/v1/redemptions/{redemption}", headers=bearer())
    capture = await client.post(f"/v1/redemptions/{redemption}/capture", headers=bearer())

    assert read.json()["status"] == "expired"
    assert capture.status_code == 409
    assert capture.json()["code"] == "redemption_expired"


async def test_cancelling_a_captured_redemption_gives_the_points_back_once(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 500)
    taken = await client.post(
        f"/v1/accounts/{account}/redemptions", json={"points": 100}, headers=keyed()
    )
    redemption = taken.json()["redemption_id"]

    cancelled = await client.post(f"/v1/redemptions/{redemption}/cancel", headers=bearer())
    twice = await client.post(f"/v1/redemptions/{redemption}/cancel", headers=bearer())

    assert cancelled.json()["status"] == "cancelled"
    # Cancelling again gives nothing back twice and answers with the cancellation (as the
    # API on PostgreSQL does: tests/integration/test_http_api.py).
    assert (twice.status_code, twice.json()["status"]) == (200, "cancelled")
    assert shop.account(account).balance == 500


async def test_another_business_s_redemption_is_404_everywhere(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(OTHER_SHOP, "c-1", 500)
    theirs = await client.post(
        f"/v1/accounts/{account}/redemptions",
        json={"points": 100, "hold": True},
        headers={**bearer(business_id=OTHER_SHOP), "Idempotency-Key": "k"},
    )
    redemption = UUID(theirs.json()["redemption_id"])

    for method, suffix in [("GET", ""), ("POST", "/capture"), ("POST", "/cancel")]:
        response = await client.request(
            method, f"/v1/redemptions/{redemption}{suffix}", headers=bearer()
        )
        assert response.status_code == 404
        assert response.json()["code"] == "redemption_not_found"
    assert shop.redemption(redemption).status == "held"
