"""Bodies of the reward catalogue and of redeeming a reward at the till."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, Field, StrictBool, StringConstraints

from adapters.http.schemas.requests import Count, Moment, Points, RequestBody, Text
from domain.redemption import Redemption, RedemptionStatus
from domain.rewards import Reward, RewardQuote

REWARD_ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,63}$"
RewardId = Annotated[str, StringConstraints(pattern=REWARD_ID_PATTERN)]


class RewardIn(RequestBody):
    """A reward as the manager sets it: its cost in `points_cost` or in `stamps_cost`."""

    description: Text
    points_cost: Points | None = None
    stamps_cost: Points | None = None
    active_from: Moment | None = None
    active_until: Moment | None = None
    stock: Count | None = Field(default=None, description="Units left; absent: unlimited.")
    active: StrictBool | None = Field(
        default=None, description="False retires it, true brings it back; absent: as is."
    )


class RewardRedemptionIn(RequestBody):
    reward_id: RewardId
    hold: StrictBool = Field(default=False, description="Reserve it until captured.")


class StampCardRedemptionIn(RequestBody):
    hold: StrictBool = Field(default=False, description="Reserve it until captured.")


class RewardOut(BaseModel):
    reward_id: str
    description: str
    points_cost: int | None
    stamps_cost: int | None
    active: bool
    active_from: datetime | None
    active_until: datetime | None
    stock: int | None = Field(description="Units left; null: unlimited.")


class RewardQuoteOut(BaseModel):
    reward_id: str
    description: str
    points_to_take: int
    stamps_to_take: int
    balance: int
    stamps: int
    available_points: int
    available_stamps: int
    blocked: str | None = Field(description="Why it cannot go ahead, e.g. out_of_stock.")
    blocked_detail: str | None
    limit_left: int | None = Field(
        default=None,
        description="Points still redeemable this period (a reward for points); null: no limit.",
    )


class RewardRedemptionOut(BaseModel):
    redemption_id: UUID
    account_id: UUID
    reward_id: str | None
    reward_description: str | None
    points: int
    stamps: int
    status: RedemptionStatus
    created_at: datetime
    expires_at: datetime | None
    captured_at: datetime | None
    cancelled_at: datetime | None


def reward_out(reward: Reward) -> RewardOut:
    return RewardOut(
        reward_id=reward.reward_id,
        description=reward.description,
        points_cost=reward.points_cost,
        stamps_cost=reward.stamps_cost,
        active=reward.active,
        active_from=reward.active_from,
        active_until=reward.active_until,
        stock=reward.stock,
    )


def reward_quote_out(quote: RewardQuote) -> RewardQuoteOut:
    return RewardQuoteOut(
        reward_id=quote.reward.reward_id,
        description=quote.reward.description,
        points_to_take=quote.points_to_take,
        stamps_to_take=quote.stamps_to_take,
        balance=quote.balance,
        stamps=quote.stamps,
        available_points=quote.available_points,
        available_stamps=quote.available_stamps,
        blocked=quote.blocked.value if quote.blocked else None,
        blocked_detail=quote.detail,
        limit_left=quote.limit_left,
    )


def reward_redemption_out(redemption: Redemption, now: datetime) -> RewardRedemptionOut:
    return RewardRedemptionOut(
        redemption_id=redemption.redemption_id,
        account_id=redemption.account_id,
        reward_id=redemption.reward_id,
        reward_description=redemption.reward_description,
        points=redemption.points,
        stamps=redemption.stamps,
        status=redemption.status_at(now),
        created_at=redemption.created_at,
        expires_at=redemption.expires_at,
        captured_at=redemption.captured_at,
        cancelled_at=redemption.cancelled_at,
    )
