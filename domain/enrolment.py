"""Enrolling a customer: a new account, with the programme's welcome bonus if it has one."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.accounts import Account
from domain.ledger import Attribution, EntryKind, LedgerEntry, Source, entry_id_for
from domain.programme import Programme


def enrol(
    programme: Programme | None,
    *,
    business_id: str,
    customer_id: str,
    account_id: UUID,
    at: datetime,
    attribution: Attribution,
) -> tuple[Account, list[LedgerEntry]]:
    """A new account for the customer, and the welcome bonus entry when one is configured."""
    account = Account(business_id=business_id, account_id=account_id, customer_id=customer_id)
    if programme is None or not programme.active or programme.welcome_bonus <= 0:
        return account, []
    account = account.posted(programme.welcome_bonus)
    entry = LedgerEntry(
        entry_id=entry_id_for(business_id, f"welcome:{account_id}", EntryKind.WELCOME_BONUS),
        business_id=business_id,
        account_id=account_id,
        customer_id=customer_id,
        seq=account.last_seq,
        kind=EntryKind.WELCOME_BONUS,
        points=programme.welcome_bonus,
        balance_after=account.balance,
        source=Source.SYSTEM,
        source_ref=str(account_id),
        event_id=None,
        occurred_at=at,
        recorded_at=at,
        attribution=attribution,
    )
    return account, [entry]
