"""PostgresUnitOfWork: one connection, one transaction, repositories sharing it.

A conflict with another transaction over the same rows (a lock, a serialization failure, a
key taken meanwhile) leaves it as ``ConcurrentUpdate``, the domain's word for "try again"."""

from __future__ import annotations

from types import TracebackType

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from asyncpg.transaction import Transaction

from adapters.postgres.accounts import PostgresAccounts
from adapters.postgres.audit import PostgresLedgerAudit
from adapters.postgres.customer_updates import PostgresCustomerProfiles
from adapters.postgres.errors import is_conflict_error
from adapters.postgres.event_batches import PostgresEventBatches
from adapters.postgres.identifiers import PostgresIdentifiers
from adapters.postgres.ledger import PostgresLedger
from adapters.postgres.level_rows import PostgresLevels
from adapters.postgres.live_holds import PostgresLiveHolds
from adapters.postgres.lots import PostgresPointLots
from adapters.postgres.merges import PostgresMerges
from adapters.postgres.outbox import PostgresOutbox
from adapters.postgres.programmes import PostgresProgrammes
from adapters.postgres.redeem_limits import PostgresRedeemLimits
from adapters.postgres.redemption_start import PostgresRedemptionStart
from adapters.postgres.redemptions import PostgresRedemptions
from adapters.postgres.referrals import PostgresReferrals
from adapters.postgres.rewards import PostgresRewards
from domain.errors import ConcurrentUpdate
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


class PostgresUnitOfWork:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self._connection: PoolConnectionProxy | None = None
        self._transaction: Transaction | None = None
        self._committed = False

    async def __aenter__(self) -> PostgresUnitOfWork:
        self._connection = await self._pool.acquire()
        try:
            self._transaction = self._connection.transaction()
            await self._transaction.start()
        except BaseException:
            await self._pool.release(self._connection)
            raise
        conn = self._connection
        self.event_batches: EventBatchRepository = PostgresEventBatches(conn)
        self.accounts: AccountRepository = PostgresAccounts(conn)
        self.ledger: LedgerRepository = PostgresLedger(conn)
        self.lots: PointLotRepository = PostgresPointLots(conn)
        self.programmes: ProgrammeRepository = PostgresProgrammes(conn)
        self.outbox: OutboxRepository = PostgresOutbox(conn)
        self.redemptions: RedemptionRepository = PostgresRedemptions(conn)
        self.redemption_start: RedemptionStartRepository = PostgresRedemptionStart(conn)
        self.audit: LedgerAuditRepository = PostgresLedgerAudit(conn)
        self.rewards: RewardRepository = PostgresRewards(conn)
        self.live_holds: LiveHoldRepository = PostgresLiveHolds(conn)
        self.levels: LevelRepository = PostgresLevels(conn)
        self.referrals: ReferralRepository = PostgresReferrals(conn)
        self.redeem_limits: RedeemLimitUsage = PostgresRedeemLimits(conn)
        self.identifiers: IdentifierRepository = PostgresIdentifiers(conn)
        self.customer_profiles: CustomerProfileRepository = PostgresCustomerProfiles(conn)
        self.merges: AccountMergeRepository = PostgresMerges(conn)
        return self

    async def commit(self) -> None:
        assert self._transaction is not None, "commit() outside 'async with'"
        await self._transaction.commit()
        self._committed = True

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._connection is not None and self._transaction is not None
        try:
            if not self._committed:
                await self._transaction.rollback()
        finally:
            await self._pool.release(self._connection)
        if exc is not None and is_conflict_error(exc):
            raise ConcurrentUpdate(
                "Another change to this account is in progress; try again."
            ) from exc


class PostgresUnitOfWorkFactory:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    def __call__(self) -> PostgresUnitOfWork:
        return PostgresUnitOfWork(self._pool)
