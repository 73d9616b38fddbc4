"""A ledger publisher that records what it publishes and fails when told to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from ports.publishing import LedgerMessage


@dataclass
class FakeLedgerPublisher:
    """Records what it publishes; fails the next ``failures`` calls with ``ConnectionError``.

    With ``lose_acks`` the failing calls deliver first, as when the broker's acknowledgement
    is lost, so the relay's retry publishes duplicates.
    """

    failures: int = 0
    lose_acks: bool = False
    published: list[LedgerMessage] = field(default_factory=list)

    async def publish(self, entries: Sequence[LedgerMessage]) -> None:
        if self.failures and not self.lose_acks:
            self.failures -= 1
            raise ConnectionError("broker unreachable")
        self.published.extend(entries)
        if self.failures:
            self.failures -= 1
            raise ConnectionError("acknowledgement lost")
