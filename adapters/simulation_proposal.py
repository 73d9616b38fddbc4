"""A simulation's proposal: the same JSON as ``PUT /v1/program``, read as its command."""

from __future__ import annotations

from typing import Any

from adapters.http.schemas import ProgrammeIn
from domain.commands import SetProgramme


def proposal_command(body: ProgrammeIn, business_id: str) -> SetProgramme:
    """The command ``PUT /v1/program`` would run with ``body`` (its effective_from aside:
    a simulation's proposal takes effect at the window's start)."""
    return SetProgramme(
        business_id=business_id,
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
        item_rules=body.item_rules_to_set(),
        stamp_card=body.stamp_card_to_set(),
        redeem_limit=body.redeem_limit_to_set(),
        tiers=body.tiers_to_set(),
        referral=body.referral_to_set(),
    )


def read_proposal(document: Any, business_id: str) -> SetProgramme:
    """Raises pydantic's ValidationError, saying which field is wrong, on a bad document."""
    return proposal_command(ProgrammeIn.model_validate(document), business_id)
