"""Watching a child process and the database while the service works."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import psutil


@dataclass
class PeakRss:
    bytes: int = 0

    @property
    def megabytes(self) -> float:
        return self.bytes / (1 << 20)


@contextlib.asynccontextmanager
async def peak_rss(pid: int, every: float = 0.2) -> AsyncIterator[PeakRss]:
    """The largest resident set size of ``pid`` seen every ``every`` seconds."""
    peak = PeakRss()
    process = psutil.Process(pid)

    async def sample() -> None:
        while True:
            with contextlib.suppress(psutil.Error):
                peak.bytes = max(peak.bytes, process.memory_info().rss)
            await asyncio.sleep(every)

    task = asyncio.create_task(sample())
    try:
        yield peak
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def wait_for(
    probe: Callable[[], Awaitable[int]], target: int, timeout: float, every: float = 0.2
) -> None:
    deadline = time.monotonic() + timeout
    value = await probe()
    while value < target:
        if time.monotonic() > deadline:
            raise TimeoutError(f"reached {value} of {target} within {timeout}s")
        await asyncio.sleep(every)
        value = await probe()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]
