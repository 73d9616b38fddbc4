"""Levels (tiers): what a programme's levels are. A member reaches a level by qualifying
points or spend over a window, and earns at its multiplier."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal


class LevelBasis(enum.StrEnum):
    POINTS = "points"
    """Points earned (net of reversals) qualify."""
    SPEND = "spend"
    """Money spent on earning sales and bills (net of refunds) qualifies."""


@dataclass(frozen=True)
class Level:
    name: str
    threshold: Decimal
    """The qualifying points (or money) over the window that reach this level."""
    multiplier: Decimal = Decimal(1)
    """Applied to what a sale earns at this level."""
    benefits: str | None = None


@dataclass(frozen=True)
class TierPolicy:
    """A programme's levels, lowest threshold first; below the lowest is the base level (no
    name, multiplier 1). ``window_days`` None: the calendar year (UTC)."""

    levels: tuple[Level, ...]
    basis: LevelBasis = LevelBasis.POINTS
    window_days: int | None = 365


# What follows is the arithmetic of levels. Semantics, as decided for issue 15:
#
# - The qualifying total of an account at a moment T: its EARN entries (points, or for the
#   spend basis the sale's amount) less its REVERSAL entries (points or money refunded) whose
#   own ``occurred_at`` lies in the window ending at T: rolling ``(T - window_days, T]``, or
#   the calendar year (UTC) from Jan 1 00:00 of T's year to T. Only sales and bills qualify:
#   bonuses, referral bonuses and adjustments never do.
# - The level for a total: the highest whose threshold is at most the total; none: base.
# - The level in force at T: the ``level_after`` of the latest LEVEL_CHANGE entry with
#   ``occurred_at <= T`` (ties by seq); none: base. A sale at T earns at that level.
# - Late events freeze: entries already posted are never recomputed; a late sale earns at
#   the level the history as recorded gives its own ``occurred_at``, and a level it reaches
#   is dated then and acts for the events applied after it.
# - Downgrades happen only at review moments (``review_moment``), never by a return.


@dataclass(frozen=True)
class QualifyingFact:
    """One earn (positive) or reversal (negative) of an account, as levels count it."""

    occurred_at: datetime
    points: int
    amount: Decimal


@dataclass(frozen=True)
class LevelChange:
    """One LEVEL_CHANGE entry of an account: where it sits in time and what it set."""

    occurred_at: datetime
    seq: int
    level_after: str | None


@dataclass
class LevelHistory:
    """What an account's levels are computed from: its level changes (all of them, or the
    latest before ``since`` and every one after) and its qualifying facts after ``since``."""

    changes: list[LevelChange] = field(default_factory=list)
    facts: list[QualifyingFact] = field(default_factory=list)


def window_contains(policy: TierPolicy, at: datetime, occurred_at: datetime) -> bool:
    """Whether a fact at ``occurred_at`` counts in the window ending at ``at``."""
    if occurred_at > at:
        return False
    if policy.window_days is None:
        return occurred_at >= year_start(at)
    return occurred_at > at - timedelta(days=policy.window_days)


def year_start(at: datetime) -> datetime:
    return datetime(at.astimezone(UTC).year, 1, 1, tzinfo=UTC)


def lookback_start(policies: Iterable[TierPolicy], earliest: datetime) -> datetime:
    """A moment before every window ending at or after ``earliest`` under ``policies`` (a
    calendar year, and the year before a review moment, begin at most 366 days before)."""
    days = max((p.window_days or 366 for p in policies), default=0)
    return earliest - timedelta(days=days + 1)


def qualifying_total(policy: TierPolicy, facts: Iterable[QualifyingFact], at: datetime) -> Decimal:
    """The account's qualifying points or spend in the window ending at ``at``."""
    total = Decimal(0)
    for fact in facts:
        if window_contains(policy, at, fact.occurred_at):
            total += fact.points if policy.basis is LevelBasis.POINTS else fact.amount
    return total


def level_for(policy: TierPolicy, total: Decimal) -> Level | None:
    """The highest level whose threshold is at most ``total``; None: the base level."""
    reached = [level for level in policy.levels if level.threshold <= total]
    return max(reached, key=lambda level: level.threshold, default=None)


def named(policy: TierPolicy, name: str | None) -> Level | None:
    """The policy's level called ``name`` (None for the base level or a name it lacks)."""
    return next((level for level in policy.levels if level.name == name), None)


def rank(policy: TierPolicy, name: str | None) -> int:
    """Order of levels: base (or a name the policy no longer has) 0, then by threshold."""
    level = named(policy, name)
    if level is None:
        return 0
    return 1 + sorted(policy.levels, key=lambda lv: lv.threshold).index(level)


def level_in_force(changes: Iterable[LevelChange], at: datetime) -> str | None:
    """The ``level_after`` of the latest change with ``occurred_at <= at`` (ties: the higher
    seq); None when there is none: the base level."""
    before = [change for change in changes if change.occurred_at <= at]
    if not before:
        return None
    return max(before, key=lambda c: (c.occurred_at, c.seq)).level_after


def current_level(changes: Iterable[LevelChange]) -> str | None:
    """The level in force after every recorded change (what the account row keeps)."""
    return level_in_force(changes, datetime.max.replace(tzinfo=UTC))


def multiplier_at(policy: TierPolicy | None, history: LevelHistory, at: datetime) -> Decimal:
    """The earn multiplier of the level in force at ``at`` (1 at base or without levels)."""
    if policy is None:
        return Decimal(1)
    level = named(policy, level_in_force(history.changes, at))
    return level.multiplier if level else Decimal(1)


def upgrade_at(policy: TierPolicy, history: LevelHistory, at: datetime) -> Level | None:
    """The level an account reaches at ``at`` by its total then, if above the one in force
    (None: no change). Only ever up: returns never downgrade mid-period."""
    reached = level_for(policy, qualifying_total(policy, history.facts, at))
    if reached is None:
        return None
    if rank(policy, reached.name) > rank(policy, level_in_force(history.changes, at)):
        return reached
    return None


def review_moment(policy: TierPolicy, at: datetime) -> datetime:
    """The latest review moment at or before ``at``: 00:00 UTC of its day for rolling
    windows, Jan 1 00:00 UTC of its year for calendar years."""
    if policy.window_days is None:
        return year_start(at)
    utc = at.astimezone(UTC)
    return datetime(utc.year, utc.month, utc.day, tzinfo=UTC)


def reviewed_level(policy: TierPolicy, history: LevelHistory, moment: datetime) -> Level | None:
    """The level the review at ``moment`` (a review moment) finds: rolling, the level for the
    window ending at it; calendar year, for the year that just ended (a level earned in
    year Y holds through Y+1)."""
    if policy.window_days is not None:
        return level_for(policy, qualifying_total(policy, history.facts, moment))
    year_before = moment.replace(year=moment.year - 1)
    total = Decimal(0)
    for fact in history.facts:
        if year_before <= fact.occurred_at < moment:
            total += fact.points if policy.basis is LevelBasis.POINTS else fact.amount
    return level_for(policy, total)


def downgrade_at(
    policy: TierPolicy, history: LevelHistory, moment: datetime
) -> tuple[str, Level | None] | None:
    """``(level before, level after)`` when the review at ``moment`` lowers the level in
    force then; None when it keeps it, or when a change is already dated at the moment (a
    review of it, or a sale at that instant, which counts in the new period)."""
    if any(change.occurred_at == moment for change in history.changes):
        return None
    before = level_in_force(history.changes, moment)
    if before is None:
        return None
    after = reviewed_level(policy, history, moment)
    if rank(policy, after.name if after else None) < rank(policy, before) or (
        named(policy, before) is None
    ):
        return before, after
    return None
