from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True, slots=True)
class LedgerMessage:
    """A committed ledger entry as its outbound message, already encoded (UTF-8 JSON of the
    ``loyalty.ledger`` contract), with what the relay needs to route and measure it."""

    entry_id: UUID
    account_id: str
    kind: str
    recorded_at: datetime
    body: bytes


class LedgerPublisher(Protocol):
    """Publishes ledger messages, in the given order, and returns once all are acknowledged."""

    async def publish(self, messages: Sequence[LedgerMessage]) -> None: ...
