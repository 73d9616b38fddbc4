"""Request bodies: validated at the edge, strictly (no coercion of numbers, booleans or times)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Self

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
from domain.errors import InvalidRequest

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


# RFC 3339 text only: pydantic would otherwise read 0 or "0" as seconds since 1970.
Moment = Annotated[AwareDatetime, BeforeValidator(_rfc3339)]
Points = Annotated[StrictInt, Field(gt=0, le=MAX_POINTS)]
Count = Annotated[StrictInt, Field(ge=0, le=MAX_POINTS)]
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
"""No control characters: PostgreSQL text cannot hold NUL, and none belongs in a name."""

Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=PRINTABLE),
]
CustomerId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=PRINTABLE)]


class RequestBody(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _decimal_text(value: object) -> object:
    if isinstance(value, str) and len(value) <= 64:
        try:
            return Decimal(value)
        except InvalidOperation:
            pass
    raise ValueError('use a decimal number written as a string, such as "1.25"')


def _decimal_setting(limit: limits.DecimalLimit, what: str) -> Any:
    """A decimal string, read as is: what it may be is the programme's own check (the
    bounds are in the schema for clients to read, not checked a second time here)."""
    return Field(
        description=f"{what}: {limit.describe()}.",
        json_schema_extra={"examples": ["1.5"]},
    )


def _int_setting(limit: limits.IntLimit, what: str) -> Any:
    return Field(
        default=None,
        description=f"{what}: {limit.describe()}.",
        json_schema_extra={"minimum": limit.least, "maximum": limit.most},
    )


# Syntax only: a string a Decimal can be read from (never a JSON number, never a float).
DecimalText = Annotated[
    Decimal,
    Field(allow_inf_nan=True),  # "NaN" and "Infinity" get the programme's check and message
    BeforeValidator(_decimal_text),
    WithJsonSchema({"type": "string", "maxLength": 64}),
]


class ProgrammeIn(RequestBody):
    """Programme settings and the rates of a new rule version. Their bounds are checked by
    the programme's own rules (``check_programme_terms``), the same check the CLI and the
    use case make."""

    earn_rate: DecimalText = _decimal_setting(limits.EARN_RATE, "Points per currency unit spent")
    redemption_rate: DecimalText = _decimal_setting(
        limits.REDEMPTION_RATE, "Points per currency unit of discount"
    )
    name: Text | None = None
    active: StrictBool | None = Field(
        default=None, description="Run or pause from effective_from on; default: as is."
    )
    inline_enrolment: StrictBool | None = None
    welcome_bonus: StrictInt | None = _int_setting(limits.WELCOME_BONUS, "Points on enrolment")
    hold_minutes: StrictInt | None = _int_setting(limits.HOLD_MINUTES, "Minutes a hold lasts")
    points_validity_days: StrictInt | None = _int_setting(
        limits.POINTS_VALIDITY_DAYS, "Days an earned lot lasts; 0 turns expiry off"
    )
    pending_days: StrictInt | None = _int_setting(
        limits.PENDING_DAYS, "Return window: days earned points stay pending"
    )
    inactivity_days: StrictInt | None = _int_setting(
        limits.INACTIVITY_DAYS, "All points expire after this many quiet days; 0: never"
    )
    multiplier: DecimalText = Field(
        default=Decimal(1), description=f"Earn multiplier: {limits.MULTIPLIER.describe()}."
    )
    multiplier_from: Moment | None = None
    multiplier_until: Moment | None = None
    max_discount: DecimalText | None = Field(
        default=None,
        description=f"Cap per transaction: {limits.MAX_DISCOUNT.describe()}.",
    )
    min_balance_to_redeem: StrictInt = Field(
        default=0,
        description=f"Minimum balance to redeem: {limits.MIN_BALANCE_TO_REDEEM.describe()}.",
        json_schema_extra={
            "minimum": limits.MIN_BALANCE_TO_REDEEM.least,
            "maximum": limits.MIN_BALANCE_TO_REDEEM.most,
        },
    )
    effective_from: Moment | None = Field(default=None, description="Default: now.")

    @model_validator(mode="after")
    def _within_the_programmes_bounds(self) -> Self:
        try:
            limits.check_programme_terms(self)
        except InvalidRequest as error:
            raise ValueError(error.detail) from error
        return self


class EnrolmentIn(RequestBody):
    """Enrol by `customer_id`, or inline at the till by `phone` (and `name`)."""

    customer_id: CustomerId | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 ()\-.]{5,24}$")] | None = None
    name: Text | None = None

    @model_validator(mode="after")
    def _one_way_to_enrol(self) -> Self:
        if (self.customer_id is None) == (self.phone is None):
            raise ValueError("give either customer_id or phone")
        return self


class PreviewIn(RequestBody):
    points: Points
    sale_amount: PositiveDecimal | None = None


class RedemptionIn(PreviewIn):
    hold: StrictBool = Field(default=False, description="Reserve the points until captured.")


class AdjustmentIn(RequestBody):
    points: Annotated[
        StrictInt,
        Field(ge=-MAX_POINTS, le=MAX_POINTS, json_schema_extra={"not": {"const": 0}}),
    ]
    reason: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=500, pattern=PRINTABLE),
    ]

    @model_validator(mode="after")
    def _not_zero(self) -> Self:
        if self.points == 0:
            raise ValueError("points must not be zero")
        return self


class StatusChangeIn(RequestBody):
    reason: Text | None = None
