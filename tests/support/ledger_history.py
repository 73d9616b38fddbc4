"""A stateful model test: random histories of events and till operations against the ledger.

Each step does one thing a shop, a till, an operator or the infrastructure can do: sales and
bills (with or without a hold to capture, of the hold's customer or another's), returns (before
their sale, partial, repeated), deliveries of any subset of what is waiting in any order,
redeliveries, batches that fail and roll back, redemptions (at once or held), HTTP captures and
cancellations, adjustments, suspension, programme changes effective before and after events,
clock moves (consumer lag, hold and lot expiry) and expiry sweeps; baskets of line items and
returns naming them under item rules and stamp cards set at any moment (``ledger_steps_items``);
catalogue rewards in points and in stamps, stamp adjustments and closing a card
(``ledger_steps_cards``); levels, referral enrolments, cancelled sales, level reviews at
midnight and year ends, and redeem limits (``ledger_steps_tiers``).

After every step the store is checked against ``LedgerModel`` and the ledger invariants; at the
end, every operation is replayed into an empty store (``ledger_replay``) and must rebuild the
same ledger, entry for entry, with the same outcomes. The world (fakes or PostgreSQL) is
chosen by the test.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant

from domain.commands import (
    UNCHANGED,
    AdjustPoints,
    SetProgramme,
)
from domain.item_rules import ItemRules
from domain.levels import TierPolicy
from domain.redeem_limits import RedeemLimit
from domain.referrals import ReferralPolicy
from domain.stamps import StampCard
from service.use_cases.accounts import Accounts
from tests.support.ledger_checks import LedgerChecks
from tests.support.ledger_checks_cards import CardChecks
from tests.support.ledger_checks_tiers import TierChecks
from tests.support.ledger_history_base import (
    BUSINESS,
    CUSTOMERS,
    START,
    TILL,
    points_of,
)
from tests.support.ledger_model import ModelRule
from tests.support.ledger_replay import Enrolment, Replay, ledger_by_customer
from tests.support.ledger_steps_cards import CardSteps
from tests.support.ledger_steps_events import EventSteps
from tests.support.ledger_steps_items import ITEM_RULES, STAMP_CARDS, ItemSteps
from tests.support.ledger_steps_tiers import LIMITS, REFERRALS, TIERS, TierSteps
from tests.support.ledger_steps_till import TillSteps


class LedgerHistory(
    EventSteps, ItemSteps, TillSteps, CardSteps, TierSteps, LedgerChecks, CardChecks, TierChecks
):
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
        tiers=TIERS.filter(lambda t: t is not UNCHANGED),
        referral=REFERRALS.filter(lambda r: r is not UNCHANGED),
        redeem_limit=LIMITS,
        referrers=st.tuples(st.sampled_from([None, "c0"]), st.sampled_from([None, "c0", "c1"])),
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
        tiers: TierPolicy | None,
        referral: ReferralPolicy | None,
        redeem_limit: RedeemLimit | None,
        referrers: tuple[str | None, str | None],
    ) -> None:
        self.settings = {"max_discount": max_discount, "min_balance_to_redeem": min_balance}
        self.redeem_limit = redeem_limit
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
                tiers=tiers,
                referral=referral,
                redeem_limit=redeem_limit,
                **self.settings,
            )
        )
        rule = ModelRule(
            1, effective, Decimal(earn_rate), True, item_rules, stamp_card, tiers, referral
        )
        self.model.rules.append(rule)
        self._open_the_catalogue()
        for customer, referrer in zip(CUSTOMERS, (None, *referrers), strict=True):
            self._enrol(Enrolment(customer, referrer))
            assert self.model.balances[customer] == welcome_bonus
            opening = AdjustPoints(BUSINESS, self.accounts[customer], 150, "opening", TILL)
            self._run(Accounts(self.world.uows, self.clock).adjust(opening))
            self._record("adjust", opening)
            self.model.balances[customer] += 150

    @invariant()
    def every_promise_holds(self) -> None:
        """The ledger's, the cards' and issue 15's, on one snapshot of the store."""
        if not self.accounts:
            return
        snapshot = self._snapshot()
        self._ledger_promises_hold(snapshot)
        self._card_promises_hold(snapshot)
        self._tier_promises_hold(snapshot)

    def teardown(self) -> None:
        try:
            if self.accounts:
                self._replay_rebuilds_the_same_ledger()
        finally:
            self._run(self.world.close())

    def _replay_rebuilds_the_same_ledger(self) -> None:
        """Every operation, replayed into an empty store at the moment it ran, rebuilds the
        same ledger (each customer's entries, level changes, referral bonuses and spent
        points given back included) and the same outcomes."""
        twin = self._run(self.world.empty_twin())
        try:
            replay = Replay(twin, {a: c for c, a in self.accounts.items()})
            self._run(replay.run(self.log))
            live, replayed = self._snapshot(), self._run(twin.snapshot())
        finally:
            self._run(twin.close())
        rebuilt = ledger_by_customer(replayed, replay.accounts)
        for customer, entries in ledger_by_customer(live, self.accounts).items():
            differ = [(a, b) for a, b in zip(entries, rebuilt[customer], strict=False) if a != b]
            assert entries == rebuilt[customer], (customer, differ[:1], entries, rebuilt[customer])
        for event_id in self.delivered:
            assert live.inbox[event_id] == replayed.inbox[event_id], event_id
            assert points_of(live, event_id) == points_of(replayed, event_id), event_id
