"""Running the service by role: consumers and outbox relay, the HTTP API, or both."""

from __future__ import annotations

import asyncio
import contextlib
import enum
import gc
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass

import structlog
import uvicorn
from fastapi import FastAPI

from adapters.kafka.event_consumer import KafkaEventConsumer
from service.entrypoints.http_workers import HttpWorkers, shared_socket
from service.entrypoints.settings import Settings
from service.entrypoints.supervision import Supervisor
from service.use_cases.expiry import ExpirePoints
from service.use_cases.level_review import ReviewLevels
from service.use_cases.outbox_relay import OutboxRelay

log = structlog.get_logger("loyalty.runtime")

# The container's init_resources / shutdown_resources: awaitable once a resource is async.
Lifecycle = Callable[[], Awaitable[None] | None]


class Role(enum.StrEnum):
    ALL = "all"
    API = "api"
    CONSUMER = "consumer"


@dataclass(frozen=True)
class Consuming:
    """What a consumer process runs: its consumer group member (subscribed, started with the
    broker), the outbox relay and, every ``sweep_seconds`` (0: never), the expiry sweep."""

    consumer: KafkaEventConsumer
    relay: OutboxRelay
    expire: ExpirePoints
    sweep_seconds: float
    review_levels: ReviewLevels | None = None
    """The level review, run beside the expiry sweep (``domain.level_review``)."""


async def settled(step: Awaitable[None] | None) -> None:
    if step is not None:
        await step


class _EmbeddedServer(uvicorn.Server):
    """uvicorn inside our event loop: the service, not uvicorn, owns the signals."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class Service:
    """What one process runs: consumer group member and outbox relay, HTTP API, or both.

    ``consuming`` and ``api`` are None where the role does not run them. ``open_resources``
    starts what the parts hold (pool, broker, producer) and ``close_resources`` stops it, last.
    """

    def __init__(
        self,
        *,
        role: Role,
        settings: Settings,
        stopping: asyncio.Event,
        loops: Supervisor,
        consuming: Consuming | None,
        api: FastAPI | None,
        open_resources: Lifecycle,
        close_resources: Lifecycle,
    ) -> None:
        self._role = role
        self._settings = settings
        self._stopping = stopping
        self._loops = loops
        self._consuming = consuming
        self._api = api
        self._open_resources = open_resources
        self._close_resources = close_resources
        self._http: _EmbeddedServer | None = None
        self._http_task: asyncio.Task[None] | None = None
        self._workers: HttpWorkers | None = None

    async def start(self) -> None:
        settings = self._settings
        await settled(self._open_resources())
        if (parts := self._consuming) is not None:
            self._loops.watch("consumer", parts.consumer.running)
            self._loops.start("outbox-relay", lambda: parts.relay.run(self._stopping))
            if (every := parts.sweep_seconds) > 0:
                self._loops.start("expiry-sweep", lambda: parts.expire.run(self._stopping, every))
                if (review := parts.review_levels) is not None:
                    self._loops.start("level-review", lambda: review.run(self._stopping, every))
        if self._api is not None:
            await self._start_http(self._api)
        log.info(
            "service started",
            role=self._role.value,
            kafka=settings.kafka_bootstrap_servers,
            group=settings.consumer_group if self._consuming else None,
            http=f"http://{settings.http_host}:{settings.http_port}" if self._api else None,
        )

    async def _start_http(self, app: FastAPI) -> None:
        settings = self._settings
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
        if self._consuming is not None:
            # Stop fetching; the batch in flight finishes and commits.
            await self._consuming.consumer.stop()
        self._stopping.set()
        # A sweep in progress finishes its chunk; the relay publishes what is committed.
        await self._loops.wait()
        await settled(self._close_resources())  # producer flushed, broker and pool closed
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
