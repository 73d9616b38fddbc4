"""The operations the HTTP API drives: one port, implemented by the service layer."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from domain.closure import CloseAccount
from domain.commands import (
    AdjustPoints,
    CancelRedemption,
    CaptureRedemption,
    ChangeAccountStatus,
    EnrolCustomer,
    ListTransactions,
    PreviewRedemption,
    Redeem,
    SetProgramme,
)
from domain.ledger import LedgerEntry
from domain.programme import Programme
from domain.redemption import Redemption, RedemptionQuote
from domain.reward_commands import RedeemReward, SetReward
from domain.rewards import Reward, RewardQuote
from domain.views import AccountView, RedemptionResult, TransactionPage


class LoyaltyOperations(Protocol):
    """Every call is scoped to one business; another business's data raises NotFound.

    Errors are domain.errors exceptions: NotFound, AlreadyEnrolled, InlineEnrolmentDisabled,
    RedemptionBlocked, RedemptionExpired, RedemptionNotHeld, IdempotencyKeyReused,
    ConcurrentUpdate, InvalidRequest, AccountClosed (domain.closure).
    """

    async def programme(self, business_id: str) -> Programme: ...

    async def set_programme(self, command: SetProgramme) -> Programme: ...

    async def enrol(self, command: EnrolCustomer) -> AccountView: ...

    async def account(self, business_id: str, account_id: UUID) -> AccountView: ...

    async def account_by_customer(self, business_id: str, customer_id: str) -> AccountView: ...

    async def account_by_referral_code(self, business_id: str, code: str) -> AccountView: ...

    async def preview(self, command: PreviewRedemption) -> RedemptionQuote: ...

    async def redeem(self, command: Redeem) -> RedemptionResult: ...

    async def redemption(self, business_id: str, redemption_id: UUID) -> Redemption: ...

    async def capture(self, command: CaptureRedemption) -> Redemption: ...

    async def cancel(self, command: CancelRedemption) -> Redemption: ...

    async def transactions(self, command: ListTransactions) -> TransactionPage: ...

    async def adjust(self, command: AdjustPoints) -> LedgerEntry: ...

    async def change_status(self, command: ChangeAccountStatus) -> AccountView: ...

    async def close(self, command: CloseAccount) -> AccountView: ...


class RewardOperations(Protocol):
    """The reward catalogue (managers set and retire, all staff read) and redeeming a reward
    at the till; ``reward_id`` None: the reward the stamp card in force unlocks. Capture and
    cancel are ``LoyaltyOperations``' own. Errors as there, and RewardNotFound."""

    async def set_reward(self, command: SetReward) -> Reward: ...

    async def reward(self, business_id: str, reward_id: str) -> Reward: ...

    async def rewards(self, business_id: str) -> list[Reward]: ...

    async def retire_reward(self, business_id: str, reward_id: str) -> Reward: ...

    async def preview_reward(
        self, business_id: str, account_id: UUID, reward_id: str | None
    ) -> RewardQuote: ...

    async def redeem_reward(self, command: RedeemReward) -> RedemptionResult: ...


class HealthCheck(Protocol):
    """Whether each dependency answers now: {"database": True, "broker": False, ...}."""

    async def __call__(self) -> dict[str, bool]: ...
