"""Use case: apply a batch of inbound events in one transaction."""

from __future__ import annotations

from collections.abc import Sequence

from domain.batch import BatchChanges, BatchKeys, BatchState, apply_batch
from domain.customer_updates import IntakeEvent
from domain.events import InboundEvent
from ports.clock import Clock
from ports.metrics import ServiceMetrics
from ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from service.use_cases.customer_updates import apply_customer_updates
from service.use_cases.identifiers import with_known_customers
from service.use_cases.lot_keeping import lots_to_settle
from service.use_cases.merges import with_forwarded_customers


class ApplyEventBatch:
    """Loads and locks what the events touch, applies the rules in memory, writes it all.

    One commit for the whole batch: its own rows (inbox, purchases, refunds, holds) and its
    posting (entries with their outbox rows, balances, lots) land together or not at all.
    """

    def __init__(
        self, uow_factory: UnitOfWorkFactory, clock: Clock, metrics: ServiceMetrics | None = None
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._metrics = metrics

    async def __call__(self, events: Sequence[IntakeEvent]) -> BatchChanges:
        async with self._uow_factory() as uow:
            changes = await self.apply_within(uow, events)
            await uow.commit()
        if self._metrics is not None:  # counted once committed (a rolled-back batch comes back)
            for refusal in changes.refused_captures:
                self._metrics.capture_refused(refusal.reason.value, "sale")
        return changes

    async def apply_within(self, uow: UnitOfWork, intake: Sequence[IntakeEvent]) -> BatchChanges:
        """Apply in the caller's unit of work, which decides whether to commit (a dry run
        applies every batch in one transaction and rolls it back)."""
        # Events applied before (a replay, a redelivery) need no locks and nothing loaded: a
        # committed inbox row is final. The rest load under lock as usual, and their inbox
        # rows are read again then, after any concurrent batch holding the locks committed.
        # Upstream's customer updates first: a sale of the same batch finds what they gave.
        ledger_events, customers = await apply_customer_updates(uow, intake)
        # A sale naming a phone or card:
        events: Sequence[InboundEvent] = await with_known_customers(uow, ledger_events)
        events = await with_forwarded_customers(uow, events)  # a customer id merged away
        applied_before = await uow.event_batches.seen(BatchKeys.of(events).events)
        fresh = [e for e in events if (e.business_id, e.event_id) not in applied_before]
        state = await uow.event_batches.load(BatchKeys.of(fresh)) if fresh else BatchState()
        state.seen_events.update(applied_before)
        changes = apply_batch(state, events, self._clock.now())
        changes.absorb(customers)
        # The lots the batch's entries take from are known once the rules have run; a batch
        # that only earns takes from none and reads nothing here.
        open_lots, returned = await lots_to_settle(uow, changes.entries)
        await uow.event_batches.save(changes)
        await uow.ledger.post(changes.posting(state.programmes, open_lots, returned))
        return changes
