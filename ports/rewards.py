"""The reward catalogue's storage, and the stamps live holds reserve."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.rewards import Reward


class RewardRepository(Protocol):
    """A business's rewards (retired ones too: never deleted); ``lock`` takes the row lock a
    redemption takes stock under. A redemption's stock goes back to its reward when the
    redemption is saved cancelled or expired, or marked expired (``redemptions``), once."""

    async def get(self, business_id: str, reward_id: str) -> Reward | None: ...

    async def lock(self, business_id: str, reward_id: str) -> Reward | None: ...

    async def listed(self, business_id: str) -> list[Reward]:
        """Every reward of the business, by reward id."""
        ...

    async def save(self, reward: Reward) -> None: ...

    async def held_stamps(self, business_id: str, account_id: UUID, now: datetime) -> int:
        """The stamps on the account's holds live at ``now``: not spendable twice."""
        ...
