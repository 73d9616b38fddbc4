"""A stateful model test: random histories of events and till operations against the ledger.

Each step does one thing a shop, a till, an operator or the infrastructure can do: sales and
bills (with or without a hold to capture, of the hold's customer or another's), returns (before
their sale, partial, repeated), deliveries of any subset of what is waiting in any order,
redeliveries, batches that fail and roll back, redemptions (at once or held), HTTP captures and
cancellations, adjustments, suspension, programme changes effective before and after events,
clock moves (consumer lag, hold and lot expiry) and expiry sweeps; baskets of line items and
returns naming them under item rules and stamp cards set at any moment (``ledger_steps_items``);
catalogue rewards in points and in stamps, stamp adjustments and closing a card
(``ledger_steps_cards``).

After every step the store is checked against ``LedgerModel`` and the ledger invariants; at the
end, every delivered event is replayed into an empty store and must rebuild the same earn and
reversal entries, of points and of stamps, with the same outcomes. The world (fakes or
PostgreSQL) is chosen by the test.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import strategies as st
from hypothesis.stateful import initialize

from domain.commands import (
    UNCHANGED,
    AdjustPoints,
    EnrolCustomer,
    SetProgramme,
)
from domain.events import InboundEvent, PurchaseCompleted
from domain.item_rules import ItemRules
from domain.stamps import StampCard
from service.use_cases.accounts import Accounts
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.programmes import Programmes
from tests.support.ledger_checks import LedgerChecks
from tests.support.ledger_checks_cards import CardChecks
from tests.support.ledger_history_base import (
    BUSINESS,
    CUSTOMERS,
    START,
    TILL,
    points_of,
)
from tests.support.ledger_model import ModelRule
from tests.support.ledger_steps_cards import CardSteps
from tests.support.ledger_steps_events import EventSteps
from tests.support.ledger_steps_items import ITEM_RULES, STAMP_CARDS, ItemSteps
from tests.support.ledger_steps_till import TillSteps


class LedgerHistory(EventSteps, ItemSteps, TillSteps, CardSteps, LedgerChecks, CardChecks):
    """Subclasses set ``new_world`` (and share one event ``loop``)."""

    @initialize(
        earn_rate=st.sampled_from(["1", "1.5", "0.3", "2"]),
        validity_days=st.sampled_from([0, 30]),
        pending_days=st.sampled_from([0, 7]),
        inactivity_days=st.sampled_from([0, 45]),
        welcome_bonus=st.sampled_from([0, 25]),
        max_discount=st.sampled_from([None, Decimal(5)]),
        min_balance=st.sampled_from([0, 40]),
        item_rules=ITEM_RULES.filter(lambda r: r is not UNCHANGED),
        stamp_card=STAMP_CARDS.filter(lambda c: c is not UNCHANGED),
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
        item_rules: ItemRules,
        stamp_card: StampCard | None,
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
                item_rules=item_rules,
                stamp_card=stamp_card,
                **self.settings,
            )
        )
        rule = ModelRule(1, effective, Decimal(earn_rate), True, item_rules, stamp_card)
        self.model.rules.append(rule)
        self._open_the_catalogue()
        for customer in CUSTOMERS:
            view = self._run(
                Accounts(self.world.uows, self.clock).enrol(EnrolCustomer(BUSINESS, customer))
            )
            self.accounts[customer] = view.account.account_id
            self.model.balances[customer] = view.account.balance
            self.model.status[customer] = "active"
            self.model.stamps[customer] = 0
            assert view.account.balance == welcome_bonus
            opening = AdjustPoints(BUSINESS, view.account.account_id, 150, "opening", TILL)
            self._run(Accounts(self.world.uows, self.clock).adjust(opening))
            self.model.balances[customer] += 150

    # -- events ---------------------------------------------------------------------------------

    def teardown(self) -> None:
        try:
            if self.accounts:
                self._replay_rebuilds_the_same_ledger()
        finally:
            self._run(self.world.close())

    def _replay_rebuilds_the_same_ledger(self) -> None:
        """Every delivered event, replayed into an empty store with the same programme and
        customers, rebuilds the same earn and reversal entries (points and stamps) and outcomes.
        Account status is read when an event is applied, so customers ever suspended or
        closed are left out."""
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
            assert points_of(live, event_id) == points_of(replayed, event_id), event_id

    def _customer_of(self, event: InboundEvent) -> str | None:
        if isinstance(event, PurchaseCompleted):
            return event.customer_id
        purchases = {p.reference: p for p in self._purchases()}
        return purchases[event.purchase_reference].customer_id
