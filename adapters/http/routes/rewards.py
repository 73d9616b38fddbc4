"""The reward catalogue (managers keep it, all staff read it) and redeeming a reward at the
till, by id or as the stamp card's reward. A reward's redemption is then read, captured and
cancelled at /v1/redemptions/{id}, as a points redemption is."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Request, Response, status
from pydantic import BaseModel

from adapters.http.dependencies import Manager, Now, Staff, attribution
from adapters.http.problems import problem_responses
from adapters.http.routes.redemptions import IdempotencyKey
from adapters.http.schemas.rewards import (
    REWARD_ID_PATTERN,
    RewardIn,
    RewardOut,
    RewardQuoteOut,
    RewardRedemptionIn,
    RewardRedemptionOut,
    StampCardRedemptionIn,
    reward_out,
    reward_quote_out,
    reward_redemption_out,
)
from domain.reward_commands import RedeemReward, SetReward
from ports.operations import RewardOperations

router = APIRouter(tags=["rewards"])

RewardPath = Annotated[str, Path(pattern=REWARD_ID_PATTERN)]


async def reward_operations(request: Request) -> RewardOperations:
    found: RewardOperations = request.app.state.operations
    return found


Operations = Annotated[RewardOperations, Depends(reward_operations)]


def request_fingerprint(what: str, account_id: UUID, body: BaseModel) -> str:
    """SHA-256 of what was asked: the kind of redemption, the account and the parsed body,
    so a key reused for a points redemption, another account or another reward is refused."""
    canonical = {"what": what, "account_id": str(account_id), "body": body.model_dump()}
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@router.get("/v1/rewards", responses=problem_responses(401, 403))
async def list_rewards(principal: Staff, operations: Operations) -> list[RewardOut]:
    """Every reward of the business, retired ones too, by reward id."""
    return [reward_out(r) for r in await operations.rewards(principal.business_id)]


@router.get("/v1/rewards/{reward_id}", responses=problem_responses(401, 403, 404, 422))
async def read_reward(reward_id: RewardPath, principal: Staff, operations: Operations) -> RewardOut:
    return reward_out(await operations.reward(principal.business_id, reward_id))


@router.put("/v1/rewards/{reward_id}", responses=problem_responses(401, 403, 409, 422))
async def set_reward(
    reward_id: RewardPath, body: RewardIn, principal: Manager, operations: Operations
) -> RewardOut:
    """Create or update a reward. `stock` is the units left now (absent: unlimited)."""
    reward = await operations.set_reward(
        SetReward(
            business_id=principal.business_id,
            reward_id=reward_id,
            description=body.description,
            points_cost=body.points_cost,
            stamps_cost=body.stamps_cost,
            active_from=body.active_from,
            active_until=body.active_until,
            stock=body.stock,
            active=body.active,
        )
    )
    return reward_out(reward)


@router.post("/v1/rewards/{reward_id}/retire", responses=problem_responses(401, 403, 404, 422))
async def retire_reward(
    reward_id: RewardPath, principal: Manager, operations: Operations
) -> RewardOut:
    """No till may redeem it any more; it is kept, as entries name it."""
    return reward_out(await operations.retire_reward(principal.business_id, reward_id))


@router.post(
    "/v1/accounts/{account_id}/rewards/{reward_id}/preview",
    responses=problem_responses(401, 403, 404, 422),
)
async def preview_reward(
    account_id: UUID, reward_id: RewardPath, principal: Staff, operations: Operations
) -> RewardQuoteOut:
    """What redeeming the reward would take, or why it is blocked. Changes nothing."""
    quote = await operations.preview_reward(principal.business_id, account_id, reward_id)
    return reward_quote_out(quote)


@router.post(
    "/v1/accounts/{account_id}/stamp-card/preview",
    responses=problem_responses(401, 403, 404, 422),
)
async def preview_stamp_card(
    account_id: UUID, principal: Staff, operations: Operations
) -> RewardQuoteOut:
    """Whether the stamp card in force can be redeemed now for the reward it names."""
    quote = await operations.preview_reward(principal.business_id, account_id, None)
    return reward_quote_out(quote)


@router.post(
    "/v1/accounts/{account_id}/reward-redemptions",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def redeem_reward(
    account_id: UUID,
    body: RewardRedemptionIn,
    idempotency_key: IdempotencyKey,
    principal: Staff,
    operations: Operations,
    clock: Now,
    request: Request,
    response: Response,
) -> RewardRedemptionOut:
    """Redeem a reward now, or with `hold` reserve it until captured, cancelled or expired.

    A replayed answer carries `Idempotent-Replayed: true`; the same key with another body is 422.
    """
    fingerprint = request_fingerprint("reward", account_id, body)
    return await _redeem(
        RedeemReward(
            business_id=principal.business_id,
            account_id=account_id,
            reward_id=body.reward_id,
            idempotency_key=idempotency_key,
            request_fingerprint=fingerprint,
            hold=body.hold,
            attribution=attribution(principal, request),
        ),
        operations,
        clock,
        response,
    )


@router.post(
    "/v1/accounts/{account_id}/stamp-card/redeem",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(400, 401, 403, 404, 409, 422),
)
async def redeem_stamp_card(
    account_id: UUID,
    body: StampCardRedemptionIn,
    idempotency_key: IdempotencyKey,
    principal: Staff,
    operations: Operations,
    clock: Now,
    request: Request,
    response: Response,
) -> RewardRedemptionOut:
    """Redeem a full stamp card: the reward the card in force names, as by its id."""
    fingerprint = request_fingerprint("stamp-card", account_id, body)
    return await _redeem(
        RedeemReward(
            business_id=principal.business_id,
            account_id=account_id,
            reward_id=None,
            idempotency_key=idempotency_key,
            request_fingerprint=fingerprint,
            hold=body.hold,
            attribution=attribution(principal, request),
        ),
        operations,
        clock,
        response,
    )


async def _redeem(
    command: RedeemReward, operations: RewardOperations, clock: Now, response: Response
) -> RewardRedemptionOut:
    result = await operations.redeem_reward(command)
    response.headers["Location"] = f"/v1/redemptions/{result.redemption.redemption_id}"
    if result.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return reward_redemption_out(result.redemption, clock.now())
