"""A business's loyalty programme and its versioned earning and redemption rules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from domain.errors import InvalidRequest
from domain.item_rules import NO_ITEM_RULES, ItemRules
from domain.levels import TierPolicy
from domain.redeem_limits import RedeemLimit
from domain.referrals import ReferralPolicy
from domain.stamps import StampCard


@dataclass(frozen=True)
class EventTimeSettings:
    """The programme settings that decide what an event earns, recorded on each version so
    that the version in force at the event's ``occurred_at`` decides them, like the rates:
    whether the programme runs, how long earned points last (None: for ever) and how long
    they stay pending (the return window). A late, offline or replayed event thus gets the
    outcome it would have had on time, and a replay into an empty database rebuilds the same
    ledger and lots.

    The other settings act when they are used, at processing time: inline enrolment and the
    welcome bonus when a till enrols a customer, the hold time when it places a hold, and
    the inactivity limit when the sweep runs.
    """

    active: bool = True
    points_validity_days: int | None = None
    pending_days: int = 0


@dataclass(frozen=True)
class RuleVersion:
    """One version of the programme's rates, in force from ``effective_from`` on.

    Versions are never edited: a change is a new version with a later ``effective_from``.
    ``settings`` is what the programme's event-time settings were when the version was set;
    stored versions always have them (None only for versions built in memory without them,
    which then follow the programme's current settings).
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
    settings: EventTimeSettings | None = None
    item_rules: ItemRules = NO_ITEM_RULES
    """How line items earn (per category and SKU); no rules: every line at the rates."""
    stamp_card: StampCard | None = None
    """The stamp card run beside points, if any."""
    tiers: TierPolicy | None = None
    """The programme's levels, if any: the version in force at an event decides its level."""
    referral: ReferralPolicy | None = None
    """The referral bonuses, if any (the version in force at the first sale decides)."""

    def multiplier_at(self, moment: datetime) -> Decimal:
        """The multiplier applies only inside its window: [from, until)."""
        if self.multiplier_from is not None and moment < self.multiplier_from:
            return Decimal(1)
        if self.multiplier_until is not None and moment >= self.multiplier_until:
            return Decimal(1)
        return self.multiplier


def in_force(rules: Iterable[RuleVersion], moment: datetime) -> RuleVersion | None:
    """The version in force at ``moment``: the latest effective by then (the higher version
    number when two take effect at the same moment)."""
    started = [rule for rule in rules if rule.effective_from <= moment]
    if not started:
        return None
    return max(started, key=lambda rule: (rule.effective_from, rule.version))


@dataclass(frozen=True)
class LotPolicy:
    """A programme's lot settings: validity (None: points never expire), the return window
    during which earned points are pending, and the inactivity limit (None: off).

    With the programme's versions, ``at`` gives the validity and return window in force at
    an entry's event time; the inactivity limit is the sweep's, as set now.
    """

    validity_days: int | None = None
    pending_days: int = 0
    inactivity_days: int | None = None
    versions: tuple[RuleVersion, ...] = field(default=(), repr=False)

    def at(self, moment: datetime) -> LotPolicy:
        rule = in_force(self.versions, moment)
        if rule is None or rule.settings is None:
            return self
        settings = rule.settings
        return LotPolicy(settings.points_validity_days, settings.pending_days, self.inactivity_days)


@dataclass(frozen=True)
class Programme:
    """The programme's settings as last set (what a manager sees), and its rule versions,
    which decide by event time."""

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
    redeem_limit: RedeemLimit | None = None
    """The most an account may redeem per day, week or month (acts when a till redeems)."""

    def rule_at(self, moment: datetime) -> RuleVersion | None:
        """The rule version in force at ``moment``: event time decides, not processing time."""
        return in_force(self.rules, moment)

    def active_at(self, moment: datetime) -> bool:
        """Whether the programme was running at ``moment``, as the version then in force says.

        Before the first version nothing earns or redeems anyway (no rule in force), whatever
        the flag says today, so the reason given stays the same on a replay.
        """
        rule = self.rule_at(moment)
        if rule is None:
            return True
        return self.active if rule.settings is None else rule.settings.active

    @property
    def event_time_settings(self) -> EventTimeSettings:
        """The current event-time settings, to record on a new version."""
        return EventTimeSettings(self.active, self.points_validity_days, self.pending_days)

    @property
    def lot_policy(self) -> LotPolicy:
        return LotPolicy(
            self.points_validity_days, self.pending_days, self.inactivity_days, self.rules
        )

    def next_version(self) -> int:
        return max((rule.version for rule in self.rules), default=0) + 1


def effective_from_for(
    requested: datetime | None, now: datetime, latest_event_at: datetime | None
) -> datetime:
    """When a new rule version takes effect: as asked, or by default from the start of this
    second (upstream timestamps are often whole seconds: a sale rung up just after the change
    must earn under it); never at or before an event already applied. Such an event earned
    under the version then in force, and a replay into an empty database would give it the
    new one, so the ledger would not rebuild. The default moves to just after the latest
    applied event when that is later (this second's, or a producer's clock running ahead)."""
    if requested is None:
        requested = now.replace(microsecond=0)
        if latest_event_at is not None and latest_event_at >= requested:
            requested = latest_event_at + timedelta(microseconds=1)
    elif latest_event_at is not None and requested <= latest_event_at:
        raise InvalidRequest(
            "effective_from must be after the latest event already applied"
            f" ({latest_event_at.isoformat()}): a rule cannot change what was already earned."
        )
    return requested
