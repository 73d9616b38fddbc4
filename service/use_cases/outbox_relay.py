"""Use case: publish committed ledger entries from the outbox, in order, at least once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import structlog

from ports.backoff import Backoff, Pause, sleep_unless
from ports.clock import Clock
from ports.metrics import ServiceMetrics
from ports.publishing import LedgerPublisher
from ports.unit_of_work import UnitOfWorkFactory

log = structlog.get_logger("loyalty.outbox")


class OutboxRelay:
    """Claims the oldest unpublished entries, publishes them, then marks them published.

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
    ) -> None:
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
        async with self._uow_factory() as uow:
            claimed = await uow.outbox.claim_pending(self._batch_size)
            if not claimed:
                self._metrics.outbox(0, 0.0)
                return 0
            oldest = min(message.recorded_at for _, message in claimed)
            await self._publisher.publish([message for _, message in claimed])
            await uow.outbox.mark_published([outbox_id for outbox_id, _ in claimed])
            await uow.commit()
        lag = (self._clock.now() - oldest).total_seconds()
        self._metrics.outbox(len(claimed), max(lag, 0.0))
        return len(claimed)

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
