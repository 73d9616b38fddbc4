"""An account's ledger: the history of entries, and manual adjustments."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request, status

from adapters.http.cursor import decode_cursor
from adapters.http.dependencies import Manager, Operations, Staff, attribution
from adapters.http.presenters import entry_out, page_out
from adapters.http.problems import problem_responses
from adapters.http.schemas import AdjustmentIn, EntryOut, TransactionPageOut
from domain.commands import AdjustPoints, ListTransactions
from domain.ledger import Bucket, EntryKind

router = APIRouter(prefix="/v1/accounts/{account_id}", tags=["history"])

# Required, not derived from the body: two identical goodwill adjustments on one day are both
# meant, and only the client knows whether a request is a retry of one it sent before.
AdjustmentKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Unique per adjustment; a retry with the same key and body answers the "
        "entry the first attempt made and changes nothing.",
    ),
]


@router.get("/transactions", responses=problem_responses(400, 401, 403, 404, 422))
async def transactions(
    account_id: UUID,
    principal: Staff,
    operations: Operations,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=64, description="From `next_cursor`.")] = None,
    kind: Annotated[
        list[EntryKind] | None, Query(description="Only these kinds (repeat for more).")
    ] = None,
    bucket: Annotated[
        list[Bucket] | None,
        Query(description="Only kinds of these buckets (repeat for more); with `kind`, both."),
    ] = None,
) -> TransactionPageOut:
    """Entries newest first, a page at a time."""
    page = await operations.transactions(
        ListTransactions(
            business_id=principal.business_id,
            account_id=account_id,
            limit=limit,
            before_seq=decode_cursor(cursor) if cursor is not None else None,
            kinds=tuple(kind or ()),
            buckets=tuple(bucket or ()),
        )
    )
    return page_out(page)


@router.post(
    "/adjustments",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def adjust(
    account_id: UUID,
    body: AdjustmentIn,
    idempotency_key: AdjustmentKey,
    principal: Manager,
    operations: Operations,
    request: Request,
) -> EntryOut:
    """Add or take points, or stamps, by hand, with a reason; answers the ledger entry it
    made. Stamps are never taken below zero.

    The same Idempotency-Key with another account, amount or reason is 422.
    """
    entry = await operations.adjust(
        AdjustPoints(
            business_id=principal.business_id,
            account_id=account_id,
            points=body.points,
            stamps=body.stamps,
            reason=body.reason,
            attribution=attribution(principal, request),
            idempotency_key=idempotency_key,
        )
    )
    return entry_out(entry)
