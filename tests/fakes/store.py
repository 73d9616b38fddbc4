"""What the in-memory database holds, shared by every fake repository.

A ``FakeStore`` stands for the database. Each ``FakeUnitOfWork`` works on a copy of it and
journals its writes; ``commit()`` replays the journal onto the shared store, so changes are
visible to other units of work only once committed, and leaving ``async with`` without a
commit discards them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING
from uuid import UUID

from domain.accounts import Account
from domain.batch import EventKey
from domain.events import PurchaseKey, RefundKey
from domain.holds import RefusedCapture
from domain.identifiers import Identifier
from domain.ledger import LedgerEntry
from domain.lots import Lot, LotTake
from domain.outcomes import InboxRecord
from domain.programme import Programme
from domain.purchases import Purchase, RefundRecord
from domain.redemption import Redemption
from domain.referrals import Referral
from domain.rewards import Reward

if TYPE_CHECKING:
    from tests.fakes.unit_of_work import FakeUnitOfWork

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
    rewards: dict[tuple[str, str], Reward] = field(default_factory=dict)
    referral_codes: dict[tuple[str, str], UUID] = field(default_factory=dict)
    referrals: dict[AccountKey, Referral] = field(default_factory=dict)
    identifiers: dict[tuple[str, Identifier], UUID] = field(default_factory=dict)
    profiles: dict[AccountKey, str] = field(default_factory=dict)
    profile_times: dict[AccountKey, datetime] = field(default_factory=dict)
    forwards: dict[tuple[str, str], UUID] = field(default_factory=dict)

    def pending(self) -> list[LedgerEntry]:
        return [entry for i, entry in sorted(self.outbox.items()) if i not in self.published]


Write = Callable[[FakeStore], None]


class FakeRepository:
    """Reads go to the unit of work's view; writes are staged on it."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow
