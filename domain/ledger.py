"""Ledger entries: the immutable record of every change to a balance."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from uuid import UUID, uuid5

from domain.programme import RuleVersion

_ENTRY_NAMESPACE = UUID("6f1c5a0e-2f55-4d0b-9a8e-3c6b1f0d7a42")


class EntryKind(enum.StrEnum):
    EARN = "earn"
    REVERSAL = "reversal"
    WELCOME_BONUS = "welcome_bonus"
    REDEMPTION = "redemption"
    REDEMPTION_CANCELLED = "redemption_cancelled"
    ADJUSTMENT = "adjustment"
    SUSPENSION = "suspension"
    REACTIVATION = "reactivation"
    EXPIRY = "expiry"


ACTIVITY_KINDS = frozenset(
    {EntryKind.EARN, EntryKind.REVERSAL, EntryKind.WELCOME_BONUS, EntryKind.REDEMPTION}
)
"""Entries the customer caused: what keeps an account active under an inactivity policy."""


class Source(enum.StrEnum):
    SALE = "sale"
    BILL = "bill"
    RETURN = "return"
    BILL_REFUND = "bill_refund"
    POS = "pos"
    ADMIN = "admin"
    SYSTEM = "system"


@dataclass(frozen=True)
class Attribution:
    """Who and where: the store, terminal and staff member behind an entry."""

    store_id: str | None = None
    terminal_id: str | None = None
    staff_id: str | None = None
    actor: str | None = None
    ip_address: str | None = None
    user_agent: str | None = None


@dataclass(frozen=True)
class RateSnapshot:
    """The rates in force when an entry was made, kept for history."""

    rule_version: int
    earn_rate: Decimal
    multiplier: Decimal
    redemption_rate: Decimal

    @classmethod
    def of(cls, rule: RuleVersion, occurred_at: datetime) -> RateSnapshot:
        return cls(
            rule_version=rule.version,
            earn_rate=rule.earn_rate,
            multiplier=rule.multiplier_at(occurred_at),
            redemption_rate=rule.redemption_rate,
        )


@dataclass(frozen=True)
class LedgerEntry:
    entry_id: UUID
    business_id: str
    account_id: UUID
    customer_id: str
    seq: int
    kind: EntryKind
    points: int
    balance_after: int
    source: Source
    source_ref: str
    event_id: str | None
    occurred_at: datetime
    recorded_at: datetime
    amount: Decimal | None = None
    currency: str | None = None
    rates: RateSnapshot | None = None
    related_entry_id: UUID | None = None
    attribution: Attribution = field(default_factory=Attribution)
    reason: str | None = None
    prev_hash: str = ""
    entry_hash: str = ""


def entry_id_for(business_id: str, origin: str, kind: EntryKind) -> UUID:
    """Entry ids derive from what caused them, so a rebuild yields the same ids."""
    return uuid5(_ENTRY_NAMESPACE, f"{business_id}\x1f{origin}\x1f{kind.value}")
