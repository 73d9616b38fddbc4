"""The reward catalogue: what a business offers for points or stamps, and what a till may
redeem of it now.

A reward is never deleted (ledger entries name it): it is retired. Its cost is in points or
in stamps, never both. ``stock`` None is unlimited; otherwise it is the units left, taken one
by a redemption (held or at once) and given back when that redemption is cancelled or its hold
expires.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from domain.accounts import Account
from domain.errors import InvalidRequest, NotFound
from domain.programme import Programme
from domain.redeem_limits import LimitUse
from domain.redemption import BlockReason, account_block, block_detail, limit_block

REWARD_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_COST = 10**9
MAX_STOCK = 10**9


class RewardNotFound(NotFound):
    code = "reward_not_found"


@dataclass(frozen=True)
class Reward:
    business_id: str
    reward_id: str
    description: str
    points_cost: int | None = None
    stamps_cost: int | None = None
    active: bool = True
    active_from: datetime | None = None
    active_until: datetime | None = None
    """The window [from, until) in which it may be redeemed; None: open on that side."""
    stock: int | None = None

    @property
    def in_stamps(self) -> bool:
        return self.stamps_cost is not None

    def unavailable_at(self, now: datetime) -> BlockReason | None:
        """Why no till may redeem it at ``now``, whoever the customer is."""
        if not self.active:
            return BlockReason.REWARD_RETIRED
        if self.active_from is not None and now < self.active_from:
            return BlockReason.REWARD_NOT_AVAILABLE
        if self.active_until is not None and now >= self.active_until:
            return BlockReason.REWARD_NOT_AVAILABLE
        if self.stock is not None and self.stock <= 0:
            return BlockReason.OUT_OF_STOCK
        return None

    def one_taken(self) -> Reward:
        """The reward after one unit went to a redemption (unlimited stays unlimited)."""
        if self.stock is None:
            return self
        if self.stock <= 0:  # checked by unavailable_at before: never below zero
            raise ValueError("no stock left to take")
        return replace(self, stock=self.stock - 1)


def check_reward(reward: Reward) -> Reward:
    """The catalogue's terms: raises InvalidRequest naming what is wrong."""
    if not REWARD_ID.fullmatch(reward.reward_id):
        raise InvalidRequest(
            "reward_id: use 1 to 64 lower-case letters, digits, '-' or '_', "
            "starting with a letter or digit."
        )
    if not reward.description.strip():
        raise InvalidRequest("description: give the reward a description.")
    if (reward.points_cost is None) == (reward.stamps_cost is None):
        raise InvalidRequest("Give the cost in points_cost or in stamps_cost (one of them).")
    cost = reward.points_cost if reward.points_cost is not None else reward.stamps_cost
    if cost is None or not 0 < cost <= MAX_COST:
        raise InvalidRequest(f"The cost must be between 1 and {MAX_COST}.")
    if reward.stock is not None and not 0 <= reward.stock <= MAX_STOCK:
        raise InvalidRequest(f"stock must be between 0 and {MAX_STOCK}, or absent (unlimited).")
    starts, ends = reward.active_from, reward.active_until
    if starts is not None and ends is not None and starts >= ends:
        raise InvalidRequest("active_from must be before active_until.")
    return reward


@dataclass(frozen=True)
class RewardQuote:
    """What redeeming the reward would take now, or why it is blocked."""

    reward: Reward
    points_to_take: int
    stamps_to_take: int
    balance: int
    stamps: int
    available_points: int
    available_stamps: int
    blocked: BlockReason | None = None
    limit: LimitUse | None = None
    """The redeem limit per period, for a reward paid in points; None: no limit applies."""

    @property
    def limit_left(self) -> int | None:
        return self.limit.left if self.limit else None

    @property
    def detail(self) -> str | None:
        return block_detail(self.blocked, self.limit)


def quote_reward(
    account: Account,
    programme: Programme | None,
    reward: Reward,
    now: datetime,
    *,
    held_points: int = 0,
    spendable: int | None = None,
    held_stamps: int = 0,
    limit: LimitUse | None = None,
) -> RewardQuote:
    """A points reward must pass what any points redemption must (minimum balance, negative
    balance, suspension) and find its cost available: spendable lots less held points. A
    stamp reward needs its cost in stamps not already held, and no redeem ``limit`` (points
    only: stamps never count against it). Either needs the reward active,
    inside its window and in stock."""
    points = reward.points_cost or 0
    stamps = reward.stamps_cost or 0
    available_points = (account.balance if spendable is None else spendable) - held_points
    available_stamps = account.stamps - held_stamps
    blocked = account_block(account, programme, now, points_apply=not reward.in_stamps)
    blocked = blocked or reward.unavailable_at(now)
    if blocked is None and reward.in_stamps and stamps > available_stamps:
        blocked = BlockReason.INSUFFICIENT_STAMPS
    if blocked is None and not reward.in_stamps and points > available_points:
        blocked = BlockReason.INSUFFICIENT_POINTS
    limit = None if reward.in_stamps else limit
    blocked = blocked or limit_block(limit, points)
    return RewardQuote(
        reward=reward,
        points_to_take=points,
        stamps_to_take=stamps,
        balance=account.balance,
        stamps=account.stamps,
        available_points=available_points,
        available_stamps=available_stamps,
        blocked=blocked,
        limit=limit,
    )
