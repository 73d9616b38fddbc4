"""What-if simulations for managers: a proposed programme replayed over a window of history
beside the programme as it was; the answer is the report, when the run is done."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from pydantic import AwareDatetime, Field

from adapters.http.dependencies import Manager
from adapters.http.problems import problem_responses
from adapters.http.schemas import ProgrammeIn
from adapters.http.schemas.requests import RequestBody
from adapters.simulation_proposal import proposal_command
from domain.errors import InvalidRequest
from ports.simulation import Simulations

router = APIRouter(prefix="/v1/simulations", tags=["simulations"])
LONGEST = timedelta(days=366)


class SimulationIn(RequestBody):
    programme: ProgrammeIn = Field(description="The proposal, as `PUT /v1/program` takes it.")
    start: AwareDatetime = Field(alias="from", description="The window's start.")
    end: AwareDatetime = Field(alias="to", description="The window's end (not after now).")
    top: int = Field(default=10, ge=0, le=100, description="Members moved most, to list.")


async def simulation_runner(request: Request) -> Simulations:
    found: Simulations = request.app.state.simulations
    return found


Runner = Annotated[Simulations, Depends(simulation_runner)]


@router.post("", responses=problem_responses(401, 403, 422))
async def simulate(body: SimulationIn, principal: Manager, run: Runner) -> dict[str, Any]:
    """Replay the window into two shadow ledgers (the programme as it was; the proposal from
    `from`) and answer them side by side; the live ledger is only read."""
    if not body.start < body.end <= datetime.now(UTC) + timedelta(minutes=1):
        raise InvalidRequest("`from` must be before `to`, and `to` not later than now.")
    if body.end - body.start > LONGEST:
        raise InvalidRequest("A simulation covers at most 366 days.")
    proposal = proposal_command(body.programme, principal.business_id)
    report = await run(principal.business_id, proposal, body.start, body.end, body.top)
    return report.as_dict()
