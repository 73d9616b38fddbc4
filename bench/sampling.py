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


@dataclass
class CpuShare:
    """CPU the process spent between two points of its work, and the events done between."""

    cpu_seconds: float = 0.0
    wall_seconds: float = 0.0
    events: int = 0

    @property
    def us_per_event(self) -> float:
        return self.cpu_seconds / self.events * 1e6 if self.events else float("nan")

    @property
    def cores_busy(self) -> float:
        return self.cpu_seconds / self.wall_seconds if self.wall_seconds else float("nan")


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return float(times.user + times.system)


async def wait_measuring_cpu(
    pid: int, probe: Callable[[], Awaitable[int]], target: int, timeout: float
) -> CpuShare:
    """Wait until ``probe`` reaches ``target``, measuring ``pid``'s CPU from the first event
    done (start-up and the group join left out) to the last."""
    process = psutil.Process(pid)
    deadline = time.monotonic() + timeout
    first: tuple[int, float, float] | None = None
    while True:
        done = await probe()
        if first is None and done > 0:
            first = (done, _cpu(process), time.perf_counter())
        if done >= target:
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"reached {done} of {target} within {timeout}s")
        await asyncio.sleep(0.1)
    assert first is not None
    return CpuShare(_cpu(process) - first[1], time.perf_counter() - first[2], done - first[0])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]
