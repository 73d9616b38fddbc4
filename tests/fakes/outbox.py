"""In-memory outbox: every entry posted waits here until the relay marks it published.

It keeps one shard unless made with more (``tests.fakes.sharded_outbox``), so a use case's
test sees entries relayed in the order they were posted; a relay's own tests ask for shards.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from domain.ledger import LedgerEntry
from ports.publishing import LedgerMessage
from tests.fakes.store import FakeRepository

if TYPE_CHECKING:
    from tests.fakes.unit_of_work import FakeUnitOfWork


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
    def __init__(self, uow: FakeUnitOfWork, shards: int = 1) -> None:
        super().__init__(uow)
        self._shards = shards

    def shard_of(self, entry: LedgerEntry) -> int:
        """By account, as the schema does (with another hash: only the grouping matters)."""
        return entry.account_id.int % self._shards

    def _pending(self, shard: int | None = None) -> list[int]:
        view = self._uow.view
        return sorted(
            i
            for i, entry in view.outbox.items()
            if i not in view.published and shard in (None, self.shard_of(entry))
        )

    async def pending_shards(self) -> list[int]:
        return sorted({self.shard_of(self._uow.view.outbox[i]) for i in self._pending()})

    async def claim_pending(self, shard: int, limit: int) -> list[tuple[int, LedgerMessage]]:
        view = self._uow.view
        return [(i, encoded(view.outbox[i])) for i in self._pending(shard)[:limit]]

    async def mark_published(self, outbox_ids: Sequence[int]) -> None:
        ids = set(outbox_ids)
        self._uow.stage(lambda store: store.published.update(ids & store.outbox.keys()))
