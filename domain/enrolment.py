"""Enrolling a customer: a new account, with the programme's welcome bonus if it has one."""

from __future__ import annotations

import re
from datetime import datetime
from uuid import UUID

from domain.accounts import Account
from domain.ledger import Attribution, EntryKind, LedgerEntry, Source
from domain.postings import post_entry
from domain.programme import Programme


def inline_customer_id(phone: str) -> str:
    """Customers enrolled inline at the till are known by their phone number."""
    digits = re.sub(r"[^\d+]", "", phone)
    return f"phone:{digits}"


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
    if programme is None or not programme.active_at(at) or programme.welcome_bonus <= 0:
        return account, []
    account, entry = post_entry(
        account,
        kind=EntryKind.WELCOME_BONUS,
        points=programme.welcome_bonus,
        source=Source.SYSTEM,
        source_ref=str(account_id),
        origin=f"welcome:{account_id}",
        at=at,
        attribution=attribution,
    )
    return account, [entry]
