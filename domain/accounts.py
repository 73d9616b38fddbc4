"""Loyalty accounts: one per (business, customer), holding the running balance."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
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

    def posted(self, points: int) -> Account:
        """The account after one more ledger entry of ``points`` (negative allowed)."""
        return replace(self, balance=self.balance + points, last_seq=self.last_seq + 1)

    def chained(self, entry_hash: str) -> Account:
        return replace(self, last_hash=entry_hash)
