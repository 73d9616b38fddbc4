"""Inbound and outbound message contracts, validated at the edge with pydantic.

Money is exact: JSON numbers are parsed as ``Decimal`` before validation, never as floats.
Unknown fields are ignored; timestamps must carry an offset (RFC 3339).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from domain.ledger import EntryKind, Source

Identifier = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$"
    ),
]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
Money = Annotated[Decimal, Field(ge=0, le=Decimal("1000000000"), allow_inf_nan=False)]


class InboundEvent(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    event_id: Identifier
    occurred_at: AwareDatetime
    business_id: Identifier


class SaleCompleted(InboundEvent):
    """``sale.completed``: a retail sale finished; its total (net of discounts) may earn."""

    sale_id: Identifier
    customer_id: Identifier | None
    total_amount: Money
    currency: Currency
    store_id: Identifier | None = None
    terminal_id: Identifier | None = None
    staff_id: Identifier | None = None
    receipt_number: Identifier | None = None
    loyalty_redemption_id: UUID | None = None


class CustomerReturnCreated(InboundEvent):
    """``customer-return.created``: goods of a sale returned; points reverse in proportion."""

    return_id: Identifier
    sale_id: Identifier
    refund_amount: Money
    currency: Currency
    customer_id: Identifier | None = None
    store_id: Identifier | None = None


class BillPaid(InboundEvent):
    """``bill.paid``: a restaurant bill paid; its amount may earn."""

    bill_id: Identifier
    customer_id: Identifier | None
    amount: Money
    currency: Currency
    store_id: Identifier | None = None
    terminal_id: Identifier | None = None


class BillRefunded(InboundEvent):
    """``bill.refunded``: a bill refunded in part or whole; points reverse in proportion."""

    refund_id: Identifier
    bill_id: Identifier
    refund_amount: Money
    currency: Currency
    customer_id: Identifier | None = None


class LedgerEntryPublished(BaseModel):
    """``loyalty.ledger``: one ledger entry, keyed by account id."""

    entry_id: UUID
    business_id: str
    account_id: UUID
    customer_id: str
    seq: int
    kind: EntryKind
    points: int
    balance_after: int
    source: Source
    source_ref: str
    event_id: str | None
    occurred_at: AwareDatetime
    recorded_at: AwareDatetime
    amount: Decimal | None
    currency: str | None
    rule_version: int | None
    earn_rate: Decimal | None
    multiplier: Decimal | None
    redemption_rate: Decimal | None
    related_entry_id: UUID | None
    store_id: str | None
    terminal_id: str | None
    staff_id: str | None
    actor: str | None
    reason: str | None = None
