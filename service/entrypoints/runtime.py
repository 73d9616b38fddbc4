"""Running the service by role: consumers and outbox relay, the HTTP API, or both."""

from __future__ import annotations

import asyncio
import contextlib
import enum
import gc
import signal
from collections.abc import Awaitable, Iterator
from typing import TypeVar, cast

import structlog
import uvicorn

from adapters.health import DependencyHealth
from adapters.http.app import create_http_app
from adapters.http.auth import AuthSettings
from adapters.kafka.event_consumer import KafkaEventConsumer
from ports.backoff import Backoff
from service.entrypoints.containers import Container
from service.entrypoints.http_workers import HttpWorkers, shared_socket
from service.entrypoints.settings import Settings
from service.entrypoints.supervision import Supervisor

log = structlog.get_logger("loyalty.runtime")

T = TypeVar("T")


class Role(enum.StrEnum):
    ALL = "all"
    API = "api"
    CONSUMER = "consumer"


async def resolve(value: T | Awaitable[T]) -> T:
    """Providers that depend on an async resource hand back awaitables."""
    if isinstance(value, Awaitable):
        return cast(T, await value)
    return value


class _EmbeddedServer(uvicorn.Server):
    """uvicorn inside our event loop: the service, not uvicorn, owns the signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def auth_settings(settings: Settings) -> AuthSettings:
    if not (settings.jwt_secret or settings.jwt_public_key):
        raise RuntimeError(
            "the HTTP API needs LOYALTY_JWT_SECRET (HS256) or LOYALTY_JWT_PUBLIC_KEY (RS256)"
        )
    return AuthSettings(
        hs256_secret=settings.jwt_secret,
        rs256_public_key=settings.jwt_public_key,
        audience=settings.jwt_audience,
        issuer=settings.jwt_issuer,
        max_lifetime_seconds=settings.jwt_max_lifetime_seconds,
    )


class Service:
    """What one process runs: consumer group member and outbox relay, HTTP API, or both."""

    def __init__(self, container: Container, role: Role = Role.ALL) -> None:
        self._container = container
        self._role = role
        self._stopping = asyncio.Event()
        settings = container.settings()
        self._loops = Supervisor(
            self._stopping,
            container.metrics(),
            Backoff(settings.retry_initial_seconds, settings.retry_max_seconds),
        )
        self._consumer: KafkaEventConsumer | None = None
        self._http: _EmbeddedServer | None = None
        self._http_task: asyncio.Task[None] | None = None
        self._workers: HttpWorkers | None = None

    @property
    def runs_consumers(self) -> bool:
        return self._role in (Role.ALL, Role.CONSUMER)

    @property
    def runs_api(self) -> bool:
        return self._role in (Role.ALL, Role.API)

    async def start(self) -> None:
        c = self._container
        settings = c.settings()
        await resolve(c.init_resources())
        if self.runs_consumers:
            self._consumer = await resolve(c.event_consumer())
        broker = c.broker()
        await broker.start()
        if self.runs_consumers:
            assert self._consumer is not None
            self._loops.watch("consumer", self._consumer.running)
            relay = await resolve(c.outbox_relay())
            self._loops.start("outbox-relay", lambda: relay.run(self._stopping))
            if (every := settings.expiry_sweep_seconds) > 0:
                expire = await resolve(c.expire_points())
                self._loops.start("expiry-sweep", lambda: expire.run(self._stopping, every))
        if self.runs_api:
            await self._start_http(settings)
        log.info(
            "service started",
            role=self._role.value,
            kafka=settings.kafka_bootstrap_servers,
            group=settings.consumer_group if self.runs_consumers else None,
            http=f"http://{settings.http_host}:{settings.http_port}" if self.runs_api else None,
        )

    async def _start_http(self, settings: Settings) -> None:
        c = self._container
        app = create_http_app(
            await resolve(c.operations()),
            DependencyHealth(await resolve(c.pool()), c.broker(), loops=self._loops.checks),
            auth_settings(settings),
            registry=c.metrics_registry(),
            max_body_bytes=settings.http_max_body_bytes,
        )
        config = uvicorn.Config(
            app,
            host=settings.http_host,
            port=settings.http_port,
            http="httptools",  # h11, uvicorn's pure-Python parser, was slower
            log_config=None,
            access_log=False,
            lifespan="off",
        )
        self._http = _EmbeddedServer(config)
        sockets = None
        if settings.http_workers > 1 or settings.http_reuse_port:
            sockets = [shared_socket(settings.http_host, settings.http_port)]
        self._http_task = asyncio.create_task(self._http.serve(sockets=sockets), name="http")
        while not self._http.started:
            if self._http_task.done():
                await self._http_task
                raise RuntimeError("the HTTP server stopped while starting")
            await asyncio.sleep(0.02)
        if settings.http_workers > 1:
            self._workers = HttpWorkers(settings)
            self._workers.start()

    async def stop(self) -> None:
        if self._workers is not None:
            await asyncio.to_thread(self._workers.stop)
        if self._http is not None and self._http_task is not None:
            self._http.should_exit = True  # finishes requests in flight
            await self._http_task
        if self._consumer is not None:
            await self._consumer.stop()  # stop fetching; the batch in flight finishes and commits
        self._stopping.set()
        # A sweep in progress finishes its chunk; the relay publishes what is committed.
        await self._loops.wait()
        if self.runs_consumers:
            await (await resolve(self._container.ledger_publisher())).stop()
        await self._container.broker().stop()
        await resolve(self._container.shutdown_resources())
        log.info("service stopped")


def tune_garbage_collector(young_threshold: int) -> None:
    """Fewer, cheaper cyclic collections for a process that allocates in bursts.

    A batch of 2,000 events makes hundreds of thousands of short-lived objects, nearly all
    freed by reference counting; at the default threshold (700) the collector still ran
    hundreds of times a batch, and each full pass walked every long-lived object (modules,
    caches, the pool). Everything alive once the service has started is frozen out of the
    collector's reach, and young collections wait for ``young_threshold`` allocations (what
    it gains is measured in docs/performance.md).
    """
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(young_threshold, middle, old)


async def serve_until_signalled(container: Container, role: Role = Role.ALL) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    service = Service(container, role)
    await service.start()
    tune_garbage_collector(container.settings().gc_young_threshold)
    try:
        await stop.wait()
    finally:
        log.info("stopping")
        timeout = container.settings().shutdown_timeout_seconds
        try:
            async with asyncio.timeout(timeout):
                await service.stop()
        except TimeoutError:
            log.error("clean stop took longer than the bound; exiting", seconds=timeout)
