"""What a programme may be set to: one check for every way in (HTTP, CLI, use case).

The bounds keep every event computable: an earn is at most 10**12 (the largest sale the
inbound contract may carry) * 1000 (earn rate) * 100 (multiplier) = 10**17 points, inside
PostgreSQL's bigint, and the product has at most 16 + 7 + 4 = 27 significant digits, inside
Decimal's default 28, so it is exact before the floor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from domain.errors import InvalidRequest

MAX_POINTS = 1_000_000_000


@dataclass(frozen=True)
class DecimalLimit:
    """A positive, finite decimal up to ``most`` with at most ``places`` decimal places."""

    most: Decimal
    places: int

    def describe(self) -> str:
        return (
            f"a number greater than 0 and at most {self.most},"
            f" with at most {self.places} decimal places"
        )

    def problem(self, name: str, value: Decimal | None) -> str | None:
        if value is None or (
            value.is_finite() and 0 < value <= self.most and _places(value) <= self.places
        ):
            return None
        return f"{name} must be {self.describe()} (got {value})"


@dataclass(frozen=True)
class IntLimit:
    """A whole number from ``least`` to ``most``."""

    least: int
    most: int

    def describe(self) -> str:
        return f"a whole number from {self.least} to {self.most}"

    def problem(self, name: str, value: int | None) -> str | None:
        if value is None or self.least <= value <= self.most:
            return None
        return f"{name} must be {self.describe()} (got {value})"


EARN_RATE = DecimalLimit(Decimal(1000), 4)
REDEMPTION_RATE = DecimalLimit(Decimal(1_000_000), 4)
MULTIPLIER = DecimalLimit(Decimal(100), 2)
MAX_DISCOUNT = DecimalLimit(Decimal("9999999999.99"), 2)
MIN_BALANCE_TO_REDEEM = IntLimit(0, MAX_POINTS)
WELCOME_BONUS = IntLimit(0, MAX_POINTS)
HOLD_MINUTES = IntLimit(1, 1440)
POINTS_VALIDITY_DAYS = IntLimit(0, 36500)
PENDING_DAYS = IntLimit(0, 365)
INACTIVITY_DAYS = IntLimit(0, 36500)


class ProgrammeTerms(Protocol):
    """The values a manager sets: a ``SetProgramme`` command or an HTTP body."""

    @property
    def earn_rate(self) -> Decimal: ...
    @property
    def redemption_rate(self) -> Decimal: ...
    @property
    def multiplier(self) -> Decimal: ...
    @property
    def multiplier_from(self) -> datetime | None: ...
    @property
    def multiplier_until(self) -> datetime | None: ...
    @property
    def max_discount(self) -> Decimal | None: ...
    @property
    def min_balance_to_redeem(self) -> int: ...
    @property
    def welcome_bonus(self) -> int | None: ...
    @property
    def hold_minutes(self) -> int | None: ...
    @property
    def points_validity_days(self) -> int | None: ...
    @property
    def pending_days(self) -> int | None: ...
    @property
    def inactivity_days(self) -> int | None: ...


def check_programme_terms(terms: ProgrammeTerms) -> None:
    """Refuse, naming every value out of bounds, what no event could be computed with."""
    problems = [
        EARN_RATE.problem("earn_rate", terms.earn_rate),
        REDEMPTION_RATE.problem("redemption_rate", terms.redemption_rate),
        MULTIPLIER.problem("multiplier", terms.multiplier),
        MAX_DISCOUNT.problem("max_discount", terms.max_discount),
        MIN_BALANCE_TO_REDEEM.problem("min_balance_to_redeem", terms.min_balance_to_redeem),
        WELCOME_BONUS.problem("welcome_bonus", terms.welcome_bonus),
        HOLD_MINUTES.problem("hold_minutes", terms.hold_minutes),
        POINTS_VALIDITY_DAYS.problem("points_validity_days", terms.points_validity_days),
        PENDING_DAYS.problem("pending_days", terms.pending_days),
        INACTIVITY_DAYS.problem("inactivity_days", terms.inactivity_days),
        _window_problem(terms.multiplier_from, terms.multiplier_until),
    ]
    found = [problem for problem in problems if problem is not None]
    if found:
        raise InvalidRequest("; ".join(found) + ".")


def _window_problem(start: datetime | None, end: datetime | None) -> str | None:
    if start is not None and end is not None and end <= start:
        return "multiplier_until must be after multiplier_from"
    return None


def _places(value: Decimal) -> int:
    """Decimal places written, trailing zeros aside ("2.50" has one); without normalize(),
    which would round to the context's 28 digits first."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite: checked by the caller first
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -exponent - trailing) if any(digits) else 0
