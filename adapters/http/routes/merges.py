"""Merging two accounts of one customer (managers): the survivor takes all the other had."""

from __future__ import annotations

from typing import cast
from uuid import UUID

from fastapi import APIRouter, Request
from pydantic import BaseModel

from adapters.http.dependencies import Manager, Operations, attribution
from adapters.http.problems import ProblemError, problem_responses
from adapters.http.schemas.requests import RequestBody
from domain.merges import MergeAccounts, MergeHoldsLive, MergeLinksReferral
from ports.merges import MergeOperations

router = APIRouter(prefix="/v1/accounts", tags=["accounts"])


class MergeIn(RequestBody):
    from_account_id: UUID
    """The account merged away: closed once its balance, lots and identifiers moved."""


class MergeOut(BaseModel):
    account_id: UUID
    """The survivor."""
    merged_account_id: UUID
    points_moved: int
    """The merged account's balance (negative: a debt moved)."""
    stamps_moved: int
    balance: int
    """The survivor's balance after the merge."""
    merge_in_entry_id: UUID
    merge_out_entry_id: UUID


@router.post("/{account_id}/merge", responses=problem_responses(401, 403, 404, 409, 422))
async def merge(
    account_id: UUID, body: MergeIn, principal: Manager, operations: Operations, request: Request
) -> MergeOut:
    """Merge `from_account_id` into this account in one transaction: a `merge_out` entry takes
    its whole balance and stamps, a `merge_in` entry brings them here with lots that keep
    their expiry and pending dates, its identifiers move here, it is closed, and later events
    for its customer id land on this account. 409 `account_closed`: either is closed (a
    second merge of the pair); 409 `merge_holds_live`: a hold on either is still live;
    409 `merge_refused_referral`: one referred the other, or both were referred and the merged
    one's, and a return could still take the bonuses back (merge after the return window);
    422 `merge_refused`: the same account;
    404: either is not an account of this business."""
    command = MergeAccounts(
        principal.business_id, account_id, body.from_account_id, attribution(principal, request)
    )
    try:  # LoyaltyService carries the merge (service.use_cases.operations)
        result = await cast(MergeOperations, operations).merge(command)
    except MergeHoldsLive as error:
        raise ProblemError(409, error.code, error.detail, title="Hold still live") from error
    except MergeLinksReferral as error:
        raise ProblemError(409, error.code, error.detail, title="Referral not final") from error
    [into] = [e for e in result.posting.entries if e.account_id == account_id]
    out = next(e for e in result.posting.entries if e.account_id != account_id)
    return MergeOut(
        account_id=account_id,
        merged_account_id=body.from_account_id,
        points_moved=result.moved_points,
        stamps_moved=result.moved_stamps,
        balance=result.survivor.balance,
        merge_in_entry_id=into.entry_id,
        merge_out_entry_id=out.entry_id,
    )
