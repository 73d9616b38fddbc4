"""The in-memory unit of work: a transaction over a ``FakeStore`` with one fake per port."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, fields
from types import TracebackType

from domain.batch import BatchKeys
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
from tests.fakes.accounts import FakeAccounts
from tests.fakes.audit import FakeLedgerAudit
from tests.fakes.customer_profiles import FakeCustomerProfiles
from tests.fakes.event_batches import FakeEventBatches
from tests.fakes.identifiers import FakeIdentifiers
from tests.fakes.ledger import FakeLedger
from tests.fakes.levels import FakeLevels
from tests.fakes.live_holds import FakeLiveHolds
from tests.fakes.lots import FakePointLots
from tests.fakes.merges import FakeMerges
from tests.fakes.outbox import FakeOutbox
from tests.fakes.programmes import FakeProgrammes
from tests.fakes.redeem_limits import FakeRedeemLimits
from tests.fakes.redemption_start import FakeRedemptionStart
from tests.fakes.redemptions import FakeRedemptions
from tests.fakes.referrals import FakeReferrals
from tests.fakes.rewards import FakeRewards
from tests.fakes.store import FakeStore, Write


class FakeUnitOfWork:
    """A transaction over a ``FakeStore``: reads see its own writes; ``commit`` publishes them."""

    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self._journal: list[Write] = []
        self.view = FakeStore()  # the snapshot is taken when the transaction begins
        self.committed = False
        self.loaded: list[BatchKeys] = []  # what each event batch loaded under lock
        self.event_batches: EventBatchRepository = FakeEventBatches(self)
        self.accounts: AccountRepository = FakeAccounts(self)
        self.ledger: LedgerRepository = FakeLedger(self)
        self.lots: PointLotRepository = FakePointLots(self)
        self.programmes: ProgrammeRepository = FakeProgrammes(self)
        self.outbox: OutboxRepository = FakeOutbox(self)
        self.redemptions: RedemptionRepository = FakeRedemptions(self)
        self.redemption_start: RedemptionStartRepository = FakeRedemptionStart(self)
        self.audit: LedgerAuditRepository = FakeLedgerAudit(self)
        self.rewards: RewardRepository = FakeRewards(self)
        self.live_holds: LiveHoldRepository = FakeLiveHolds(self)
        self.referrals: ReferralRepository = FakeReferrals(self)
        self.levels: LevelRepository = FakeLevels(self)
        self.redeem_limits: RedeemLimitUsage = FakeRedeemLimits(self)
        self.identifiers: IdentifierRepository = FakeIdentifiers(self)
        self.customer_profiles: CustomerProfileRepository = FakeCustomerProfiles(self)
        self.merges: AccountMergeRepository = FakeMerges(self)

    def stage(self, write: Write) -> None:
        write(self.view)
        self._journal.append(write)

    async def __aenter__(self) -> FakeUnitOfWork:
        self.view = copy.deepcopy(self._store)
        self._journal = []
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._journal = []

    async def commit(self) -> None:
        # All or nothing: a write refused on commit (a unique key) leaves the store as it was.
        staged = copy.deepcopy(self._store)
        for write in self._journal:
            write(staged)
        for name in (f.name for f in fields(FakeStore)):
            setattr(self._store, name, getattr(staged, name))
        self._journal = []
        self.committed = True


@dataclass
class FakeUnitOfWorkFactory:
    store: FakeStore = field(default_factory=FakeStore)
    made: list[FakeUnitOfWork] = field(default_factory=list)

    def __call__(self) -> FakeUnitOfWork:
        uow = FakeUnitOfWork(self.store)
        self.made.append(uow)
        return uow
