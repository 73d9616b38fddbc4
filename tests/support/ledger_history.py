"""A stateful model test: random histories of events and till operations against the ledger.

Each step does one thing a shop, a till, an operator or the infrastructure can do: sales and
bills (with or without a hold to capture, of the hold's customer or another's), returns (before
their sale, partial, repeated), deliveries of any subset of what is waiting in any order,
redeliveries, batches that fail and roll back, redemptions (at once or held), HTTP captures and
cancellations, adjustments, suspension, programme changes effective before and after events,
clock moves (consumer lag, hold and lot expiry) and expiry sweeps.

After every step the store is checked against ``LedgerModel`` and the ledger invariants; at the
end, every delivered event is replayed into an empty store and must rebuild the same earn and
reversal entries with the same outcomes. The world (fakes or PostgreSQL) is chosen by the test.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from domain.commands import (
    AdjustPoints,
    CancelRedemption,
    CaptureRedemption,
    ChangeAccountStatus,
    EnrolCustomer,
    Redeem,
    SetProgramme,
)
from domain.errors import InvalidRequest, LoyaltyError
from domain.events import EventKind, InboundEvent, PurchaseCompleted, RefundIssued
from domain.ledger import Attribution, Source
from service.accounts import Accounts
from service.event_intake import ApplyEventBatch
from service.expiry import ExpirePoints
from service.programmes import Programmes
from service.redemptions import Redemptions
from service.verification import verify_ledger
from tests.support.ledger_model import LedgerModel, ModelHold, ModelRule
from tests.support.ledger_world import EntryRow, Snapshot, World
from tests.unit.fake_ports import FakeClock

T = TypeVar("T")

BUSINESS = "shop-h"
CUSTOMERS = ("c0", "c1", "c2")
STRANGER = "nobody"  # no account: its sales are skipped
START = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
TILL = Attribution(store_id="s1", terminal_id="till-1", staff_id="st-1")
AMOUNTS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("400"), places=2)
LAGS = st.sampled_from([0, 0, 1, 30, 24 * 20])


class InjectedFailure(Exception):
    """A batch that fails after its writes, before its commit."""


class LedgerHistory(RuleBasedStateMachine):
    """Subclasses set ``new_world`` (and share one event ``loop``)."""

    loop: ClassVar[asyncio.AbstractEventLoop]
    new_world: ClassVar[Callable[[FakeClock], Awaitable[World]]]

    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock(START)
        self.world = self._run(type(self).new_world(self.clock))
        self.model = LedgerModel()
        self.accounts: dict[str, UUID] = {}
        self.waiting: list[InboundEvent] = []
        self.batches: list[list[InboundEvent]] = []
        self.delivered: dict[str, InboundEvent] = {}
        self.programme_commands: list[tuple[datetime, SetProgramme]] = []
        self.numbers = iter(range(1, 10**9))
        self.redeem_commands: list[Redeem] = []
        self.redemptions: dict[UUID, str] = {}  # every redemption made: its customer
        self.settings: dict[str, Any] = {}

    # -- plumbing -------------------------------------------------------------------------

    def _run(self, awaitable: Awaitable[T]) -> T:
        return type(self).loop.run_until_complete(awaitable)  # type: ignore[arg-type]

    def _snapshot(self) -> Snapshot:
        return self._run(self.world.snapshot())

    def _n(self) -> int:
        return next(self.numbers)

    def _apply(self, events: Sequence[InboundEvent]) -> None:
        self._run(ApplyEventBatch(self.world.uows, self.clock)(events))

    def _set_programme(self, command: SetProgramme) -> None:
        self._run(Programmes(self.world.uows, self.clock).set(command))
        self.programme_commands.append((self.clock.now(), command))

    # -- setup --------------------------------------------------------------------------------

    @initialize(
        earn_rate=st.sampled_from(["1", "1.5", "0.3", "2"]),
        validity_days=st.sampled_from([0, 30]),
        pending_days=st.sampled_from([0, 7]),
        inactivity_days=st.sampled_from([0, 45]),
        welcome_bonus=st.sampled_from([0, 25]),
        max_discount=st.sampled_from([None, Decimal(5)]),
        min_balance=st.sampled_from([0, 40]),
    )
    def open_the_shop(
        self,
        earn_rate: str,
        validity_days: int,
        pending_days: int,
        inactivity_days: int,
        welcome_bonus: int,
        max_discount: Decimal | None,
        min_balance: int,
    ) -> None:
        self.settings = {"max_discount": max_discount, "min_balance_to_redeem": min_balance}
        effective = START - timedelta(days=400)
        self._set_programme(
            SetProgramme(
                business_id=BUSINESS,
                earn_rate=Decimal(earn_rate),
                redemption_rate=Decimal(10),
                welcome_bonus=welcome_bonus,
                hold_minutes=30,
                points_validity_days=validity_days,
                pending_days=pending_days,
                inactivity_days=inactivity_days,
                effective_from=effective,
                **self.settings,
            )
        )
        self.model.rules.append(ModelRule(1, effective, Decimal(earn_rate)))
        for customer in CUSTOMERS:
            view = self._run(
                Accounts(self.world.uows, self.clock).enrol(EnrolCustomer(BUSINESS, customer))
            )
            self.accounts[customer] = view.account.account_id
            self.model.balances[customer] = view.account.balance
            self.model.status[customer] = "active"
            assert view.account.balance == welcome_bonus
            opening = AdjustPoints(BUSINESS, view.account.account_id, 150, "opening", TILL)
            self._run(Accounts(self.world.uows, self.clock).adjust(opening))
            self.model.balances[customer] += 150

    # -- events ---------------------------------------------------------------------------------

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
    @rule(data=st.data(), fraction=st.sampled_from(["0.1", "0.33", "0.5", "1", "1.2"]))
    def goods_are_returned(self, data: st.DataObject, fraction: str) -> None:
        purchase = data.draw(st.sampled_from(self._purchases()), label="purchase")
        n = self._n()
        bill = purchase.source is Source.BILL
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
        batch = [self.waiting[i] for i in picks]
        before = self._snapshot()
        self._apply(batch)
        self.waiting = [e for i, e in enumerate(self.waiting) if i not in picks]
        self.batches.append(batch)
        for event in batch:
            self.delivered[event.event_id] = event
            self.model.apply(event)
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
    @rule(data=st.data())
    def delivered_events_come_again(self, data: st.DataObject) -> None:
        again = data.draw(
            st.lists(st.sampled_from(sorted(self.delivered)), min_size=1, max_size=4, unique=True),
            label="redelivered",
        )
        before = self._snapshot()
        self._apply([self.delivered[event_id] for event_id in again])
        assert self._snapshot() == before, "a redelivered event changed the ledger"

    # -- the till ---------------------------------------------------------------------------

    @rule(
        customer=st.sampled_from(CUSTOMERS),
        points=st.integers(min_value=1, max_value=150),
        hold=st.booleans(),
        sale_amount=st.sampled_from([None, Decimal("3.50"), Decimal(100)]),
        then_sells=st.booleans(),
    )
    def points_are_redeemed(
        self,
        customer: str,
        points: int,
        hold: bool,
        sale_amount: Decimal | None,
        then_sells: bool,
    ) -> None:
        """At once, or held; a held redemption is usually followed by its sale's event."""
        n = self._n()
        command = Redeem(
            business_id=BUSINESS,
            account_id=self.accounts[customer],
            points=points,
            idempotency_key=f"key-{n}",
            request_fingerprint=f"fingerprint-{n}",
            sale_amount=sale_amount,
            hold=hold,
            attribution=TILL,
        )
        before = self._snapshot()
        try:
            result = self._run(Redemptions(self.world.uows, self.clock).redeem(command))
        except LoyaltyError:
            assert self._snapshot() == before, "a refused redemption changed the ledger"
            return
        self.redeem_commands.append(command)
        redemption = result.redemption
        assert 0 < redemption.points <= points, "took more points than were asked for"
        self.redemptions[redemption.redemption_id] = customer
        after = self._snapshot()
        new = _new_entries(before, after)
        if hold:
            assert new == [], "a hold posted an entry"
            self.model.holds[redemption.redemption_id] = ModelHold(
                redemption.redemption_id,
                customer,
                redemption.points,
                redemption.expires_at,
                seq_at_hold=len(before.entries_of(self.accounts[customer])),
            )
            if then_sells:
                amount = sale_amount or Decimal(50)
                self.waiting.append(
                    self._purchase(customer, amount, 0, False, redemption.redemption_id)
                )
        else:
            assert [(e.kind, e.points) for e in new] == [("redemption", -redemption.points)]
            self.model.balances[customer] -= redemption.points

    @precondition(lambda self: bool(self.redeem_commands))
    @rule(data=st.data())
    def the_till_retries_a_redemption(self, data: st.DataObject) -> None:
        command = data.draw(st.sampled_from(self.redeem_commands), label="retried")
        before = self._snapshot()
        self._run(Redemptions(self.world.uows, self.clock).redeem(command))
        assert self._snapshot() == before, "a retried redemption redeemed again"

    @precondition(lambda self: bool(self.redemptions))
    @rule(data=st.data(), capture=st.booleans(), supervisor=st.booleans())
    def the_till_captures_or_cancels(
        self, data: st.DataObject, capture: bool, supervisor: bool
    ) -> None:
        redemption_id = data.draw(st.sampled_from(list(self.redemptions)), label="redemption")
        customer = self.redemptions[redemption_id]
        before = self._snapshot()
        use_cases = Redemptions(self.world.uows, self.clock)
        try:
            if capture:
                self._run(use_cases.capture(CaptureRedemption(BUSINESS, redemption_id, TILL)))
            else:
                command = CancelRedemption(BUSINESS, redemption_id, TILL, supervisor=supervisor)
                self._run(use_cases.cancel(command))
        except LoyaltyError:
            assert self._snapshot() == before, "a refused capture or cancel changed the ledger"
            return
        after = self._snapshot()
        new = _new_entries(before, after)
        was, now = before.redemptions[redemption_id].status, after.redemptions[redemption_id].status
        points = after.redemptions[redemption_id].points
        hold = self.model.holds.get(redemption_id)
        if capture and was == "held" and now == "captured":
            assert hold is not None and not hold.released, "captured a released hold"
            hold.captured_before_release = True
            assert [(e.kind, e.points) for e in new] == [("redemption", -points)]
            self.model.balances[customer] -= points
        elif not capture and was == "captured" and now == "cancelled":
            assert [(e.kind, e.points) for e in new] == [("redemption_cancelled", points)]
            self.model.balances[customer] += points
        else:
            assert new == [], f"{was} -> {now} posted {new}"
        if not capture and hold is not None and was == "held" and now == "cancelled":
            hold.released = True

    # -- the back office ----------------------------------------------------------------------

    @rule(customer=st.sampled_from(CUSTOMERS), points=st.integers(-300, 300).filter(bool))
    def a_manager_adjusts_points(self, customer: str, points: int) -> None:
        before = self._snapshot()
        command = AdjustPoints(BUSINESS, self.accounts[customer], points, "goodwill", TILL)
        try:
            self._run(Accounts(self.world.uows, self.clock).adjust(command))
        except LoyaltyError:
            assert self._snapshot() == before
            return
        new = _new_entries(before, self._snapshot())
        assert [(e.kind, e.points) for e in new] == [("adjustment", points)]
        self.model.balances[customer] += points

    @rule(customer=st.sampled_from(CUSTOMERS), suspend=st.booleans())
    def an_account_is_suspended_or_reactivated(self, customer: str, suspend: bool) -> None:
        command = ChangeAccountStatus(BUSINESS, self.accounts[customer], suspend, "checks", TILL)
        self._run(Accounts(self.world.uows, self.clock).change_status(command))
        self.model.status[customer] = "suspended" if suspend else "active"
        if suspend:
            self.model.ever_suspended.add(customer)

    @rule(
        earn_rate=st.sampled_from(["0.1", "1", "3", "0.5"]),
        effective_in_hours=st.sampled_from([None, -1, 0, 2, 48]),
        active=st.sampled_from([True, True, False]),
    )
    def the_programme_changes(
        self, earn_rate: str, effective_in_hours: int | None, active: bool
    ) -> None:
        """New rates, or a pause (or its end), from now or from a moment before or after it:
        never before an applied event; the version in force at an event's time decides."""
        effective = None
        if effective_in_hours is not None:
            effective = self.clock.now().replace(microsecond=0)
            effective += timedelta(hours=effective_in_hours)
        command = SetProgramme(
            business_id=BUSINESS,
            earn_rate=Decimal(earn_rate),
            redemption_rate=Decimal(10),
            effective_from=effective,
            active=active,
            **self.settings,
        )
        latest = max((e.occurred_at for e in self.delivered.values()), default=None)
        try:
            programme = self._run(Programmes(self.world.uows, self.clock).set(command))
        except InvalidRequest:
            assert effective is not None and latest is not None and effective <= latest
            return
        rule = programme.rules[-1]
        self.programme_commands.append(
            (self.clock.now(), replace(command, effective_from=rule.effective_from))
        )
        assert latest is None or rule.effective_from > latest, "a rule re-rated an applied event"
        self.model.rules.append(
            ModelRule(rule.version, rule.effective_from, Decimal(earn_rate), active)
        )

    @rule(hours=st.sampled_from([0.25, 1, 24, 24 * 10, 24 * 40]))
    def time_passes(self, hours: float) -> None:
        self.clock.advance(hours=hours)
        for hold in self.model.holds.values():
            if hold.expires_at is not None and hold.expires_at <= self.clock.now():
                hold.released = hold.released or self._status_of(hold.redemption_id) == "held"

    def _status_of(self, redemption_id: UUID) -> str:
        return self._snapshot().redemptions[redemption_id].status

    @rule()
    def the_expiry_sweep_runs(self) -> None:
        before = self._snapshot()
        report = self._run(ExpirePoints(self.world.uows, self.clock)())
        new = _new_entries(before, self._snapshot())
        assert {e.kind for e in new} <= {"expiry"}, new
        assert all(e.points < 0 for e in new)
        assert -sum(e.points for e in new) == report.points
        by_account = Counter[UUID]()
        for entry in new:
            by_account[entry.account_id] += entry.points
        for customer, account_id in self.accounts.items():
            self.model.balances[customer] += by_account[account_id]

    # -- what must always hold ----------------------------------------------------------------

    @invariant()
    def every_ledger_promise_holds(self) -> None:
        if not self.accounts:
            return
        snapshot = self._snapshot()
        self._balances_are_the_sum_of_their_entries_and_match_the_model(snapshot)
        self._reversals_never_exceed_their_earn(snapshot)
        self._a_held_point_is_captured_or_released_never_both(snapshot)
        self._every_delivered_event_has_exactly_its_outcome(snapshot)
        report = self._run(verify_ledger(self.world.uows, None, 10**9))
        assert report.ok, report.breaches

    def _balances_are_the_sum_of_their_entries_and_match_the_model(
        self, snapshot: Snapshot
    ) -> None:
        for customer, account_id in self.accounts.items():
            entries = snapshot.entries_of(account_id)
            assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
            running = 0
            for entry in entries:
                running += entry.points
                assert entry.balance_after == running, entry
                if (
                    entry.points < 0
                    and entry.balance_after < 0
                    and not self._reversal_took_held(entry, entries)
                ):
                    assert entry.kind == "reversal", (
                        f"{entry.kind} made {customer} negative"
                    )  # TODO
            assert snapshot.balances[account_id] == running
            assert running == self.model.balances[customer], (customer, running, self.model)

    def _reversal_took_held(self, entry: EntryRow, entries: list[EntryRow]) -> bool:
        """A capture may go below zero only when a reversal since the hold took its points."""
        hold = self.model.holds.get(UUID(entry.source_ref)) if entry.kind == "redemption" else None
        return hold is not None and any(
            e.kind == "reversal" and hold.seq_at_hold < e.seq < entry.seq for e in entries
        )

    def _reversals_never_exceed_their_earn(self, snapshot: Snapshot) -> None:
        earned = {e.entry_id: e.points for e in snapshot.entries if e.kind == "earn"}
        reversed_ = Counter[UUID]()
        for entry in snapshot.entries:
            if entry.kind == "reversal":
                assert entry.related_entry_id in earned
                reversed_[entry.related_entry_id] -= entry.points
        for entry_id, points in reversed_.items():
            assert points <= earned[entry_id]

    def _a_held_point_is_captured_or_released_never_both(self, snapshot: Snapshot) -> None:
        for redemption_id, row in snapshot.redemptions.items():
            ref = str(redemption_id)
            captures = [
                e for e in snapshot.entries if e.kind == "redemption" and e.source_ref == ref
            ]
            cancels = [
                e
                for e in snapshot.entries
                if e.kind == "redemption_cancelled" and e.source_ref == ref
            ]
            assert len(captures) <= 1 and len(cancels) <= len(captures)
            if captures:
                assert captures[0].points == -row.points
                assert row.status in ("captured", "cancelled"), row
                assert cancels or row.status == "captured"
                hold = self.model.holds.get(redemption_id)
                assert hold is None or not hold.released or hold.captured_before_release
            else:
                assert row.status != "captured"

    def _every_delivered_event_has_exactly_its_outcome(self, snapshot: Snapshot) -> None:
        for event_id in self.delivered:
            status, _ = snapshot.inbox[event_id]
            assert status == self.model.outcomes[event_id], (event_id, status)
        assert set(snapshot.inbox) == set(self.delivered)

    def _account_for_sale_captures(
        self, before: Snapshot, after: Snapshot, batch: Sequence[InboundEvent]
    ) -> None:
        """A hold a sale captured: of its own customer, live, once; the model takes its points.
        A sale that names a hold and captures nothing is recorded as a refusal, never silent."""
        for event in batch:
            if not isinstance(event, PurchaseCompleted) or event.redemption_id is None:
                continue
            ref = str(event.redemption_id)
            captures = [e for e in after.entries if e.kind == "redemption" and e.source_ref == ref]
            refused = event.event_id in after.refused_captures
            captured_by_it = any(e.event_id == event.event_id for e in captures)
            assert not (refused and captured_by_it)
            assert refused or captures, f"{event.event_id} settled nothing and said nothing"
        for redemption_id, row in after.redemptions.items():
            was = (
                before.redemptions[redemption_id].status
                if redemption_id in before.redemptions
                else None
            )
            if row.status != "captured" or was == "captured":
                continue
            customer = self.redemptions[redemption_id]
            settling = [
                e
                for e in batch
                if isinstance(e, PurchaseCompleted) and e.redemption_id == redemption_id
            ]
            assert any(e.customer_id == customer for e in settling), "another's sale took a hold"
            hold = self.model.holds[redemption_id]
            assert not hold.released, "a sale captured a hold that had been released"
            hold.captured_before_release = True
            self.model.balances[customer] -= row.points

    # -- replay -----------------------------------------------------------------------------

    def teardown(self) -> None:
        try:
            if self.accounts:
                self._replay_rebuilds_the_same_ledger()
        finally:
            self._run(self.world.close())

    def _replay_rebuilds_the_same_ledger(self) -> None:
        """Every delivered event, replayed into an empty store with the same programme and
        customers, rebuilds the same earn and reversal entries and outcomes. Account status is
        read when an event is applied, so customers ever suspended are left out."""
        twin = self._run(self.world.empty_twin())
        try:
            clock = twin.clock
            for moment, command in self.programme_commands:
                clock.moment = moment
                self._run(Programmes(twin.uows, clock).set(command))
            clock.moment = self.clock.now()
            for customer in CUSTOMERS:
                self._run(Accounts(twin.uows, clock).enrol(EnrolCustomer(BUSINESS, customer)))
            for batch in self.batches:
                self._run(ApplyEventBatch(twin.uows, clock)(batch))
            live, replayed = self._snapshot(), self._run(twin.snapshot())
        finally:
            self._run(twin.close())
        for event_id, event in self.delivered.items():
            if self._customer_of(event) in self.model.ever_suspended:
                continue
            assert live.inbox[event_id] == replayed.inbox[event_id], event_id
            assert _points_of(live, event_id) == _points_of(replayed, event_id), event_id

    def _customer_of(self, event: InboundEvent) -> str | None:
        if isinstance(event, PurchaseCompleted):
            return event.customer_id
        purchases = {p.reference: p for p in self._purchases()}
        return purchases[event.purchase_reference].customer_id


def _new_entries(before: Snapshot, after: Snapshot) -> list[Any]:
    known = {e.entry_id for e in before.entries}
    return sorted((e for e in after.entries if e.entry_id not in known), key=lambda e: e.seq)


def _points_of(snapshot: Snapshot, event_id: str) -> set[tuple[UUID, str, int]]:
    """The earn and reversal entries an event made."""
    return {
        (e.entry_id, e.kind, e.points)
        for e in snapshot.entries
        if e.event_id == event_id and e.kind in ("earn", "reversal")
    }
