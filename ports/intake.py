from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from domain.batch import BatchChanges
from domain.customer_updates import IntakeEvent
from domain.events import InboundEvent


class EventBatchHandler(Protocol):
    """Applies validated inbound events in one transaction; returns what changed.

    Raises on a transient failure, in which case nothing was written.
    """

    async def __call__(self, events: Sequence[IntakeEvent]) -> BatchChanges: ...


@dataclass(frozen=True)
class ReadBatch:
    """Records read back from a topic: the events among them, and how many of the ``read``
    records could not be parsed (the live consumer dead-lettered those)."""

    events: list[InboundEvent]
    rejected: int
    read: int
