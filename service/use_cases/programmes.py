"""Use cases: read a business's programme; configure it with a new rule version."""

from __future__ import annotations

from dataclasses import replace
from typing import TypeVar

from domain.commands import SetProgramme
from domain.errors import ProgrammeNotFound
from domain.programme import Programme, RuleVersion, effective_from_for
from domain.programme_limits import check_programme_terms
from ports.clock import Clock
from ports.unit_of_work import UnitOfWorkFactory

__all__ = ["Programmes", "SetProgramme"]


T = TypeVar("T")


def _pick(new: T | None, current: T) -> T:
    return current if new is None else new


def _days_or_off(new: int | None, current: int | None) -> int | None:
    """None keeps the current setting; 0 turns it off."""
    if new is None:
        return current
    return new or None


class Programmes:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    async def get(self, business_id: str) -> Programme:
        async with self._uow_factory() as uow:
            programme = await uow.programmes.get(business_id)
        if programme is None:
            raise ProgrammeNotFound("This business has no loyalty programme yet.")
        return programme

    async def set(self, command: SetProgramme) -> Programme:
        """Create or update the programme and add a rule version; older versions stay.

        Settings not given keep their current values. The new version records the settings
        that decide by event time (active, validity, return window): they act from its
        ``effective_from`` on, like its rates, and never on events that occurred before.
        """
        check_programme_terms(command)
        async with self._uow_factory() as uow:
            current = await uow.programmes.get(command.business_id)
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
            )
            rule = RuleVersion(
                version=programme.next_version(),
                effective_from=effective_from_for(
                    command.effective_from,
                    self._clock.now(),
                    await uow.programmes.latest_event_at(command.business_id),
                ),
                earn_rate=command.earn_rate,
                redemption_rate=command.redemption_rate,
                multiplier=command.multiplier,
                multiplier_from=command.multiplier_from,
                multiplier_until=command.multiplier_until,
                max_discount=command.max_discount,
                min_balance_to_redeem=command.min_balance_to_redeem,
                settings=programme.event_time_settings,
            )
            await uow.programmes.save(programme)
            await uow.programmes.add_rule(command.business_id, rule)
            await uow.commit()
        return replace(programme, rules=(*programme.rules, rule))
