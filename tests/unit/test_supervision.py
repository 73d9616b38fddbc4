"""A background loop that dies is logged, counted, reported not ready, and started again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from dependency_injector import providers
from structlog.testing import capture_logs

from ports.backoff import Backoff
from service.entrypoints.containers import container_for
from service.entrypoints.settings import Settings
from service.entrypoints.supervision import Supervisor
from tests.fakes import FakeMetrics

pytestmark = pytest.mark.unit


class AnsweringPool:
    async def fetchval(self, query: str) -> int:
        return 1


class AnsweringBroker:
    async def ping(self, timeout: float) -> bool:
        return True


class HeldPause:
    """The supervisor's wait before a restart, held until the test lets it go."""

    def __init__(self) -> None:
        self.waits: list[float] = []
        self.entered = asyncio.Event()
        self.released = asyncio.Event()

    async def __call__(self, stopping: asyncio.Event, seconds: float) -> None:
        self.waits.append(seconds)
        self.entered.set()
        await self.released.wait()


class FlakyLoop:
    """Dies with an unexpected error on its first ``deaths`` runs, then runs until stopped."""

    def __init__(self, stopping: asyncio.Event, deaths: int = 1, returns: bool = False) -> None:
        self.stopping = stopping
        self.deaths = deaths
        self.returns = returns
        self.runs = 0
        self.survived = asyncio.Event()

    async def __call__(self) -> None:
        self.runs += 1
        if self.runs <= self.deaths:
            if self.returns:
                return
            raise RuntimeError("an unexpected bug in the loop")
        self.survived.set()
        await self.stopping.wait()


async def soon(event: asyncio.Event) -> None:
    await asyncio.wait_for(event.wait(), timeout=5)


@pytest.fixture
async def stopping() -> AsyncIterator[asyncio.Event]:
    event = asyncio.Event()
    yield event
    event.set()


def readiness_client(supervisor: Supervisor) -> httpx.AsyncClient:
    """The container's API, its database and broker answering, its loops ``supervisor``'s."""
    container = container_for(Settings(_env_file=None, jwt_secret="x" * 32))  # type: ignore[call-arg]
    container.pool.override(providers.Object(AnsweringPool()))
    container.broker.override(providers.Object(AnsweringBroker()))
    container.supervisor.override(providers.Object(supervisor))
    app = container.http_app()
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://api")


async def test_a_loop_that_raises_makes_readyz_503_is_logged_and_counted_then_restarted(
    stopping: asyncio.Event,
) -> None:
    metrics, pause = FakeMetrics(), HeldPause()
    supervisor = Supervisor(stopping, metrics, pause=pause)
    relay = FlakyLoop(stopping)

    async with readiness_client(supervisor) as client:
        with capture_logs() as logs:
            supervisor.start("outbox-relay", relay)
            await soon(pause.entered)
            down = await client.get("/readyz")
        pause.released.set()
        await soon(relay.survived)
        up = await client.get("/readyz")

    assert down.status_code == 503
    assert down.json()["checks"] == {"database": True, "broker": True, "outbox-relay": False}
    assert "outbox-relay" in down.json()["detail"]
    assert metrics.calls == [("task_failure", ("outbox-relay",))]
    [died] = [line for line in logs if line["log_level"] == "error"]
    assert (died["task"], type(died["exc_info"])) == ("outbox-relay", RuntimeError)
    assert up.status_code == 200
    stopping.set()
    await supervisor.wait()


async def test_a_loop_that_returns_while_the_service_runs_counts_as_dead_and_is_restarted(
    stopping: asyncio.Event,
) -> None:
    metrics, pause = FakeMetrics(), HeldPause()
    supervisor = Supervisor(stopping, metrics, pause=pause)
    sweep = FlakyLoop(stopping, returns=True)

    supervisor.start("expiry-sweep", sweep)
    await soon(pause.entered)

    assert supervisor.checks() == {"expiry-sweep": False}
    assert metrics.calls == [("task_failure", ("expiry-sweep",))]
    pause.released.set()
    await soon(sweep.survived)
    assert supervisor.checks() == {"expiry-sweep": True}
    stopping.set()
    await supervisor.wait()


async def test_restarts_of_a_loop_that_keeps_dying_wait_longer_each_time_up_to_a_bound(
    stopping: asyncio.Event,
) -> None:
    waits: list[float] = []

    async def no_wait(stopping: asyncio.Event, seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 40:
            stopping.set()

    supervisor = Supervisor(stopping, FakeMetrics(), Backoff(1.0, 30.0), pause=no_wait)
    with capture_logs():  # 40 rendered tracebacks would only slow the test
        supervisor.start("outbox-relay", FlakyLoop(stopping, deaths=10**9))
        await supervisor.wait()

    assert waits[:3] == [1.0, 2.0, 4.0]
    assert max(waits) == waits[-1] == 30.0


async def test_a_watched_loop_that_is_not_running_makes_readyz_503(
    stopping: asyncio.Event,
) -> None:
    supervisor = Supervisor(stopping, FakeMetrics())
    polling = {"alive": True}
    supervisor.watch("consumer", lambda: polling["alive"])

    async with readiness_client(supervisor) as client:
        ready = await client.get("/readyz")
        polling["alive"] = False
        not_ready = await client.get("/readyz")

    assert (ready.status_code, not_ready.status_code) == (200, 503)
    assert not_ready.json()["checks"]["consumer"] is False
