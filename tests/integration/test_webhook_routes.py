"""Managers register, list and remove webhook endpoints and redeliver over the real API."""

from __future__ import annotations

from datetime import UTC, datetime

import asyncpg
import httpx
import pytest
from prometheus_client import CollectorRegistry

from adapters.http.app import create_http_app
from adapters.http.auth import AuthSettings
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from adapters.postgres.webhooks import PostgresWebhooks
from service.entrypoints.containers import Container
from tests.fakes.clock import FakeClock
from tests.fakes.health import FakeHealth
from tests.integration.http_client import SECRET, auth

pytestmark = pytest.mark.integration


async def test_a_manager_registers_an_endpoint_sees_its_secret_once_and_removes_it(
    pool: asyncpg.Pool,
) -> None:
    container = Container()
    container.uow_factory.override(PostgresUnitOfWorkFactory(pool))
    clock = FakeClock(datetime(2026, 1, 1, tzinfo=UTC))
    app = create_http_app(
        container.operations(), FakeHealth({"database": True}), AuthSettings(hs256_secret=SECRET),
        clock=clock, registry=CollectorRegistry(), webhooks=PostgresWebhooks(pool),
    )  # fmt: skip
    manager, cashier, other = auth("b1", "manager"), auth("b1"), auth("b2", "manager")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        body = {"url": "https://crm.example.com/hook", "kinds": ["earn", "redemption"]}
        created = await client.post("/v1/webhooks", json=body, headers=manager)
        assert created.status_code == 201, created.text
        endpoint = created.json()
        assert endpoint["secret"].startswith("whsec_")
        assert endpoint["kinds"] == ["earn", "redemption"]
        listed = (await client.get("/v1/webhooks", headers=manager)).json()
        assert [e["endpoint_id"] for e in listed] == [endpoint["endpoint_id"]]
        assert "secret" not in listed[0]
        assert (await client.get("/v1/webhooks", headers=other)).json() == []
        assert (await client.get("/v1/webhooks", headers=cashier)).status_code == 403
        for refused in ({"url": "http://crm.example.com/hook"}, {"url": "https://x.example.com",
                        "kinds": ["nope"]}, {"url": "https://169.254.169.254/latest"},
                        {"url": "http://127.0.0.1:8080/v1/admin"}):  # fmt: skip
            answer = await client.post("/v1/webhooks", json=refused, headers=manager)
            assert answer.status_code == 422
            expected = "validation_failed" if "kinds" in refused else "invalid_webhook"
            assert answer.json()["code"] == expected, answer.text
        path = f"/v1/webhooks/{endpoint['endpoint_id']}"
        redeliver = f"{path}/deliveries/1/redeliver"
        assert (await client.post(redeliver, headers=manager)).status_code == 404
        assert (await client.get(f"{path}/deliveries", headers=manager)).json() == []
        assert (await client.delete(path, headers=other)).status_code == 404
        assert (await client.delete(path, headers=manager)).status_code == 204
        assert (await client.delete(path, headers=manager)).status_code == 404
        assert (await client.get("/v1/webhooks", headers=manager)).json() == []
