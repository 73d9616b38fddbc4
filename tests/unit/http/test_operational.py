"""Liveness, readiness and metrics."""

from __future__ import annotations

import httpx
import pytest

from tests.fakes.health import FakeHealth

from .conftest import bearer

pytestmark = pytest.mark.unit


async def test_healthz_answers_200_without_a_token(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")

    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz_answers_200_when_every_dependency_is_up(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": True, "broker": True}


async def test_readyz_is_a_503_problem_listing_what_is_down(
    client: httpx.AsyncClient, health: FakeHealth
) -> None:
    health.checks["broker"] = False

    response = await client.get("/readyz")

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["checks"] == {"database": True, "broker": False}
    assert "broker" in response.json()["detail"]


async def test_metrics_count_requests_by_route_template_and_status(
    client: httpx.AsyncClient,
) -> None:
    await client.get("/v1/accounts/6f1c5a0e-2f55-4d0b-9a8e-3c6b1f0d7a42", headers=bearer())
    await client.get("/v1/no-such-route")

    response = await client.get("/metrics")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    text = response.text
    labels = 'method="GET",route="/v1/accounts/{account_id}",status="404"'
    assert f"loyalty_http_requests_total{{{labels}}} 1.0" in text
    assert 'route="unmatched",status="404"' in text
    assert "loyalty_http_request_duration_seconds_bucket" in text
    assert "6f1c5a0e" not in text


async def test_readyz_is_503_when_the_health_check_itself_fails(
    client: httpx.AsyncClient, health: FakeHealth
) -> None:
    health.fail_with = ConnectionError("pool closed")

    response = await client.get("/readyz")

    assert response.status_code == 503
    assert "pool closed" not in response.text


async def test_the_openapi_document_names_the_api_and_describes_problems(
    client: httpx.AsyncClient,
) -> None:
    document = (await client.get("/openapi.json")).json()
    docs = await client.get("/docs")

    assert document["info"]["title"] == "Loyalty points API"
    assert {"type", "title", "status", "detail", "code"} <= set(
        document["components"]["schemas"]["Problem"]["required"]
    )
    not_found = document["paths"]["/v1/accounts/{account_id}"]["get"]["responses"]["404"]
    assert "application/problem+json" in not_found["content"]
    assert docs.status_code == 200
