"""Inbound and outbound message contracts, validated at the edge with pydantic.

Money is exact (JSON numbers are parsed as ``Decimal``, never floats); unknown fields are
ignored. Inbound models accept exactly what the exported schemas say, times and money
included: anything else is a rejection here, never an error further in.
"""

from __future__ import annotations

import re
from contextlib import suppress
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)
from pydantic.config import JsonDict

from adapters.kafka.contract_patterns import (
    IDENTIFIER_PATTERN,
    IDENTIFIER_RULE,
    INSTANT_PATTERN,
    UUID_PATTERN,
    UUID_RULE,
)
from domain.events import EARLIEST_OCCURRED_AT, LATEST_OCCURRED_AT
from domain.ledger import Bucket, EntryKind, Source

Identifier = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$"
    ),
    WithJsonSchema(
        {"type": "string", "pattern": IDENTIFIER_PATTERN, "description": IDENTIFIER_RULE},
        mode="validation",
    ),
]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]

MAX_MONEY = Decimal(1_000_000_000)
MONEY_PLACES = 4  # the HTTP API's precision; no ISO 4217 currency has more minor digits
_ONE_PLACE_UNIT = Decimal(1).scaleb(-MONEY_PLACES)
# Exactly the strings the number rules allow: below 10^9 with up to 4 places, or 10^9 itself.
MONEY_PATTERN = r"^(?:(?:0|[1-9][0-9]{0,8})(?:\.[0-9]{1,4})?|1000000000(?:\.0{1,4})?)$"
_MONEY_TEXT = re.compile(MONEY_PATTERN)
MONEY_RULE = (
    "0 to 1000000000 with at most 4 decimal places: a JSON number, or a string of ASCII digits"
    ' such as "12.50" (no sign, exponent or spaces); never NaN, infinity or -0.'
)


def _money(value: object) -> Decimal:
    if isinstance(value, str):
        if _MONEY_TEXT.fullmatch(value) is None:
            raise ValueError(f"money must be {MONEY_RULE}")
        return Decimal(value)
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValueError("money is a JSON number or a decimal string")
    amount = Decimal(value)
    # is_signed refuses -0 with the negatives; bounded before quantizing, so the quantized
    # value fits the context's 28 digits and equals the amount only if no digit is lost.
    if not (amount.is_finite() and not amount.is_signed() and amount <= MAX_MONEY) or (
        amount.quantize(_ONE_PLACE_UNIT) != amount
    ):
        raise ValueError(f"money must be {MONEY_RULE}")
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
_Z = "%Y-%m-%dT%H:%M:%SZ"
_RANGE = f"from {EARLIEST_OCCURRED_AT:{_Z}} up to but not including {LATEST_OCCURRED_AT:{_Z}}"
INSTANT_RULE = f"RFC 3339 with an offset, {_RANGE}."


def _rfc3339_text(value: object) -> object:
    # pydantic alone would read 0, 1700000000 or "1700000000" as seconds since 1970, and
    # would take "2026-06-01 12:00Z" (no seconds, a space): the contract is RFC 3339 text.
    if not isinstance(value, str) or _RFC3339_TEXT.fullmatch(value) is None:
        raise ValueError('use an RFC 3339 string with an offset, such as "2026-06-01T12:00:00Z"')
    return value


def _in_range(moment: datetime) -> datetime:
    with suppress(OverflowError):  # year 1 at +14:00 has no UTC datetime at all
        if EARLIEST_OCCURRED_AT <= moment.astimezone(UTC) < LATEST_OCCURRED_AT:
            return moment
    raise ValueError(f"the time must be {_RANGE}")


Instant = Annotated[
    AwareDatetime,
    BeforeValidator(_rfc3339_text),
    AfterValidator(_in_range),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "pattern": INSTANT_PATTERN,
            "description": INSTANT_RULE,
        },
        mode="validation",
    ),
]


def _quantity(value: object) -> Decimal:
    quantity = _money(value)
    if quantity == 0:
        raise ValueError(f"a quantity is more than 0, and {MONEY_RULE}")
    return quantity


QUANTITY_PATTERN = "^(?!0(?:\\.0{1,4})?$)" + MONEY_PATTERN.removeprefix("^")
QUANTITY_RULE = f"More than 0 (a fraction such as 2.5 for weighed goods): {MONEY_RULE}"
Quantity = Annotated[
    Decimal,
    PlainValidator(_quantity),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0, "maximum": int(MAX_MONEY)},
                {"type": "string", "pattern": QUANTITY_PATTERN},
            ],
            "description": QUANTITY_RULE,
        },
        mode="validation",
    ),
]

RedemptionId = Annotated[
    UUID,
    WithJsonSchema(
        {"type": "string", "format": "uuid", "pattern": UUID_PATTERN, "description": UUID_RULE},
        mode="validation",
    ),
]

MAX_ITEMS = 1000
"""Lines in one message: far beyond a basket, and a bound on the work one record can ask."""

# Fields read after the payload hash was fixed are kept out of the model's dump (``exclude``),
# which is what the hash covers, so a message that already carried them, ignored then, still
# hashes as the inbox holds it. Line items are hashed, but only when a message has some
# (``parsing.canonical_text``); the attribution read since is not (it earns nothing: a repeat
# differing only there is a duplicate, and the first one stands).


class SaleLine(BaseModel):
    """One line of a sale or bill. ``amount`` is what the line cost after its ``discount``;
    it is not checked against ``quantity * unit_price - discount`` (the till rounds), but
    the lines' amounts must add up to the message's total."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    sku: Identifier
    category: Identifier | None = None
    quantity: Quantity
    unit_price: Money
    discount: Money = Decimal(0)
    amount: Money


def _measured_by(measure: str, other: str) -> JsonDict:
    return {
        "required": [measure],
        "properties": {measure: {"not": {"type": "null"}}, other: {"type": "null"}},
    }


class ReturnLine(BaseModel):
    """A line given back, by SKU: a ``quantity`` of it or an ``amount`` of money, not both."""

    model_config = ConfigDict(
        extra="ignore",
        frozen=True,
        json_schema_extra={
            "anyOf": [_measured_by("quantity", "amount"), _measured_by("amount", "quantity")]
        },
    )

    sku: Identifier
    quantity: Quantity | None = None
    amount: Money | None = None

    @model_validator(mode="after")
    def _one_measure(self) -> ReturnLine:
        if (self.quantity is None) == (self.amount is None):
            raise ValueError("a returned line names either a quantity or an amount")
        return self


SaleLines = Annotated[
    tuple[SaleLine, ...] | None,
    Field(
        max_length=MAX_ITEMS,
        description="The lines, when sent; their amounts add up to the total.",
        exclude=True,
    ),
]
ReturnLines = Annotated[
    tuple[ReturnLine, ...] | None,
    Field(
        max_length=MAX_ITEMS,
        description="The lines given back, when named; none: points reverse in proportion.",
        exclude=True,
    ),
]
NewAttribution = Annotated[Identifier | None, Field(exclude=True)]
# Read since contract 1.5.0 (so kept out of the hash as the attribution is): without a
# customer_id, the account holding one of them earns. Any JSON stays accepted, as before they
# were read (the compatibility gate holds to it): a value that is not a valid phone, card
# number or e-mail string is ignored, never a reason to refuse the sale.
CustomerPhone = Annotated[
    Any, Field(exclude=True, description="The customer's phone, any usual format.")
]
CardNumber = Annotated[Any, Field(exclude=True, description="The customer's loyalty card number.")]
CustomerEmail = Annotated[Any, Field(exclude=True, description="The customer's e-mail address.")]


class InboundEvent(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    event_id: Identifier
    occurred_at: Instant
    business_id: Identifier


class SaleCompleted(InboundEvent):
    """``sale.completed``: a retail sale finished; its total (net of discounts) may earn."""

    sale_id: Identifier
    customer_id: Identifier | None = None  # optional since 1.6.0 (null before)
    total_amount: Money
    currency: Currency
    store_id: Identifier | None = None
    terminal_id: Identifier | None = None
    staff_id: Identifier | None = None
    receipt_number: Identifier | None = None
    loyalty_redemption_id: RedemptionId | None = None
    items: SaleLines = None
    customer_phone: CustomerPhone = None
    card_number: CardNumber = None
    customer_email: CustomerEmail = None


class CustomerReturnCreated(InboundEvent):
    """``customer-return.created``: goods of a sale returned; points reverse for the items
    named, or in proportion to the amount."""

    return_id: Identifier
    sale_id: Identifier
    refund_amount: Money
    currency: Currency
    customer_id: Identifier | None = None
    store_id: Identifier | None = None
    terminal_id: NewAttribution = None
    staff_id: NewAttribution = None
    items: ReturnLines = None


class BillPaid(InboundEvent):
    """``bill.paid``: a restaurant bill paid; its amount may earn."""

    bill_id: Identifier
    customer_id: Identifier | None = None  # optional since 1.6.0 (null before)
    amount: Money
    currency: Currency
    store_id: Identifier | None = None
    terminal_id: Identifier | None = None
    staff_id: NewAttribution = None
    items: SaleLines = None
    customer_phone: CustomerPhone = None
    card_number: CardNumber = None
    customer_email: CustomerEmail = None


class BillRefunded(InboundEvent):
    """``bill.refunded``: a bill refunded in part or whole; points reverse for the items named,
    or in proportion to the amount."""

    refund_id: Identifier
    bill_id: Identifier
    refund_amount: Money
    currency: Currency
    customer_id: Identifier | None = None
    store_id: NewAttribution = None
    terminal_id: NewAttribution = None
    staff_id: NewAttribution = None
    items: ReturnLines = None


class SaleCancelled(InboundEvent):
    """``sale.cancelled``: a completed sale cancelled; what it earned and spent comes back.

    Every point and stamp the sale earned is reversed and every point it spent given back,
    whatever its returns did already.

    Like a return of the rest of the sale's money: parked if the sale is not applied yet,
    once per ``cancellation_id``, and a second cancellation (or a return after it) finds
    nothing left to reverse. Bills are not cancelled: a bill is refunded (``bill.refunded``).
    """

    cancellation_id: Identifier
    sale_id: Identifier
    customer_id: Identifier | None = None
    store_id: Identifier | None = None
    terminal_id: Identifier | None = None
    staff_id: Identifier | None = None


class LedgerEntryPublished(BaseModel):
    """``loyalty.ledger``: one ledger entry, keyed by account id."""

    entry_id: UUID
    business_id: str
    account_id: UUID
    customer_id: str
    seq: int
    # Open: kinds are added in minor versions (``erased`` in 1.5.0, ``merge_out`` and
    # ``merge_in`` in 1.6.0); a consumer skips a kind it does not know rather than failing on it.
    kind: Annotated[EntryKind, Field(json_schema_extra={"x-open-enum": True})]
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
    device_id: str | None = Field(
        default=None, description="The paired POS tablet that acted; null for a person."
    )
    reason: str | None = None
    stamps: int = Field(default=0, description="Stamps this entry adds (negative: takes).")
    stamps_balance_after: int = 0
    reward_id: str | None = None
    reward_description: str | None = None
    category_ids: list[str] = Field(
        default_factory=list, description="The item categories a sale's earn touched."
    )
    description: str | None = Field(
        default=None, description="A human label for the entry (null on entries before 1.3)."
    )
    level_before: str | None = Field(
        default=None, description="On a level change: the level before (null: the base level)."
    )
    level_after: str | None = Field(
        default=None, description="On a level change: the level after (null: the base level)."
    )
    referred_account_id: UUID | None = Field(
        default=None, description="On a referrer's referral bonus: the referred account."
    )
    bucket: Bucket = Field(
        description="What moved the points (purchase, referral, bonus, admin, redemption,"
        " expiry, reversal, level, account): a function of `kind`."
    )
