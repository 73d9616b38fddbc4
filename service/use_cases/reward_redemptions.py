"""Use cases: preview and redeem a catalogue reward at the till (held or at once), or the
reward a full stamp card unlocks. Capture and cancel are the points redemptions' own
(``service.use_cases.redemptions``): a reward's redemption is captured and cancelled as any."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from uuid import UUID, uuid4

from domain.errors import AccountNotFound, RedemptionBlocked
from domain.lots import LotTotals
from domain.programme import Programme
from domain.redemption import BLOCK_DETAILS, BlockReason
from domain.reward_commands import RedeemReward
from domain.rewards import Reward, RewardNotFound, RewardQuote, quote_reward
from domain.till import redeem_reward
from domain.views import RedemptionResult
from ports.clock import Clock
from ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from service.use_cases.redeem_limits import period_use
from service.use_cases.redemptions import answered_before


def stamp_card_reward(programme: Programme | None, now: datetime) -> str:
    """The reward the stamp card in force at ``now`` unlocks; blocked when there is none."""
    rule = programme.rule_at(now) if programme else None
    card = rule.stamp_card if rule else None
    if card is None or card.reward_id is None:
        reason = BlockReason.NO_STAMP_CARD
        raise RedemptionBlocked(reason.value, BLOCK_DETAILS[reason])
    return card.reward_id


class RewardRedemptions:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    async def preview(
        self, business_id: str, account_id: UUID, reward_id: str | None
    ) -> RewardQuote:
        """No side effects: nothing is locked, written or expired. ``reward_id`` None: the
        stamp card's reward."""
        async with self._uow_factory() as uow:
            account = await uow.accounts.by_id(business_id, account_id)
            if account is None:
                raise AccountNotFound("No such loyalty account.")
            now = self._clock.now()
            state = await uow.redemption_start.spending_state(business_id, account_id, now)
            reward_id = reward_id or stamp_card_reward(state.programme, now)
            reward = await self._reward(uow, business_id, reward_id, lock=False)
            if reward.stock is not None:  # what a redemption would release first
                overdue = await uow.rewards.overdue_units(business_id, reward_id, now)
                reward = replace(reward, stock=reward.stock + overdue)
            held_stamps = await uow.rewards.held_stamps(business_id, account_id, now)
            limit = await period_use(uow, state.programme, business_id, account_id, now)
        return quote_reward(
            account,
            state.programme,
            reward,
            now,
            held_points=state.held_points,
            spendable=LotTotals.of(state.open_lots, now).available,
            held_stamps=held_stamps,
            limit=limit,
        )

    async def redeem(self, command: RedeemReward) -> RedemptionResult:
        """Redeem the reward, held or at once, taking one unit of its stock; a retry with
        the same key and request answers the first redemption, with another request 422.
        Locks: the account (with the key), then the reward, the order every path takes."""
        redemption_id = uuid4()
        async with self._uow_factory() as uow:
            claim = await uow.redemption_start.claim_and_lock(
                command.business_id,
                command.idempotency_key,
                command.request_fingerprint,
                redemption_id,
                command.account_id,
            )
            if claim.earlier is not None:
                return await answered_before(
                    uow, command.business_id, command.request_fingerprint, *claim.earlier
                )
            account = claim.account
            if account is None:
                raise AccountNotFound("No such loyalty account.")
            now = self._clock.now()
            state = await uow.redemption_start.spending_state(
                account.business_id, account.account_id, now, releasing=True
            )
            reward_id = command.reward_id or stamp_card_reward(state.programme, now)
            await uow.rewards.release_overdue(command.business_id, reward_id, now)
            reward = await self._reward(uow, command.business_id, reward_id, lock=True)
            held_stamps = await uow.rewards.held_stamps(
                account.business_id, account.account_id, now
            )
            limit = await period_use(
                uow, state.programme, account.business_id, account.account_id, now
            )
            redemption, _, reward_after, posting = redeem_reward(
                account,
                state.programme,
                reward,
                command,
                redemption_id,
                (state.held_points, held_stamps, state.open_lots),
                now,
                limit,
            )
            await uow.ledger.post(posting)
            if reward_after != reward:
                await uow.rewards.save(reward_after)
            await uow.redemptions.save(redemption)
            await uow.commit()
        return RedemptionResult(redemption, None)

    async def _reward(
        self, uow: UnitOfWork, business_id: str, reward_id: str, *, lock: bool
    ) -> Reward:
        read = uow.rewards.lock if lock else uow.rewards.get
        reward = await read(business_id, reward_id)
        if reward is None:
            raise RewardNotFound("No such reward.")
        return reward
