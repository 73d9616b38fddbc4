"""Posting one entry on an account: the account moves on, the entry records how."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.accounts import Account
from domain.ledger import Attribution, EntryKind, LedgerEntry, Source, entry_id_for


def post_entry(
    account: Account,
    *,
    kind: EntryKind,
    points: int,
    source: Source,
    source_ref: str,
    origin: str,
    at: datetime,
    attribution: Attribution,
    reason: str | None = None,
    related_entry_id: UUID | None = None,
) -> tuple[Account, LedgerEntry]:
    """``origin`` names what caused the entry; the entry id derives from it."""
    moved = account.posted(points)
    entry = LedgerEntry(
        entry_id=entry_id_for(account.business_id, origin, kind),
        business_id=account.business_id,
        account_id=account.account_id,
        customer_id=account.customer_id,
        seq=moved.last_seq,
        kind=kind,
        points=points,
        balance_after=moved.balance,
        source=source,
        source_ref=source_ref,
        event_id=None,
        occurred_at=at,
        recorded_at=at,
        related_entry_id=related_entry_id,
        attribution=attribution,
        reason=reason,
    )
    return moved, entry
