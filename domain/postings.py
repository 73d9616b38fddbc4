"""Posting one entry on an account: the account moves on, the entry records how."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from domain.accounts import Account
from domain.chain import entry_hash
from domain.ledger import (
    Attribution,
    EntryKind,
    LedgerEntry,
    RateSnapshot,
    Source,
    entry_id_for,
)


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
    event_id: str | None = None,
    occurred_at: datetime | None = None,
    amount: Decimal | None = None,
    currency: str | None = None,
    rates: RateSnapshot | None = None,
) -> tuple[Account, LedgerEntry]:
    """``origin`` names what caused the entry (its id derives from it); ``at`` is when it is
    recorded and ``occurred_at`` (default ``at``) when the business event happened. The entry
    is chained to the account's previous entry by hash."""
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
        event_id=event_id,
        occurred_at=occurred_at or at,
        recorded_at=at,
        amount=amount,
        currency=currency,
        rates=rates,
        related_entry_id=related_entry_id,
        attribution=attribution,
        reason=reason,
        prev_hash=account.last_hash,
    )
    sealed = replace(entry, entry_hash=entry_hash(entry, account.last_hash))
    return moved.chained(sealed.entry_hash), sealed
