"""Which lots spent points come back into: those the capture took, so they keep the expiry
they had. A partial give-back returns them in a fixed order, latest-expiring first (points
that never expire first of all; then by lot id), each give-back continuing where the one
before it stopped, so the lots handed back over a sale's returns add up to what the capture
took, and the customer keeps the longest life the points had."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING
from uuid import UUID

from domain.ledger import EntryKind, LedgerEntry

if TYPE_CHECKING:
    from domain.lots import Lot


def given_back_order(taken: Iterable[tuple[Lot, int]]) -> list[tuple[Lot, int]]:
    """The capture's lots in the order spend returns give them back."""
    by_id = sorted(taken, key=lambda pair: str(pair[0].lot_id))
    never = [pair for pair in by_id if pair[0].expires_at is None]
    dated = [pair for pair in by_id if pair[0].expires_at is not None]
    dated.sort(key=lambda pair: pair[0].expires_at, reverse=True)  # type: ignore[arg-type,return-value]
    return never + dated


def slice_given_back(
    taken: Sequence[tuple[Lot, int]], already: int, points: int
) -> list[tuple[Lot, int]]:
    """The lots (and points of each) of a give-back of ``points`` after ``already`` points of
    the same capture came back: the next stretch of ``given_back_order``."""
    sliced: list[tuple[Lot, int]] = []
    skip, wanted = already, points
    for lot, taken_points in given_back_order(taken):
        if wanted == 0:
            break
        passed = min(skip, taken_points)
        skip -= passed
        here = min(wanted, taken_points - passed)
        if here > 0:
            sliced.append((lot, here))
            wanted -= here
    return sliced


def with_spend_slices(
    returned: Mapping[UUID, Sequence[tuple[Lot, int]]],
    given_back: Mapping[UUID, tuple[UUID, int]],
    entries: Iterable[LedgerEntry],
) -> dict[UUID, Sequence[tuple[Lot, int]]]:
    """``returned`` (what each capture took, by its entry id) plus, by each spend-return
    entry's own id, its stretch of its capture's lots (``given_back``: the capture and the
    points given back of it before the entry)."""
    result: dict[UUID, Sequence[tuple[Lot, int]]] = dict(returned)
    for entry in entries:
        if entry.kind is not EntryKind.SPEND_RETURN or entry.entry_id not in given_back:
            continue
        capture, already = given_back[entry.entry_id]
        taken = returned.get(capture)
        if taken:
            result[entry.entry_id] = slice_given_back(taken, already, entry.points)
    return result
