"""Readiness and liveness: is the database answering, is the broker answering (where the
process uses it), is every background loop running, right now.

Each role asks only what it needs: an API process answers from PostgreSQL alone, so it has no
broker here, and a Kafka outage leaves redemption in rotation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

import asyncpg
from faststream.kafka import KafkaBroker


class DependencyHealth:
    """Readiness: ``{"database": ..., "broker": ..., <loop>: ...}``, the broker only when given."""

    def __init__(
        self,
        pool: asyncpg.Pool,
        broker: KafkaBroker | None = None,
        timeout: float = 2.0,
        loops: Callable[[], Mapping[str, bool]] = dict,
    ) -> None:
        self._loops = loops
        self._pool = pool
        self._broker = broker
        self._timeout = timeout

    async def __call__(self) -> dict[str, bool]:
        checks: dict[str, Awaitable[bool]] = {"database": self._database()}
        if self._broker is not None:
            checks["broker"] = self._broker_ok(self._broker)
        answers = await asyncio.gather(*checks.values())
        return {**dict(zip(checks, answers, strict=True)), **self._loops()}

    async def _database(self) -> bool:
        try:
            async with asyncio.timeout(self._timeout):
                return bool(await self._pool.fetchval("SELECT 1") == 1)
        except Exception:
            return False

    async def _broker_ok(self, broker: KafkaBroker) -> bool:
        try:
            return bool(await broker.ping(timeout=self._timeout))
        except Exception:
            return False


class LoopsAlive:
    """Liveness of a consumer process: every supervised loop still has its supervisor.

    A loop restarting after a failure is alive (readiness says it is down); a loop whose
    supervising task has ended while the service runs will never come back, and only a
    restart of the process helps.
    """

    def __init__(self, alive: Callable[[], Mapping[str, bool]]) -> None:
        self._alive = alive

    async def __call__(self) -> dict[str, bool]:
        return dict(self._alive())
