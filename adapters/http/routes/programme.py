"""The business's programme: read it, or set its settings and a new rule version."""

from __future__ import annotations

from fastapi import APIRouter

from adapters.http.dependencies import Admin, Now, Operations, Staff
from adapters.http.presenters import programme_out
from adapters.http.problems import problem_responses
from adapters.http.schemas import ProgrammeIn, ProgrammeOut
from domain.commands import SetProgramme

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
    programme = await operations.set_programme(
        SetProgramme(
            business_id=principal.business_id,
            earn_rate=body.earn_rate,
            redemption_rate=body.redemption_rate,
            name=body.name,
            active=body.active,
            inline_enrolment=body.inline_enrolment,
            welcome_bonus=body.welcome_bonus,
            hold_minutes=body.hold_minutes,
            points_validity_days=body.points_validity_days,
            pending_days=body.pending_days,
            inactivity_days=body.inactivity_days,
            multiplier=body.multiplier,
            multiplier_from=body.multiplier_from,
            multiplier_until=body.multiplier_until,
            max_discount=body.max_discount,
            min_balance_to_redeem=body.min_balance_to_redeem,
            effective_from=body.effective_from,
            item_rules=body.item_rules_to_set(),
            stamp_card=body.stamp_card_to_set(),
            redeem_limit=body.redeem_limit_to_set(),
            tiers=body.tiers_to_set(),
            referral=body.referral_to_set(),
        )
    )
    return programme_out(programme, clock.now())
