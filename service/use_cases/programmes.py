"""Use cases: read a business's programme; configure it with a new rule version."""

from __future__ import annotations

from domain.commands import SetProgramme
from domain.errors import ProgrammeNotFound
from domain.programme import Programme
from domain.programme_revision import revise
from ports.clock import Clock
from ports.unit_of_work import UnitOfWorkFactory

__all__ = ["Programmes", "SetProgramme"]


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
        """Create or update the programme and add a rule version (``domain.programme_revision``)."""
        async with self._uow_factory() as uow:
            revision = revise(
                await uow.programmes.get(command.business_id),
                command,
                self._clock.now(),
                await uow.programmes.latest_event_at(command.business_id),
            )
            await uow.programmes.save(revision.settings)
            await uow.programmes.add_rule(command.business_id, revision.rule)
            await uow.commit()
        return revision.programme
