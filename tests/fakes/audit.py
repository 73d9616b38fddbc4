"""The invariant checks of ``loyalty verify`` over a fake unit of work's view, in memory.

Each check mirrors a query of ``PostgresLedgerAudit`` (see ``adapters/postgres/audit*.py``),
so the stateful model test on the fakes holds the ledger to the same invariants as
``loyalty verify`` does on PostgreSQL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from uuid import UUID

from domain.events import EventKind
from domain.ledger import EntryKind, LedgerEntry
from domain.outcomes import OutcomeStatus
from tests.fakes.audit_holds import hold_breaches, redemption_breaches, refused_capture_notices
from tests.fakes.audit_links import purchase_breaches, refund_breaches
from tests.fakes.audit_stamps import purchase_stamp_breaches, stamp_balance_breaches

if TYPE_CHECKING:
    from tests.fakes.unit_of_work import FakeUnitOfWork


class FakeLedgerAudit:
    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    async def read_one_snapshot(self) -> None:
        """Nothing to do: the view already is a snapshot, taken when the unit of work began."""

    def _scoped(self, business_id: str | None) -> list[LedgerEntry]:
        return [e for e in self._uow.view.entries if business_id in (None, e.business_id)]

    async def balance_breaches(self, business_id: str | None) -> list[str]:
        breaches = stamp_balance_breaches(self._uow.view, business_id)
        for a in self._uow.view.accounts.values():
            if business_id not in (None, a.business_id):
                continue
            mine = [e for e in self._scoped(a.business_id) if e.account_id == a.account_id]
            total, top = sum(e.points for e in mine), max((e.seq for e in mine), default=0)
            if (a.balance, a.last_seq, top) != (total, len(mine), len(mine)):
                breaches.append(f"account {a.business_id}/{a.account_id}: balance {a.balance}")
        return breaches

    async def lot_breaches(self, business_id: str | None) -> list[str]:
        view = self._uow.view
        breaches = []
        for key, a in view.accounts.items():
            in_lots = sum(lot.remaining for lot in view.lots.values() if lot.account_key == key)
            if business_id in (None, a.business_id) and in_lots != max(a.balance, 0):
                breaches.append(f"account {a.business_id}/{a.account_id}: lots hold {in_lots}")
        return breaches

    async def reversal_breaches(self, business_id: str | None) -> list[str]:
        entries = self._scoped(business_id)
        breaches = []
        for earn in (e for e in entries if e.kind is EntryKind.EARN):
            reversed_ = -sum(
                e.points
                for e in entries
                if e.kind is EntryKind.REVERSAL and e.related_entry_id == earn.entry_id
            )
            if reversed_ > earn.points:
                breaches.append(f"earn {earn.business_id}/{earn.entry_id}: over-reversed")
        return breaches

    async def inbox_breaches(self, business_id: str | None) -> list[str]:
        with_entries = {(e.business_id, e.event_id) for e in self._scoped(business_id)}
        return [
            f"event {key[0]}/{key[1]} is applied but has no entry"
            for key, record in self._uow.view.inbox.items()
            if business_id in (None, key[0])
            and record.outcome.status is OutcomeStatus.APPLIED
            and record.kind is not EventKind.CUSTOMER_UPDATED  # names, not points
            and key not in with_entries
        ]

    async def outbox_breaches(self, business_id: str | None, max_age_seconds: float) -> list[str]:
        # An outbox row is as old as its entry; ``now`` is the wall clock, as in SQL.
        oldest = datetime.now(UTC) - timedelta(seconds=max_age_seconds)
        view = self._uow.view
        return [
            f"outbox {entry.business_id}/{i} (entry {entry.entry_id}) unpublished"
            for i, entry in sorted(view.outbox.items())
            if i not in view.published
            and business_id in (None, entry.business_id)
            and entry.recorded_at < oldest
        ]

    async def last_hashes(self, business_id: str | None) -> dict[tuple[str, str], str]:
        return {
            (a.business_id, str(a.account_id)): a.last_hash
            for a in self._uow.view.accounts.values()
            if business_id in (None, a.business_id)
        }

    async def entries_in_chain_order(self, business_id: str | None) -> AsyncIterator[LedgerEntry]:
        for entry in sorted(
            self._scoped(business_id), key=lambda e: (e.business_id, str(e.account_id), e.seq)
        ):
            yield entry

    async def purchase_breaches(self, business_id: str | None) -> list[str]:
        view = self._uow.view
        return purchase_breaches(view, business_id) + purchase_stamp_breaches(view, business_id)

    async def refund_breaches(self, business_id: str | None) -> list[str]:
        return refund_breaches(self._uow.view, business_id)

    async def redemption_breaches(self, business_id: str | None) -> list[str]:
        return redemption_breaches(self._uow.view, business_id)

    async def hold_breaches(self, business_id: str | None) -> list[str]:
        return hold_breaches(self._uow.view, business_id)

    async def refused_capture_notices(self, business_id: str | None) -> list[str]:
        return refused_capture_notices(self._uow.view, business_id)

    async def lot_take_breaches(self, business_id: str | None) -> list[str]:
        # In the fakes, lots have always existed: every negative entry is held to them.
        view = self._uow.view
        entries = {(e.business_id, e.entry_id): e for e in self._scoped(business_id)}
        takes = [t for t in view.lot_takes if business_id in (None, t.business_id)]
        taken: dict[tuple[str, UUID], int] = defaultdict(int)
        taken_of_lot: dict[tuple[str, UUID], int] = defaultdict(int)
        breaches = []
        for t in takes:
            taken[(t.business_id, t.entry_id)] += t.points
            taken_of_lot[(t.business_id, t.lot_id)] += t.points
            entry = entries.get((t.business_id, t.entry_id))
            lot = view.lots.get((t.business_id, t.lot_id))
            if entry is None or entry.points >= 0 or lot is None:
                breaches.append(f"lot take {t} is not by a negative entry from a lot")
            elif lot.account_id != entry.account_id:
                breaches.append(f"lot take {t} is from a lot of another account")
        for key, e in entries.items():
            expected = max(0, min(-e.points, e.balance_after - e.points))
            if e.points < 0 and taken.get(key, 0) != expected:
                breaches.append(f"{e.kind} {key}: took {taken.get(key, 0)}, not {expected}")
        for key, points in taken_of_lot.items():
            lot = view.lots.get(key)
            if lot is not None and points + lot.remaining > lot.points:
                breaches.append(f"lot {key} over-taken: {points} taken, {lot.remaining} left")
        return breaches

    async def over_refund_notices(self, business_id: str | None) -> list[str]:
        return [
            f"purchase {key} was refunded {p.refunded_amount} of a {p.total} total"
            for key, p in self._uow.view.purchases.items()
            if business_id in (None, p.business_id) and p.refunded_amount > p.total
        ]

    async def parked_refund_notices(
        self, business_id: str | None, max_age_seconds: float
    ) -> list[str]:
        # The fakes keep no time of processing: parked since the refund happened, by the
        # wall clock (as ``now()`` in SQL). A notice only, so a fake clock cannot fail a test.
        oldest = datetime.now(UTC) - timedelta(seconds=max_age_seconds)
        return [
            f"refund {key} parked since {f.event.occurred_at.isoformat()}"
            for key, f in self._uow.view.refunds.items()
            if business_id in (None, f.event.business_id)
            and f.outcome.status is OutcomeStatus.PARKED
            and f.event.occurred_at < oldest
        ]
