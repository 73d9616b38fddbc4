"""Running the service: consumers and outbox relay until a stop signal, then a clean stop."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable
from typing import TypeVar, cast

import structlog

from adapters.kafka.event_consumer import KafkaEventConsumer
from service.containers import Container

log = structlog.get_logger("loyalty.runtime")

T = TypeVar("T")


async def resolve(value: T | Awaitable[T]) -> T:
    """Providers that depend on an async resource hand back awaitables."""
    if isinstance(value, Awaitable):
        return cast(T, await value)
    return value


class Service:
    """The consumer group member and the outbox relay, sharing one broker connection."""

    def __init__(self, container: Container) -> None:
        self._container = container
        self._stopping = asyncio.Event()
        self._relay_task: asyncio.Task[None] | None = None
        self._consumer: KafkaEventConsumer | None = None

    async def start(self) -> None:
        await resolve(self._container.init_resources())
        self._consumer = await resolve(self._container.event_consumer())
        relay = await resolve(self._container.outbox_relay())
        broker = self._container.broker()
        await broker.start()
        self._relay_task = asyncio.create_task(relay.run(self._stopping), name="outbox-relay")
        settings = self._container.settings()
        log.info(
            "service started",
            kafka=settings.kafka_bootstrap_servers,
            group=settings.consumer_group,
            topics=list(settings.inbound_topics()),
        )

    async def stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()  # stop fetching; the batch in flight finishes and commits
        self._stopping.set()
        if self._relay_task is not None:
            await self._relay_task  # publishes what is committed, then returns
        await self._container.broker().stop()
        await resolve(self._container.shutdown_resources())
        log.info("service stopped")


async def serve_until_signalled(container: Container) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    service = Service(container)
    await service.start()
    try:
        await stop.wait()
    finally:
        log.info("stopping")
        await service.stop()
