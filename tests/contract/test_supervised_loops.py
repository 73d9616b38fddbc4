"""The running service: a background loop that dies shows on /readyz and /metrics, and is
started again; it never dies silently behind a green readiness check."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from dependency_injector import providers

from adapters.embedded.postgres import free_port
from service.entrypoints.containers import container_for
from service.entrypoints.runtime import Role, Service
from service.entrypoints.serving import start_service
from service.entrypoints.settings import Settings
from tests.support.kafka import eventually

pytestmark = pytest.mark.contract


class RelayWithABug:
    """Stands in for the outbox relay: every run ends in an error nobody planned for."""

    def __init__(self) -> None:
        self.runs = 0

    async def run(self, stopping: asyncio.Event) -> None:
        self.runs += 1
        raise RuntimeError("a bug in the relay loop")


@pytest.fixture
async def service_with_a_dying_relay(
    contract_settings: Settings,
) -> AsyncIterator[tuple[Service, Settings, RelayWithABug]]:
    settings = contract_settings.model_copy(
        update={
            "http_port": free_port(),
            "jwt_secret": "supervision-test-secret-of-32-bytes!",
            "retry_initial_seconds": 0.05,
            "retry_max_seconds": 0.2,
        }
    )
    container = container_for(settings, Role.ALL)
    relay = RelayWithABug()
    container.outbox_relay.override(providers.Object(relay))
    service = await start_service(container)
    try:
        yield service, settings, relay
    finally:
        await service.stop()


async def readiness(base: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base, timeout=5) as client:
        return await client.get("/readyz")


async def test_a_relay_loop_that_dies_makes_readyz_503_and_is_counted_and_restarted(
    service_with_a_dying_relay: tuple[Service, Settings, RelayWithABug],
) -> None:
    _, settings, relay = service_with_a_dying_relay
    base = f"http://127.0.0.1:{settings.http_port}"

    down = await eventually(lambda: readiness(base), lambda r: r.status_code == 503)
    restarted = await eventually(lambda: asyncio.sleep(0, relay.runs), lambda runs: runs >= 3)
    async with httpx.AsyncClient(base_url=base, timeout=5) as client:
        metrics = (await client.get("/metrics")).text

    assert down.json()["checks"]["outbox-relay"] is False
    assert down.json()["checks"]["database"] and down.json()["checks"]["broker"]
    assert down.json()["checks"]["consumer"] is True
    assert restarted >= 3
    [count] = [
        float(line.rsplit(" ", 1)[1])
        for line in metrics.splitlines()
        if line.startswith('loyalty_background_task_failures_total{task="outbox-relay"}')
    ]
    assert count >= 3
