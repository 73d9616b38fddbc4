"""Purchases and refunds against the entries they caused, over a fake store,
in memory (the fakes' side of ``adapters/postgres/audit_cross_checks.py``)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from domain.ledger import EntryKind, LedgerEntry
from domain.outcomes import OutcomeStatus
from domain.purchases import Purchase

if TYPE_CHECKING:
    from tests.fakes.store import FakeStore


def _scoped(store: FakeStore, business_id: str | None) -> list[LedgerEntry]:
    return [e for e in store.entries if business_id in (None, e.business_id)]


def earned_on(entries: list[LedgerEntry], earn: LedgerEntry, purchase: Purchase) -> bool:
    """Whether ``earn`` was posted on ``purchase``'s account or on one merged into it (a
    merge gives the survivor the merged account's sales; each ``merge_out`` names its
    survivor): ``audit_sql.EARNED_ON``."""
    into = {
        e.account_id: e.source_ref
        for e in entries
        if e.kind is EntryKind.MERGE_OUT and e.business_id == earn.business_id
    }
    account, seen = earn.account_id, set()
    while account not in seen:
        if account == purchase.account_id:
            return True
        seen.add(account)
        account = UUID(into[account]) if account in into else account
    return False


def _earn_matches(entries: list[LedgerEntry], purchase: Purchase, earn: LedgerEntry | None) -> bool:
    if purchase.earn_entry_id is None:
        return purchase.points_earned == 0
    return (
        earn is not None
        and earn.kind is EntryKind.EARN
        and earn.points == purchase.points_earned
        and earned_on(entries, earn, purchase)
        and (earn.source, earn.source_ref) == (purchase.source, purchase.reference)
    )


def purchase_breaches(store: FakeStore, business_id: str | None) -> list[str]:
    entries = _scoped(store, business_id)
    by_id = {(e.business_id, e.entry_id): e for e in entries}
    purchases = [p for p in store.purchases.values() if business_id in (None, p.business_id)]
    breaches = []
    for p in purchases:
        earn = by_id.get((p.business_id, p.earn_entry_id)) if p.earn_entry_id else None
        if not _earn_matches(entries, p, earn):
            breaches.append(f"purchase {p.key}: earned {p.points_earned}, not its earn entry")
        in_entries = -sum(
            e.points
            for e in entries
            if e.kind is EntryKind.REVERSAL
            and p.earn_entry_id is not None
            and (e.business_id, e.related_entry_id) == (p.business_id, p.earn_entry_id)
        )
        if p.points_reversed != in_entries or p.points_reversed > p.points_earned:
            breaches.append(
                f"purchase {p.key}: reversed {p.points_reversed}, its entries {in_entries}"
            )
    earned = {(p.business_id, p.earn_entry_id) for p in store.purchases.values()}
    breaches += [
        f"earn {e.business_id}/{e.entry_id} belongs to no purchase"
        for e in entries
        if e.kind is EntryKind.EARN and (e.business_id, e.entry_id) not in earned
    ]
    return breaches


def refund_breaches(store: FakeStore, business_id: str | None) -> list[str]:
    reversals = [e for e in _scoped(store, business_id) if e.kind is EntryKind.REVERSAL]
    voided = {  # a return may reverse no points and void stamps or give spent points back
        (e.business_id, e.source, e.source_ref)
        for e in _scoped(store, business_id)
        if e.kind in (EntryKind.STAMP_VOID, EntryKind.SPEND_RETURN)
    }
    breaches = []
    for key, f in store.refunds.items():
        if business_id not in (None, f.event.business_id):
            continue
        mine = [e for e in reversals if (e.business_id, e.source, e.source_ref) == key]
        applied = f.outcome.status is OutcomeStatus.APPLIED
        purchase = store.purchases.get(f.event.purchase_key)
        earn = purchase.earn_entry_id if purchase else None
        if (
            len(mine) != (1 if f.points_reversed > 0 else 0)
            or applied != (f.points_reversed > 0 or key in voided)
            or -sum(e.points for e in mine) != f.points_reversed
            or any(e.related_entry_id != earn for e in mine)
        ):
            breaches.append(f"refund {key} ({f.outcome.status}) reversed {f.points_reversed}")
    breaches += [
        f"reversal {e.business_id}/{e.entry_id} belongs to no refund"
        for e in reversals
        if (e.business_id, e.source, e.source_ref) not in store.refunds
    ]
    return breaches
