"""Purchases (sales and bills) and refunds against them, as the reversal rule needs them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from domain.arithmetic import reversed_points_target
from domain.events import PurchaseKey, RefundIssued, RefundKey, ReturnedItem
from domain.ledger import RateSnapshot, Source
from domain.line_earning import EarnedLine
from domain.line_returns import NOTHING_RETURNED, Returned, returned_after, reversal_target
from domain.outcomes import Outcome
from domain.spend_returns import SaleSpend
from domain.stamp_voids import NO_STAMPS, PurchaseStamps


@dataclass(frozen=True)
class Purchase:
    """A sale or bill seen by the service, whether or not it earned points."""

    business_id: str
    source: Source
    reference: str
    event_id: str
    occurred_at: datetime
    total: Decimal
    currency: str
    account_id: UUID | None = None
    customer_id: str | None = None
    points_earned: int = 0
    earn_entry_id: UUID | None = None
    rates: RateSnapshot | None = None
    refunded_amount: Decimal = Decimal(0)
    points_reversed: int = 0
    stamps: PurchaseStamps = NO_STAMPS
    """What it earned in stamps and what its returns voided."""
    lines: tuple[EarnedLine, ...] = ()
    """Its lines and what each earned exactly (none: it came without items)."""
    returned: Returned = NOTHING_RETURNED
    """What its returns gave back, by SKU and unnamed (kept only when it has lines)."""
    spend: SaleSpend | None = None
    """The points it was paid with, and what its returns gave back of them."""

    @property
    def key(self) -> PurchaseKey:
        return (self.business_id, self.source, self.reference)

    def after_refund(
        self, amount: Decimal, items: Sequence[ReturnedItem] = ()
    ) -> tuple[Purchase, int]:
        """This purchase once ``amount`` more is refunded (naming ``items``, if any), and the
        points to reverse now (``domain.line_returns`` when it has lines)."""
        refunded = self.refunded_amount + amount
        returned = self.returned
        if self.lines:
            returned = returned_after(self.lines, returned, items, amount)
            target = reversal_target(self.points_earned, self.lines, returned, self.total, refunded)
        else:
            target = reversed_points_target(self.points_earned, self.total, refunded)
        to_reverse = target - self.points_reversed
        after = replace(self, refunded_amount=refunded, points_reversed=target, returned=returned)
        return after, to_reverse


@dataclass(frozen=True)
class RefundRecord:
    """A return or bill refund and what became of it (parked until its purchase is seen)."""

    event: RefundIssued
    outcome: Outcome
    points_reversed: int = 0

    @property
    def key(self) -> RefundKey:
        return self.event.refund_key
