"""The reference model a history is checked against: what each sale earned, what each return
reversed, and every balance, computed here with exact fractions and nothing from the service.

The history (``ledger_history``) feeds it the same events and operations it gives the service;
the model says what the ledger must then hold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from uuid import UUID

from domain.events import InboundEvent, PurchaseCompleted, RefundIssued
from domain.item_rules import NO_ITEM_RULES, ItemRules
from domain.ledger import Source
from domain.levels import TierPolicy
from domain.referrals import ReferralPolicy
from domain.stamps import StampCard
from tests.support.ledger_model_items import (
    SaleItems,
    points_reversed,
    sale_points,
    sale_stamps,
    stamps_to_void,
)
from tests.support.ledger_model_tiers import ModelLevels, ModelReferral


@dataclass
class ModelRule:
    version: int
    effective_from: datetime
    earn_rate: Decimal
    active: bool = True
    item_rules: ItemRules = NO_ITEM_RULES
    stamp_card: StampCard | None = None
    tiers: TierPolicy | None = None
    referral: ReferralPolicy | None = None


@dataclass
class ModelSale:
    event: PurchaseCompleted
    applied: bool = False
    earned: int = 0
    reversed: int = 0
    items: SaleItems = field(default_factory=SaleItems)
    accounted: bool = False
    """Its customer had an active account under an earning programme when it was applied."""
    spend: UUID | None = None
    """The redemption of points that paid for part of it (captured by it or named by it)."""
    cancelled: bool = False


@dataclass
class ModelHold:
    redemption_id: UUID
    customer: str
    points: int
    expires_at: datetime | None
    stamps: int = 0
    seq_at_hold: int = 0
    """How many entries the account had when the hold was made."""
    released: bool = False
    """Cancelled, or the clock passed its expiry while it was held: no capture may follow."""
    captured_before_release: bool = False
    captured_by: str | None = None
    """The event id of the sale that captured it (None: at once or over HTTP)."""
    sale: str | None = None
    """The reference of the sale it paid for: the one that captured it or first named it."""
    given_back: int = 0
    """Points the returns of that sale gave back."""
    cancelled: bool = False
    """Captured, then cancelled: it gave back what the returns had not."""


@dataclass
class LedgerModel:
    rules: list[ModelRule] = field(default_factory=list)
    balances: dict[str, int] = field(default_factory=dict)
    stamps: dict[str, int] = field(default_factory=dict)
    status: dict[str, str] = field(default_factory=dict)
    ever_suspended: set[str] = field(default_factory=set)
    sales: dict[str, ModelSale] = field(default_factory=dict)
    parked: dict[str, list[RefundIssued]] = field(default_factory=dict)
    outcomes: dict[str, str] = field(default_factory=dict)
    """The status each applied event must have in the inbox: applied, skipped or parked."""
    holds: dict[UUID, ModelHold] = field(default_factory=dict)
    """Every redemption made (held, or taken at once: captured from the start)."""
    closed_skips: set[str] = field(default_factory=set)
    """Sales of a closed account's customer while the programme earned: skipped as closed."""
    levels: ModelLevels = field(default_factory=ModelLevels)
    referrals: dict[str, ModelReferral] = field(default_factory=dict)
    """By referred customer."""
    refund_keys: set[tuple[Source, str]] = field(default_factory=set)
    now: datetime = datetime.min

    def rule_at(self, moment: datetime) -> ModelRule | None:
        in_force = [r for r in self.rules if r.effective_from <= moment]
        return max(in_force, key=lambda r: (r.effective_from, r.version)) if in_force else None

    def apply(self, event: InboundEvent, now: datetime) -> None:
        """One event, delivered for the first time at ``now``, in the order the batch holds
        it."""
        self.now = now
        if isinstance(event, PurchaseCompleted):
            self._sale(event)
        else:
            self._return(event)

    def _sale(self, event: PurchaseCompleted) -> None:
        sale = self.sales.setdefault(event.reference, ModelSale(event))
        sale.applied = True
        customer = event.customer_id or ""
        rule = self.rule_at(event.occurred_at)
        earning = rule is not None and rule.active
        if customer in self.balances and self.status[customer] == "active" and earning:
            assert rule is not None
            sale.accounted = True
            level = self.levels.multiplier(rule.tiers, customer, event.occurred_at)
            sale.earned, sale.items = sale_points(rule.item_rules, rule.earn_rate, event, level)
            sale_stamps(rule.stamp_card, event, sale.items)
            self.balances[customer] += sale.earned
            self.stamps[customer] += sale.items.stamps
            if sale.earned > 0:
                amount = Fraction(event.amount)
                self.levels.earned(rule.tiers, customer, event.occurred_at, sale.earned, amount)
                self._referral_paid(sale, rule)
        elif earning and self.status.get(customer) == "closed":
            self.closed_skips.add(event.event_id)
        earned = sale.earned or sale.items.stamps
        self.outcomes[event.event_id] = "applied" if earned else "skipped"
        self._capture_and_link(sale)
        waiting = sorted(self.parked.pop(event.reference, []), key=_refund_order)
        for refund in waiting:
            self._reverse(sale, refund)

    def _capture_and_link(self, sale: ModelSale) -> None:
        """The hold a sale names: captured if its own customer's and live; and the points
        it was paid with (captured now or before, not yet paying for another sale)."""
        event = sale.event
        hold = self.holds.get(event.redemption_id) if event.redemption_id else None
        if hold is None or hold.customer != event.customer_id:
            return
        live = hold.expires_at is None or hold.expires_at > self.now
        if not hold.captured_before_release and not hold.released and live:
            hold.captured_before_release, hold.captured_by = True, event.event_id
            hold.sale = event.reference
            self.balances[hold.customer] -= hold.points
            self.stamps[hold.customer] -= hold.stamps
        if (
            hold.captured_before_release
            and not hold.cancelled
            and hold.points > 0
            and hold.sale in (None, event.reference)
        ):
            hold.sale, sale.spend = event.reference, hold.redemption_id

    def _return(self, event: RefundIssued) -> None:
        if (event.source, event.reference) in self.refund_keys:  # a cancellation id again
            self.outcomes[event.event_id] = "skipped"
            return
        self.refund_keys.add((event.source, event.reference))
        sale = self.sales.get(event.purchase_reference)
        if sale is None or not sale.applied:
            self.parked.setdefault(event.purchase_reference, []).append(event)
            self.outcomes[event.event_id] = "parked"
            return
        self._reverse(sale, event)

    def _reverse(self, sale: ModelSale, refund: RefundIssued) -> None:
        total = sale.event.amount
        customer = sale.event.customer_id or ""
        if refund.source is Source.CANCELLATION:  # the rest of the sale's money
            left = max(Fraction(0), Fraction(total) - sale.items.refunded)
            rest = Decimal(left.numerator) / Decimal(left.denominator)
            refund = replace(refund, amount=rest, currency=sale.event.currency, items=())
            sale.cancelled = True
        closed = self.status.get(customer) == "closed"
        if closed and sale.accounted:  # forfeited at closing: nothing to undo
            self.outcomes[refund.event_id] = "skipped"
            self._referral_returned(sale, refund)  # the referrer's side may still go back
            return
        reversed_so_far = points_reversed(sale.items, sale.earned, total, refund)
        if closed:
            self.outcomes[refund.event_id] = "skipped"
            return
        delta = reversed_so_far - sale.reversed
        sale.reversed = reversed_so_far
        voided = stamps_to_void(sale.items, total, refund)
        if delta or voided:
            self.balances[customer] -= delta
            self.stamps[customer] -= voided
        if delta:
            amount = Fraction(refund.amount)
            self.levels.reversed(customer, refund.occurred_at, delta, amount)
        given = self._give_back(sale)
        self.outcomes[refund.event_id] = "applied" if delta or voided or given else "skipped"
        self._referral_returned(sale, refund)

    def _give_back(self, sale: ModelSale) -> int:
        """The share of the spent points the money refunded so far brings back, less what
        came back before (a redemption cancelled since gave back the rest at once)."""
        hold = self.holds.get(sale.spend) if sale.spend else None
        if hold is None or hold.cancelled or self.status.get(hold.customer) == "closed":
            return 0
        total = Fraction(sale.event.amount)
        share = min(sale.items.refunded, total) / total
        target: int = min(hold.points, math.floor(hold.points * share))
        given = max(0, target - hold.given_back)
        hold.given_back += given
        self.balances[hold.customer] += given
        return given

    def _referral_paid(self, sale: ModelSale, rule: ModelRule) -> None:
        customer = sale.event.customer_id or ""
        referral = self.referrals.get(customer)
        if referral is None or referral.sale is not None:
            return
        status = self.status[referral.referrer]
        event = sale.event
        referred, referrer = referral.settle(
            event.reference, event.occurred_at, rule.referral, status
        )
        self.balances[customer] += referred
        self.balances[referral.referrer] += referrer

    def _referral_returned(self, sale: ModelSale, refund: RefundIssued) -> None:
        customer = sale.event.customer_id or ""
        referral = self.referrals.get(customer) if sale.accounted else None
        if referral is None:
            return
        total = Fraction(sale.event.amount)
        cancelled = refund.source is Source.CANCELLATION
        amount = total if cancelled else Fraction(refund.amount)
        taken = referral.take_back(sale.event.reference, refund.occurred_at, amount, total)
        if taken is None:
            return
        for side, points in zip((customer, referral.referrer), taken, strict=True):
            if self.status[side] != "closed":
                self.balances[side] -= points

    def earn_and_reversal_points(self) -> dict[str, int]:
        """Per sale reference: what it earned net of its reversals."""
        return {ref: s.earned - s.reversed for ref, s in self.sales.items() if s.applied}


def _refund_order(event: RefundIssued) -> tuple[datetime, str]:
    return (event.occurred_at, event.event_id)
