"""Use case: configure a business's programme with a new rule version."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from domain.programme import Programme, RuleVersion
from ports.clock import Clock
from ports.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True)
class SetProgramme:
    business_id: str
    earn_rate: Decimal
    redemption_rate: Decimal
    name: str | None = None
    active: bool | None = None
    inline_enrolment: bool | None = None
    welcome_bonus: int | None = None
    multiplier: Decimal = Decimal(1)
    multiplier_from: datetime | None = None
    multiplier_until: datetime | None = None
    max_discount: Decimal | None = None
    min_balance_to_redeem: int = 0
    effective_from: datetime | None = None


async def set_programme(
    command: SetProgramme, uow_factory: UnitOfWorkFactory, clock: Clock
) -> Programme:
    """Create or update the programme and add a rule version; older versions stay."""
    async with uow_factory() as uow:
        current = await uow.programmes.get(command.business_id)
        programme = current or Programme(command.business_id, name=command.business_id)
        programme = replace(
            programme,
            name=command.name if command.name is not None else programme.name,
            active=command.active if command.active is not None else programme.active,
            inline_enrolment=command.inline_enrolment
            if command.inline_enrolment is not None
            else programme.inline_enrolment,
            welcome_bonus=command.welcome_bonus
            if command.welcome_bonus is not None
            else programme.welcome_bonus,
        )
        rule = RuleVersion(
            version=programme.next_version(),
            effective_from=command.effective_from or clock.now(),
            earn_rate=command.earn_rate,
            redemption_rate=command.redemption_rate,
            multiplier=command.multiplier,
            multiplier_from=command.multiplier_from,
            multiplier_until=command.multiplier_until,
            max_discount=command.max_discount,
            min_balance_to_redeem=command.min_balance_to_redeem,
        )
        await uow.programmes.save(programme)
        await uow.programmes.add_rule(command.business_id, rule)
        await uow.commit()
    return replace(programme, rules=(*programme.rules, rule))
