"""Redeeming points: preview, redeem (at once or held), capture, cancel, read."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Header, Request, Response, status

from adapters.http.auth import Role
from adapters.http.dependencies import Now, Operations, Staff, attribution
from adapters.http.presenters import quote_out, redemption_created_out, redemption_out
from adapters.http.problems import problem_responses
from adapters.http.schemas import (
    PreviewIn,
    QuoteOut,
    RedemptionCreatedOut,
    RedemptionIn,
    RedemptionOut,
)
from domain.commands import CancelRedemption, CaptureRedemption, PreviewRedemption, Redeem

router = APIRouter(tags=["redemptions"])

IdempotencyKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Unique per redemption attempt; a retry with the same key and body "
        "answers as the first attempt did.",
    ),
]


def request_fingerprint(account_id: UUID, body: RedemptionIn) -> str:
    """SHA-256 of the canonical JSON of what was asked (the account and the parsed body).

    The account is part of it so a key reused on another account is refused, not replayed.
    """
    canonical = {"account_id": str(account_id), "body": body.model_dump(mode="json")}
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@router.post(
    "/v1/accounts/{account_id}/redemptions/preview",
    responses=problem_responses(401, 403, 404, 422),
)
async def preview(
    account_id: UUID, body: PreviewIn, principal: Staff, operations: Operations
) -> QuoteOut:
    """What a redemption would give and take, or why it is blocked. Changes nothing."""
    quote = await operations.preview(
        PreviewRedemption(
            business_id=principal.business_id,
            account_id=account_id,
            points=body.points,
            sale_amount=body.sale_amount,
        )
    )
    return quote_out(quote)


@router.post(
    "/v1/accounts/{account_id}/redemptions",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def redeem(
    account_id: UUID,
    body: RedemptionIn,
    idempotency_key: IdempotencyKey,
    principal: Staff,
    operations: Operations,
    clock: Now,
    request: Request,
    response: Response,
) -> RedemptionCreatedOut:
    """Take the points now, or with `hold` reserve them until captured, cancelled or expired.

    A replayed answer carries `Idempotent-Replayed: true`; the same key with another body is 422.
    """
    result = await operations.redeem(
        Redeem(
            business_id=principal.business_id,
            account_id=account_id,
            points=body.points,
            idempotency_key=idempotency_key,
            request_fingerprint=request_fingerprint(account_id, body),
            sale_amount=body.sale_amount,
            hold=body.hold,
            attribution=attribution(principal, request),
        )
    )
    response.headers["Location"] = f"/v1/redemptions/{result.redemption.redemption_id}"
    if result.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return redemption_created_out(result, clock.now())


@router.get("/v1/redemptions/{redemption_id}", responses=problem_responses(401, 403, 404, 422))
async def read_redemption(
    redemption_id: UUID, principal: Staff, operations: Operations, clock: Now
) -> RedemptionOut:
    redemption = await operations.redemption(principal.business_id, redemption_id)
    return redemption_out(redemption, clock.now())


@router.post(
    "/v1/redemptions/{redemption_id}/capture",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def capture(
    redemption_id: UUID, principal: Staff, operations: Operations, clock: Now, request: Request
) -> RedemptionOut:
    """Take the held points for good."""
    redemption = await operations.capture(
        CaptureRedemption(
            business_id=principal.business_id,
            redemption_id=redemption_id,
            attribution=attribution(principal, request),
        )
    )
    return redemption_out(redemption, clock.now())


@router.post(
    "/v1/redemptions/{redemption_id}/cancel",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def cancel(
    redemption_id: UUID, principal: Staff, operations: Operations, clock: Now, request: Request
) -> RedemptionOut:
    """Release a hold, or give captured points back (once).

    Giving captured points back takes a manager or admin, or the cashier at the till the
    redemption was made at within 15 minutes of its capture (else 403 `cancel_not_allowed`).
    """
    redemption = await operations.cancel(
        CancelRedemption(
            business_id=principal.business_id,
            redemption_id=redemption_id,
            attribution=attribution(principal, request),
            supervisor=principal.role in (Role.MANAGER, Role.ADMIN),
        )
    )
    return redemption_out(redemption, clock.now())
