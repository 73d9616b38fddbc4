"""Referral codes: whose code a customer gives (a cashier checks it before enrolling)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from adapters.http.dependencies import Operations, Staff
from adapters.http.presenters import account_out
from adapters.http.problems import problem_responses
from adapters.http.schemas import AccountOut
from adapters.http.schemas.requests import PRINTABLE

router = APIRouter(prefix="/v1/referrals", tags=["accounts"])


@router.get("/{code}", responses=problem_responses(401, 403, 404, 422))
async def account_of_code(
    code: Annotated[str, Path(min_length=1, max_length=16, pattern=PRINTABLE)],
    principal: Staff,
    operations: Operations,
) -> AccountOut:
    """The account holding a referral code of this programme (read leniently: case, hyphens,
    I/L as 1, O as 0); 404 when none does, another programme's included."""
    return account_out(await operations.account_by_referral_code(principal.business_id, code))
