"""The model test's steps upstream: sales and bills (some settling a hold), returns and bill
refunds, deliveries of any subset in any order, redeliveries, batches that fail and roll back."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from domain.events import EventKind, PurchaseCompleted, RefundIssued
from domain.ledger import Source
from service.use_cases.event_intake import ApplyEventBatch
from tests.support.ledger_history_base import (
    AMOUNTS,
    BUSINESS,
    CUSTOMERS,
    LAGS,
    STRANGER,
    TILL,
    HistoryBase,
    InjectedFailure,
)


class EventSteps(HistoryBase):
    @rule(
        customer=st.sampled_from((*CUSTOMERS, STRANGER)),
        amount=AMOUNTS,
        lag_hours=LAGS,
        bill=st.booleans(),
    )
    def a_sale_is_rung_up(self, customer: str, amount: Decimal, lag_hours: int, bill: bool) -> None:
        self.waiting.append(self._purchase(customer, amount, lag_hours, bill, None))

    @precondition(lambda self: bool(self.redemptions))
    @rule(
        data=st.data(),
        amount=AMOUNTS,
        lag_hours=LAGS,
        someone_else=st.sampled_from([False, False, False, True]),
    )
    def a_sale_settles_a_redemption(
        self, data: st.DataObject, amount: Decimal, lag_hours: int, someone_else: bool
    ) -> None:
        """Mostly the hold's own customer's sale; sometimes another's, naming the same hold."""
        redemption_id = data.draw(st.sampled_from(list(self.redemptions)), label="hold")
        customer = self.redemptions[redemption_id]
        if someone_else:
            customer = data.draw(st.sampled_from([c for c in CUSTOMERS if c != customer]))
        self.waiting.append(self._purchase(customer, amount, lag_hours, False, redemption_id))

    def _purchase(
        self,
        customer: str,
        amount: Decimal,
        lag_hours: int,
        bill: bool,
        redemption_id: UUID | None,
    ) -> PurchaseCompleted:
        n = self._n()
        return PurchaseCompleted(
            kind=EventKind.BILL_PAID if bill else EventKind.SALE_COMPLETED,
            event_id=f"ev-{n}",
            payload_hash=f"hash-{n}",
            business_id=BUSINESS,
            occurred_at=self.clock.now() - timedelta(hours=lag_hours),
            source=Source.BILL if bill else Source.SALE,
            reference=f"p-{n}",
            customer_id=customer,
            amount=amount,
            currency="EUR",
            attribution=TILL,
            redemption_id=redemption_id,
        )

    @precondition(lambda self: any(isinstance(e, PurchaseCompleted) for e in self._purchases()))
    @rule(data=st.data(), fraction=st.sampled_from(["0.1", "0.33", "0.5", "1", "1.2", "rest"]))
    def goods_are_returned(self, data: st.DataObject, fraction: str) -> None:
        """A part of the sale's money, or what earlier returns left of it ("rest")."""
        purchase = data.draw(st.sampled_from(self._purchases()), label="purchase")
        n = self._n()
        bill = purchase.source is Source.BILL
        if fraction == "rest":
            fraction = str(1 - self._refunded(purchase.reference) / purchase.amount)
        amount = max(
            Decimal("0.01"), (purchase.amount * Decimal(fraction)).quantize(Decimal("0.01"))
        )
        self.waiting.append(
            RefundIssued(
                kind=EventKind.BILL_REFUNDED if bill else EventKind.CUSTOMER_RETURN_CREATED,
                event_id=f"ev-{n}",
                payload_hash=f"hash-{n}",
                business_id=BUSINESS,
                occurred_at=self.clock.now(),
                source=Source.BILL_REFUND if bill else Source.RETURN,
                reference=f"r-{n}",
                purchase_source=purchase.source,
                purchase_reference=purchase.reference,
                amount=amount,
                currency="EUR",
                customer_id=purchase.customer_id,
                attribution=TILL,
            )
        )

    def _refunded(self, reference: str) -> Decimal:
        known = (*self.delivered.values(), *self.waiting)
        return sum(
            (
                e.amount
                for e in known
                if isinstance(e, RefundIssued) and e.purchase_reference == reference
            ),
            Decimal(0),
        )

    def _purchases(self) -> list[PurchaseCompleted]:
        known = [e for e in (*self.delivered.values(), *self.waiting)]
        return [e for e in known if isinstance(e, PurchaseCompleted)]

    @precondition(lambda self: bool(self.waiting))
    @rule(data=st.data())
    def a_batch_is_delivered(self, data: st.DataObject) -> None:
        """Any of what waits, in any order: a return may come before its sale."""
        picks = data.draw(
            st.lists(
                st.sampled_from(range(len(self.waiting))), min_size=1, max_size=6, unique=True
            ),
            label="batch",
        )
        self._deliver(picks)

    @precondition(lambda self: bool(self.waiting))
    @rule(data=st.data())
    def the_consumer_catches_up(self, data: st.DataObject) -> None:
        """Everything waiting, in any order (mostly as it was sent), in one batch."""
        order = list(range(len(self.waiting)))
        if data.draw(st.booleans(), label="shuffled"):
            order = data.draw(st.permutations(order), label="order")
        self._deliver(order)

    def _deliver(self, picks: list[int]) -> None:
        batch = [self.waiting[i] for i in picks]
        before = self._snapshot()
        self._apply(batch)
        self.waiting = [e for i, e in enumerate(self.waiting) if i not in picks]
        self._record("batch", batch)
        for event in batch:
            self.delivered[event.event_id] = event
            self.model.apply(event, self.clock.now())
        self._account_for_sale_captures(before, self._snapshot(), batch)

    @precondition(lambda self: bool(self.waiting))
    @rule(data=st.data())
    def a_batch_fails_half_way_and_rolls_back(self, data: st.DataObject) -> None:
        picks = data.draw(
            st.lists(
                st.sampled_from(range(len(self.waiting))), min_size=1, max_size=4, unique=True
            ),
            label="batch",
        )
        batch = [self.waiting[i] for i in picks]
        before = self._snapshot()

        async def apply_then_fail() -> None:
            async with self.world.uows() as uow:
                await ApplyEventBatch(self.world.uows, self.clock).apply_within(uow, batch)
                raise InjectedFailure

        with contextlib.suppress(InjectedFailure):
            self._run(apply_then_fail())
        assert self._snapshot() == before, "a failed batch left something behind"

    @precondition(lambda self: bool(self.delivered))
    @rule(data=st.data(), altered=st.sampled_from([False, False, True]))
    def delivered_events_come_again(self, data: st.DataObject, altered: bool) -> None:
        """As they were (a redelivery), or with the same id and another payload (a producer
        reusing an id): either way nothing changes; the altered ones are conflicts."""
        again = data.draw(
            st.lists(st.sampled_from(sorted(self.delivered)), min_size=1, max_size=4, unique=True),
            label="redelivered",
        )
        events = [self.delivered[event_id] for event_id in again]
        if altered:
            events = [replace(e, payload_hash=f"{e.payload_hash}-altered") for e in events]
        before = self._snapshot()
        changes = self._run(ApplyEventBatch(self.world.uows, self.clock)(events))
        assert self._snapshot() == before, "a redelivered event changed the ledger"
        assert len(changes.conflicts if altered else changes.duplicates) == len(events)

    # -- the till ---------------------------------------------------------------------------
