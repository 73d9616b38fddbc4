"""The queries a points ledger's operators ask for: what each asks and what each answers.

Every query is scoped to one business and read a page at a time after a key (keyset paging):
the key of the last row of a page is where the next page starts, so rows written meanwhile
never make a page repeat or skip a row that was already there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from domain.errors import InvalidRequest
from domain.ledger import BUCKET_OF_KIND, Bucket, EntryKind

MAX_PAGE = 200
MAX_WITHIN_DAYS = 3660

ExpiringKey = tuple[datetime, UUID]
"""(expires_at, lot_id) of the last lot of a page."""
MovementKey = tuple[date, str]
"""(day, store_id or "" for entries without a store) of the last row of a page."""


@dataclass(frozen=True)
class DayRange:
    """Days in UTC, both included."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.first > self.last:
            raise InvalidRequest("The range's first day comes after its last day.")


@dataclass(frozen=True)
class ExpiringQuery:
    business_id: str
    within_days: int
    account_id: UUID | None = None
    limit: int = 50
    after: ExpiringKey | None = None


@dataclass(frozen=True)
class ExpiringLot:
    account_id: UUID
    customer_id: str
    lot_id: UUID
    points: int
    """The points still in the lot: what will expire unless spent first."""
    expires_at: datetime


@dataclass(frozen=True)
class ExpiringTotal:
    points: int = 0
    lots: int = 0
    accounts: int = 0


@dataclass(frozen=True)
class ExpiringPage:
    until: datetime
    lots: tuple[ExpiringLot, ...]
    total: ExpiringTotal
    """Over the whole window (every page), not only this page."""
    next_after: ExpiringKey | None


@dataclass(frozen=True)
class ReferralQuery:
    business_id: str
    days: DayRange
    account_id: UUID | None = None
    limit: int = 50
    after: UUID | None = None


@dataclass(frozen=True)
class ReferralEarning:
    """One account's referral entries over the range (as referrer or as referred)."""

    account_id: UUID
    customer_id: str
    points: int
    """Net: bonuses less their reversals."""
    bonuses: int
    reversals: int
    referred_account_ids: tuple[UUID, ...]
    """The referred customers named on this account's entries (a referrer's)."""


@dataclass(frozen=True)
class ReferralTotal:
    points: int = 0
    bonuses: int = 0
    reversals: int = 0
    accounts: int = 0


@dataclass(frozen=True)
class ReferralPage:
    earnings: tuple[ReferralEarning, ...]
    total: ReferralTotal
    next_after: UUID | None


@dataclass(frozen=True)
class MovementQuery:
    business_id: str
    days: DayRange
    limit: int = 50
    after: MovementKey | None = None


@dataclass(frozen=True)
class Movement:
    """A store's (or no store's) points moved on one UTC day, by bucket."""

    day: date
    store_id: str | None
    points: tuple[tuple[Bucket, int], ...]
    """Every bucket, in ``Bucket`` order, zero where nothing moved."""
    entries: int

    @property
    def key(self) -> MovementKey:
        return (self.day, self.store_id or "")


@dataclass(frozen=True)
class MovementPage:
    movements: tuple[Movement, ...]
    next_after: MovementKey | None


@dataclass(frozen=True)
class LevelQuery:
    business_id: str
    limit: int = 50
    after: str | None = None
    """The last level of a page ("" for the base level)."""


@dataclass(frozen=True)
class LevelCount:
    level: str | None
    """None: the base level (no level reached)."""
    members: int


@dataclass(frozen=True)
class LevelPage:
    levels: tuple[LevelCount, ...]
    next_after: str | None


def bucket_points(points_by_kind: dict[EntryKind, int]) -> tuple[tuple[Bucket, int], ...]:
    """Points by kind folded into points by bucket (``BUCKET_OF_KIND``), every bucket listed."""
    totals = dict.fromkeys(Bucket, 0)
    for kind, points in points_by_kind.items():
        totals[BUCKET_OF_KIND[kind]] += points
    return tuple(totals.items())


def check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidRequest(f"A page holds 1 to {MAX_PAGE} rows.")


def check_within_days(days: int) -> None:
    if not 1 <= days <= MAX_WITHIN_DAYS:
        raise InvalidRequest(f"Look 1 to {MAX_WITHIN_DAYS} days ahead.")


def history_kinds(
    kinds: Iterable[EntryKind], buckets: Iterable[Bucket]
) -> frozenset[EntryKind] | None:
    """The kinds a history filtered by ``kinds`` and by ``buckets`` shows: an entry shows when
    its kind is one of ``kinds`` and its bucket one of ``buckets``, a filter not given
    letting every entry through. None: no filter at all (every kind, and kinds to come)."""
    wanted_kinds, wanted_buckets = frozenset(kinds), frozenset(buckets)
    if not wanted_kinds and not wanted_buckets:
        return None
    return frozenset(
        kind
        for kind in EntryKind
        if (not wanted_kinds or kind in wanted_kinds)
        and (not wanted_buckets or BUCKET_OF_KIND[kind] in wanted_buckets)
    )
