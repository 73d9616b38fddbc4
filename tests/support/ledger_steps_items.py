"""The model test's steps for line items and programme changes: baskets of a few SKUs and
categories with fractional quantities, returns naming items (by quantity or by amount, in
part, in full or more than was bought), and programme versions with item rules and a stamp
card, from any moment (event time decides)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from domain.commands import UNCHANGED, SetProgramme, Unchanged
from domain.errors import InvalidRequest
from domain.events import EventKind, LineItem, PurchaseCompleted, RefundIssued, ReturnedItem
from domain.item_rules import NO_ITEM_RULES, ItemRules
from domain.ledger import Source
from domain.levels import TierPolicy
from domain.referrals import ReferralPolicy
from domain.stamps import StampBasis, StampCard
from service.use_cases.programmes import Programmes
from tests.support.ledger_history_base import BUSINESS, CUSTOMERS, LAGS, STRANGER, TILL, HistoryBase
from tests.support.ledger_model import ModelRule
from tests.support.ledger_steps_tiers import REFERRALS, TIERS

CENT = Decimal("0.01")
GOODS = {"bread": "bakery", "bun": "bakery", "cigs": "tobacco", "latte": "drinks", "kale": None}
REWARD_CARD = "coffee-card"
ITEM_RULES = st.sampled_from(
    [
        UNCHANGED,
        NO_ITEM_RULES,
        ItemRules(
            category_multipliers=(("bakery", Decimal(2)),),
            excluded_categories=frozenset({"tobacco"}),
        ),
        ItemRules(sku_multipliers=(("latte", Decimal("1.5")),), min_spend=Decimal(10)),
        ItemRules(excluded_skus=frozenset({"bun"}), min_spend=Decimal("4.5")),
    ]
)
STAMP_CARDS = st.sampled_from(
    [
        UNCHANGED,
        None,
        StampCard(target=3, reward_id=REWARD_CARD),
        StampCard(
            target=4,
            basis=StampBasis.ITEM,
            categories=frozenset({"drinks", "bakery"}),
            min_spend=Decimal(2),
            reward_id=REWARD_CARD,
        ),
        StampCard(target=5, skus=frozenset({"latte"}), stamps_per_award=2, reward_id=REWARD_CARD),
    ]
)
LINES = st.lists(
    st.tuples(
        st.sampled_from(sorted(GOODS)),
        st.sampled_from(["1", "2", "0.5", "2.75", "3"]),
        st.sampled_from(["1.20", "3.00", "0.99", "12.50"]),
        st.sampled_from(["0", "0", "0.10", "all"]),
    ),
    min_size=1,
    max_size=5,
)


def line(sku: str, quantity: str, price: str, discount: str) -> LineItem:
    gross = (Decimal(quantity) * Decimal(price)).quantize(CENT)
    off = gross if discount == "all" else Decimal(discount)  # "all": a free line
    return LineItem(sku, GOODS[sku], Decimal(quantity), Decimal(price), off, gross - off)


class ItemSteps(HistoryBase):
    @rule(
        customer=st.sampled_from((*CUSTOMERS, CUSTOMERS[0], STRANGER)),
        lines=LINES,
        lag_hours=LAGS,
        bill=st.booleans(),
    )
    def a_basket_is_rung_up(
        self, customer: str, lines: list[tuple[str, str, str, str]], lag_hours: int, bill: bool
    ) -> None:
        items = tuple(line(*spec) for spec in lines)
        total = sum((i.amount for i in items), Decimal(0))
        if total <= 0:
            return
        sale = self._purchase(customer, total, lag_hours, bill, None)
        self.waiting.append(replace(sale, items=items))

    @precondition(lambda self: any(p.items for p in self._purchases()))
    @rule(
        data=st.data(),
        part=st.sampled_from(["0.5", "1", "1", "1.5"]),
        by_quantity=st.booleans(),
        stranger_sku=st.sampled_from([False, False, False, True]),
        then_the_rest=st.booleans(),
    )
    def items_are_returned(
        self,
        data: st.DataObject,
        part: str,
        by_quantity: bool,
        stranger_sku: bool,
        then_the_rest: bool,
    ) -> None:
        """Some of a basket's lines named, each by quantity or by amount: half, all, or more
        than was bought; sometimes a SKU the sale never had; sometimes followed by a return
        of the rest of the money by amount (all of it back, named in part)."""
        baskets = [p for p in self._purchases() if p.items]
        purchase = data.draw(st.sampled_from(baskets), label="basket")
        named = data.draw(
            st.lists(st.sampled_from(purchase.items), min_size=1, max_size=3, unique=True),
            label="lines",
        )
        share = Decimal(part)
        returned = [
            ReturnedItem(i.sku, quantity=i.quantity * share)
            if by_quantity
            else ReturnedItem(i.sku, amount=(i.amount * share).quantize(CENT))
            for i in named
        ]
        if stranger_sku:
            returned.append(ReturnedItem("caviar", quantity=Decimal(1)))
        amount = max(CENT, sum(((i.amount * share).quantize(CENT) for i in named), Decimal(0)))
        self._return(purchase, amount, tuple(returned))
        rest = purchase.amount - self._refunded(purchase.reference)
        if then_the_rest and rest > 0:
            self._return(purchase, rest, ())

    def _return(
        self, purchase: PurchaseCompleted, amount: Decimal, items: tuple[ReturnedItem, ...]
    ) -> None:
        bill = purchase.source is Source.BILL
        n = self._n()
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
                items=items,
            )
        )

    @rule(
        earn_rate=st.sampled_from(["0.1", "1", "3", "0.5"]),
        effective_in_hours=st.sampled_from([None, -1, 0, 2, 48]),
        active=st.sampled_from([True, True, False]),
        item_rules=ITEM_RULES,
        stamp_card=STAMP_CARDS,
        tiers=TIERS,
        referral=REFERRALS,
    )
    def the_programme_changes(
        self,
        earn_rate: str,
        effective_in_hours: int | None,
        active: bool,
        item_rules: ItemRules | Unchanged,
        stamp_card: StampCard | Unchanged | None,
        tiers: TierPolicy | Unchanged | None,
        referral: ReferralPolicy | Unchanged | None,
    ) -> None:
        """New rates, item rules or card, or a pause (or its end), from now or from a moment
        before or after it: never before an applied event; the version in force at an
        event's time decides, and what a version leaves unchanged is its predecessor's."""
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
            item_rules=item_rules,
            stamp_card=stamp_card,
            tiers=tiers,
            referral=referral,
            **self.settings,
        )
        latest = max((e.occurred_at for e in self.delivered.values()), default=None)
        try:
            programme = self._run(Programmes(self.world.uows, self.clock).set(command))
        except InvalidRequest:
            assert effective is not None and latest is not None and effective <= latest
            return
        version = programme.rules[-1]
        self._record("programme", replace(command, effective_from=version.effective_from))
        assert latest is None or version.effective_from > latest, "re-rated an applied event"
        before = self.model.rule_at(version.effective_from)
        if isinstance(item_rules, Unchanged):
            item_rules = before.item_rules if before else NO_ITEM_RULES
        if isinstance(stamp_card, Unchanged):
            stamp_card = before.stamp_card if before else None
        if isinstance(tiers, Unchanged):
            tiers = before.tiers if before else None
        if isinstance(referral, Unchanged):
            referral = before.referral if before else None
        kept = (version.item_rules, version.stamp_card, version.tiers, version.referral)
        assert kept == (item_rules, stamp_card, tiers, referral)
        self.model.rules.append(
            ModelRule(
                version.version,
                version.effective_from,
                Decimal(earn_rate),
                active,
                item_rules,
                stamp_card,
                tiers,
                referral,
            )
        )
