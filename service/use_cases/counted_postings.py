"""Points earned, redeemed, expired and reversed, counted once where every posting goes by.

Every balance change is a ``uow.ledger.post``; wrapping the unit of work factory counts them
all in one place, and only once the unit commits (a rolled-back posting moved nothing).
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from domain.ledger import EntryKind, LedgerEntry
from domain.postings import Posting
from ports.metrics import PointsMetrics
from ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

# Cancelled redemptions and spend given back on returns are left out: a counter only rises,
# and they are the undoing of a redemption, not points earned.
COUNTED = {
    EntryKind.EARN: "earned",
    EntryKind.WELCOME_BONUS: "earned",
    EntryKind.REFERRAL_BONUS: "earned",
    EntryKind.REDEMPTION: "redeemed",
    EntryKind.EXPIRY: "expired",
    EntryKind.REVERSAL: "reversed",
    EntryKind.REFERRAL_REVERSAL: "reversed",
}


def points_moved(entries: list[LedgerEntry]) -> dict[str, int]:
    """Points by what happened to them (``earned``...), each entry's size, never negative."""
    moved: dict[str, int] = {}
    for entry in entries:
        movement = COUNTED.get(entry.kind)
        if movement is not None and entry.points:
            moved[movement] = moved.get(movement, 0) + abs(entry.points)
    return moved


class CountedPostings:
    """A unit of work factory whose units count the points their committed postings moved."""

    def __init__(self, inner: UnitOfWorkFactory, metrics: PointsMetrics) -> None:
        self._inner = inner
        self._metrics = metrics

    def __call__(self) -> UnitOfWork:
        return _CountingUnitOfWork(self._inner(), self._metrics)  # type: ignore[return-value]


class _CountingLedger:
    def __init__(self, inner: Any, posted: list[LedgerEntry]) -> None:
        self._inner = inner
        self._posted = posted

    async def post(self, posting: Posting) -> None:
        await self._inner.post(posting)
        self._posted.extend(posting.entries)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _CountingUnitOfWork:
    def __init__(self, inner: UnitOfWork, metrics: PointsMetrics) -> None:
        self._inner = inner
        self._metrics = metrics
        self._posted: list[LedgerEntry] = []

    @property
    def ledger(self) -> _CountingLedger:
        # The inner unit's repositories exist only once it is entered.
        return _CountingLedger(self._inner.ledger, self._posted)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    async def __aenter__(self) -> _CountingUnitOfWork:
        await self._inner.__aenter__()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._posted.clear()
        await self._inner.__aexit__(exc_type, exc, tb)

    async def commit(self) -> None:
        await self._inner.commit()
        for movement, points in points_moved(self._posted).items():
            self._metrics.points(movement, points)
        self._posted.clear()
