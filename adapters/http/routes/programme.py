"""The business's programme: read it, or set its settings and a new rule version."""

from __future__ import annotations

from fastapi import APIRouter

from adapters.http.dependencies import Admin, Now, Operations, Staff
from adapters.http.presenters import programme_out
from adapters.http.problems import problem_responses
from adapters.http.schemas import ProgrammeIn, ProgrammeOut

router = APIRouter(prefix="/v1/program", tags=["programme"])


@router.get("", responses=problem_responses(401, 403, 404))
async def read_programme(principal: Staff, operations: Operations, clock: Now) -> ProgrammeOut:
    programme = await operations.programme(principal.business_id)
    return programme_out(programme, clock.now())


@router.put("", responses=problem_responses(401, 403, 409, 422))
async def set_programme(
    body: ProgrammeIn, principal: Admin, operations: Operations, clock: Now
) -> ProgrammeOut:
    """Change the settings and add a rule version, in force from `effective_from` (default now)."""
    programme = await operations.set_programme(body.command(principal.business_id))
    return programme_out(programme, clock.now())
