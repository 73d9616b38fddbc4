"""The API's requests traced when a tracer provider is given, continuing a caller's trace."""

from __future__ import annotations

from typing import Any, cast

import httpx
import pytest
from fastapi import FastAPI
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from adapters.http.app import create_http_app
from adapters.http.auth import AuthSettings
from ports.operations import LoyaltyOperations
from tests.fakes.health import FakeHealth
from tests.unit.http.conftest import SECRET

pytestmark = pytest.mark.unit

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"


def api(provider: Any) -> FastAPI:
    return create_http_app(
        cast(LoyaltyOperations, None),  # /healthz reaches no use case
        FakeHealth(),
        AuthSettings(hs256_secret=SECRET),
        tracer_provider=provider,
    )


async def get_health(app: FastAPI) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        return await client.get(
            "/healthz", headers={"traceparent": f"00-{TRACE_ID}-{CALLER_SPAN}-01"}
        )


async def test_a_request_is_a_server_span_in_the_callers_trace() -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))

    assert (await get_health(api(provider))).status_code == 200

    [server] = [s for s in exporter.get_finished_spans() if s.kind is SpanKind.SERVER]
    assert f"{server.context.trace_id:032x}" == TRACE_ID
    assert server.parent is not None and f"{server.parent.span_id:016x}" == CALLER_SPAN
    assert server.name == "GET /healthz"


async def test_without_a_provider_the_api_is_not_instrumented() -> None:
    app = api(None)
    assert (await get_health(app)).status_code == 200
    assert not getattr(app, "_is_instrumented_by_opentelemetry", False)
