"""The model test's steps for issue 15: levels (a programme's tiers, reviews at midnight and
year ends), referrals (a fresh customer enrolling with a code: another's, an unknown one, or
the code of a customer no longer active), cancelled sales (before or after their sale, after
returns, twice, or as a redelivered cancellation id) and the programme's redeem limit."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from domain.commands import UNCHANGED, EnrolCustomer
from domain.errors import LoyaltyError
from domain.events import EventKind, RefundIssued
from domain.ledger import Source
from domain.levels import Level, LevelBasis, TierPolicy
from domain.redeem_limits import LimitPeriod, RedeemLimit
from domain.referrals import ReferralPolicy
from service.use_cases.accounts import Accounts
from service.use_cases.level_review import ReviewLevels
from tests.support.ledger_history_base import (
    BUSINESS,
    CUSTOMERS,
    STRANGER,
    TILL,
    HistoryBase,
    new_entries,
)
from tests.support.ledger_model_tiers import ModelReferral
from tests.support.ledger_replay import Enrolment

D = Decimal
TIERS = st.sampled_from(
    [
        UNCHANGED,
        UNCHANGED,
        None,
        TierPolicy((Level("Silver", D(60), D(2)), Level("Gold", D(250), D(3))), window_days=2),
        TierPolicy((Level("Silver", D(150), D("1.5"), "lounge"),), LevelBasis.SPEND, None),
        TierPolicy(
            (Level("Bronze", D(40), D("1.25")), Level("Silver", D(300), D("2.5"))),
            LevelBasis.SPEND,
            30,
        ),
    ]
)
REFERRALS = st.sampled_from(
    [
        UNCHANGED,
        UNCHANGED,
        None,
        ReferralPolicy(referrer_points=30, referred_points=20, return_window_days=1),
        ReferralPolicy(referrer_points=0, referred_points=15, return_window_days=0),
        ReferralPolicy(referrer_points=50, referred_points=0, return_window_days=30),
    ]
)
LIMITS = st.sampled_from(
    [None, RedeemLimit(120, LimitPeriod.DAY), RedeemLimit(200, LimitPeriod.WEEK)]
)


class TierSteps(HistoryBase):
    def _enrol(self, enrolment: Enrolment) -> None:
        """Enrol a customer, naming a referrer's code; the model learns the account."""
        customer, referrer = enrolment.customer, enrolment.referrer
        code = self.codes[referrer] if referrer else None
        command = EnrolCustomer(BUSINESS, customer, referral_code=code)
        view = self._run(Accounts(self.world.uows, self.clock).enrol(command))
        self._record("enrol", enrolment)
        assert (view.referred_by is None) == (referrer is None), view
        self.accounts[customer] = view.account.account_id
        self.codes[customer] = view.referral_code or ""
        self.model.balances[customer] = view.account.balance
        self.model.status[customer] = "active"
        self.model.stamps[customer] = 0
        if referrer is not None:
            self.model.referrals[customer] = ModelReferral(customer, referrer)

    @rule(referrer=st.sampled_from([*CUSTOMERS, None, "unknown", "own"]))
    def a_customer_enrols_with_a_code(self, referrer: str | None) -> None:
        """The customer whose sales were skipped so far enrols, naming a member's code: an
        active member's is taken; an unknown code or an inactive member's is refused; a
        member enrolling again with their own code is refused."""
        customer = STRANGER
        if referrer == "own" or STRANGER in self.accounts:
            customer = referrer = "c0"
        elif referrer is None or self.model.status.get(referrer) == "active":
            self._enrol(Enrolment(STRANGER, referrer))
            return
        code = "ZZZZZZZZ" if referrer == "unknown" else self.codes[referrer]
        before = self._snapshot()
        command = EnrolCustomer(BUSINESS, customer, referral_code=code)
        try:
            self._run(Accounts(self.world.uows, self.clock).enrol(command))
        except LoyaltyError as refused:
            if customer == STRANGER:
                assert getattr(refused, "field", None) == "referral_code", refused
            assert self._snapshot() == before, "a refused enrolment changed the store"
            return
        raise AssertionError(f"{customer} enrolled naming {referrer}'s code")

    @precondition(lambda self: any(p.source is Source.SALE for p in self._purchases()))
    @rule(
        data=st.data(),
        twice=st.sampled_from(["once", "once", "again", "same id"]),
        paid_with_points=st.booleans(),
    )
    def a_sale_is_cancelled(self, data: st.DataObject, twice: str, paid_with_points: bool) -> None:
        """Upstream cancels a completed sale (whatever came back of it already), often one
        that named a hold; sometimes a second cancellation follows, or the same
        cancellation under another event id."""
        sales = [p for p in self._purchases() if p.source is Source.SALE]
        named = [p for p in sales if p.redemption_id is not None]
        sale = data.draw(st.sampled_from(named if paid_with_points and named else sales))
        n = self._n()
        cancellation = RefundIssued(
            kind=EventKind.SALE_CANCELLED,
            event_id=f"ev-{n}",
            payload_hash=f"hash-{n}",
            business_id=BUSINESS,
            occurred_at=self.clock.now(),
            source=Source.CANCELLATION,
            reference=f"x-{n}",
            purchase_source=Source.SALE,
            purchase_reference=sale.reference,
            amount=Decimal(0),
            currency="XXX",
            customer_id=sale.customer_id,
            attribution=TILL,
        )
        self.waiting.append(cancellation)
        if twice != "once":
            m = self._n()
            reference = cancellation.reference if twice == "same id" else f"x-{m}"
            again = replace(cancellation, event_id=f"ev-{m}", reference=reference)
            self.waiting.append(replace(again, payload_hash=f"hash-{m}"))

    @rule(
        to=st.sampled_from(["now", "midnight", "midnight", "past midnight", "year end"]),
        review=st.sampled_from([True, True, False]),
    )
    def a_review_moment_comes(self, to: str, review: bool) -> None:
        """The clock moves to the next 00:00 UTC (or a minute past it), or to the next Jan 1
        00:00 UTC, or stays; then (usually) the level review runs: members whose total no
        longer holds their level move down, once per account and moment."""
        now = self.clock.now().astimezone(UTC)
        midnight = datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=1)
        target = {
            "now": now,
            "midnight": midnight,
            "past midnight": midnight + timedelta(minutes=1),
            "year end": datetime(now.year + 1, 1, 1, tzinfo=UTC),
        }[to]
        self.clock.moment = target
        for hold in self.model.holds.values():
            if hold.expires_at is not None and hold.expires_at <= target:
                hold.released = hold.released or self._status_of(hold.redemption_id) == "held"
        if review:
            self._review()

    def _review(self) -> None:
        before = self._snapshot()
        self._run(ReviewLevels(self.world.uows, self.clock)())
        self._record("review", None)
        now = self.clock.now()
        rule_now = self.model.rule_at(now)
        expected = set()
        for customer in self.accounts:
            closed = self.model.status[customer] == "closed"
            if rule_now is None or rule_now.tiers is None or closed:
                continue
            if self.model.levels.current(customer) is None:
                continue
            change = self.model.levels.review(rule_now.tiers, customer, now)
            if change is not None:
                expected.add(
                    (customer, change.occurred_at, change.level_before, change.level_after)
                )
        customers = {a: c for c, a in self.accounts.items()}
        posted = {
            (customers[e.account_id], e.occurred_at, e.level_before, e.level_after)
            for e in new_entries(before, self._snapshot())
        }
        assert posted == expected, (posted, expected)
