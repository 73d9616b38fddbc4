"""A simulation's proposal: the same JSON as ``PUT /v1/program``, read as its command."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from adapters.http.schemas import ProgrammeIn
from domain.commands import SetProgramme


def proposal_command(body: ProgrammeIn, business_id: str) -> SetProgramme:
    """The command ``PUT /v1/program`` would run with ``body`` (its effective_from aside:
    a simulation's proposal takes effect at the window's start)."""
    return replace(body.command(business_id), effective_from=None)


def read_proposal(document: Any, business_id: str) -> SetProgramme:
    """Raises pydantic's ValidationError, saying which field is wrong, on a bad document."""
    return proposal_command(ProgrammeIn.model_validate(document), business_id)
