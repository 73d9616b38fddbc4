"""In-memory reward catalogue, and the stock a cancelled or expired redemption gives back
(the fakes' side of the database trigger of migration 0014)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from uuid import UUID

from domain.redemption import Redemption, RedemptionStatus
from domain.rewards import Reward
from tests.fakes.store import FakeRepository, FakeStore

_TAKING = (RedemptionStatus.HELD, RedemptionStatus.CAPTURED)
_RELEASED = (RedemptionStatus.CANCELLED, RedemptionStatus.EXPIRED)


def save_redemption(store: FakeStore, redemption: Redemption) -> None:
    """Store ``redemption``; if it leaves held or captured for cancelled or expired having
    taken a unit of stock, the unit goes back to its reward, as the trigger does."""
    key = (redemption.business_id, redemption.redemption_id)
    before = store.redemptions.get(key)
    store.redemptions[key] = redemption
    if before is None or not before.stock_taken or before.reward_id is None:
        return
    if before.status in _TAKING and redemption.status in _RELEASED:
        reward_key = (before.business_id, before.reward_id)
        reward = store.rewards.get(reward_key)
        if reward is not None and reward.stock is not None:
            store.rewards[reward_key] = replace(reward, stock=reward.stock + 1)


class FakeRewards(FakeRepository):
    async def get(self, business_id: str, reward_id: str) -> Reward | None:
        return self._uow.view.rewards.get((business_id, reward_id))

    async def lock(self, business_id: str, reward_id: str) -> Reward | None:
        return await self.get(business_id, reward_id)

    async def listed(self, business_id: str) -> list[Reward]:
        found = [r for (b, _), r in self._uow.view.rewards.items() if b == business_id]
        return sorted(found, key=lambda r: r.reward_id)

    async def save(self, reward: Reward) -> None:
        def write(store: FakeStore) -> None:
            store.rewards[(reward.business_id, reward.reward_id)] = reward

        self._uow.stage(write)

    async def release_overdue(self, business_id: str, reward_id: str, now: datetime) -> None:
        def write(store: FakeStore) -> None:
            for r in list(store.redemptions.values()):
                if self._overdue(r, business_id, reward_id, now):
                    save_redemption(store, replace(r, status=RedemptionStatus.EXPIRED))

        self._uow.stage(write)

    async def overdue_units(self, business_id: str, reward_id: str, now: datetime) -> int:
        return sum(
            1
            for r in self._uow.view.redemptions.values()
            if self._overdue(r, business_id, reward_id, now) and r.stock_taken
        )

    @staticmethod
    def _overdue(r: Redemption, business_id: str, reward_id: str, now: datetime) -> bool:
        return (
            (r.business_id, r.reward_id) == (business_id, reward_id)
            and r.status is RedemptionStatus.HELD
            and r.expires_at is not None
            and r.expires_at <= now
        )

    async def held_stamps(self, business_id: str, account_id: UUID, now: datetime) -> int:
        return sum(
            r.stamps
            for r in self._uow.view.redemptions.values()
            if (r.business_id, r.account_id) == (business_id, account_id)
            and r.status is RedemptionStatus.HELD
            and r.expires_at is not None
            and r.expires_at > now
        )
