"""Use case: publish committed ledger entries from the outbox, in order, at least once."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from datetime import datetime

import structlog

from ports.backoff import Backoff, Pause, sleep_unless
from ports.clock import Clock
from ports.metrics import ServiceMetrics
from ports.publishing import OUTBOX_SHARDS, LedgerPublisher
from ports.unit_of_work import UnitOfWorkFactory

log = structlog.get_logger("loyalty.outbox")


class OutboxRelay:
    """Claims the oldest unpublished entries, publishes them, then marks them published.

    A pass walks the outbox's shards with entries pending, each in a unit of work of its own
    that holds the shard alone: relays on several instances publish different shards at once,
    and a shard another relay holds is left to it. Each relay starts its walk at a shard of
    its own (``first_shard``, random unless given), so under a backlog they spread at once.

    A crash between publishing and marking republishes those entries: duplicates on the
    ledger topic are possible, gaps are not.
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        publisher: LedgerPublisher,
        batch_size: int,
        idle_seconds: float,
        is_transient: Callable[[BaseException], bool],
        clock: Clock,
        metrics: ServiceMetrics,
        backoff: Backoff | None = None,
        pause: Pause | None = None,
        first_shard: int | None = None,
    ) -> None:
        self._first_shard = random.randrange(OUTBOX_SHARDS) if first_shard is None else first_shard
        self._backoff = backoff or Backoff()
        self._pause = pause or sleep_unless
        self._clock = clock
        self._metrics = metrics
        self._uow_factory = uow_factory
        self._publisher = publisher
        self._batch_size = batch_size
        self._idle_seconds = idle_seconds
        self._is_transient = is_transient

    async def relay_once(self) -> int:
        """One pass over the shards with entries pending: how many entries it published."""
        async with self._uow_factory() as uow:
            pending = await uow.outbox.pending_shards()
        published, oldest = 0, []
        try:
            for shard in sorted(pending, key=self._walk_position):
                count, first = await self._relay_shard(shard)
                published += count
                oldest += [first] if first else []
        except BaseException:
            if published:  # those entries are on the topic, whatever the next shard did
                self._measure(published, oldest)
            raise
        self._measure(published, oldest)
        return published

    def _measure(self, published: int, oldest: list[datetime]) -> None:
        """The lag is the oldest entry this pass claimed, over every shard it walked."""
        lag = (self._clock.now() - min(oldest)).total_seconds() if oldest else 0.0
        self._metrics.outbox(published, max(lag, 0.0))

    def _walk_position(self, shard: int) -> int:
        return (shard - self._first_shard) % OUTBOX_SHARDS

    async def _relay_shard(self, shard: int) -> tuple[int, datetime | None]:
        """The shard's oldest entries published and marked: how many, and the oldest's time."""
        async with self._uow_factory() as uow:
            claimed = await uow.outbox.claim_pending(shard, self._batch_size)
            if not claimed:
                return 0, None
            oldest = min(message.recorded_at for _, message in claimed)
            # Said before publishing: a publish that hangs or fails leaves the lag growing.
            self._metrics.outbox_pending(oldest)
            await self._publisher.publish([message for _, message in claimed])
            await uow.outbox.mark_published([outbox_id for outbox_id, _ in claimed])
            await uow.commit()
        return len(claimed), oldest

    async def run(self, stopping: asyncio.Event) -> None:
        """Relay until ``stopping`` is set, then drain what is committed and return."""
        failures = 0
        while True:
            try:
                published = await self.relay_once()
                failures = 0
            except Exception as error:
                failures += 1
                delay = self._backoff.seconds(failures)
                self._metrics.retry("outbox")
                if self._is_transient(error):
                    log.warning("outbox relay retrying", error=repr(error), wait_seconds=delay)
                else:
                    # Nothing can be set aside here: the ledger topic must get every entry in
                    # order, so whatever the error, the relay waits and tries again.
                    self._metrics.systemic_failure("outbox", type(error).__name__)
                    log.exception("outbox relay failed; retrying", wait_seconds=delay)
                await self._pause(stopping, delay)
                if stopping.is_set():
                    return
                continue
            if published:
                log.debug("ledger entries published", count=published)
                continue
            if stopping.is_set():
                return
            await sleep_unless(stopping, self._idle_seconds)
