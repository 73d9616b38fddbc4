"""Verify's stamp checks over a fake store, in memory (the fakes' side of
``adapters/postgres/audit_stamps.py``)."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from domain.ledger import EntryKind, LedgerEntry
from domain.outcomes import OutcomeStatus
from tests.fakes.audit_links import earned_on

if TYPE_CHECKING:
    from tests.fakes.store import FakeStore

_STAMP_KINDS = {
    EntryKind.STAMP_EARN,
    EntryKind.STAMP_REDEMPTION,
    EntryKind.STAMP_VOID,
    EntryKind.STAMP_ADJUSTMENT,
}
_POINT_KINDS = {EntryKind.EARN, EntryKind.REVERSAL, EntryKind.ADJUSTMENT}


def _problem(e: LedgerEntry, running: int) -> str | None:
    if e.stamps_balance_after != running:
        return "its stamp balance is not the running sum"
    if e.kind in _STAMP_KINDS and e.points != 0:
        return "a stamp entry carries points"
    if e.kind in _POINT_KINDS and e.stamps != 0:
        return "a points entry carries stamps"
    if e.kind is EntryKind.STAMP_EARN and e.stamps <= 0:
        return "a stamp earn gives no stamps"
    if e.kind is EntryKind.STAMP_VOID and e.stamps >= 0:
        return "a stamp void takes no stamps"
    if e.kind is EntryKind.STAMP_ADJUSTMENT and e.stamps < 0 and e.stamps_balance_after < 0:
        return "an adjustment took stamps below zero"
    return None


def stamp_balance_breaches(store: FakeStore, business_id: str | None) -> list[str]:
    breaches = []
    entries = sorted(
        (e for e in store.entries if business_id in (None, e.business_id)),
        key=lambda e: (e.business_id, str(e.account_id), e.seq),
    )
    running: dict[tuple[str, object], int] = defaultdict(int)
    for e in entries:
        key = (e.business_id, e.account_id)
        running[key] += e.stamps
        problem = _problem(e, running[key])
        if problem is not None:
            breaches.append(f"{e.kind} {e.business_id}/{e.entry_id}: {problem}")
    for key, a in store.accounts.items():
        if business_id in (None, a.business_id) and a.stamps != running[key]:
            breaches.append(f"account {a.business_id}/{a.account_id}: {a.stamps} stamps")
    return breaches


def purchase_stamp_breaches(store: FakeStore, business_id: str | None) -> list[str]:
    entries = [e for e in store.entries if business_id in (None, e.business_id)]
    by_id = {(e.business_id, e.entry_id): e for e in entries}
    breaches = []
    for p in store.purchases.values():
        s = p.stamps
        if business_id not in (None, p.business_id) or (s.earned == 0 and s.entry_id is None):
            continue
        earn = by_id.get((p.business_id, s.entry_id)) if s.entry_id is not None else None
        voids = -sum(
            e.stamps
            for e in entries
            if e.kind is EntryKind.STAMP_VOID
            and (e.business_id, e.related_entry_id) == (p.business_id, s.entry_id)
        )
        if (
            earn is None
            or earn.kind is not EntryKind.STAMP_EARN
            or earn.stamps != s.earned
            or not earned_on(entries, earn, p)
            or (earn.source, earn.source_ref) != (p.source, p.reference)
            or voids != s.voided
        ):
            breaches.append(f"purchase {p.key}: earned {s.earned} stamps, voided {s.voided}")
    stamp_earns = {(p.business_id, p.stamps.entry_id) for p in store.purchases.values()}
    applied = {k for k, f in store.refunds.items() if f.outcome.status is OutcomeStatus.APPLIED}
    for e in entries:
        if e.kind is EntryKind.STAMP_EARN and (e.business_id, e.entry_id) not in stamp_earns:
            breaches.append(f"stamp earn {e.business_id}/{e.entry_id} belongs to no purchase")
        refund = (e.business_id, e.source, e.source_ref)
        if e.kind is EntryKind.STAMP_VOID and refund not in applied:
            breaches.append(f"stamp void {e.business_id}/{e.entry_id} belongs to no refund")
    return breaches
