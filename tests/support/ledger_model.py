"""The reference model a history is checked against: what each sale earned, what each return
reversed, and every balance, computed here with exact fractions and nothing from the service.

The history (``ledger_history``) feeds it the same events and operations it gives the service;
the model says what the ledger must then hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from domain.events import InboundEvent, PurchaseCompleted, RefundIssued
from domain.item_rules import NO_ITEM_RULES, ItemRules
from domain.stamps import StampCard
from tests.support.ledger_model_items import (
    SaleItems,
    points_reversed,
    sale_points,
    sale_stamps,
    stamps_to_void,
)


@dataclass
class ModelRule:
    version: int
    effective_from: datetime
    earn_rate: Decimal
    active: bool = True
    item_rules: ItemRules = NO_ITEM_RULES
    stamp_card: StampCard | None = None


@dataclass
class ModelSale:
    event: PurchaseCompleted
    applied: bool = False
    earned: int = 0
    reversed: int = 0
    items: SaleItems = field(default_factory=SaleItems)


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
    closed_skips: set[str] = field(default_factory=set)
    """Sales of a closed account's customer while the programme earned: skipped as closed."""

    def rule_at(self, moment: datetime) -> ModelRule | None:
        in_force = [r for r in self.rules if r.effective_from <= moment]
        return max(in_force, key=lambda r: (r.effective_from, r.version)) if in_force else None

    def apply(self, event: InboundEvent) -> None:
        """One event, delivered for the first time, in the order the batch holds it."""
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
            sale.earned, sale.items = sale_points(rule.item_rules, rule.earn_rate, event)
            sale_stamps(rule.stamp_card, event, sale.items)
            self.balances[customer] += sale.earned
            self.stamps[customer] += sale.items.stamps
        elif earning and self.status.get(customer) == "closed":
            self.closed_skips.add(event.event_id)
        earned = sale.earned or sale.items.stamps
        self.outcomes[event.event_id] = "applied" if earned else "skipped"
        waiting = sorted(self.parked.pop(event.reference, []), key=_refund_order)
        for refund in waiting:
            self._reverse(sale, refund)

    def _return(self, event: RefundIssued) -> None:
        sale = self.sales.get(event.purchase_reference)
        if sale is None or not sale.applied:
            self.parked.setdefault(event.purchase_reference, []).append(event)
            self.outcomes[event.event_id] = "parked"
            return
        self._reverse(sale, event)

    def _reverse(self, sale: ModelSale, refund: RefundIssued) -> None:
        total = sale.event.amount
        customer = sale.event.customer_id or ""
        reversed_so_far = points_reversed(sale.items, sale.earned, total, refund)
        if self.status.get(customer) == "closed":  # forfeited at closing: nothing to undo
            self.outcomes[refund.event_id] = "skipped"
            return
        delta = reversed_so_far - sale.reversed
        sale.reversed = reversed_so_far
        voided = stamps_to_void(sale.items, total, refund)
        if delta or voided:
            self.balances[customer] -= delta
            self.stamps[customer] -= voided
        self.outcomes[refund.event_id] = "applied" if delta or voided else "skipped"

    def earn_and_reversal_points(self) -> dict[str, int]:
        """Per sale reference: what it earned net of its reversals."""
        return {ref: s.earned - s.reversed for ref, s in self.sales.items() if s.applied}


def _refund_order(event: RefundIssued) -> tuple[datetime, str]:
    return (event.occurred_at, event.event_id)
