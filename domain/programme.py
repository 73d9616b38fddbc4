"""A business's loyalty programme and its versioned earning and redemption rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class LotPolicy:
    """A programme's lot settings: validity (None: points never expire), the return window
    during which earned points are pending, and the inactivity limit (None: off)."""

    validity_days: int | None = None
    pending_days: int = 0
    inactivity_days: int | None = None


@dataclass(frozen=True)
class RuleVersion:
    """One version of the programme's rates, in force from ``effective_from`` on.

    Versions are never edited: a change is a new version with a later ``effective_from``.
    """

    version: int
    effective_from: datetime
    earn_rate: Decimal
    redemption_rate: Decimal
    multiplier: Decimal = Decimal(1)
    multiplier_from: datetime | None = None
    multiplier_until: datetime | None = None
    max_discount: Decimal | None = None
    min_balance_to_redeem: int = 0

    def multiplier_at(self, moment: datetime) -> Decimal:
        """The multiplier applies only inside its window: [from, until)."""
        if self.multiplier_from is not None and moment < self.multiplier_from:
            return Decimal(1)
        if self.multiplier_until is not None and moment >= self.multiplier_until:
            return Decimal(1)
        return self.multiplier


@dataclass(frozen=True)
class Programme:
    business_id: str
    name: str
    active: bool = True
    inline_enrolment: bool = False
    welcome_bonus: int = 0
    hold_minutes: int = 30
    points_validity_days: int | None = None
    pending_days: int = 0
    inactivity_days: int | None = None
    rules: tuple[RuleVersion, ...] = field(default=())

    def rule_at(self, moment: datetime) -> RuleVersion | None:
        """The rule version in force at ``moment``: event time decides, not processing time."""
        in_force = [rule for rule in self.rules if rule.effective_from <= moment]
        if not in_force:
            return None
        return max(in_force, key=lambda rule: (rule.effective_from, rule.version))

    @property
    def lot_policy(self) -> LotPolicy:
        return LotPolicy(self.points_validity_days, self.pending_days, self.inactivity_days)

    def next_version(self) -> int:
        return max((rule.version for rule in self.rules), default=0) + 1
