from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import UUID

# The outbox is kept in this many shards by account (fixed in the schema by migration 0022,
# which says why it cannot change while entries are pending): the relay walks them, one
# holder per shard at a time, so an account's entries stay in order.
OUTBOX_SHARDS = 16


@dataclass(frozen=True, slots=True)
class LedgerMessage:
    """A committed ledger entry as its outbound message, already encoded (UTF-8 JSON of the
    ``loyalty.ledger`` contract), with what the relay needs to route and measure it."""

    entry_id: UUID
    account_id: str
    kind: str
    recorded_at: datetime
    body: bytes
    traceparent: str | None = None
    """The W3C trace context of the posting that wrote it, sent on as a header."""


class LedgerPublisher(Protocol):
    """Publishes ledger messages, in the given order, and returns once all are acknowledged."""

    async def publish(self, messages: Sequence[LedgerMessage]) -> None: ...
