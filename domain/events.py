"""Inbound business events, as the domain sees them once the edge has validated them."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

from domain.identifiers import Identifier
from domain.ledger import Attribution, Source

EARLIEST_OCCURRED_AT = datetime(2000, 1, 1, tzinfo=UTC)
LATEST_OCCURRED_AT = datetime(3000, 1, 1, tzinfo=UTC)
"""An event's ``occurred_at`` lies in [EARLIEST, LATEST) UTC, or the edge refuses it. No till
dates a sale before 2000, and the margin keeps the date arithmetic done on event times
(expiry, pending days, multiplier windows) far from datetime's limits at years 1 and 9999."""

PurchaseKey = tuple[str, Source, str]
"""(business_id, source, reference) of a sale or bill."""

RefundKey = tuple[str, Source, str]
"""(business_id, source, reference) of a return or bill refund."""


class EventKind(enum.StrEnum):
    SALE_COMPLETED = "sale.completed"
    CUSTOMER_RETURN_CREATED = "customer-return.created"
    BILL_PAID = "bill.paid"
    BILL_REFUNDED = "bill.refunded"
    SALE_CANCELLED = "sale.cancelled"
    CUSTOMER_UPDATED = "customer.updated"


@dataclass(frozen=True)
class LineItem:
    """One line of a sale or bill: ``amount`` is what the line cost after its ``discount``
    (``quantity`` may be a fraction, e.g. 2.5 kg)."""

    sku: str
    category: str | None
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    amount: Decimal


@dataclass(frozen=True)
class ReturnedItem:
    """A line a return or bill refund gives back, by SKU: a ``quantity`` of it, or an
    ``amount`` of money (one of the two)."""

    sku: str
    quantity: Decimal | None = None
    amount: Decimal | None = None


@dataclass(frozen=True)
class PurchaseCompleted:
    """A sale completed or a bill paid: it may earn points."""

    kind: EventKind
    event_id: str
    payload_hash: str
    business_id: str
    occurred_at: datetime
    source: Source
    reference: str
    customer_id: str | None
    amount: Decimal
    currency: str
    attribution: Attribution
    redemption_id: UUID | None = None
    """A held redemption this sale settles: it is captured when the sale is applied."""
    items: tuple[LineItem, ...] = ()
    """The sale's lines, when upstream sends them; none: it earns on ``amount`` alone."""
    identifiers: tuple[Identifier, ...] = ()
    """The customer's phone, card or e-mail, when the sale names them: without a
    ``customer_id``, the account holding the first known one earns (``domain.identifiers``)."""

    @property
    def purchase_key(self) -> PurchaseKey:
        return (self.business_id, self.source, self.reference)


@dataclass(frozen=True)
class RefundIssued:
    """A customer return or bill refund: it reverses points in proportion. A sale's
    cancellation is one too (source ``cancellation``): the rest of its money, its amount
    resolved when applied (``domain.cancellations``)."""

    kind: EventKind
    event_id: str
    payload_hash: str
    business_id: str
    occurred_at: datetime
    source: Source
    reference: str
    purchase_source: Source
    purchase_reference: str
    amount: Decimal
    currency: str
    customer_id: str | None
    attribution: Attribution
    items: tuple[ReturnedItem, ...] = ()
    """The lines given back, when named; none: the proportional rule on ``amount``."""

    @property
    def purchase_key(self) -> PurchaseKey:
        return (self.business_id, self.purchase_source, self.purchase_reference)

    @property
    def refund_key(self) -> RefundKey:
        return (self.business_id, self.source, self.reference)


InboundEvent = PurchaseCompleted | RefundIssued
