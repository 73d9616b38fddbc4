"""The go-live history's sales, returns and redemptions (``test_go_live_history.py``): a sale
by customer id, phone or card earns for whoever the model says it reaches now, a referred
customer's first sale pays both sides, and a full return takes both back."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from hypothesis import strategies as st
from hypothesis.stateful import (
    precondition,
    rule,
)

from domain.commands import CaptureRedemption, Redeem
from domain.events import EventKind
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.identifiers import Identifiers
from service.use_cases.redemptions import Redemptions
from tests.support.events import customer_return, parsed, sale
from tests.support.go_live_model import REFERRAL, SALE, Bought, GoLiveModel


class Trading(GoLiveModel):
    # Three rules, one sale path each: sales are what most histories should be made of.
    @precondition(lambda self: self.members)
    @rule(data=st.data(), cents=st.integers(1, 40_000))
    def sale_for_a_customer_id(self, data: st.DataObject, cents: int) -> None:
        self.sale(data, cents, "id")

    @precondition(lambda self: self.open_referred())
    @rule(data=st.data(), cents=st.integers(100, 40_000))
    def sale_for_a_referred_customer(self, data: st.DataObject, cents: int) -> None:
        self.sale(data, cents, "referred")

    @precondition(lambda self: self.members)
    @rule(data=st.data(), cents=st.integers(1, 40_000))
    def sale_by_phone(self, data: st.DataObject, cents: int) -> None:
        self.sale(data, cents, "phone")

    @precondition(lambda self: self.members)
    @rule(data=st.data(), cents=st.integers(1, 40_000))
    def sale_by_card(self, data: st.DataObject, cents: int) -> None:
        self.sale(data, cents, "card")

    def sale(self, data: st.DataObject, cents: int, by: str) -> None:
        named: dict[str, Any] = {}
        if by in ("id", "referred"):
            known = [
                *dict.fromkeys([*(m.customer_id for m in self.members.values()), *self.forwards])
            ]
            if by == "referred":  # first sales pay referrals, which merges must carry
                known = [self.members[account].customer_id for account in self.open_referred()]
            customer = data.draw(st.sampled_from(known))
            expected = self.reach(customer)
            named["customer_id"] = customer
        else:
            kind = "phone" if by == "phone" else "card"
            held = sorted(
                (i for m in self.members.values() for i in m.held if i.kind.value == kind),
                key=lambda i: i.value,
            )
            if not held:
                return
            identifier = data.draw(st.sampled_from(held))
            expected = self.holder(identifier)
            found = self.run(
                Identifiers(self.accounts).account_by_identifier(self.shop, identifier)
            )
            assert found.account.account_id == expected
            named["customer_id"] = None
            named["customer_phone" if kind == "phone" else "card_number"] = identifier.value
        customer_id = named.pop("customer_id")
        total = f"{Decimal(cents) / 100:.2f}"
        payload = sale(self.shop, customer_id, total, occurred_at=self.clock.now().isoformat())
        payload.update(named)
        changes = self.run(ApplyEventBatch(self.uows, self.clock)([parsed(SALE, payload)]))
        earned = cents // 100
        landed = {e.account_id for e in changes.entries}
        if expected is None or earned == 0:
            assert landed <= ({expected} if expected else set()), (landed, expected)
            return
        self.sales.append(Bought(payload["sale_id"], expected, cents, earned))
        self.earn(expected, earned)
        bonused = self.first_sale_of_a_referred(expected, payload["sale_id"])
        assert landed == {expected} | bonused, (landed, expected, payload)

    def first_sale_of_a_referred(self, account: UUID, sale_id: str) -> set[UUID]:
        """Both bonuses (the referrer's if its account is open), once: the accounts paid."""
        referral = next((r for r in self.referrals if r.referred == account), None)
        if referral is None or referral.sale_id is not None:
            return set()
        referral.sale_id = sale_id
        referral.paid["referred"] = REFERRAL.referred_points
        self.earn(account, REFERRAL.referred_points)
        if not self.members[referral.referrer].open:
            return {account}
        referral.paid["referrer"] = REFERRAL.referrer_points
        self.earn(referral.referrer, REFERRAL.referrer_points)
        return {account, referral.referrer}

    @precondition(lambda self: any(s.refunded < s.cents for s in self.sales))
    @rule(data=st.data(), share=st.integers(1, 100))
    def partial_return(self, data: st.DataObject, share: int) -> None:
        # A sale of an account merged away reverses on the survivor (``merge`` re-points it).
        bought = data.draw(st.sampled_from([s for s in self.sales if s.refunded < s.cents]))
        self.returned(bought, share)

    def referrals_sales(self) -> list[Bought]:
        paying = {r.sale_id for r in self.referrals if not r.reversed}
        return [s for s in self.sales if s.sale_id in paying and s.refunded < s.cents]

    @precondition(lambda self: self.referrals_sales())
    @rule(data=st.data())
    def return_a_referrals_sale_in_full(self, data: st.DataObject) -> None:
        self.returned(data.draw(st.sampled_from(self.referrals_sales())), 100)

    def returned(self, bought: Bought, share: int) -> None:
        cents = max(1, (bought.cents - bought.refunded) * share // 100)
        amount = f"{Decimal(cents) / 100:.2f}"
        payload = customer_return(
            self.shop, bought.sale_id, amount, occurred_at=self.clock.now().isoformat()
        )
        self.run(
            ApplyEventBatch(self.uows, self.clock)(
                [parsed(EventKind.CUSTOMER_RETURN_CREATED, payload)]
            )
        )
        bought.refunded += cents
        due = bought.earned * min(bought.refunded, bought.cents) // bought.cents - bought.reversed
        bought.reversed += due
        self.take_back(bought.account_id, due)
        if bought.refunded >= bought.cents:  # in full, inside the window: both bonuses back
            for referral in self.referrals:
                if referral.sale_id == bought.sale_id and not referral.reversed:
                    referral.reversed = True
                    for side, points in referral.paid.items():
                        holder = getattr(referral, side)
                        if self.members[holder].open:  # closing forfeited what it held
                            self.take_back(holder, points)

    @precondition(lambda self: any(m.open and m.balance > 0 for m in self.members.values()))
    @rule(data=st.data(), hold=st.booleans())
    def redeem(self, data: st.DataObject, hold: bool) -> None:
        rich = [a for a in self.open_accounts() if self.members[a].balance > 0]
        account = data.draw(st.sampled_from(rich))
        points = data.draw(st.integers(1, self.members[account].balance))
        key = uuid4().hex
        till = Redemptions(self.uows, self.clock)
        command = Redeem(self.shop, account, points, key, key, hold=hold)
        result = self.run(till.redeem(command))
        assert result.redemption.points == points
        if hold:  # captured at once: a live hold would only refuse the merges
            self.run(till.capture(CaptureRedemption(self.shop, result.redemption.redemption_id)))
        self.members[account].balance -= points
        self.taken += points
