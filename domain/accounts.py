"""Loyalty accounts: one per (business, customer), holding the running balance."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID


class AccountStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    CLOSED = "closed"


@dataclass(frozen=True)
class Account:
    business_id: str
    account_id: UUID
    customer_id: str
    status: AccountStatus = AccountStatus.ACTIVE
    balance: int = 0
    last_seq: int = 0
    last_hash: str = "0" * 64
    last_activity_at: datetime | None = None
    stamps: int = 0
    """The stamp card's balance, kept beside points on the same ledger."""
    level: str | None = None
    """The member's level now (its last ``level_change`` entry's); None: the base level."""

    def posted(
        self,
        points: int,
        entry_hash: str | None = None,
        activity_at: datetime | None = None,
        stamps: int = 0,
    ) -> Account:
        """The account after one more ledger entry of ``points`` and ``stamps`` (negative
        allowed), whose hash becomes the account's newest; ``activity_at`` when the customer
        caused it."""
        last_activity = self.last_activity_at
        if activity_at is not None and (last_activity is None or activity_at > last_activity):
            last_activity = activity_at
        return Account(  # built directly: this runs for every entry, and replace() is slow
            self.business_id,
            self.account_id,
            self.customer_id,
            self.status,
            self.balance + points,
            self.last_seq + 1,
            self.last_hash if entry_hash is None else entry_hash,
            last_activity,
            self.stamps + stamps,
            self.level,
        )
