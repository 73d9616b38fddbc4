"""Referrals: each account's code, who may name it at enrolment, and what is recorded of a
referral until its first qualifying sale pays (or does not) and a full return takes it back.

Codes are 8 characters of Crockford base32 derived from (business, account id, attempt):
the first attempt almost always, the next one only when another account of the business
already holds that code. Read leniently (case, I/L as 1, O as 0, hyphens and spaces)."""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING
from uuid import UUID

from domain.accounts import Account, AccountStatus
from domain.errors import InvalidRequest

if TYPE_CHECKING:  # domain.ledger imports domain.programme, which imports this module
    from domain.ledger import Source


@dataclass(frozen=True)
class ReferralPolicy:
    referrer_points: int
    """Given to the account whose code the new customer named."""
    referred_points: int
    """Given to the referred customer."""
    return_window_days: int = 30
    """A full return of that first sale within this many days of it takes both back."""


ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 8
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})
_CODE = re.compile(f"[{ALPHABET}]{{{CODE_LENGTH}}}")


def referral_code(business_id: str, account_id: UUID, attempt: int = 0) -> str:
    """The code of an account at ``attempt`` (0 first). The migration that gave codes to
    accounts enrolled before computes the same in SQL (``referral_code`` function)."""
    digest = hashlib.sha256(f"{business_id}\x1f{account_id}\x1f{attempt}".encode()).digest()
    number = int.from_bytes(digest[:5], "big")  # 40 bits: 8 symbols of 5
    shifts = range(5 * (CODE_LENGTH - 1), -1, -5)
    return "".join(ALPHABET[(number >> shift) & 31] for shift in shifts)


def read_code(text: str) -> str | None:
    """The code ``text`` stands for as a person may type it, or None when it is no code."""
    code = re.sub(r"[\s-]", "", text).upper().translate(_READ_AS)
    return code if _CODE.fullmatch(code) else None


class ReferralRefused(InvalidRequest):
    """An enrolment's referral code cannot be used (422, naming the field)."""

    code = "referral_refused"
    field = "referral_code"


class UnknownReferralCode(ReferralRefused):
    code = "referral_code_unknown"


class SelfReferral(ReferralRefused):
    code = "self_referral"


class ReferrerNotActive(ReferralRefused):
    code = "referrer_not_active"


def check_referrer(business_id: str, customer_id: str, referrer: Account | None) -> Account:
    """The account whose code a new customer named, if it may refer them: of the same
    business (another's is unknown), not the customer's own (a closed card's old code
    included), and active."""
    if referrer is None or referrer.business_id != business_id:
        raise UnknownReferralCode("No account of this programme has that referral code.")
    if referrer.customer_id == customer_id:
        raise SelfReferral("A customer cannot refer themselves.")
    if referrer.status is not AccountStatus.ACTIVE:
        raise ReferrerNotActive("The account of that referral code is not active.")
    return referrer


class ReferralOutcome(enum.StrEnum):
    """What the referred customer's first qualifying sale did."""

    PAID = "paid"
    """Both bonuses posted."""
    REFERRER_SUSPENDED = "referrer_suspended"
    REFERRER_CLOSED = "referrer_closed"
    """The referred customer's bonus posted, the referrer's not (nothing owed later)."""
    NO_POLICY = "no_policy"
    """The version in force at the sale gave no referral bonus: nothing, ever."""


@dataclass(frozen=True)
class Referral:
    """One referred account (at most one referral each) and what became of it."""

    business_id: str
    referred_account_id: UUID
    referrer_account_id: UUID
    code: str
    enrolled_at: datetime
    sale_source: Source | None = None
    sale_reference: str | None = None
    sale_occurred_at: datetime | None = None
    """The first qualifying sale (none yet: the referral is still open)."""
    outcome: ReferralOutcome | None = None
    referred_entry_id: UUID | None = None
    referrer_entry_id: UUID | None = None
    referred_points: int = 0
    referrer_points: int = 0
    return_window_days: int = 0
    reversed_at: datetime | None = None
    """When the full return of the first sale took the bonuses back (its occurred_at)."""
    returned_in_window: Decimal = Decimal(0)
    """The money of that sale's returns dated inside the window, counted whatever order they
    arrive in (a cancellation inside the window returns all of it)."""

    @property
    def open(self) -> bool:
        return self.sale_reference is None

    def links(self, one: UUID, other: UUID) -> bool:
        """Whether the referral is between these two accounts, either way round."""
        return {self.referred_account_id, self.referrer_account_id} == {one, other}

    def may_be_taken_back(self, at: datetime) -> bool:
        """Paid a bonus, not taken back, and its sale's return window still open at ``at``:
        a full return could yet take the bonuses back."""
        if self.sale_occurred_at is None or self.reversed_at is not None:
            return False
        if (self.referred_entry_id, self.referrer_entry_id) == (None, None):
            return False
        return at <= self.sale_occurred_at + timedelta(days=self.return_window_days)

    def origin(self, side: str) -> str:
        """One origin per referred account and side, whatever event carries the sale: the
        entry ids derive from it, so a second bonus is refused by the ledger's key."""
        return f"referral:{self.referred_account_id}:{side}"

    def after_return(
        self,
        source: Source,
        reference: str,
        returned_at: datetime,
        amount: Decimal,
        *,
        cancelled: bool,
        total: Decimal,
    ) -> tuple[Referral, bool]:
        """The referral after a return of ``amount`` dated ``returned_at`` (or a cancellation)
        of the sale ``reference``, and whether it now takes both bonuses back: once the
        returns dated inside the window reach the sale's total, or the sale is cancelled
        inside it. Judged by event time alone, so the order the returns arrive in does not
        change the outcome."""
        if self.reversed_at is not None or self.sale_occurred_at is None:
            return self, False
        if (self.referred_entry_id, self.referrer_entry_id) == (None, None):
            return self, False
        if (source, reference) != (self.sale_source, self.sale_reference):
            return self, False
        if returned_at > self.sale_occurred_at + timedelta(days=self.return_window_days):
            return self, False
        returned = total if cancelled else self.returned_in_window + amount
        return replace(self, returned_in_window=returned), returned >= total
