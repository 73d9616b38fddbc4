"""Each role's health asks exactly what that role needs: an API process PostgreSQL alone (a
Kafka outage leaves redemption in rotation), a consumer process PostgreSQL, the broker and its
loops, on its own management server; a development process (all) both."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest
from dependency_injector import providers

from service.entrypoints.containers import Container, container_for
from service.entrypoints.runtime import Role
from service.entrypoints.settings import Settings

pytestmark = pytest.mark.unit


class Pool:
    def __init__(self, answers: bool = True) -> None:
        self.answers = answers

    async def fetchval(self, query: str) -> int:
        if not self.answers:
            raise ConnectionRefusedError("database down")
        return 1


class Broker:
    def __init__(self, answers: bool = True) -> None:
        self.answers = answers
        self.pings = 0

    async def ping(self, timeout: float) -> bool:
        self.pings += 1
        return self.answers


def wired(role: Role, pool: Pool, broker: Broker) -> Container:
    settings = Settings(_env_file=None, jwt_secret="x" * 32)  # type: ignore[call-arg]
    container = container_for(settings, role)
    container.pool.override(providers.Object(pool))
    container.broker.override(providers.Object(broker))
    return container


async def test_an_api_process_is_ready_when_postgresql_answers_and_never_asks_the_broker() -> None:
    broker = Broker(answers=False)
    container = wired(Role.API, Pool(), broker)

    assert await container.health()() == {"database": True}
    assert broker.pings == 0


async def test_an_api_process_is_not_ready_without_postgresql() -> None:
    container = wired(Role.API, Pool(answers=False), Broker())
    assert await container.health()() == {"database": False}


@pytest.mark.parametrize("role", [Role.CONSUMER, Role.ALL])
async def test_a_consuming_process_needs_postgresql_the_broker_and_its_consumer(
    role: Role,
) -> None:
    container = wired(role, Pool(), Broker(answers=False))
    container.supervisor().watch("consumer", lambda: False)  # not joined yet

    checks = await container.health()()

    assert checks == {"database": True, "broker": False, "consumer": False}


def test_only_the_consumer_role_runs_a_management_server() -> None:
    assert wired(Role.CONSUMER, Pool(), Broker()).management() is not None
    assert wired(Role.API, Pool(), Broker()).management() is None
    assert wired(Role.ALL, Pool(), Broker()).management() is None  # its API answers


@pytest.fixture
async def consumer() -> AsyncIterator[tuple[Container, httpx.AsyncClient]]:
    container = wired(Role.CONSUMER, Pool(), Broker())
    app = container.management()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://management") as client:
        yield container, client
    container.stopping().set()
    with contextlib.suppress(asyncio.CancelledError):  # the loop one test lets die so
        await container.supervisor().wait()


async def test_the_management_server_answers_ready_when_every_check_passes(
    consumer: tuple[Container, httpx.AsyncClient],
) -> None:
    container, client = consumer
    container.supervisor().watch("consumer", lambda: True)

    ready = await client.get("/readyz")

    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "checks": {"database": True, "broker": True, "consumer": True},
    }


async def test_the_management_server_names_what_keeps_it_from_being_ready(
    consumer: tuple[Container, httpx.AsyncClient],
) -> None:
    container, client = consumer
    container.supervisor().watch("consumer", lambda: False)

    ready = await client.get("/readyz")

    assert ready.status_code == 503
    assert ready.headers["content-type"] == "application/problem+json"
    assert ready.json()["checks"]["consumer"] is False
    assert "consumer" in ready.json()["detail"]


async def test_liveness_holds_while_a_loop_restarts_and_fails_once_its_supervisor_is_gone(
    consumer: tuple[Container, httpx.AsyncClient],
) -> None:
    container, client = consumer
    supervisor = container.supervisor()
    gone = asyncio.Event()

    async def relay() -> None:
        await gone.wait()
        raise asyncio.CancelledError  # not an Exception: the supervisor cannot restart it

    async def sweep() -> None:
        raise RuntimeError("database hiccup")  # restarted after a backoff, never gone

    supervisor.start("outbox-relay", relay)
    supervisor.start("expiry-sweep", sweep)
    await asyncio.sleep(0.05)
    assert supervisor.checks()["expiry-sweep"] is False  # not ready while it waits to restart
    alive = await client.get("/healthz")
    assert alive.status_code == 200
    assert alive.json()["checks"] == {"outbox-relay": True, "expiry-sweep": True}

    gone.set()
    await asyncio.sleep(0.05)
    dead = await client.get("/healthz")
    assert dead.status_code == 503
    assert dead.json()["checks"] == {"outbox-relay": False, "expiry-sweep": True}


async def test_the_management_server_serves_the_service_metrics(
    consumer: tuple[Container, httpx.AsyncClient],
) -> None:
    container, client = consumer
    container.metrics()  # registered on the container's registry, as the consumer does

    metrics = await client.get("/metrics")

    assert metrics.status_code == 200
    assert "loyalty_events_total" in metrics.text
    assert "python_info" in metrics.text  # the process's default collectors too
