"""A request id on every answer and in the one access line each request writes."""

from __future__ import annotations

import httpx
import pytest
import structlog
from structlog.testing import capture_logs

from adapters.http.request_id import request_id_from


async def test_a_callers_request_id_is_echoed_and_is_on_the_access_line(
    client: httpx.AsyncClient,
) -> None:
    with capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:
        response = await client.get("/healthz", headers={"X-Request-ID": "gw-42.a"})

    assert response.headers["x-request-id"] == "gw-42.a"
    [access] = [line for line in logs if line["event"] == "request"]
    assert access["request_id"] == "gw-42.a"
    assert access["method"] == "GET"
    assert access["path"] == "/healthz"
    assert access["status"] == 200
    assert access["duration_ms"] >= 0


async def test_without_a_request_id_one_is_generated_and_each_request_gets_its_own(
    client: httpx.AsyncClient,
) -> None:
    with capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:
        first = await client.get("/healthz")
        second = await client.get("/healthz")

    ids = [first.headers["x-request-id"], second.headers["x-request-id"]]
    assert ids[0] != ids[1]
    assert [line["request_id"] for line in logs if line["event"] == "request"] == ids


async def test_the_access_line_names_the_route_template_not_the_raw_path(
    client: httpx.AsyncClient,
) -> None:
    with capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:
        response = await client.get("/v1/accounts/00000000-0000-0000-0000-000000000000")

    [access] = [line for line in logs if line["event"] == "request"]
    assert access["status"] == response.status_code
    assert "00000000" not in access["path"]


async def test_nothing_stays_bound_after_the_request(client: httpx.AsyncClient) -> None:
    await client.get("/healthz", headers={"X-Request-ID": "gone-after"})

    assert "request_id" not in structlog.contextvars.get_contextvars()


@pytest.mark.parametrize(
    "forged",
    ["a\r\nX-Admin: 1", "", "x" * 129, 'quote"s', "spaces in it", "ünicode"],
)
def test_an_unusable_request_id_is_replaced_by_a_generated_one(forged: str) -> None:
    scope = {"headers": [(b"x-request-id", forged.encode("utf-8"))]}

    replaced = request_id_from(scope)

    assert replaced != forged
    assert len(replaced) == 32 and replaced.isalnum()
