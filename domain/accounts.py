"""Loyalty accounts: one per (business, customer), holding the running balance."""

from __future__ import annotations

import enum
from dataclasses import dataclass
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
    phone: str | None = None
    name: str | None = None
    last_hash: str = "0" * 64

    def posted(self, points: int, entry_hash: str | None = None) -> Account:
        """The account after one more ledger entry of ``points`` (negative allowed), whose
        hash becomes the account's newest."""
        return Account(
            self.business_id,
            self.account_id,
            self.customer_id,
            self.status,
            self.balance + points,
            self.last_seq + 1,
            self.phone,
            self.name,
            self.last_hash if entry_hash is None else entry_hash,
        )
