"""Point lots: which earned points are still there, when they become spendable and expire.

Every positive entry opens a lot; every negative entry takes from lots. Lots only say *which*
points a balance is made of; the ledger stays the record of *how many*. The invariant, for
every account: the lots' remaining points add up to ``max(balance, 0)``. A negative balance
(after a return of points already spent) is a debt that the next lots pay off first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid5

from domain.ledger import EntryKind, LedgerEntry
from domain.programme import LotPolicy
from domain.spend_lots import slice_given_back

__all__ = ["AccountKey", "Lot", "LotChanges", "LotPolicy", "LotTake", "LotTotals"]

AccountKey = tuple[str, UUID]
"""(business_id, account_id)"""

_LOT_NAMESPACE = UUID("0b7d8f52-7c1e-4f7a-a1f4-5d2c9e3b8a61")
_FAR_FUTURE = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True)
class Lot:
    business_id: str
    account_id: UUID
    lot_id: UUID
    entry_id: UUID
    """The entry that opened the lot (an earn, a bonus, a cancelled redemption...)."""
    earned_at: datetime
    available_at: datetime
    expires_at: datetime | None
    points: int
    remaining: int

    @property
    def account_key(self) -> AccountKey:
        return (self.business_id, self.account_id)

    def spendable_at(self, moment: datetime) -> bool:
        return self.available_at <= moment and not self.expired_at(moment)

    def pending_at(self, moment: datetime) -> bool:
        return moment < self.available_at and not self.expired_at(moment)

    def expired_at(self, moment: datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= moment

    def fefo_key(self) -> tuple[datetime, datetime, str]:
        """First expiring, first out; then the oldest; then a stable tie-break."""
        return (self.expires_at or _FAR_FUTURE, self.available_at, str(self.lot_id))


@dataclass(frozen=True)
class LotTake:
    """``points`` of lot ``lot_id`` taken by entry ``entry_id``."""

    business_id: str
    entry_id: UUID
    lot_id: UUID
    points: int


@dataclass(frozen=True)
class LotTotals:
    available: int = 0
    pending: int = 0
    expired: int = 0
    """Expired but not yet swept: still in the balance, no longer spendable."""

    @classmethod
    def of(cls, lots: Iterable[Lot], moment: datetime) -> LotTotals:
        available = pending = expired = 0
        for lot in lots:
            if lot.expired_at(moment):
                expired += lot.remaining
            elif lot.pending_at(moment):
                pending += lot.remaining
            else:
                available += lot.remaining
        return cls(available, pending, expired)


@dataclass
class LotChanges:
    lots: dict[UUID, Lot] = field(default_factory=dict)
    """New and changed lots, by lot id."""
    takes: list[LotTake] = field(default_factory=list)


def accounts_taking(entries: Iterable[LedgerEntry]) -> set[AccountKey]:
    """The accounts whose open lots must be loaded (under their lock) to allocate ``entries``."""
    return {(e.business_id, e.account_id) for e in entries if e.points < 0}


def allocate_lots(
    open_lots: Mapping[AccountKey, Sequence[Lot]],
    entries: Sequence[LedgerEntry],
    policies: Mapping[str, LotPolicy],
    returned: Mapping[UUID, Sequence[tuple[Lot, int]]] | None = None,
) -> LotChanges:
    """Open and take lots for ``entries``, in order.

    ``open_lots`` holds the lots with points left of every account in ``accounts_taking``.
    ``returned`` maps a redemption entry id to the lots it took (and how many points), so a
    cancelled redemption gives the points back with the expiry they had.
    """
    allocator = _Allocator(open_lots, policies, returned or {})
    for entry in entries:
        if entry.points > 0:
            allocator.open(entry)
        elif entry.points < 0:
            allocator.take(entry)
    return allocator.changes


class _Allocator:
    def __init__(
        self,
        open_lots: Mapping[AccountKey, Sequence[Lot]],
        policies: Mapping[str, LotPolicy],
        returned: Mapping[UUID, Sequence[tuple[Lot, int]]],
    ) -> None:
        # Per account, its lots by id (insertion order kept: loaded first, then opened).
        self.working = {key: {lot.lot_id: lot for lot in lots} for key, lots in open_lots.items()}
        self.policies = policies
        self.returned = returned
        self.changes = LotChanges()
        self.spent_here: dict[UUID, int] = {}

    def open(self, entry: LedgerEntry) -> None:
        debt = max(0, -(entry.balance_after - entry.points))
        for lot in self._new_lots(entry):
            paid = min(debt, lot.points)
            debt -= paid
            self._keep(replace(lot, remaining=lot.points - paid) if paid else lot)

    def _new_lots(self, entry: LedgerEntry) -> list[Lot]:
        given_back = self.returned.get(entry.related_entry_id) if entry.related_entry_id else None
        if entry.kind is EntryKind.SPEND_RETURN:  # its own stretch of the capture's lots
            given_back = self.returned.get(entry.entry_id) or self._spent_here(entry)
        if entry.kind in (EntryKind.REDEMPTION_CANCELLED, EntryKind.SPEND_RETURN) and given_back:
            lots = [
                _lot(
                    entry,
                    lot_id=uuid5(_LOT_NAMESPACE, f"{entry.entry_id}\x1f{taken.lot_id}"),
                    available_at=min(taken.available_at, entry.occurred_at),
                    expires_at=taken.expires_at,
                    points=points,
                )
                for taken, points in given_back
            ]
            if sum(lot.points for lot in lots) == entry.points:
                return lots
        policy = self.policies.get(entry.business_id, LotPolicy()).at(entry.occurred_at)
        pending = policy.pending_days if entry.kind is EntryKind.EARN else 0
        validity = policy.validity_days
        return [
            _lot(
                entry,
                lot_id=entry.entry_id,
                available_at=entry.occurred_at + timedelta(days=pending),
                expires_at=entry.occurred_at + timedelta(days=validity) if validity else None,
                points=entry.points,
            )
        ]

    def _spent_here(self, entry: LedgerEntry) -> list[tuple[Lot, int]]:
        """A spend return of a capture made in this same posting: the lots it just took."""
        related = entry.related_entry_id
        lots = self.working.get((entry.business_id, entry.account_id), {})
        taken = [
            (lots[t.lot_id], t.points)
            for t in self.changes.takes
            if t.entry_id == related and t.lot_id in lots
        ]
        already = self.spent_here.get(related, 0) if related else 0
        if related is not None:
            self.spent_here[related] = already + entry.points
        return slice_given_back(taken, already, entry.points)

    def take(self, entry: LedgerEntry) -> None:
        key = (entry.business_id, entry.account_id)
        if key not in self.working:
            raise LookupError(f"open lots of account {entry.account_id} were not loaded")
        wanted = -entry.points
        for lot in _take_order(list(self.working[key].values()), entry):
            if wanted == 0:
                break
            taken = min(wanted, lot.remaining)
            if taken == 0:
                continue
            wanted -= taken
            self._keep(replace(lot, remaining=lot.remaining - taken))
            self.changes.takes.append(LotTake(entry.business_id, entry.entry_id, lot.lot_id, taken))
        # What no lot covers is a debt (a negative balance): nothing more to record.

    def _keep(self, lot: Lot) -> None:
        self.working.setdefault(lot.account_key, {})[lot.lot_id] = lot
        self.changes.lots[lot.lot_id] = lot


def _take_order(lots: Sequence[Lot], entry: LedgerEntry) -> list[Lot]:
    """Whose points an entry takes: its own lot first (a reversal's sale); then, for a
    reversal, points still pending (the return window), otherwise spendable points; each
    group first expiring, first out. (Expiry entries do not come here: ``domain.expiry``
    decides which lots each takes, keeping back what live holds need.)"""
    moment = entry.occurred_at

    def own(lot: Lot) -> bool:
        return entry.related_entry_id is not None and lot.entry_id == entry.related_entry_id

    def rank(lot: Lot) -> tuple[int, int, tuple[datetime, datetime, str]]:
        preferred = (
            lot.pending_at(moment)
            if entry.kind is EntryKind.REVERSAL
            else (lot.spendable_at(moment))
        )
        return (0 if own(lot) else 1, 0 if preferred else 1, lot.fefo_key())

    return sorted((lot for lot in lots if lot.remaining > 0), key=rank)


def _lot(
    entry: LedgerEntry,
    *,
    lot_id: UUID,
    available_at: datetime,
    expires_at: datetime | None,
    points: int,
) -> Lot:
    return Lot(
        business_id=entry.business_id,
        account_id=entry.account_id,
        lot_id=lot_id,
        entry_id=entry.entry_id,
        earned_at=entry.occurred_at,
        available_at=available_at,
        expires_at=expires_at,
        points=points,
        remaining=points,
    )
