"""Every error leaves the API as RFC 9457 problem+json with a stable code."""

from __future__ import annotations

from uuid import uuid4

import httpx
import pytest

from adapters.http.auth import Role
from domain import errors

from .conftest import SHOP, Shop, bearer

pytestmark = pytest.mark.unit

PROBLEM_FIELDS = {"type", "title", "status", "detail", "code", "instance"}


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert body.keys() >= PROBLEM_FIELDS
    assert (body["status"], body["code"]) == (status, code)
    assert body["type"] == f"tag:loyalty-points,2025:problems/{code}"
    assert body["instance"] == response.request.url.path
    return body


async def test_an_unknown_account_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/v1/accounts/{uuid4()}", headers=bearer())

    assert_problem(response, 404, "account_not_found")


async def test_an_unknown_route_is_a_404_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/nothing-here", headers=bearer())

    assert_problem(response, 404, "not_found")


async def test_a_wrong_method_is_a_405_problem_naming_the_allowed_ones(
    client: httpx.AsyncClient,
) -> None:
    response = await client.delete("/v1/program", headers=bearer())

    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response.headers["allow"]


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (
            errors.InlineEnrolmentDisabled("Phone enrolment is off."),
            422,
            "inline_enrolment_disabled",
        ),
        (
            errors.RedemptionBlocked("negative_balance", "Balance below 0."),
            422,
            "negative_balance",
        ),
        (errors.RedemptionExpired("This hold has expired."), 409, "redemption_expired"),
        (errors.RedemptionNotHeld("Already captured."), 409, "redemption_not_held"),
        (
            errors.IdempotencyKeyReused("Key used before."),
            422,
            "idempotency_key_reused",
        ),
        (errors.InvalidRequest("That cannot be done."), 422, "invalid_request"),
        (errors.ProgrammeNotFound("No programme yet."), 404, "programme_not_found"),
    ],
)
async def test_domain_errors_map_to_their_status_and_keep_their_code_and_detail(
    client: httpx.AsyncClient,
    shop: Shop,
    error: errors.LoyaltyError,
    status: int,
    code: str,
) -> None:
    shop.fail_with = error

    response = await client.get("/v1/program", headers=bearer())

    body = assert_problem(response, status, code)
    assert body["detail"] == error.detail


async def test_a_concurrent_update_is_409_with_retry_after(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 500)
    shop.fail_with = errors.ConcurrentUpdate("Another change is in progress; try again.")

    response = await client.post(
        f"/v1/accounts/{account}/redemptions",
        json={"points": 100},
        headers={**bearer(), "Idempotency-Key": "k-1"},
    )

    body = assert_problem(response, 409, "concurrent_update")
    assert response.headers["retry-after"] == "1"
    assert body["retry_after"] == 1


async def test_an_unexpected_failure_is_a_500_problem_that_shows_no_internals(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    shop.fail_with = RuntimeError("password=hunter2 at db.internal:5432")

    response = await client.get("/v1/program", headers=bearer())

    body = assert_problem(response, 500, "internal_error")
    assert "hunter2" not in response.text
    assert "RuntimeError" not in response.text
    assert "try again" in str(body["detail"])


async def test_invalid_fields_are_a_422_problem_listing_each_field(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 100)

    response = await client.post(
        f"/v1/accounts/{account}/adjustments",
        json={"points": "ten", "colour": "red"},
        headers={**bearer(Role.MANAGER), "Idempotency-Key": "k-1"},
    )

    body = assert_problem(response, 422, "validation_failed")
    fields = {error["field"] for error in body["errors"]}  # type: ignore[attr-defined]
    assert fields == {"points", "reason", "colour"}
    assert "points" in str(body["detail"])
    assert shop.uows.made == []


@pytest.mark.parametrize(
    "body",
    [
        {"points": 0},
        {"points": -5},
        {"points": 1.5},
        {"points": "10"},
        {"points": 10, "hold": "yes"},
        {"points": 10, "hold": 1},
        {"points": 10, "sale_amount": "-1"},
    ],
)
async def test_points_must_be_a_positive_integer_and_flags_real_booleans(
    client: httpx.AsyncClient, shop: Shop, body: dict[str, object]
) -> None:
    account = await shop.seed(SHOP, "c-1", 100)

    response = await client.post(
        f"/v1/accounts/{account}/redemptions/preview", json=body, headers=bearer()
    )

    assert_problem(response, 422, "validation_failed")


async def test_a_malformed_account_id_is_a_422_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/v1/accounts/not-a-uuid", headers=bearer())

    assert_problem(response, 422, "validation_failed")


async def test_a_body_that_is_not_json_is_a_422_problem(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 100)

    response = await client.post(
        f"/v1/accounts/{account}/redemptions/preview",
        content=b"{points: ",
        headers={**bearer(), "Content-Type": "application/json"},
    )

    assert_problem(response, 422, "validation_failed")


async def test_a_body_that_is_not_json_says_so_in_words(
    client: httpx.AsyncClient, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 100)

    response = await client.post(
        f"/v1/accounts/{account}/redemptions/preview",
        content=b'{"points": ',
        headers={**bearer(), "Content-Type": "application/json"},
    )

    assert response.json()["detail"] == "Please check body: The body is not valid JSON."
