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

    async def release_overdue(self, business_id: str, reward_id: str, now: datetime) -> None:
        """Mark expired the holds on the reward overdue at ``now`` (their units come back),
        of accounts whose lock is free: each is taken without waiting, so a capture in
        progress under its account's lock is never overtaken, and no lock order is broken."""
        ...

    async def overdue_units(self, business_id: str, reward_id: str, now: datetime) -> int:
        """The units overdue holds on the reward still keep (a redemption would release
        them): what a preview counts as in stock, changing nothing."""
        ...

    async def held_stamps(self, business_id: str, account_id: UUID, now: datetime) -> int:
        """The stamps on the account's holds live at ``now``: not spendable twice."""
        ...
