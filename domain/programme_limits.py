"""What a programme may be set to: one check for every way in (HTTP, CLI, use case).

The bounds keep every event computable: an earn is at most 10**12 (the largest sale the
inbound contract may carry) * 1000 (earn rate) * 100 (multiplier) = 10**17 points, inside
PostgreSQL's bigint, and the product has at most 16 + 7 + 4 = 27 significant digits, inside
Decimal's default 28, so it is exact before the floor. A line's own multiplier (item rules)
times the window multiplier is held to the same 100 (``card_limits``).
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Protocol

from domain.bounds import DecimalLimit, IntLimit
from domain.card_limits import item_rules_problems, stamp_card_problems
from domain.errors import InvalidRequest
from domain.item_rules import ItemRules
from domain.stamps import StampCard

__all__ = ["DecimalLimit", "IntLimit", "ProgrammeTerms", "check_programme_terms"]

MAX_POINTS = 1_000_000_000

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


def check_programme_terms(
    terms: ProgrammeTerms,
    *,
    item_rules: ItemRules | None = None,
    stamp_card: StampCard | None = None,
) -> None:
    """Refuse, naming every value out of bounds, what no event could be computed with: the
    rates and settings, and the item rules and stamp card the new version will have."""
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
    if item_rules is not None:
        found += item_rules_problems(item_rules, terms.multiplier)
    if stamp_card is not None:
        found += stamp_card_problems(stamp_card)
    if found:
        raise InvalidRequest("; ".join(found) + ".")


def _window_problem(start: datetime | None, end: datetime | None) -> str | None:
    if start is not None and end is not None and end <= start:
        return "multiplier_until must be after multiplier_from"
    return None
