"""Use case: re-apply a topic's events through the same rules, idempotently.

The records come from a reader outside the consumer group, so live offsets never move.
A dry run applies everything in one transaction and rolls it back.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from domain.batch import BatchChanges
from domain.events import InboundEvent
from domain.outcomes import OutcomeStatus
from ports.intake import EventBatchHandler, ReadBatch
from ports.unit_of_work import UnitOfWorkFactory
from service.use_cases.event_intake import ApplyEventBatch


@dataclass
class ReplaySummary:
    events: int = 0
    applied: int = 0
    already_applied: int = 0
    parked: int = 0
    parked_now_applied: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    dead_lettered: int = 0
    failed: int = 0
    """Events whose own data the rules refused (the live consumer dead-lettered them)."""
    conflicting: int = 0

    def add(self, changes: BatchChanges) -> None:
        for record in changes.inbox:
            if record.outcome.status is OutcomeStatus.APPLIED:
                self.applied += 1
            elif record.outcome.status is OutcomeStatus.PARKED:
                self.parked += 1
            else:
                self.skipped[str(record.outcome.reason)] += 1
        self.parked_now_applied += sum(
            1 for o in changes.resolved_inbox.values() if o.status is OutcomeStatus.APPLIED
        )
        self.already_applied += len(changes.duplicates)
        self.conflicting += len(changes.conflicts)
        self.failed += len(changes.failed)

    def as_dict(self) -> dict[str, Any]:
        return {
            "events": self.events,
            "applied": self.applied,
            "already_applied": self.already_applied,
            "skipped": dict(self.skipped),
            "parked": self.parked,
            "parked_now_applied": self.parked_now_applied,
            "dead_lettered": self.dead_lettered,
            "failed": self.failed,
            "conflicting_payload": self.conflicting,
        }


async def replay_topic(
    batches: AsyncIterator[ReadBatch],
    uow_factory: UnitOfWorkFactory,
    apply: ApplyEventBatch,
    dry_run: bool,
    progress: Callable[[int], None] = lambda n: None,
    handler: EventBatchHandler | None = None,
) -> ReplaySummary:
    """Bad messages are counted as dead letters but not sent again: the live run did.

    A live replay applies through ``handler`` (the consumer's, which isolates an event whose
    own data fails and returns it in ``failed``), so one such event cannot stop the replay;
    a dry run applies everything in one transaction through ``apply``."""
    summary = ReplaySummary()
    if dry_run:
        async with uow_factory() as uow:  # never committed: rolled back on the way out
            await _replay(batches, summary, progress, lambda e: apply.apply_within(uow, e))
    else:
        await _replay(batches, summary, progress, handler or apply)
    return summary


async def _replay(
    batches: AsyncIterator[ReadBatch],
    summary: ReplaySummary,
    progress: Callable[[int], None],
    apply: Callable[[list[InboundEvent]], Awaitable[BatchChanges]],
) -> None:
    async for batch in batches:
        summary.dead_lettered += batch.rejected
        if batch.events:
            summary.add(await apply(batch.events))
        summary.events += batch.read
        progress(batch.read)
