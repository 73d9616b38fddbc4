"""What became of each inbound event: applied, skipped (with why) or parked."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from domain.events import EventKind


class OutcomeStatus(enum.StrEnum):
    APPLIED = "applied"
    SKIPPED = "skipped"
    PARKED = "parked"


class SkipReason(enum.StrEnum):
    NO_CUSTOMER = "no_customer"
    NO_PROGRAMME = "no_programme"
    PROGRAMME_INACTIVE = "programme_inactive"
    NO_ACCOUNT = "no_account"
    ACCOUNT_SUSPENDED = "account_suspended"
    ACCOUNT_CLOSED = "account_closed"
    NO_RULE_IN_FORCE = "no_rule_in_force"
    NO_POINTS_EARNED = "no_points_earned"
    DUPLICATE_PURCHASE = "duplicate_purchase"
    DUPLICATE_REFUND = "duplicate_refund"
    PURCHASE_EARNED_NOTHING = "purchase_earned_nothing"
    NOTHING_TO_REVERSE_YET = "nothing_to_reverse_yet"
    CURRENCY_MISMATCH = "currency_mismatch"
    BELOW_MIN_SPEND = "below_min_spend"
    OLDER_THAN_LAST_UPDATE = "older_than_last_update"


@dataclass(frozen=True)
class Outcome:
    status: OutcomeStatus
    reason: SkipReason | None = None

    @classmethod
    def applied(cls) -> Outcome:
        return cls(OutcomeStatus.APPLIED)

    @classmethod
    def parked(cls) -> Outcome:
        return cls(OutcomeStatus.PARKED)

    @classmethod
    def skipped(cls, reason: SkipReason) -> Outcome:
        return cls(OutcomeStatus.SKIPPED, reason)


@dataclass(frozen=True)
class InboxRecord:
    """An event id seen once, with the hash of its payload and its outcome."""

    business_id: str
    event_id: str
    kind: EventKind
    payload_hash: str
    outcome: Outcome
    occurred_at: datetime
