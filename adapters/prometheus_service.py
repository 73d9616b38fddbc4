"""Gauges read when scraped: the build, the outbox lag and the database pool."""

from __future__ import annotations

import importlib.metadata
import os
from collections.abc import Callable, Generator, Iterable
from typing import Protocol

from prometheus_client import CollectorRegistry, Gauge
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

SERVICE = "loyalty-points"


def build_version() -> str:
    try:
        return importlib.metadata.version(SERVICE)
    except importlib.metadata.PackageNotFoundError:  # run from a tree never installed
        return "unknown"


def register_service_gauges(registry: CollectorRegistry) -> None:
    """``loyalty_build_info{version,revision} 1``; the revision from the ``REVISION``
    environment variable the image build may set (``unknown`` otherwise)."""
    Gauge(
        "loyalty_build_info",
        "The running build: always 1, its labels say which.",
        ["version", "revision"],
        registry=registry,
    ).labels(build_version(), os.environ.get("REVISION", "unknown")).set(1)


class OutboxLag:
    """The outbox lag as of now: after a pass, the age its oldest entry had when published;
    while claimed entries wait on a publish, their age, growing until a pass ends."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self._after_pass = 0.0
        self._pending_since: float | None = None

    def pending(self, since: float) -> None:
        if self._pending_since is None or since < self._pending_since:
            self._pending_since = since

    def passed(self, seconds: float) -> None:
        self._after_pass = seconds
        self._pending_since = None

    def seconds(self) -> float:
        if self._pending_since is None:
            return self._after_pass
        return max(self._now() - self._pending_since, self._after_pass, 0.0)


class PoolSizes(Protocol):
    """What an asyncpg pool says about its connections."""

    def get_size(self) -> int: ...

    def get_idle_size(self) -> int: ...

    def get_max_size(self) -> int: ...


class PoolCollector(Collector):
    """The pool's connections by state, and its ceiling, read at each scrape. asyncpg keeps
    no count of waits for a connection, so none is shown."""

    def __init__(self, pool: PoolSizes) -> None:
        self._pool = pool

    def collect(self) -> Iterable[GaugeMetricFamily]:
        size, idle = self._pool.get_size(), self._pool.get_idle_size()
        connections = GaugeMetricFamily(
            "loyalty_db_pool_connections",
            "Database pool connections open, by state (idle, in_use).",
            labels=["state"],
        )
        connections.add_metric(["idle"], idle)
        connections.add_metric(["in_use"], max(size - idle, 0))
        yield connections
        yield GaugeMetricFamily(
            "loyalty_db_pool_max_connections",
            "The most connections the database pool opens.",
            value=self._pool.get_max_size(),
        )


def watch_pool(pool: PoolSizes, registry: CollectorRegistry) -> Generator[PoolCollector]:
    """The pool's gauges on ``registry`` while the pool is open (a container resource)."""
    collector = PoolCollector(pool)
    registry.register(collector)
    try:
        yield collector
    finally:
        registry.unregister(collector)
