"""Use case: replay a window of history into two shadow ledgers, one under the programme
as it was and one under a proposal, and compare them.

Both shadows start equal (the live accounts, each with one opening entry of its live
balance at the window's start) and take the same events in the same order through the
same use cases; the live entries made over HTTP in the window (redemptions, adjustments)
are carried into both as adjustments of the same points at the same moment, interleaved
with the events by time. A carried entry taking more points than a shadow's balance
could give is refused there and counted as "would have been refused".
"""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from domain.commands import SetProgramme
from domain.events import InboundEvent
from domain.programme import in_force
from domain.simulation_report import LedgerTotals, SimulationReport, compare
from ports.intake import ReadBatch
from ports.simulation import ShadowLedgers
from service.use_cases.simulation_timeline import (
    Shadow,
    SimulatedClock,
    adjust_points,
    replay_timeline,
)

__all__ = ["Shadow", "SimulatedClock", "Simulation", "simulate"]

JUST_BEFORE = timedelta(microseconds=1)
OPENINGS_AT_ONCE = 8
"""Opening entries posted side by side (one account each: no two lock the same row)."""


@dataclass(frozen=True)
class Simulation:
    business_id: str
    proposal: SetProgramme
    start: datetime
    end: datetime
    name: str
    """Shadow databases are ``<name>_current`` and ``<name>_proposed``."""
    keep: bool = False
    batch_size: int = 500
    top: int = 10


async def simulate(
    request: Simulation,
    ledgers: ShadowLedgers,
    open_shadow: Callable[[str], AbstractAsyncContextManager[Shadow]],
    topics: Sequence[AsyncIterator[ReadBatch]],
    progress: Callable[[int], None] = lambda n: None,
) -> SimulationReport:
    r = request
    names = (f"{r.name}_current", f"{r.name}_proposed")
    made: list[str] = []  # only these are dropped: a name taken already is someone else's
    try:
        urls = []
        for name in names:
            urls.append(await ledgers.create(name))
            made.append(name)
        await ledgers.seed(urls[0], r.business_id, r.end, r.end)
        # Live versions after the start would otherwise take over from the proposal.
        await ledgers.seed(urls[1], r.business_id, r.end, r.start)
        openings = await ledgers.openings(r.business_id, r.start)
        carried = await ledgers.carried(r.business_id, r.start, r.end)
        events = await _window(r, topics, progress)
        async with open_shadow(urls[0]) as current, open_shadow(urls[1]) as proposed:
            shadows = (current, proposed)
            refused = [0, 0]
            for n, shadow in enumerate(shadows):
                shadow.clock.at = r.start - JUST_BEFORE
                for at in range(0, len(openings), OPENINGS_AT_ONCE):
                    done = await asyncio.gather(
                        *(
                            adjust_points(shadow, r.business_id, o.account_id, o.points, "opening")
                            for o in openings[at : at + OPENINGS_AT_ONCE]
                        )
                    )
                    refused[n] += done.count(False)
            await proposed.programmes.set(
                replace(r.proposal, business_id=r.business_id, effective_from=r.start)
            )
            await replay_timeline(
                r.business_id, r.start, r.end, r.batch_size, shadows, events, carried, refused
            )
            totals = [
                await _totals(r, ledgers, url, shadow, n)
                for url, shadow, n in zip(urls, shadows, refused, strict=True)
            ]
        return compare(totals[0], totals[1], r.top)
    finally:
        if not r.keep:
            for name in made:
                await ledgers.drop(name)


async def _window(
    r: Simulation, topics: Sequence[AsyncIterator[ReadBatch]], progress: Callable[[int], None]
) -> list[InboundEvent]:
    """The business's events that occurred in the window, topic by topic in topic order,
    merged by event time (a return read before its sale is parked, as live)."""

    async def drain(batches: AsyncIterator[ReadBatch]) -> list[InboundEvent]:
        kept: list[InboundEvent] = []
        async for batch in batches:
            kept.extend(
                e
                for e in batch.events
                if e.business_id == r.business_id and r.start <= e.occurred_at < r.end
            )
            progress(batch.read)
        return kept

    # Topics side by side: a reader waits a few idle seconds at each topic's end.
    per_topic = await asyncio.gather(*(drain(batches) for batches in topics))
    return list(heapq.merge(*per_topic, key=lambda e: e.occurred_at))


async def _totals(
    r: Simulation, ledgers: ShadowLedgers, url: str, shadow: Shadow, refused: int
) -> LedgerTotals:
    programme = await shadow.programmes.get(r.business_id)
    rule = in_force(programme.rules, r.end)
    rate = rule.redemption_rate if rule else programme.rules[-1].redemption_rate
    target = rule.stamp_card.target if rule and rule.stamp_card else 0
    totals = await ledgers.totals(url, r.business_id, r.start, r.end, rate, target)
    return replace(totals, refused=refused)


RunSimulation = Callable[[Simulation], Awaitable[SimulationReport]]
