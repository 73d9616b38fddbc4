"""The model test's steps at the till and in the back office: redeem (at once or held), retry,
capture and cancel (points or a reward's stamps), adjust, suspend, let time pass, sweep expiry."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from uuid import UUID

from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from domain.closure import AccountClosed
from domain.commands import (
    AdjustPoints,
    CancelRedemption,
    CaptureRedemption,
    ChangeAccountStatus,
    Redeem,
)
from domain.errors import LoyaltyError
from service.use_cases.accounts import Accounts
from service.use_cases.expiry import ExpirePoints
from service.use_cases.redemptions import Redemptions
from tests.support.ledger_history_base import (
    BUSINESS,
    CUSTOMERS,
    TILL,
    HistoryBase,
    new_entries,
)
from tests.support.ledger_model import ModelHold
from tests.support.ledger_steps_cards import captured_entry


class TillSteps(HistoryBase):
    @rule(
        customer=st.sampled_from(CUSTOMERS),
        points=st.integers(min_value=1, max_value=150),
        hold=st.booleans(),
        sale_amount=st.sampled_from([None, Decimal("3.50"), Decimal(100)]),
        then_sells=st.sampled_from([False, True, True, "0.5", "1"]),
    )
    def points_are_redeemed(
        self,
        customer: str,
        points: int,
        hold: bool,
        sale_amount: Decimal | None,
        then_sells: bool | str,
    ) -> None:
        """At once, or held; a held redemption is usually followed by its sale's event, and
        sometimes by a return of half or all of that sale's money (spent points come back)."""
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
        self._record("redeem", (command, redemption.redemption_id))
        assert 0 < redemption.points <= points, "took more points than were asked for"
        self.redemptions[redemption.redemption_id] = customer
        after = self._snapshot()
        new = new_entries(before, after)
        self.model.holds[redemption.redemption_id] = ModelHold(
            redemption.redemption_id,
            customer,
            redemption.points,
            redemption.expires_at,
            seq_at_hold=len(before.entries_of(self.accounts[customer])),
            captured_before_release=not hold,
        )
        if hold:
            assert new == [], "a hold posted an entry"
            if then_sells:
                amount = sale_amount or Decimal(50)
                sale = self._purchase(customer, amount, 0, False, redemption.redemption_id)
                self.waiting.append(sale)
                if isinstance(then_sells, str):
                    self._return(sale, (amount * Decimal(then_sells)).quantize(Decimal("0.01")), ())
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
                captured = CaptureRedemption(BUSINESS, redemption_id, TILL)
                self._run(use_cases.capture(captured))
                self._record("capture", captured)
            else:
                command = CancelRedemption(BUSINESS, redemption_id, TILL, supervisor=supervisor)
                self._run(use_cases.cancel(command))
                self._record("cancel", command)
        except LoyaltyError:
            assert self._snapshot() == before, "a refused capture or cancel changed the ledger"
            return
        after = self._snapshot()
        new = new_entries(before, after)
        was, now = before.redemptions[redemption_id].status, after.redemptions[redemption_id].status
        points, stamps = (
            after.redemptions[redemption_id].points,
            after.redemptions[redemption_id].stamps,
        )
        posted = [(e.kind, e.points, e.stamps) for e in new]
        hold = self.model.holds.get(redemption_id)
        if capture and was == "held" and now == "captured":
            assert hold is not None and not hold.released, "captured a released hold"
            hold.captured_before_release = True
            assert posted == [captured_entry(points, stamps)]
            self.model.balances[customer] -= points
            self.model.stamps[customer] -= stamps
        elif not capture and was == "captured" and now == "cancelled":
            # what the returns of the sale it paid for gave back does not come back twice
            rest = points - (hold.given_back if hold else 0)
            assert rest > 0 or stamps > 0, "a cancel gave back points the returns gave back"
            assert posted == [("redemption_cancelled", rest, stamps)]
            self.model.balances[customer] += rest
            self.model.stamps[customer] += stamps
            if hold is not None:
                hold.cancelled = True
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
        self._record("adjust", command)
        new = new_entries(before, self._snapshot())
        assert [(e.kind, e.points) for e in new] == [("adjustment", points)]
        self.model.balances[customer] += points

    @rule(customer=st.sampled_from(CUSTOMERS), suspend=st.sampled_from([True, False, False]))
    def an_account_is_suspended_or_reactivated(self, customer: str, suspend: bool) -> None:
        command = ChangeAccountStatus(BUSINESS, self.accounts[customer], suspend, "checks", TILL)
        before = self._snapshot()
        try:
            self._run(Accounts(self.world.uows, self.clock).change_status(command))
        except AccountClosed:
            assert self.model.status[customer] == "closed" and self._snapshot() == before
            return
        self._record("status", command)
        self.model.status[customer] = "suspended" if suspend else "active"
        if suspend:
            self.model.ever_suspended.add(customer)

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
        self._record("expiry", None)
        new = new_entries(before, self._snapshot())
        assert {e.kind for e in new} <= {"expiry"}, new
        assert all(e.points < 0 for e in new)
        assert -sum(e.points for e in new) == report.points
        by_account = Counter[UUID]()
        for entry in new:
            by_account[entry.account_id] += entry.points
        for customer, account_id in self.accounts.items():
            self.model.balances[customer] += by_account[account_id]

    # -- what must always hold ----------------------------------------------------------------
