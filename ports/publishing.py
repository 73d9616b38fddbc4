from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.ledger import LedgerEntry


class LedgerPublisher(Protocol):
    """Publishes ledger entries, in the given order, and returns once all are acknowledged."""

    async def publish(self, entries: Sequence[LedgerEntry]) -> None: ...
