"""Repositories: typed access to stored state, sharing their unit of work's transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.accounts import Account
from domain.batch import BatchChanges, BatchKeys, BatchState, EventKey
from domain.ledger import LedgerEntry
from domain.lots import AccountKey, Lot
from domain.postings import Posting
from domain.programme import Programme, RuleVersion
from domain.redemption import Redemption
from ports.publishing import LedgerMessage


class EventBatchRepository(Protocol):
    """Loads, under lock, what a batch of events touches, and writes the batch's own records
    (inbox, purchases, refunds, holds, refused captures); its posting goes to the ledger."""

    async def seen(self, events: Collection[EventKey]) -> dict[EventKey, str]:
        """The payload hash of each of ``events`` already applied (no lock taken)."""
        ...

    async def load(self, keys: BatchKeys) -> BatchState: ...

    async def save(self, changes: BatchChanges) -> None: ...


class AccountRepository(Protocol):
    """Accounts by customer or id; ``lock`` takes the row lock for a balance change."""

    async def by_customer(self, business_id: str, customer_id: str) -> Account | None: ...

    async def by_id(self, business_id: str, account_id: UUID) -> Account | None: ...

    async def lock(self, business_id: str, account_id: UUID) -> Account | None: ...

    async def add(self, account: Account) -> None: ...


class LedgerRepository(Protocol):
    """``post`` is the one way a balance changes; the rest read an account's history."""

    async def post(self, posting: Posting) -> None:
        """Write ``posting`` whole: its immutable entries (each with its outbox row), its
        accounts' new balances, and its lot changes. An empty posting writes nothing."""
        ...

    async def recent(self, business_id: str, account_id: UUID, limit: int) -> list[LedgerEntry]: ...

    async def entry(self, business_id: str, entry_id: UUID) -> LedgerEntry | None: ...

    async def page(
        self,
        business_id: str,
        account_id: UUID,
        before_seq: int | None,
        kinds: Collection[str] | None,
        limit: int,
    ) -> list[LedgerEntry]:
        """Newest first, before ``before_seq``, of ``kinds`` only (None: every kind)."""
        ...


class PointLotRepository(Protocol):
    """An account's lots with points left (read under its lock), and what took from which."""

    async def open_lots(self, accounts: Collection[AccountKey]) -> dict[AccountKey, list[Lot]]: ...

    async def taken_by(self, business_id: str, entry_id: UUID) -> list[tuple[Lot, int]]: ...

    async def lock_due(self, now: datetime, after: AccountKey | None, limit: int) -> list[Account]:
        """Up to ``limit`` accounts with points due to expire at ``now`` (in lots expired by
        then, or quiet for longer than their programme's inactivity limit), the first ones
        after ``after`` in key order, locked in that order: the order event batches lock
        accounts in, so the two never deadlock."""
        ...


class ProgrammeRepository(Protocol):
    """A business's programme with all its rule versions."""

    async def get(self, business_id: str) -> Programme | None: ...

    async def save(self, programme: Programme) -> None: ...

    async def add_rule(self, business_id: str, rule: RuleVersion) -> None: ...

    async def latest_event_at(self, business_id: str) -> datetime | None:
        """The latest ``occurred_at`` of the business's events already applied (inbox)."""
        ...


class OutboxRepository(Protocol):
    """Ledger entries committed but not yet published, in shards by account
    (``OUTBOX_SHARDS``), as their outbound messages (keyed by outbox id), and marking them
    sent."""

    async def pending_shards(self) -> list[int]:
        """The shards holding unpublished entries now (another relay may empty one meanwhile)."""
        ...

    async def claim_pending(self, shard: int, limit: int) -> list[tuple[int, LedgerMessage]]:
        """The shard's oldest unpublished entries in order, held by this unit of work alone
        until it ends; none when another unit of work holds the shard."""
        ...

    async def mark_published(self, outbox_ids: Sequence[int]) -> None: ...


class RedemptionRepository(Protocol):
    """Redemptions and their holds; held points count only until the hold expires."""

    async def get(self, business_id: str, redemption_id: UUID) -> Redemption | None: ...

    async def save(self, redemption: Redemption) -> None: ...

    async def held_points(self, business_id: str, account_id: UUID, now: datetime) -> int: ...

    async def expire_overdue(self, business_id: str, account_id: UUID, now: datetime) -> None: ...

    async def given_back_by_returns(self, business_id: str, redemption_id: UUID) -> int:
        """The points of this redemption the returns and cancellation of the sale it paid
        for gave back (0 when it paid for no sale): read under the account's lock."""
        ...


@dataclass(frozen=True)
class KeyClaim:
    """A redemption's start: ``earlier`` is the first request's fingerprint and redemption
    when the POS key was used before (else it is now claimed, for this redemption, and the
    claim is undone with its transaction); ``account`` is locked, or None."""

    earlier: tuple[str, UUID | None] | None
    account: Account | None


@dataclass(frozen=True)
class SpendingState:
    """What an account may spend from: points on live holds, its programme, its open lots."""

    held_points: int
    programme: Programme | None
    open_lots: list[Lot]


class RedemptionStartRepository(Protocol):
    """A redemption's reads in two round trips, as a till waits on them: the key claimed with
    the account locked, then (a fresh read, after the lock) what the account may spend; a
    preview reads only the second."""

    async def claim_and_lock(
        self, business_id: str, key: str, fingerprint: str, redemption_id: UUID, account_id: UUID
    ) -> KeyClaim: ...

    async def spending_state(
        self, business_id: str, account_id: UUID, now: datetime, *, releasing: bool = False
    ) -> SpendingState:
        """With ``releasing`` (a redemption, the account locked) holds overdue at ``now`` are
        marked expired as their points are counted free, so no other clock revives them."""
        ...


class LedgerAuditRepository(Protocol):
    """Finds breaches of the ledger's invariants; each is a sentence naming what is wrong.
    Notices name what an operator should look at though no invariant is broken."""

    async def read_one_snapshot(self) -> None:
        """Every later read of this unit of work sees the same snapshot and nothing may be
        written; to be called before any other read."""
        ...

    async def balance_breaches(self, business_id: str | None) -> list[str]: ...

    async def reversal_breaches(self, business_id: str | None) -> list[str]: ...

    async def inbox_breaches(self, business_id: str | None) -> list[str]: ...

    async def outbox_breaches(
        self, business_id: str | None, max_age_seconds: float
    ) -> list[str]: ...

    async def lot_breaches(self, business_id: str | None) -> list[str]: ...

    async def last_hashes(self, business_id: str | None) -> dict[tuple[str, str], str]: ...

    def entries_in_chain_order(self, business_id: str | None) -> AsyncIterator[LedgerEntry]: ...

    async def purchase_breaches(self, business_id: str | None) -> list[str]:
        """Purchases against their earn and reversal entries, and earns without a purchase."""
        ...

    async def refund_breaches(self, business_id: str | None) -> list[str]:
        """Refunds against their reversal entries, and reversals without a refund."""
        ...

    async def redemption_breaches(self, business_id: str | None) -> list[str]:
        """Redemptions against their capture and cancel entries, and such entries without
        a redemption."""
        ...

    async def lot_take_breaches(self, business_id: str | None) -> list[str]:
        """Negative entries against what they took from lots; takes against their lots."""
        ...

    async def hold_breaches(self, business_id: str | None) -> list[str]:
        """Captures made at or after their hold expired (their points were released)."""
        ...

    async def refused_capture_notices(self, business_id: str | None) -> list[str]:
        """Sales that named a hold they could not capture: discounts no points paid for."""
        ...

    async def over_refund_notices(self, business_id: str | None) -> list[str]:
        """Purchases refunded for more than their total (allowed: reversal stops at all)."""
        ...

    async def parked_refund_notices(
        self, business_id: str | None, max_age_seconds: float
    ) -> list[str]:
        """Refunds parked longer than the bound, still waiting for their purchase."""
        ...
