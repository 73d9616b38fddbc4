"""Request bodies: validated at the edge, strictly (no coercion of numbers, booleans or times)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from domain import programme_limits as limits

MAX_POINTS = limits.MAX_POINTS

# Positive, up to ten integer digits and four decimals, without leading zeros; written out
# without lookaheads so that schema-driven generators can produce matching strings.
POSITIVE_DECIMAL = (
    r"^(?:[1-9][0-9]{0,9}(?:\.[0-9]{1,4})?"
    r"|0\.(?:[1-9][0-9]{0,3}|0[1-9][0-9]{0,2}|00[1-9][0-9]?|000[1-9]))$"
)


def _decimal_string(value: object) -> object:
    if isinstance(value, str) and re.fullmatch(POSITIVE_DECIMAL, value):
        return value
    raise ValueError('use a positive decimal string such as "12.50"')


PositiveDecimal = Annotated[
    Decimal,
    BeforeValidator(_decimal_string),
    WithJsonSchema({"type": "string", "pattern": POSITIVE_DECIMAL, "examples": ["12.50"]}),
]


RFC3339 = r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"


def _rfc3339(value: object) -> object:
    if isinstance(value, str) and re.fullmatch(RFC3339, value):
        return value
    raise ValueError('use an RFC 3339 time with an offset, such as "2025-07-01T00:00:00Z"')


def whole_number(value: object) -> object:
    # JSON Schema counts 3.0 as an integer, and the document says "integer": take what it says.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


WholeInt = Annotated[StrictInt, BeforeValidator(whole_number)]
"""An integer, written 3 or 3.0 (never "3", true or 3.5)."""

# Bounds go before the BeforeValidator: after it (``Annotated[WholeInt, Field(gt=0)]``) pydantic
# still enforces them but writes ``gt``/``le`` into the document, keys JSON Schema ignores, so
# clients and schemathesis saw no bounds at all.


# RFC 3339 text only: pydantic would otherwise read 0 or "0" as seconds since 1970.
Moment = Annotated[AwareDatetime, BeforeValidator(_rfc3339)]
Points = Annotated[StrictInt, Field(gt=0, le=MAX_POINTS), BeforeValidator(whole_number)]
Count = Annotated[StrictInt, Field(ge=0, le=MAX_POINTS), BeforeValidator(whole_number)]
SignedPoints = Annotated[
    StrictInt, Field(ge=-MAX_POINTS, le=MAX_POINTS), BeforeValidator(whole_number)
]
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
"""No control characters: PostgreSQL text cannot hold NUL, and none belongs in a name."""

Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=PRINTABLE),
]
PhoneText = Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 ()\-.]{5,24}$")]
"""A phone as typed; ``adapters.phone_numbers`` decides whether it is a valid number."""
CardText = Annotated[str, StringConstraints(pattern=r"^[0-9][0-9 \-]{6,30}$")]
EmailText = Annotated[str, StringConstraints(min_length=3, max_length=254, pattern=PRINTABLE)]
CustomerId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=PRINTABLE)]


ReferralCode = Annotated[str, StringConstraints(min_length=1, max_length=16, pattern=PRINTABLE)]
"""8 letters and digits as printed (case, hyphens and spaces are read leniently)."""


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _decimal_text(value: object) -> object:
    if isinstance(value, str) and len(value) <= 64:
        try:
            return Decimal(value)
        except InvalidOperation:
            pass
    raise ValueError('use a decimal number written as a string, such as "1.25"')


DECIMAL_TEXT = r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
"""Plain decimal notation; the programme's own check then bounds the value."""

# Syntax only: a string a Decimal can be read from (never a JSON number, never a float).
DecimalText = Annotated[
    Decimal,
    Field(allow_inf_nan=True),  # "NaN" and "Infinity" get the programme's check and message
    BeforeValidator(_decimal_text),
    WithJsonSchema({"type": "string", "maxLength": 64, "pattern": DECIMAL_TEXT}),
]


class EnrolmentIn(RequestBody):
    """Enrol by `customer_id`, or inline at the till by `phone` (and `name`). A `phone`,
    `card_number` or `email` given becomes an identifier the till can find the account by."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            # One of them or both given as a string (null counts as absent).
            "anyOf": [
                {"required": ["customer_id"], "properties": {"customer_id": {"type": "string"}}},
                {"required": ["phone"], "properties": {"phone": {"type": "string"}}},
            ]
        },
    )

    customer_id: CustomerId | None = None
    phone: PhoneText | None = None
    card_number: CardText | None = None
    email: EmailText | None = None
    name: Text | None = None
    referral_code: ReferralCode | None = Field(
        default=None, description="The code of the account that referred the customer."
    )

    @model_validator(mode="after")
    def _one_way_to_enrol(self) -> Self:
        if self.customer_id is None and self.phone is None:
            raise ValueError("give a customer_id or a phone")
        return self


class PreviewIn(RequestBody):
    points: Points
    sale_amount: PositiveDecimal | None = None


class RedemptionIn(PreviewIn):
    hold: StrictBool = Field(default=False, description="Reserve the points until captured.")


class AdjustmentIn(RequestBody):
    """Points or stamps (exactly one of them non-zero), with a reason."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {"required": ["points"], "properties": {"points": {"not": {"const": 0}}}},
                {"required": ["stamps"], "properties": {"stamps": {"not": {"const": 0}}}},
            ]
        },
    )

    points: SignedPoints = 0
    stamps: SignedPoints = Field(default=0, description="Stamps instead of points.")
    reason: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=500, pattern=PRINTABLE),
    ]

    @model_validator(mode="after")
    def _not_zero(self) -> Self:
        if (self.points == 0) == (self.stamps == 0):
            raise ValueError("give non-zero points or non-zero stamps, not both")
        return self


class StatusChangeIn(RequestBody):
    reason: Text | None = None


class IdentifierIn(RequestBody):
    """A phone (any usual format), a card number or an e-mail address for the account."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["phone", "card", "email"]
    value: Annotated[str, StringConstraints(min_length=1, max_length=254, pattern=PRINTABLE)]
