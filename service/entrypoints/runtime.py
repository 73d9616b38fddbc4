"""Running the service by role: consumers and outbox relay (with a management server), the
HTTP API, or both."""

from __future__ import annotations

import asyncio
import enum
import gc
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog
from fastapi import FastAPI

from adapters.kafka.event_consumer import KafkaEventConsumer
from service.entrypoints.embedded_http import EmbeddedHttp
from service.entrypoints.settings import Settings
from service.entrypoints.supervision import Supervisor
from service.entrypoints.webhook_worker import WebhookWorker
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
    webhooks: WebhookWorker | None = None
    """Collects and sends webhook deliveries (``service.entrypoints.webhook_worker``)."""


async def settled(step: Awaitable[None] | None) -> None:
    if step is not None:
        await step


class Service:
    """What one process runs: consumer group member and outbox relay, HTTP API, or both.

    ``consuming`` and ``api`` are None where the role does not run them; ``management`` (the
    consumer role's /healthz, /readyz, /metrics on ``management_port``) likewise.
    ``open_resources`` starts what the parts hold (pool, broker, producer) and
    ``close_resources`` stops it, last.
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
        management: FastAPI | None = None,
    ) -> None:
        self._role = role
        self._settings = settings
        self._stopping = stopping
        self._loops = loops
        self._consuming = consuming
        self._api = api
        self._open_resources = open_resources
        self._close_resources = close_resources
        self._management = management
        self._http: EmbeddedHttp | None = None
        self._management_http: EmbeddedHttp | None = None

    async def start(self) -> None:
        settings = self._settings
        await settled(self._open_resources())
        if (parts := self._consuming) is not None:
            self._loops.watch("consumer", parts.consumer.running)
            self._loops.start("outbox-relay", lambda: parts.relay.run(self._stopping))
            if (hooks := parts.webhooks) is not None:
                self._loops.start("webhook-worker", lambda: hooks.run(self._stopping))
            if (every := parts.sweep_seconds) > 0:
                self._loops.start("expiry-sweep", lambda: parts.expire.run(self._stopping, every))
                if (review := parts.review_levels) is not None:
                    self._loops.start("level-review", lambda: review.run(self._stopping, every))
        if self._api is not None:
            await self._start_http(self._api)
        if self._management is not None:
            self._management_http = await EmbeddedHttp.start(
                self._management, settings.http_host, settings.management_port, name="management"
            )
        log.info(
            "service started",
            role=self._role.value,
            kafka=settings.kafka_bootstrap_servers,
            kafka_security=settings.kafka_security_protocol,
            group=settings.consumer_group if self._consuming else None,
            http=f"http://{settings.http_host}:{settings.http_port}" if self._api else None,
            management=self._url(self._management_http),
        )

    @property
    def management_port(self) -> int | None:
        """The port the management server listens on (None: this role runs none)."""
        return self._management_http.port if self._management_http else None

    def _url(self, server: EmbeddedHttp | None) -> str | None:
        return f"http://{self._settings.http_host}:{server.port}" if server else None

    async def _start_http(self, app: FastAPI) -> None:
        # One API process per replica: more processes sharing a port would each answer
        # /metrics for itself alone, so a scrape would see whichever took the connection.
        settings = self._settings
        self._http = await EmbeddedHttp.start(
            app, settings.http_host, settings.http_port, name="http"
        )

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.stop()  # finishes requests in flight
        if self._consuming is not None:
            # Stop fetching; the batch in flight finishes and commits.
            await self._consuming.consumer.stop()
        self._stopping.set()
        # A sweep in progress finishes its chunk; the relay publishes what is committed.
        await self._loops.wait()
        if self._management_http is not None:
            await self._management_http.stop()
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
