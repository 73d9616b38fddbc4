"""A serving process from start to end: its container, the service started, run until SIGINT
or SIGTERM, and stopped within a bound."""

from __future__ import annotations

import asyncio
import signal

import structlog

from service.entrypoints.containers import Container, container_for
from service.entrypoints.logging import configure_logging
from service.entrypoints.runtime import Role, Service, tune_garbage_collector
from service.entrypoints.settings import Settings

log = structlog.get_logger("loyalty.runtime")


def from_environment(role: Role = Role.ALL) -> Container:
    """The container for the ``LOYALTY_*`` settings, with logging configured by them."""
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level, role=role.value)
    return container_for(settings, role)


async def start_service(container: Container) -> Service:
    """The service ``container`` wires, started (``stop`` stops it and its resources)."""
    service = await container.service.async_()
    await service.start()
    return service


async def serve_until_signalled(container: Container) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    settings = container.settings()
    service = await start_service(container)
    tune_garbage_collector(settings.gc_young_threshold)
    try:
        await stop.wait()
    finally:
        log.info("stopping")
        timeout = settings.shutdown_timeout_seconds
        try:
            async with asyncio.timeout(timeout):
                await service.stop()
        except TimeoutError:
            log.error("clean stop took longer than the bound; exiting", seconds=timeout)
