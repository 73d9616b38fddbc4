"""In-memory outbox: every entry posted waits here until the relay marks it published."""

from __future__ import annotations

from collections.abc import Sequence

from domain.ledger import LedgerEntry
from ports.publishing import LedgerMessage
from tests.fakes.store import FakeRepository


def encoded(entry: LedgerEntry) -> LedgerMessage:
    """An entry as the outbox hands it to the relay (the body: its id, for these tests)."""
    return LedgerMessage(
        entry.entry_id,
        str(entry.account_id),
        entry.kind.value,
        entry.recorded_at,
        str(entry.entry_id).encode(),
    )


class FakeOutbox(FakeRepository):
    async def claim_pending(self, limit: int) -> list[tuple[int, LedgerMessage]]:
        view = self._uow.view
        pending = sorted(i for i in view.outbox if i not in view.published)[:limit]
        return [(i, encoded(view.outbox[i])) for i in pending]

    async def mark_published(self, outbox_ids: Sequence[int]) -> None:
        ids = set(outbox_ids)
        self._uow.stage(lambda store: store.published.update(ids & store.outbox.keys()))
