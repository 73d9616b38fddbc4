"""Background loops under supervision: none dies silently.

A loop (outbox relay, expiry sweep) runs until the service stops. One that raises, or returns
while the service is still running, is logged and counted, reported not ready, and started
again after a bounded backoff; readiness comes back when it runs again. Loops that another
library restarts itself (the Kafka subscriber's poll loop) are watched only, through a probe.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog

from ports.backoff import Backoff, Pause, sleep_unless
from ports.metrics import ServiceMetrics

log = structlog.get_logger("loyalty.supervisor")

Loop = Callable[[], Awaitable[None]]


class Supervisor:
    def __init__(
        self,
        stopping: asyncio.Event,
        metrics: ServiceMetrics,
        backoff: Backoff | None = None,
        pause: Pause = sleep_unless,
        healthy_after_seconds: float = 60.0,
    ) -> None:
        self._stopping = stopping
        self._metrics = metrics
        self._backoff = backoff or Backoff()
        self._pause = pause
        self._healthy_after = healthy_after_seconds
        self._running: dict[str, bool] = {}
        self._probes: dict[str, Callable[[], bool]] = {}
        self._tasks: list[asyncio.Task[None]] = []

    def start(self, name: str, loop: Loop) -> None:
        """Run ``loop`` (which returns only once the service is stopping), restarting it
        whenever it dies."""
        self._running[name] = True
        self._tasks.append(asyncio.create_task(self._keep_running(name, loop), name=name))

    def watch(self, name: str, is_running: Callable[[], bool]) -> None:
        """Report ``name`` not ready whenever ``is_running`` says so."""
        self._probes[name] = is_running

    def checks(self) -> dict[str, bool]:
        """Whether each loop is running now, by name (for readiness)."""
        probed = {name: _safely(probe) for name, probe in self._probes.items()}
        return {**self._running, **probed}

    def alive(self) -> dict[str, bool]:
        """Whether each loop still has its supervisor (for liveness: a loop waiting to be
        restarted is alive; one whose supervisor ended is not, until the process restarts)."""
        return {task.get_name(): not task.done() for task in self._tasks}

    async def wait(self) -> None:
        """Wait for every loop to return (set ``stopping`` first)."""
        await asyncio.gather(*self._tasks)

    async def _keep_running(self, name: str, loop: Loop) -> None:
        failures = 0
        clock = asyncio.get_running_loop().time
        while not self._stopping.is_set():
            started = clock()
            self._running[name] = True
            error: BaseException | None = None
            try:
                await loop()
            except Exception as raised:
                error = raised
            if self._stopping.is_set() and error is None:
                return
            self._running[name] = False
            # A loop that ran a good while before dying starts again from the short wait.
            failures = 1 if clock() - started >= self._healthy_after else failures + 1
            wait = self._backoff.seconds(failures)
            self._metrics.task_failure(name)
            log.error(
                "background task died; restarting it"
                if error
                else "background task returned while the service runs; restarting it",
                task=name,
                failures=failures,
                wait_seconds=round(wait, 2),
                exc_info=error,
            )
            await self._pause(self._stopping, wait)


def _safely(probe: Callable[[], bool]) -> bool:
    try:
        return bool(probe())
    except Exception:
        log.exception("background task probe failed")
        return False
