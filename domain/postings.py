"""Posting one entry on an account: the account moves on, the entry records how."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from domain.accounts import Account
from domain.chain import hash_fields
from domain.ledger import (
    ACTIVITY_KINDS,
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
    entry_id = entry_id_for(account.business_id, origin, kind)
    seq, balance_after = account.last_seq + 1, account.balance + points
    occurred_at = occurred_at or at
    sealed_hash = hash_fields(  # the order entry_hash uses, without building the entry twice
        account.last_hash,
        entry_id,
        account.business_id,
        account.account_id,
        account.customer_id,
        seq,
        kind.value,
        points,
        balance_after,
        source.value,
        source_ref,
        event_id,
        occurred_at,
        amount,
        currency,
        related_entry_id,
        reason,
    )
    entry = LedgerEntry(
        entry_id=entry_id,
        business_id=account.business_id,
        account_id=account.account_id,
        customer_id=account.customer_id,
        seq=seq,
        kind=kind,
        points=points,
        balance_after=balance_after,
        source=source,
        source_ref=source_ref,
        event_id=event_id,
        occurred_at=occurred_at,
        recorded_at=at,
        amount=amount,
        currency=currency,
        rates=rates,
        related_entry_id=related_entry_id,
        attribution=attribution,
        reason=reason,
        prev_hash=account.last_hash,
        entry_hash=sealed_hash,
    )
    activity_at = occurred_at if kind in ACTIVITY_KINDS else None
    return account.posted(points, sealed_hash, activity_at), entry
