"""Redemptions and holds against the entries they caused, over a fake store, in memory (the
fakes' side of ``redemption_breaches`` and ``adapters/postgres/audit_holds.py``)."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from domain.ledger import EntryKind, LedgerEntry
from domain.redemption import Redemption, RedemptionStatus

if TYPE_CHECKING:
    from tests.fakes.store import FakeStore


def redemption_breaches(store: FakeStore, business_id: str | None) -> list[str]:
    kinds = (EntryKind.REDEMPTION, EntryKind.STAMP_REDEMPTION, EntryKind.REDEMPTION_CANCELLED)
    by_ref: dict[tuple[str, str], list[LedgerEntry]] = defaultdict(list)
    for e in store.entries:
        if business_id in (None, e.business_id) and e.kind in kinds:
            by_ref[(e.business_id, e.source_ref)].append(e)
    returned_by_sales = {
        (p.business_id, p.spend.redemption_id): p.spend.returned
        for p in store.purchases.values()
        if p.spend is not None
    }
    breaches = []
    for (business, redemption_id), r in store.redemptions.items():
        if business_id not in (None, business):
            continue
        mine = by_ref.pop((business, str(redemption_id)), [])
        problem = redemption_problem(r, mine, returned_by_sales.get((business, redemption_id), 0))
        if problem:
            breaches.append(f"redemption {business}/{redemption_id} {problem}")
    breaches += [
        f"{e.kind} {e.business_id}/{e.entry_id} names no redemption"
        for orphans in by_ref.values()
        for e in orphans
    ]
    return breaches


def hold_breaches(store: FakeStore, business_id: str | None) -> list[str]:
    return [
        f"redemption {key} was captured after its hold expired"
        for key, r in store.redemptions.items()
        if business_id in (None, r.business_id)
        and r.expires_at is not None
        and r.captured_at is not None
        and r.captured_at >= r.expires_at
    ]


def refused_capture_notices(store: FakeStore, business_id: str | None) -> list[str]:
    return [
        f"sale {r.sale_reference} named hold {r.redemption_id}: {r.reason.value}"
        for r in store.capture_refusals.values()
        if business_id in (None, r.business_id)
    ]


def redemption_problem(
    r: Redemption, mine: list[LedgerEntry], returned_by_sale: int = 0
) -> str | None:
    """What is wrong between a redemption and the entries naming it, as the SQL sees it
    (``returned_by_sale``: the points its sale's returns gave back before it was cancelled,
    which its cancel entry does not give again)."""
    captures = [e for e in mine if e.kind in (EntryKind.REDEMPTION, EntryKind.STAMP_REDEMPTION)]
    cancels = [e for e in mine if e.kind is EntryKind.REDEMPTION_CANCELLED]
    was_captured = r.status is RedemptionStatus.CAPTURED or (
        r.status is RedemptionStatus.CANCELLED and r.entry_id is not None
    )
    given_back = r.status is RedemptionStatus.CANCELLED and was_captured
    capture = next((e for e in captures if e.entry_id == r.entry_id), None)
    cancel = next((e for e in cancels if e.entry_id == r.cancel_entry_id), None)
    if len(captures) > 1:
        return f"is captured by {len(captures)} entries"
    if len(cancels) > 1:
        return f"is given back by {len(cancels)} entries"
    if was_captured and not captures:
        return "has no capture entry"
    if was_captured and (
        capture is None
        or (capture.points, capture.stamps) != (-r.points, -r.stamps)
        or capture.account_id != r.account_id
    ):
        return "does not match its capture entry"
    if not was_captured and (captures or r.entry_id is not None):
        return "was never captured but has a capture entry"
    if given_back and not cancels:
        return "was cancelled after capture but has no cancel entry"
    if given_back and (
        cancel is None
        or (cancel.points, cancel.stamps) != (r.points - returned_by_sale, r.stamps)
        or cancel.account_id != r.account_id
        or cancel.related_entry_id != r.entry_id
    ):
        return "does not match its cancel entry"
    if not given_back and (cancels or r.cancel_entry_id is not None):
        return "was not cancelled after capture but has a cancel entry"
    return None
