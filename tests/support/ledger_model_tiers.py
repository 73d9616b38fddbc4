"""The reference model's levels and referral bonuses (issue 15), written from the issue's and
the README's rules, not from the service's code.

Levels: a member's qualifying total at T is its earns less its reversals (points, or the
money of the sale and of the return for a spend basis) dated in the window ending at T
(rolling ``(T - days, T]``, or the calendar year to T). A sale earns at the multiplier of the
level in force at its time (the latest change dated at or before it, later-recorded first on
a tie), then moves the member up, dated at the sale, when its total reaches a level above
that one. The review at the latest midnight (rolling) or Jan 1 (calendar: the year just
ended decides) moves a member down to what its total then earns, once: a moment that has a
change dated at it is decided.

Referrals: the referred member's first sale earning points pays both sides once (the
version in force at the sale decides; a referrer suspended or closed gets nothing); a
return completing the full refund of that sale inside the window takes both back once.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from fractions import Fraction

from domain.levels import Level, LevelBasis, TierPolicy
from domain.referrals import ReferralPolicy


@dataclass(frozen=True)
class ModelChange:
    customer: str
    occurred_at: datetime
    order: int
    level_before: str | None
    level_after: str | None
    cause: str
    """The event id of the sale that moved the member up, or "review"."""


@dataclass
class ModelLevels:
    changes: dict[str, list[ModelChange]] = field(default_factory=dict)
    facts: dict[str, list[tuple[datetime, int, Fraction]]] = field(default_factory=dict)
    numbers: itertools.count[int] = field(default_factory=itertools.count)

    def in_force(self, customer: str, at: datetime) -> str | None:
        before = [c for c in self.changes.get(customer, []) if c.occurred_at <= at]
        latest = max(before, key=lambda c: (c.occurred_at, c.order), default=None)
        return latest.level_after if latest else None

    def current(self, customer: str) -> str | None:
        return self.in_force(customer, datetime.max.replace(tzinfo=UTC))

    def multiplier(self, policy: TierPolicy | None, customer: str, at: datetime) -> Fraction:
        level = _named(policy, self.in_force(customer, at)) if policy else None
        return Fraction(level.multiplier) if level else Fraction(1)

    def earned(
        self, policy: TierPolicy | None, customer: str, at: datetime, points: int, amount: Fraction
    ) -> None:
        """A sale at ``at`` earned ``points``: it counts, and may lift the member."""
        self.facts.setdefault(customer, []).append((at, points, amount))
        if policy is None:
            return
        reached = _level_for(
            policy, self._total(policy, customer, lambda t: _within(policy, at, t))
        )
        before = self.in_force(customer, at)
        if reached is not None and _rank(policy, reached.name) > _rank(policy, before):
            self._change(customer, at, before, reached.name, "sale")

    def reversed(self, customer: str, at: datetime, points: int, amount: Fraction) -> None:
        self.facts.setdefault(customer, []).append((at, -points, -amount))

    def review(self, policy: TierPolicy, customer: str, now: datetime) -> ModelChange | None:
        """The review at the latest review moment at or before ``now``."""
        utc = now.astimezone(UTC)
        if policy.window_days is None:
            moment = datetime(utc.year, 1, 1, tzinfo=UTC)
            year_before = moment.replace(year=moment.year - 1)
            total = self._total(policy, customer, lambda t: year_before <= t < moment)
        else:
            moment = datetime(utc.year, utc.month, utc.day, tzinfo=UTC)
            total = self._total(policy, customer, lambda t: _within(policy, moment, t))
        if any(c.occurred_at == moment for c in self.changes.get(customer, [])):
            return None  # decided: by a review of it, or a sale at that instant (new period)
        before = self.in_force(customer, moment)
        if before is None:
            return None
        after = _level_for(policy, total)
        after_name = after.name if after else None
        if _rank(policy, after_name) < _rank(policy, before) or _named(policy, before) is None:
            return self._change(customer, moment, before, after_name, "review")
        return None

    def _change(
        self, customer: str, at: datetime, before: str | None, after: str | None, cause: str
    ) -> ModelChange:
        change = ModelChange(customer, at, next(self.numbers), before, after, cause)
        self.changes.setdefault(customer, []).append(change)
        return change

    def _total(
        self, policy: TierPolicy, customer: str, counts: Callable[[datetime], bool]
    ) -> Fraction:
        spend = policy.basis is LevelBasis.SPEND
        return sum(
            (
                Fraction(amount) if spend else Fraction(points)
                for at, points, amount in self.facts.get(customer, [])
                if counts(at)
            ),
            Fraction(0),
        )


def _within(policy: TierPolicy, end: datetime, at: datetime) -> bool:
    if at > end:
        return False
    if policy.window_days is None:
        return at >= datetime(end.astimezone(UTC).year, 1, 1, tzinfo=UTC)
    return at > end - timedelta(days=policy.window_days)


def _level_for(policy: TierPolicy, total: Fraction) -> Level | None:
    reached = [lv for lv in policy.levels if Fraction(lv.threshold) <= total]
    return max(reached, key=lambda lv: lv.threshold, default=None)


def _named(policy: TierPolicy | None, name: str | None) -> Level | None:
    return next((lv for lv in policy.levels if lv.name == name), None) if policy else None


def _rank(policy: TierPolicy, name: str | None) -> int:
    level = _named(policy, name)
    ordered = sorted(policy.levels, key=lambda lv: lv.threshold)
    return 0 if level is None else 1 + ordered.index(level)


@dataclass
class ModelReferral:
    referred: str
    referrer: str
    sale: str | None = None
    """The reference of the first sale that earned points: it settled the referral."""
    sale_at: datetime | None = None
    window_days: int = 0
    referred_points: int = 0
    referrer_points: int = 0
    reversed: bool = False
    returned_in_window: Fraction = Fraction(0)

    def settle(
        self, reference: str, at: datetime, policy: ReferralPolicy | None, referrer_status: str
    ) -> tuple[int, int]:
        """The first earning sale: the points each side gets (referred, referrer)."""
        self.sale, self.sale_at = reference, at
        if policy is None:
            return 0, 0
        self.window_days = policy.return_window_days
        self.referred_points = policy.referred_points
        if referrer_status == "active":
            self.referrer_points = policy.referrer_points
        return self.referred_points, self.referrer_points

    def take_back(
        self, reference: str, returned_at: datetime, amount: Fraction, total: Fraction
    ) -> tuple[int, int] | None:
        """A return of ``amount`` (``total``: a cancellation) of ``reference`` dated
        ``returned_at``: the points each side loses once the returns dated inside the window
        reach the sale's total, or None when it takes nothing back (yet)."""
        if self.reversed or self.sale != reference or self.sale_at is None:
            return None
        if not (self.referred_points or self.referrer_points):
            return None
        if returned_at > self.sale_at + timedelta(days=self.window_days):
            return None
        self.returned_in_window += amount
        if self.returned_in_window < total:
            return None
        self.reversed = True
        return self.referred_points, self.referrer_points
