"""Spent points come back on a return: a sale partly paid with points (a hold its event
captured, or a capture naming it) gives back, on each return or refund of part of it, the
same share of those points as of its money.

Cumulative floor, like earn reversals: once ``refunded`` of ``total`` came back, the points
standing given back are floor(spent * min(refunded, total) / total), and each return gives
that minus what was given back before. Several partial returns never give back more than
was spent; a full return (or a cancellation) gives back exactly all of it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from uuid import UUID

from domain.arithmetic import reversed_points_target
from domain.redemption import Redemption, RedemptionStatus


@dataclass(frozen=True)
class SaleSpend:
    """The points a sale was paid with: the redemption, its capture's entry and account, and
    how many of them its returns gave back so far."""

    redemption_id: UUID
    entry_id: UUID
    account_id: UUID
    points: int
    returned: int = 0

    def after_refund(self, total: Decimal, refunded: Decimal) -> tuple[SaleSpend, int]:
        """This spend once ``refunded`` (cumulative) of ``total`` came back, and the points to
        give back now (never negative: what stands given back only grows)."""
        target = min(self.points, reversed_points_target(self.points, total, refunded))
        to_give = max(0, target - self.returned)
        return replace(self, returned=self.returned + to_give), to_give


def spend_of(redemption: Redemption, account_id: UUID | None) -> SaleSpend | None:
    """The spend a captured redemption of points makes, when it may pay for a sale of
    ``account_id``'s customer (stamps and other accounts' holds pay for nothing here)."""
    if (
        redemption.status is not RedemptionStatus.CAPTURED
        or redemption.entry_id is None
        or redemption.points <= 0
        or redemption.account_id != account_id
    ):
        return None
    return SaleSpend(
        redemption_id=redemption.redemption_id,
        entry_id=redemption.entry_id,
        account_id=redemption.account_id,
        points=redemption.points,
    )


def may_link(redemption: Redemption, sale_reference: str) -> bool:
    """A redemption pays for one sale: the one that captured it or first named it."""
    return redemption.sale_reference in (None, sale_reference)


def still_owed(redemption: Redemption | None) -> bool:
    """Whether a spend's points can still come back: a redemption cancelled since gave all
    of them back at once (``domain.till.cancel``), so its returns give back nothing more."""
    return redemption is None or redemption.status is not RedemptionStatus.CANCELLED
