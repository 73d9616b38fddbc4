"""Use cases of the reward catalogue: set (create or update), read, list and retire."""

from __future__ import annotations

from dataclasses import replace

from domain.reward_commands import SetReward
from domain.rewards import Reward, RewardNotFound, check_reward
from ports.clock import Clock
from ports.unit_of_work import UnitOfWorkFactory


class RewardCatalogue:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    async def set(self, command: SetReward) -> Reward:
        """Create or update a reward (under its lock, so stock set here and stock taken by a
        till do not overwrite each other). A retired reward stays retired unless ``active``
        says otherwise."""
        async with self._uow_factory() as uow:
            current = await uow.rewards.lock(command.business_id, command.reward_id)
            active = command.active
            if active is None:
                active = current.active if current is not None else True
            reward = check_reward(
                Reward(
                    business_id=command.business_id,
                    reward_id=command.reward_id,
                    description=command.description,
                    points_cost=command.points_cost,
                    stamps_cost=command.stamps_cost,
                    active=active,
                    active_from=command.active_from,
                    active_until=command.active_until,
                    stock=command.stock,
                )
            )
            await uow.rewards.save(reward)
            await uow.commit()
        return reward

    async def get(self, business_id: str, reward_id: str) -> Reward:
        async with self._uow_factory() as uow:
            reward = await uow.rewards.get(business_id, reward_id)
        if reward is None:
            raise RewardNotFound("No such reward.")
        return reward

    async def listed(self, business_id: str) -> list[Reward]:
        async with self._uow_factory() as uow:
            return await uow.rewards.listed(business_id)

    async def retire(self, business_id: str, reward_id: str) -> Reward:
        """Retire a reward: no till may redeem it any more; holds on it may still be captured
        or cancelled, and entries keep naming it. Retiring twice changes nothing."""
        async with self._uow_factory() as uow:
            reward = await uow.rewards.lock(business_id, reward_id)
            if reward is None:
                raise RewardNotFound("No such reward.")
            if reward.active:
                reward = replace(reward, active=False)
                await uow.rewards.save(reward)
                await uow.commit()
        return reward
