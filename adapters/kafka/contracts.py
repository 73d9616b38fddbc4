"""Inbound and outbound message contracts, validated at the edge with pydantic.

Money is exact: JSON numbers are parsed as ``Decimal`` before validation, never as floats.
Unknown fields are ignored. What the inbound models accept is exactly what the exported JSON
Schemas say, so anything else is a rejection here and never an error further in:

- ``occurred_at``: an RFC 3339 string with an offset (seconds required, at most 9 fraction
  digits), from 2000-01-01T00:00:00Z up to but not including 3000-01-01T00:00:00Z. Epoch
  numbers are refused: the contract is text, and 0 would silently mean 1970.
- money: a JSON number or a decimal string, 0 to 1,000,000,000 with at most 4 decimal
  places (the HTTP API's precision; ISO 4217 currencies use at most 4). Strings are plain
  ASCII digits (no sign, exponent, spaces or underscores); numbers may use an exponent but
  are judged by value (12.50000 is 12.5). No NaN, infinity, negative value or -0.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
)

from domain.events import EARLIEST_OCCURRED_AT, LATEST_OCCURRED_AT
from domain.ledger import EntryKind, Source

Identifier = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$"
    ),
]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]

MAX_MONEY = Decimal(1_000_000_000)
MONEY_PLACES = 4
_ONE_PLACE_UNIT = Decimal(1).scaleb(-MONEY_PLACES)
# Exactly the strings the number rules allow: below 10^9 with up to 4 places, or 10^9 itself.
MONEY_PATTERN = r"^(?:(?:0|[1-9][0-9]{0,8})(?:\.[0-9]{1,4})?|1000000000(?:\.0{1,4})?)$"
_MONEY_TEXT = re.compile(MONEY_PATTERN)
MONEY_RULE = (
    "0 to 1000000000 with at most 4 decimal places: a JSON number, or a string of ASCII"
    ' digits such as "12.50" (no sign, exponent or spaces). NaN, infinity and -0 are refused.'
)


def _money(value: object) -> Decimal:
    if isinstance(value, str):
        if _MONEY_TEXT.fullmatch(value) is None:
            raise ValueError(f"money as a string must match {MONEY_PATTERN}")
        return Decimal(value)
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValueError("money is a JSON number or a decimal string")
    amount = Decimal(value)
    if not amount.is_finite() or amount.is_signed():  # is_signed: negatives and -0 alike
        raise ValueError("money must be a finite number, not negative")
    if amount > MAX_MONEY:
        raise ValueError(f"money must be at most {MAX_MONEY}")
    # Bounded above, so quantizing fits the context's 28 digits; equal only if nothing is lost.
    if amount.quantize(_ONE_PLACE_UNIT) != amount:
        raise ValueError(f"money has at most {MONEY_PLACES} decimal places")
    return amount


Money = Annotated[
    Decimal,
    PlainValidator(_money),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "minimum": 0, "maximum": int(MAX_MONEY)},
                {"type": "string", "pattern": MONEY_PATTERN},
            ],
            "description": MONEY_RULE,
        },
        mode="validation",
    ),
]

RFC3339 = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?"
    r"(?:[Zz]|[+-][0-9]{2}:[0-9]{2})$"
)
_RFC3339_TEXT = re.compile(RFC3339)
_RANGE = (
    f"from {EARLIEST_OCCURRED_AT:%Y-%m-%dT%H:%M:%SZ}"
    f" up to but not including {LATEST_OCCURRED_AT:%Y-%m-%dT%H:%M:%SZ}"
)
INSTANT_RULE = f"RFC 3339 with an offset, {_RANGE}."


def _rfc3339_text(value: object) -> object:
    # pydantic alone would read 0, 1700000000 or "1700000000" as seconds since 1970.
    if not isinstance(value, str) or _RFC3339_TEXT.fullmatch(value) is None:
        raise ValueError('use an RFC 3339 string with an offset, such as "2026-06-01T12:00:00Z"')
    return value


def _in_range(moment: datetime) -> datetime:
    try:  # year 1 at +14:00 or year 9999 at -01:00 has no UTC datetime at all
        instant = moment.astimezone(UTC)
    except OverflowError:
        instant = None
    if instant is None or not EARLIEST_OCCURRED_AT <= instant < LATEST_OCCURRED_AT:
        raise ValueError(f"the time must be {_RANGE}")
    return moment


Instant = Annotated[
    AwareDatetime,
    BeforeValidator(_rfc3339_text),
    AfterValidator(_in_range),
    WithJsonSchema(
        {"type": "string", "format": "date-time", "pattern": RFC3339, "description": INSTANT_RULE},
        mode="validation",
    ),
]


class InboundEvent(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    event_id: Identifier
    occurred_at: Instant
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
