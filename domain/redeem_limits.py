"""Limits per period on what an account redeems (like a credit tracker's limit per period).

Periods are calendar periods in UTC: the day, the ISO week (from Monday 00:00 UTC) and the
month. A per-business time zone is left for later.

What a period has used is counted by the redemption, at the moment the till made it
(``Redemption.created_at``, the processing clock): the points of every redemption made in the
period that is captured, or still held and live. A hold reserves its points against the limit
when placed and its capture keeps them where they were counted, so a hold placed at 23:59 and
captured at 00:01 counts once, on the day it was placed (never again on the next: every period
stays within its limit). A cancelled redemption or a hold released or expired counts nothing
in its period: a cancellation gives back only the period it was made in. Stamps never count.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from domain.errors import InvalidRequest, RedemptionBlocked

MOST_POINTS = 10**9


class LimitPeriod(enum.StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class RedeemLimit:
    points: int
    """The most points one account may redeem in one period."""
    period: LimitPeriod

    def __post_init__(self) -> None:
        if not 0 < self.points <= MOST_POINTS:
            raise InvalidRequest(f"redeem_limit: points must be 1 to {MOST_POINTS}.")


def period_bounds(period: LimitPeriod, moment: datetime) -> tuple[datetime, datetime]:
    """The calendar period in UTC holding ``moment`` (an aware time): [start, end)."""
    utc = moment.astimezone(UTC)
    day = datetime(utc.year, utc.month, utc.day, tzinfo=UTC)
    if period is LimitPeriod.DAY:
        return day, day + timedelta(days=1)
    if period is LimitPeriod.WEEK:
        monday = day - timedelta(days=utc.weekday())
        return monday, monday + timedelta(days=7)
    first = day.replace(day=1)
    if first.month == 12:
        return first, first.replace(year=first.year + 1, month=1)
    return first, first.replace(month=first.month + 1)


@dataclass(frozen=True)
class LimitUse:
    """A limit and what the account's period holding a moment has used of it."""

    limit: RedeemLimit
    used: int
    start: datetime
    end: datetime

    @property
    def left(self) -> int:
        """Points still redeemable in the period; none (not below) once used up, as after
        the limit was lowered mid-period."""
        return max(0, self.limit.points - self.used)

    def allows(self, points: int) -> bool:
        return points <= self.left


def limit_use(limit: RedeemLimit, used: int, now: datetime) -> LimitUse:
    start, end = period_bounds(limit.period, now)
    return LimitUse(limit, used, start, end)


def limit_detail(use: LimitUse) -> str:
    limit = use.limit
    return (
        f"The programme lets an account redeem {limit.points} points a {limit.period.value}; "
        f"{use.left} left until {use.end:%Y-%m-%d %H:%M} UTC."
    )


class PeriodLimitReached(RedemptionBlocked):
    """Refused: the points would take the period's redemptions above the limit."""

    code = "period_limit"

    def __init__(self, use: LimitUse) -> None:
        super().__init__(self.code, limit_detail(use))
        self.use = use
