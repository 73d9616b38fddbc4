"""The operators' queries, for managers: points expiring, referral earnings, movements by
bucket, store and day, members per level. Each a page at a time, of the caller's business."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, TypeVar
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request

from adapters.http import report_cursors as cursors
from adapters.http.dependencies import Manager
from adapters.http.problems import ProblemError, problem_responses
from adapters.http.schemas import reports as out
from domain.reports import (
    MAX_PAGE,
    MAX_WITHIN_DAYS,
    DayRange,
    ExpiringQuery,
    LevelQuery,
    MovementQuery,
    ReferralQuery,
)
from ports.reports import ReportOperations

router = APIRouter(prefix="/v1/reports", tags=["reports"])
T = TypeVar("T")


async def report_operations(request: Request) -> ReportOperations:
    found: ReportOperations = request.app.state.reports
    return found


Reports = Annotated[ReportOperations, Depends(report_operations)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Cursor = Annotated[
    str | None, Query(max_length=cursors.MAX_CURSOR, description="From `next_cursor`.")
]
From = Annotated[date, Query(alias="from", description="First UTC day (ISO 8601), included.")]
To = Annotated[date, Query(alias="to", description="Last UTC day (ISO 8601), included.")]
AccountFilter = Annotated[UUID | None, Query(description="One account only.")]
ANSWERS = problem_responses(400, 401, 403, 404, 422)


def _after(decode: Callable[[str], T], cursor: str | None) -> T | None:
    if cursor is None:
        return None
    try:
        return decode(cursor)
    except cursors.InvalidCursor as error:
        raise ProblemError(
            400,
            "invalid_cursor",
            "This page link is not valid any more; start again from the first page.",
        ) from error


@router.get("/expiring", responses=ANSWERS)
async def expiring(
    principal: Manager,
    reports: Reports,
    within_days: Annotated[int, Query(ge=1, le=MAX_WITHIN_DAYS)] = 7,
    account_id: AccountFilter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> out.ExpiringPageOut:
    """Points in lots that expire within `within_days` of now (lots already expired but not
    yet swept included), soonest first, with the total over the window."""
    page = await reports.expiring(
        ExpiringQuery(
            principal.business_id,
            within_days,
            account_id,
            limit,
            _after(cursors.expiring_after, cursor),
        )
    )
    return out.expiring_out(page)


@router.get("/referrals", responses=ANSWERS)
async def referrals(
    principal: Manager,
    reports: Reports,
    from_: From,
    to: To,
    account_id: AccountFilter = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> out.ReferralPageOut:
    """Referral bonuses and their reversals per account over the days (by event time), with
    the referred accounts a referrer's entries name, and the total over the range."""
    page = await reports.referrals(
        ReferralQuery(
            principal.business_id,
            DayRange(from_, to),
            account_id,
            limit,
            _after(cursors.referrals_after, cursor),
        )
    )
    return out.referrals_out(page)


@router.get("/movements", responses=ANSWERS)
async def movements(
    principal: Manager,
    reports: Reports,
    from_: From,
    to: To,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> out.MovementPageOut:
    """Points moved per UTC day and store, by bucket (purchase, referral, bonus, admin,
    redemption, expiry, reversal, level, account): earned, spent, expired and reversed."""
    page = await reports.movements(
        MovementQuery(
            principal.business_id,
            DayRange(from_, to),
            limit,
            _after(cursors.movements_after, cursor),
        )
    )
    return out.movements_out(page)


@router.get("/levels", responses=ANSWERS)
async def levels(
    principal: Manager, reports: Reports, limit: Limit = 50, cursor: Cursor = None
) -> out.LevelPageOut:
    """Members (cards not closed) per level; `level` null is the base level."""
    page = await reports.levels(
        LevelQuery(principal.business_id, limit, _after(cursors.levels_after, cursor))
    )
    return out.levels_out(page)
