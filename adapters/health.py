"""Readiness: is the database answering, is the broker answering, is every background loop
running, right now."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

import asyncpg
from faststream.kafka import KafkaBroker


class DependencyHealth:
    def __init__(
        self,
        pool: asyncpg.Pool,
        broker: KafkaBroker,
        timeout: float = 2.0,
        loops: Callable[[], Mapping[str, bool]] = dict,
    ) -> None:
        self._loops = loops
        self._pool = pool
        self._broker = broker
        self._timeout = timeout

    async def __call__(self) -> dict[str, bool]:
        database, broker = await asyncio.gather(self._database(), self._broker_ok())
        return {"database": database, "broker": broker, **self._loops()}

    async def _database(self) -> bool:
        try:
            async with asyncio.timeout(self._timeout):
                return bool(await self._pool.fetchval("SELECT 1") == 1)
        except Exception:
            return False

    async def _broker_ok(self) -> bool:
        try:
            return bool(await self._broker.ping(timeout=self._timeout))
        except Exception:
            return False
