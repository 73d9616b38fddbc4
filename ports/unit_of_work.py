from __future__ import annotations

from types import TracebackType
from typing import Protocol

from ports.closures import LiveHoldRepository
from ports.customer_profiles import CustomerProfileRepository
from ports.identifiers import IdentifierRepository
from ports.levels import LevelRepository
from ports.merges import AccountMergeRepository
from ports.redeem_limits import RedeemLimitUsage
from ports.referrals import ReferralRepository
from ports.repositories import (
    AccountRepository,
    EventBatchRepository,
    LedgerAuditRepository,
    LedgerRepository,
    OutboxRepository,
    PointLotRepository,
    ProgrammeRepository,
    RedemptionRepository,
    RedemptionStartRepository,
)
from ports.rewards import RewardRepository


class UnitOfWork(Protocol):
    """One transaction: ``async with uow:`` rolls back unless ``await uow.commit()`` ran."""

    event_batches: EventBatchRepository
    accounts: AccountRepository
    ledger: LedgerRepository
    lots: PointLotRepository
    programmes: ProgrammeRepository
    outbox: OutboxRepository
    redemptions: RedemptionRepository
    redemption_start: RedemptionStartRepository
    audit: LedgerAuditRepository
    rewards: RewardRepository
    live_holds: LiveHoldRepository
    referrals: ReferralRepository
    levels: LevelRepository
    redeem_limits: RedeemLimitUsage
    identifiers: IdentifierRepository
    customer_profiles: CustomerProfileRepository
    merges: AccountMergeRepository

    async def __aenter__(self) -> UnitOfWork: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...


class UnitOfWorkFactory(Protocol):
    """Makes a fresh unit of work."""

    def __call__(self) -> UnitOfWork: ...
