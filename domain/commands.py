"""Commands: what a caller asks the service to do, as plain values."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Final
from uuid import UUID

from domain.identifiers import Identifier
from domain.item_rules import ItemRules
from domain.ledger import Attribution, Bucket, EntryKind
from domain.levels import TierPolicy
from domain.redeem_limits import RedeemLimit
from domain.referrals import ReferralPolicy
from domain.stamps import StampCard


class Unchanged(enum.Enum):
    """A setting a revision does not mention: it stays as the version it follows had it."""

    UNCHANGED = "unchanged"


UNCHANGED: Final = Unchanged.UNCHANGED


@dataclass(frozen=True)
class SetProgramme:
    business_id: str
    earn_rate: Decimal
    redemption_rate: Decimal
    name: str | None = None
    active: bool | None = None
    inline_enrolment: bool | None = None
    welcome_bonus: int | None = None
    hold_minutes: int | None = None
    points_validity_days: int | None = None
    """None keeps the current setting; 0 turns expiry off."""
    pending_days: int | None = None
    inactivity_days: int | None = None
    """None keeps the current setting; 0 turns the inactivity policy off."""
    multiplier: Decimal = Decimal(1)
    multiplier_from: datetime | None = None
    multiplier_until: datetime | None = None
    max_discount: Decimal | None = None
    min_balance_to_redeem: int = 0
    effective_from: datetime | None = None
    item_rules: ItemRules | Unchanged = UNCHANGED
    """How line items earn; UNCHANGED keeps the rules of the version in force at the new
    version's ``effective_from``; ``NO_ITEM_RULES`` removes them."""
    stamp_card: StampCard | Unchanged | None = UNCHANGED
    """The stamp card; UNCHANGED keeps it as the item rules are kept; None removes it."""
    tiers: TierPolicy | Unchanged | None = UNCHANGED
    """The levels; kept and removed like the stamp card."""
    referral: ReferralPolicy | Unchanged | None = UNCHANGED
    """The referral bonuses; kept and removed like the stamp card."""
    redeem_limit: RedeemLimit | Unchanged | None = UNCHANGED
    """The redeem limit per period (a setting, not versioned); UNCHANGED keeps it, None
    removes it."""


@dataclass(frozen=True)
class EnrolCustomer:
    """Enrol by ``customer_id``, or inline by a phone identifier (and a name) when the
    programme allows it; ``identifiers`` arrive normalised (``domain.identifiers``)."""

    business_id: str
    customer_id: str | None = None
    identifiers: tuple[Identifier, ...] = ()
    name: str | None = None
    attribution: Attribution = field(default_factory=Attribution)
    referral_code: str | None = None
    """The code of the account that referred the customer, if any (``domain.referrals``)."""


@dataclass(frozen=True)
class PreviewRedemption:
    business_id: str
    account_id: UUID
    points: int
    sale_amount: Decimal | None = None


@dataclass(frozen=True)
class Redeem:
    """Take points now, or with ``hold`` reserve them until captured, cancelled or expired.

    ``idempotency_key`` and ``request_fingerprint`` make a retried request answer as the
    first one did.
    """

    business_id: str
    account_id: UUID
    points: int
    idempotency_key: str
    request_fingerprint: str
    sale_amount: Decimal | None = None
    hold: bool = False
    attribution: Attribution = field(default_factory=Attribution)


@dataclass(frozen=True)
class CaptureRedemption:
    business_id: str
    redemption_id: UUID
    attribution: Attribution = field(default_factory=Attribution)


@dataclass(frozen=True)
class CancelRedemption:
    business_id: str
    redemption_id: UUID
    attribution: Attribution = field(default_factory=Attribution)
    supervisor: bool = False
    """A manager or admin: may give back a captured redemption at any time, from any till."""


@dataclass(frozen=True)
class AdjustPoints:
    """Add or take points by hand. With an ``idempotency_key`` a retry answers the entry the
    first attempt made (the key names the entry); without one each call is a new entry."""

    business_id: str
    account_id: UUID
    points: int
    reason: str
    attribution: Attribution = field(default_factory=Attribution)
    idempotency_key: str | None = None
    stamps: int = 0
    """Stamps to add or take instead of points (``points`` then 0): a stamp adjustment."""


@dataclass(frozen=True)
class ChangeAccountStatus:
    """Suspend (``suspend=True``) or reactivate an account; recorded as a zero-point entry."""

    business_id: str
    account_id: UUID
    suspend: bool
    reason: str | None = None
    attribution: Attribution = field(default_factory=Attribution)


@dataclass(frozen=True)
class ListTransactions:
    business_id: str
    account_id: UUID
    limit: int = 50
    before_seq: int | None = None
    kinds: tuple[EntryKind, ...] = ()
    buckets: tuple[Bucket, ...] = ()
    """Filters (``domain.reports.history_kinds``): none given, every entry."""
