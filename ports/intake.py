from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.batch import BatchChanges
from domain.events import InboundEvent


class EventBatchHandler(Protocol):
    """Applies validated inbound events in one transaction; returns what changed.

    Raises on a transient failure, in which case nothing was written.
    """

    async def __call__(self, events: Sequence[InboundEvent]) -> BatchChanges: ...
