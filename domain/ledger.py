"""Ledger entries: the immutable record of every change to a balance."""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal
from operator import attrgetter, itemgetter
from typing import Any
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
    CARD_CREATED = "card_created"
    CLOSURE = "closure"
    STAMP_EARN = "stamp_earn"
    STAMP_REDEMPTION = "stamp_redemption"
    STAMP_VOID = "stamp_void"
    STAMP_ADJUSTMENT = "stamp_adjustment"
    LEVEL_CHANGE = "level_change"
    """Zero points: the member's level moved (``level_before`` -> ``level_after``)."""
    REFERRAL_BONUS = "referral_bonus"
    REFERRAL_REVERSAL = "referral_reversal"
    SPEND_RETURN = "spend_return"
    """Points a sale spent, given back in the share of it returned or cancelled."""
    ERASED = "erased"
    """Zero points: the customer's personal data was erased (``domain.erasure``)."""
    MERGE_OUT = "merge_out"
    """The whole balance (and stamps) of an account merged into another, taken out."""
    MERGE_IN = "merge_in"
    """What a merged account held, brought in on the survivor with its lots' dates."""


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
    CANCELLATION = "cancellation"
    IMPORT = "import"
    """Brought over from the programme the service replaced (``loyalty import``)."""


class Bucket(enum.StrEnum):
    """What moved the points, as a points ledger's operators group them (earned on purchases,
    referral and bonus points, the back office's, redemptions, and what expiry, reversals,
    levels and the account's life need). A function of the entry's kind: never stored apart
    from it, so it cannot disagree with the hashed ``kind``."""

    PURCHASE = "purchase"
    REFERRAL = "referral"
    BONUS = "bonus"
    ADMIN = "admin"
    REDEMPTION = "redemption"
    EXPIRY = "expiry"
    REVERSAL = "reversal"
    LEVEL = "level"
    ACCOUNT = "account"


BUCKET_OF_KIND: dict[EntryKind, Bucket] = {
    EntryKind.EARN: Bucket.PURCHASE,
    EntryKind.STAMP_EARN: Bucket.PURCHASE,
    EntryKind.REVERSAL: Bucket.REVERSAL,
    EntryKind.STAMP_VOID: Bucket.REVERSAL,
    EntryKind.WELCOME_BONUS: Bucket.BONUS,
    EntryKind.REFERRAL_BONUS: Bucket.REFERRAL,
    EntryKind.REFERRAL_REVERSAL: Bucket.REFERRAL,
    EntryKind.ADJUSTMENT: Bucket.ADMIN,
    EntryKind.STAMP_ADJUSTMENT: Bucket.ADMIN,
    EntryKind.REDEMPTION: Bucket.REDEMPTION,
    EntryKind.REDEMPTION_CANCELLED: Bucket.REDEMPTION,
    EntryKind.STAMP_REDEMPTION: Bucket.REDEMPTION,
    EntryKind.SPEND_RETURN: Bucket.REDEMPTION,
    EntryKind.EXPIRY: Bucket.EXPIRY,
    EntryKind.LEVEL_CHANGE: Bucket.LEVEL,
    EntryKind.SUSPENSION: Bucket.ACCOUNT,
    EntryKind.REACTIVATION: Bucket.ACCOUNT,
    EntryKind.CARD_CREATED: Bucket.ACCOUNT,
    EntryKind.CLOSURE: Bucket.ACCOUNT,
    EntryKind.ERASED: Bucket.ACCOUNT,
    EntryKind.MERGE_OUT: Bucket.ACCOUNT,
    EntryKind.MERGE_IN: Bucket.ACCOUNT,
}


def kinds_in(bucket: Bucket) -> tuple[EntryKind, ...]:
    """The entry kinds whose bucket is ``bucket`` (how a filter by bucket reads the ledger)."""
    return tuple(kind for kind, of in BUCKET_OF_KIND.items() if of is bucket)


@dataclass(frozen=True)
class Attribution:
    """Who and where: the store, terminal and staff member behind an entry."""

    store_id: str | None = None
    terminal_id: str | None = None
    staff_id: str | None = None
    actor: str | None = None
    ip_address: str | None = None
    user_agent: str | None = None
    device_id: str | None = None
    """The paired POS tablet that acted (its device token); none for a person's token."""


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
    stamps: int = 0
    stamps_balance_after: int = 0
    reward_id: str | None = None
    reward_description: str | None = None
    category_ids: tuple[str, ...] = ()
    """The item categories a sale's earn touched (empty without line items)."""
    description: str | None = None
    """A human label for the entry (``domain.descriptions``); none on entries written before."""
    level_before: str | None = None
    level_after: str | None = None
    """The member's level either side of a level change (set on ``level_change`` entries)."""
    referred_account_id: UUID | None = None
    """On a referrer's referral bonus (or its reversal): the referred customer's account."""

    @property
    def bucket(self) -> Bucket:
        return BUCKET_OF_KIND[self.kind]


def entry_id_for(business_id: str, origin: str, kind: EntryKind) -> UUID:
    """Entry ids derive from what caused them, so a rebuild yields the same ids."""
    return uuid5(_ENTRY_NAMESPACE, f"{business_id}\x1f{origin}\x1f{kind.value}")


# An entry as one flat record of plain values (enums as their values, the rates and the
# attribution spread into their own fields), in the dataclasses' order: the one shape the
# entry's hash, its table row, its outbound message and its API view are all cut from.
RATE_FIELDS = tuple(f.name for f in fields(RateSnapshot))
ATTRIBUTION_FIELDS = tuple(f.name for f in fields(Attribution))
_SPREAD = {"rates": RATE_FIELDS, "attribution": ATTRIBUTION_FIELDS}
_ENUMS: dict[str, Callable[[Any], enum.Enum]] = {"kind": EntryKind, "source": Source}

_PATHS = {
    name: f"{f.name}.{name}" if f.name in _SPREAD else f"{name}.value" if name in _ENUMS else name
    for f in fields(LedgerEntry)
    for name in _SPREAD.get(f.name, (f.name,))
}
ENTRY_FIELDS = tuple(_PATHS)

# The rates are the one part an entry may lack: the fields either side of them are read in
# one C call each (attrgetter), as this runs for every entry written.
_FIRST_RATE = ENTRY_FIELDS.index(RATE_FIELDS[0])
_BEFORE_RATES = attrgetter(*(_PATHS[name] for name in ENTRY_FIELDS[:_FIRST_RATE]))
_AFTER_RATES = attrgetter(
    *(_PATHS[name] for name in ENTRY_FIELDS[_FIRST_RATE + len(RATE_FIELDS) :])
)
_RATES = attrgetter(*RATE_FIELDS)
_NO_RATES = (None,) * len(RATE_FIELDS)


def entry_values(entry: LedgerEntry) -> tuple[Any, ...]:
    """The entry's values in ``ENTRY_FIELDS`` order."""
    rates = entry.rates
    values: tuple[Any, ...] = _BEFORE_RATES(entry)
    return values + (_NO_RATES if rates is None else _RATES(rates)) + _AFTER_RATES(entry)


def entry_getter(*names: str) -> Callable[[LedgerEntry], tuple[Any, ...]]:
    """A reader of the named flat fields (two or more, none of the rates, which may be
    missing), as ``entry_values`` gives them."""
    if len(names) < 2 or set(names) & set(RATE_FIELDS):
        raise ValueError(f"cannot read {names} in one call")
    return attrgetter(*(_PATHS[name] for name in names))


def _reader(name: str) -> Callable[[Mapping[str, Any]], Any]:
    if name == "rates":  # an entry without rates has none of them
        return lambda record: (
            None
            if record[RATE_FIELDS[0]] is None
            else RateSnapshot(*[record[part] for part in RATE_FIELDS])
        )
    if name == "attribution":
        return lambda record: Attribution(*[record[part] for part in ATTRIBUTION_FIELDS])
    if name in _ENUMS:
        convert = _ENUMS[name]
        return lambda record: convert(record[name])
    if name == "category_ids":  # a database array comes back as a list
        return lambda record: tuple(record[name] or ())
    return itemgetter(name)


_READERS = tuple(_reader(f.name) for f in fields(LedgerEntry))


def entry_from_record(record: Mapping[str, Any]) -> LedgerEntry:
    """The entry whose flat fields (``ENTRY_FIELDS``) ``record`` holds by name."""
    return LedgerEntry(*[read(record) for read in _READERS])
