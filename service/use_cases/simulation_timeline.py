"""A simulation's timeline: events in batches, carried entries and the live loops' sweeps,
applied in time order to every shadow ledger alike."""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from domain.commands import AdjustPoints
from domain.errors import LoyaltyError
from domain.events import InboundEvent
from ports.simulation import CarriedEntry
from service.use_cases.accounts import Accounts
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.expiry import ExpirePoints
from service.use_cases.level_review import ReviewLevels
from service.use_cases.programmes import Programmes


class SimulatedClock:
    """The shadows' time: set to each moment of history as it is replayed."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


@dataclass(frozen=True)
class Shadow:
    """One shadow ledger's use cases, all on ``clock``."""

    clock: SimulatedClock
    apply: ApplyEventBatch
    accounts: Accounts
    programmes: Programmes
    expire: ExpirePoints
    review_levels: ReviewLevels


async def replay_timeline(
    business_id: str,
    start: datetime,
    end: datetime,
    batch_size: int,
    shadows: Sequence[Shadow],
    events: list[InboundEvent],
    carried: list[CarriedEntry],
    refused: list[int],
) -> None:
    """Events in batches, cut at each carried entry and each midnight (UTC), when the
    expiry sweep runs as it would have live."""
    batch: list[InboundEvent] = []
    day = start.astimezone(UTC).date()

    async def flush() -> None:
        if batch:
            for shadow in shadows:
                shadow.clock.at = batch[-1].occurred_at
            # Two databases: the shadows apply side by side.
            await asyncio.gather(*(shadow.apply(list(batch)) for shadow in shadows))
            batch.clear()

    items: list[tuple[datetime, int, InboundEvent | CarriedEntry]] = sorted(
        [(e.occurred_at, 1, e) for e in carried], key=lambda t: t[0]
    )
    timeline = heapq.merge(((e.occurred_at, 0, e) for e in events), items, key=lambda t: t[0])
    for moment, _, item in timeline:
        at = moment.astimezone(UTC)
        if at.date() != day:
            await flush()
            await _sweep(
                shadows, at.replace(hour=0, minute=0, second=0, microsecond=0), business_id
            )
            day = at.date()
        if isinstance(item, CarriedEntry):
            await flush()
            for n, shadow in enumerate(shadows):
                shadow.clock.at = item.occurred_at
                refused[n] += not await adjust_points(
                    shadow,
                    business_id,
                    item.account_id,
                    item.points,
                    f"carried {item.kind} {item.entry_id}",
                )
            continue
        batch.append(item)
        if len(batch) >= batch_size:
            await flush()
    await flush()
    await _sweep(shadows, end, business_id)


async def _sweep(shadows: Sequence[Shadow], at: datetime, business_id: str) -> None:
    """What the live service's loops do on their own: expire what is due, review levels."""
    for shadow in shadows:
        shadow.clock.at = at
    await asyncio.gather(*(shadow.expire(at) for shadow in shadows))
    await asyncio.gather(*(shadow.review_levels(at, business_id) for shadow in shadows))


async def adjust_points(
    shadow: Shadow, business_id: str, account_id: UUID, points: int, reason: str
) -> bool:
    """Post the points; False when this ledger refuses them (a balance too low)."""
    if not points:
        return True
    try:
        await shadow.accounts.adjust(AdjustPoints(business_id, account_id, points, reason))
    except LoyaltyError:  # too few points, a closed account: refused here as it would be
        return False
    return True
