"""In-memory fakes of the ports, for unit tests of the use cases (no IO).

A ``FakeStore`` stands for the database. Each ``FakeUnitOfWork`` works on a copy of it and
journals its writes; ``commit()`` replays the journal onto the shared store, so changes are
visible to other units of work only once committed, and leaving ``async with`` without a
commit discards them.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from types import TracebackType
from uuid import UUID

from domain.accounts import Account
from domain.batch import BatchChanges, BatchKeys, BatchState, EventKey
from domain.events import PurchaseKey, RefundKey
from domain.holds import RefusedCapture
from domain.ledger import LedgerEntry
from domain.lots import Lot, LotTake
from domain.outcomes import InboxRecord, OutcomeStatus
from domain.postings import Posting
from domain.programme import Programme, RuleVersion
from domain.purchases import Purchase, RefundRecord
from domain.redemption import Redemption, RedemptionStatus
from ports.publishing import LedgerMessage
from ports.repositories import (
    AccountRepository,
    EventBatchRepository,
    KeyClaim,
    LedgerAuditRepository,
    LedgerRepository,
    OutboxRepository,
    PointLotRepository,
    ProgrammeRepository,
    RedemptionRepository,
    RedemptionStartRepository,
    SpendingState,
)
from tests.fakes.clock import FakeClock as FakeClock  # the one test clock, re-exported
from tests.unit.fake_audit import FakeLedgerAudit
from tests.unit.fake_lots import FakePointLots

AccountKey = tuple[str, UUID]


@dataclass
class FakeStore:
    """What the database holds. Values are frozen dataclasses; only the dicts change."""

    inbox: dict[EventKey, InboxRecord] = field(default_factory=dict)
    programmes: dict[str, Programme] = field(default_factory=dict)
    accounts: dict[AccountKey, Account] = field(default_factory=dict)
    purchases: dict[PurchaseKey, Purchase] = field(default_factory=dict)
    refunds: dict[RefundKey, RefundRecord] = field(default_factory=dict)
    entries: list[LedgerEntry] = field(default_factory=list)
    outbox: dict[int, LedgerEntry] = field(default_factory=dict)
    published: set[int] = field(default_factory=set)
    redemptions: dict[tuple[str, UUID], Redemption] = field(default_factory=dict)
    idempotency_keys: dict[tuple[str, str], tuple[str, UUID | None]] = field(default_factory=dict)
    lots: dict[tuple[str, UUID], Lot] = field(default_factory=dict)
    lot_takes: list[LotTake] = field(default_factory=list)
    capture_refusals: dict[EventKey, RefusedCapture] = field(default_factory=dict)

    def pending(self) -> list[LedgerEntry]:
        return [entry for i, entry in sorted(self.outbox.items()) if i not in self.published]


Write = Callable[[FakeStore], None]


def _add_entries(entries: Sequence[LedgerEntry]) -> Write:
    def write(store: FakeStore) -> None:
        # The entry id is the ledger's primary key: appending one twice is a bug.
        assert not {e.entry_id for e in entries} & {e.entry_id for e in store.entries}
        for entry in entries:
            store.entries.append(entry)
            store.outbox[max(store.outbox, default=0) + 1] = entry

    return write


class _Repository:
    """Reads go to the unit of work's view; writes are staged on it."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow


class FakeEventBatches(_Repository):
    async def seen(self, events: Collection[EventKey]) -> dict[EventKey, str]:
        inbox = self._uow.view.inbox
        return {k: inbox[k].payload_hash for k in events if k in inbox}

    async def load(self, keys: BatchKeys) -> BatchState:
        self._uow.loaded.append(keys)
        view = self._uow.view
        purchases = {k: view.purchases[k] for k in keys.purchases if k in view.purchases}
        redemptions = {k: view.redemptions[k] for k in keys.redemptions if k in view.redemptions}
        owners = {(p.business_id, p.account_id) for p in purchases.values() if p.account_id}
        owners |= {(r.business_id, r.account_id) for r in redemptions.values()}
        return BatchState(
            seen_events={k: view.inbox[k].payload_hash for k in keys.events if k in view.inbox},
            programmes={b: view.programmes[b] for b in keys.businesses if b in view.programmes},
            accounts={
                k: a
                for k, a in view.accounts.items()
                if (a.business_id, a.customer_id) in keys.customers or k in owners
            },
            purchases=purchases,
            redemptions=redemptions,
            refunds={
                k: r
                for k, r in view.refunds.items()
                if k in keys.refunds
                or (
                    r.outcome.status is OutcomeStatus.PARKED
                    and r.event.purchase_key in keys.purchases
                )
            },
        )

    async def save(self, changes: BatchChanges) -> None:
        def write(store: FakeStore) -> None:
            for record in changes.inbox:
                key = (record.business_id, record.event_id)
                assert key not in store.inbox, f"event {key} recorded twice"
                store.inbox[key] = record
            for key, outcome in changes.resolved_inbox.items():
                store.inbox[key] = replace(store.inbox[key], outcome=outcome)
            store.purchases.update(changes.purchases)
            store.refunds.update(changes.refunds)
            store.redemptions.update(changes.redemptions)
            for refusal in changes.refused_captures:
                store.capture_refusals.setdefault((refusal.business_id, refusal.event_id), refusal)

        self._uow.stage(write)


class FakeAccounts(_Repository):
    async def by_customer(self, business_id: str, customer_id: str) -> Account | None:
        wanted = (business_id, customer_id)
        found = self._uow.view.accounts.values()
        return next((a for a in found if (a.business_id, a.customer_id) == wanted), None)

    async def by_id(self, business_id: str, account_id: UUID) -> Account | None:
        return self._uow.view.accounts.get((business_id, account_id))

    async def lock(self, business_id: str, account_id: UUID) -> Account | None:
        return self._uow.view.accounts.get((business_id, account_id))

    async def add(self, account: Account) -> None:
        def write(store: FakeStore) -> None:
            taken = {(a.business_id, a.customer_id) for a in store.accounts.values()}
            assert (account.business_id, account.customer_id) not in taken, "unique customer"
            store.accounts[(account.business_id, account.account_id)] = account

        self._uow.stage(write)


class FakeLedger(_Repository):
    async def post(self, posting: Posting) -> None:
        if posting.empty:
            return
        lots = posting.lots

        def write(store: FakeStore) -> None:
            _add_entries(posting.entries)(store)
            for a in posting.accounts:
                if (a.business_id, a.account_id) in store.accounts:  # an UPDATE, as in SQL
                    store.accounts[(a.business_id, a.account_id)] = a
            for lot in lots.lots.values():
                store.lots[(lot.business_id, lot.lot_id)] = lot
            keys = {(t.business_id, t.entry_id, t.lot_id) for t in lots.takes}
            assert len(keys) == len(lots.takes), "one take per entry and lot"
            store.lot_takes.extend(lots.takes)

        self._uow.stage(write)

    async def recent(self, business_id: str, account_id: UUID, limit: int) -> list[LedgerEntry]:
        return await self.page(business_id, account_id, None, None, limit)

    async def entry(self, business_id: str, entry_id: UUID) -> LedgerEntry | None:
        wanted = (business_id, entry_id)
        return next(
            (e for e in self._uow.view.entries if (e.business_id, e.entry_id) == wanted), None
        )

    async def page(
        self,
        business_id: str,
        account_id: UUID,
        before_seq: int | None,
        kind: str | None,
        limit: int,
    ) -> list[LedgerEntry]:
        mine = [
            e
            for e in self._uow.view.entries
            if (e.business_id, e.account_id) == (business_id, account_id)
            and (before_seq is None or e.seq < before_seq)
            and (kind is None or e.kind.value == kind)
        ]
        return sorted(mine, key=lambda e: e.seq, reverse=True)[:limit]


class FakeProgrammes(_Repository):
    async def get(self, business_id: str) -> Programme | None:
        return self._uow.view.programmes.get(business_id)

    async def save(self, programme: Programme) -> None:
        def write(store: FakeStore) -> None:
            # Like the upsert: settings change, stored rule versions stay as they are.
            stored = store.programmes.get(programme.business_id)
            rules = stored.rules if stored is not None else ()
            store.programmes[programme.business_id] = replace(programme, rules=rules)

        self._uow.stage(write)

    async def add_rule(self, business_id: str, rule: RuleVersion) -> None:
        def write(store: FakeStore) -> None:
            stored = store.programmes[business_id]
            assert rule.version not in {r.version for r in stored.rules}, "unique version"
            store.programmes[business_id] = replace(stored, rules=(*stored.rules, rule))

        self._uow.stage(write)

    async def latest_event_at(self, business_id: str) -> datetime | None:
        moments = [r.occurred_at for k, r in self._uow.view.inbox.items() if k[0] == business_id]
        return max(moments, default=None)


def encoded(entry: LedgerEntry) -> LedgerMessage:
    """An entry as the outbox hands it to the relay (the body: its id, for these tests)."""
    return LedgerMessage(
        entry.entry_id,
        str(entry.account_id),
        entry.kind.value,
        entry.recorded_at,
        str(entry.entry_id).encode(),
    )


class FakeOutbox(_Repository):
    async def claim_pending(self, limit: int) -> list[tuple[int, LedgerMessage]]:
        view = self._uow.view
        pending = sorted(i for i in view.outbox if i not in view.published)[:limit]
        return [(i, encoded(view.outbox[i])) for i in pending]

    async def mark_published(self, outbox_ids: Sequence[int]) -> None:
        ids = set(outbox_ids)
        self._uow.stage(lambda store: store.published.update(ids & store.outbox.keys()))


class FakeRedemptions(_Repository):
    async def get(self, business_id: str, redemption_id: UUID) -> Redemption | None:
        return self._uow.view.redemptions.get((business_id, redemption_id))

    async def save(self, redemption: Redemption) -> None:
        def write(store: FakeStore) -> None:
            store.redemptions[(redemption.business_id, redemption.redemption_id)] = redemption

        self._uow.stage(write)

    async def held_points(self, business_id: str, account_id: UUID, now: datetime) -> int:
        # As in SQL, a hold with no expiry (NULL) is not counted.
        return sum(
            r.points
            for r in self._uow.view.redemptions.values()
            if (r.business_id, r.account_id) == (business_id, account_id)
            and r.status is RedemptionStatus.HELD
            and r.expires_at is not None
            and r.expires_at > now
        )

    async def expire_overdue(self, business_id: str, account_id: UUID, now: datetime) -> None:
        def write(store: FakeStore) -> None:
            for key, r in list(store.redemptions.items()):
                overdue = r.expires_at is not None and r.expires_at <= now
                mine = (r.business_id, r.account_id) == (business_id, account_id)
                if mine and overdue and r.status is RedemptionStatus.HELD:
                    store.redemptions[key] = replace(r, status=RedemptionStatus.EXPIRED)

        self._uow.stage(write)


class FakeRedemptionStart(_Repository):
    async def claim_and_lock(
        self, business_id: str, key: str, fingerprint: str, redemption_id: UUID, account_id: UUID
    ) -> KeyClaim:
        account = await self._uow.accounts.lock(business_id, account_id)
        claimed = self._uow.view.idempotency_keys.get((business_id, key))
        if claimed is not None:
            return KeyClaim(claimed, account)

        def write(store: FakeStore) -> None:
            store.idempotency_keys.setdefault((business_id, key), (fingerprint, redemption_id))

        self._uow.stage(write)
        return KeyClaim(None, account)

    async def spending_state(
        self, business_id: str, account_id: UUID, now: datetime, *, releasing: bool = False
    ) -> SpendingState:
        key = (business_id, account_id)
        if releasing:
            await self._uow.redemptions.expire_overdue(business_id, account_id, now)
        return SpendingState(
            await self._uow.redemptions.held_points(business_id, account_id, now),
            await self._uow.programmes.get(business_id),
            (await self._uow.lots.open_lots([key]))[key],
        )


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


@dataclass
class FakeLedgerPublisher:
    """Records what it publishes; fails the next ``failures`` calls with ``ConnectionError``.

    With ``lose_acks`` the failing calls deliver first, as when the broker's acknowledgement
    is lost, so the relay's retry publishes duplicates.
    """

    failures: int = 0
    lose_acks: bool = False
    published: list[LedgerMessage] = field(default_factory=list)

    async def publish(self, entries: Sequence[LedgerMessage]) -> None:
        if self.failures and not self.lose_acks:
            self.failures -= 1
            raise ConnectionError("broker unreachable")
        self.published.extend(entries)
        if self.failures:
            self.failures -= 1
            raise ConnectionError("acknowledgement lost")


@dataclass
class FakeMetrics:
    """Records each call as (name, arguments)."""

    calls: list[tuple[str, tuple[object, ...]]] = field(default_factory=list)

    def events(self, topic: str, outcome: str, count: int = 1) -> None:
        self.calls.append(("events", (topic, outcome, count)))

    def batch(self, size: int, seconds: float) -> None:
        self.calls.append(("batch", (size, seconds)))

    def retry(self, stage: str) -> None:
        self.calls.append(("retry", (stage,)))

    def consumer_lag(self, topic: str, partition: int, lag: int) -> None:
        self.calls.append(("consumer_lag", (topic, partition, lag)))

    def outbox(self, published: int, oldest_pending_seconds: float) -> None:
        self.calls.append(("outbox", (published, oldest_pending_seconds)))

    def capture_refused(self, reason: str, via: str) -> None:
        self.calls.append(("capture_refused", (reason, via)))

    def systemic_failure(self, stage: str, error: str) -> None:
        self.calls.append(("systemic_failure", (stage, error)))

    def task_failure(self, task: str) -> None:
        self.calls.append(("task_failure", (task,)))
