"""How long to wait after consecutive failures (exponential, jittered, bounded), and the wait
itself, cut short when the service stops."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

Pause = Callable[[asyncio.Event, float], Awaitable[None]]

# 2.0**1000 is about 1e301: past any cap a caller could mean, still a finite float. Without
# this bound 2**n itself overflows a float once n passes 1,023 (about three hours of 30 s
# waits), and a retry loop dies of OverflowError inside its own except block.
_MAX_EXPONENT = 1000


@dataclass(frozen=True)
class Backoff:
    """``initial_seconds`` doubling per consecutive failure up to ``max_seconds``, plus up to
    ``jitter_seconds`` of random spread so that many waiters do not retry in step."""

    initial_seconds: float = 0.2  # as Settings.retry_initial_seconds
    max_seconds: float = 30.0  # as Settings.retry_max_seconds
    jitter_seconds: float = 0.0

    def seconds(self, failures: int) -> float:
        """The wait after the ``failures``-th consecutive failure (1 waits ``initial_seconds``)."""
        exponent = min(max(failures - 1, 0), _MAX_EXPONENT)
        delay = min(self.initial_seconds * 2.0**exponent, self.max_seconds)
        if self.jitter_seconds > 0:
            delay += random.uniform(0, self.jitter_seconds)
        return max(delay, 0.0)


async def sleep_unless(stopping: asyncio.Event, seconds: float) -> None:
    """Wait ``seconds``, or until ``stopping`` is set if that comes first."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stopping.wait(), timeout=seconds)
