"""Revising a programme: its settings as set, and a new rule version; older versions stay."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TypeVar

from domain.commands import SetProgramme, Unchanged
from domain.item_rules import NO_ITEM_RULES
from domain.programme import Programme, RuleVersion, effective_from_for, in_force
from domain.programme_limits import check_programme_terms

T = TypeVar("T")


@dataclass(frozen=True)
class ProgrammeRevision:
    settings: Programme
    """The programme's settings to save (its stored rule versions stay as they are)."""
    rule: RuleVersion
    """The new version, to add."""

    @property
    def programme(self) -> Programme:
        """The programme after the revision, with every version."""
        return replace(self.settings, rules=(*self.settings.rules, self.rule))


def revise(
    current: Programme | None,
    command: SetProgramme,
    now: datetime,
    latest_event_at: datetime | None,
) -> ProgrammeRevision:
    """Create or update the programme and add a rule version, refusing (naming every value
    out of bounds) what no event could be computed with.

    Settings not given keep their current values. The new version records the settings
    that decide by event time (active, validity, return window): they act from its
    ``effective_from`` on, like its rates, and never on events that occurred before;
    ``latest_event_at`` (the latest event already applied) bounds it from below.

    Item rules and a stamp card the command leaves UNCHANGED are those of the version in
    force at the new ``effective_from`` (the one it takes over from; none before the first),
    so a revision of the rates alone neither drops nor brings forward a card.
    """
    check_set_programme(command)
    programme = current or Programme(command.business_id, name=command.business_id)
    programme = replace(
        programme,
        name=_pick(command.name, programme.name),
        active=_pick(command.active, programme.active),
        inline_enrolment=_pick(command.inline_enrolment, programme.inline_enrolment),
        welcome_bonus=_pick(command.welcome_bonus, programme.welcome_bonus),
        hold_minutes=_pick(command.hold_minutes, programme.hold_minutes),
        points_validity_days=_days_or_off(
            command.points_validity_days, programme.points_validity_days
        ),
        pending_days=_pick(command.pending_days, programme.pending_days),
        inactivity_days=_days_or_off(command.inactivity_days, programme.inactivity_days),
        redeem_limit=_kept(command.redeem_limit, programme.redeem_limit),
    )
    effective_from = effective_from_for(command.effective_from, now, latest_event_at)
    before = in_force(programme.rules, effective_from)
    item_rules = _kept(command.item_rules, before.item_rules if before else NO_ITEM_RULES)
    stamp_card = _kept(command.stamp_card, before.stamp_card if before else None)
    tiers = _kept(command.tiers, before.tiers if before else None)
    referral = _kept(command.referral, before.referral if before else None)
    # Kept item rules meet the new window multiplier here for the first time.
    check_programme_terms(command, item_rules=item_rules)
    rule = RuleVersion(
        version=programme.next_version(),
        effective_from=effective_from,
        earn_rate=command.earn_rate,
        redemption_rate=command.redemption_rate,
        multiplier=command.multiplier,
        multiplier_from=command.multiplier_from,
        multiplier_until=command.multiplier_until,
        max_discount=command.max_discount,
        min_balance_to_redeem=command.min_balance_to_redeem,
        settings=programme.event_time_settings,
        item_rules=item_rules,
        stamp_card=stamp_card,
        tiers=tiers,
        referral=referral,
    )
    return ProgrammeRevision(programme, rule)


def check_set_programme(command: SetProgramme) -> None:
    """The programme's check on what the command itself sets (the CLI's, before connecting)."""
    check_programme_terms(
        command,
        item_rules=_kept(command.item_rules, None),
        stamp_card=_kept(command.stamp_card, None),
    )


def _kept(new: T | Unchanged, current: T) -> T:
    return current if isinstance(new, Unchanged) else new


def _pick(new: T | None, current: T) -> T:
    return current if new is None else new


def _days_or_off(new: int | None, current: int | None) -> int | None:
    """None keeps the current setting; 0 turns it off."""
    if new is None:
        return current
    return new or None
