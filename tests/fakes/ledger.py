"""In-memory ledger repository: a posting's entries (each with its outbox row), balances and
lots land together, as the one SQL statement writes them."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from domain.ledger import LedgerEntry
from domain.postings import Posting
from tests.fakes.store import FakeRepository, FakeStore


class FakeLedger(FakeRepository):
    async def post(self, posting: Posting) -> None:
        if posting.empty:
            return
        entries, lots = posting.entries, posting.lots

        def write(store: FakeStore) -> None:
            # The entry id is the ledger's primary key: appending one twice is a bug.
            assert not {e.entry_id for e in entries} & {e.entry_id for e in store.entries}
            for entry in entries:
                store.entries.append(entry)
                store.outbox[max(store.outbox, default=0) + 1] = entry
            for a in posting.accounts:
                if (a.business_id, a.account_id) in store.accounts:  # an UPDATE, as in SQL
                    store.accounts[(a.business_id, a.account_id)] = a
            for lot in lots.lots.values():
                store.lots[(lot.business_id, lot.lot_id)] = lot
            keys = {(t.business_id, t.entry_id, t.lot_id) for t in lots.takes}
            assert len(keys) == len(lots.takes), "one take per entry and lot"
            store.lot_takes.extend(lots.takes)

        self._uow.stage(write)

    async def recent(self, business_id: str, account_id: UUID, limit: int) -> list[LedgerEntry]:
        return await self.page(business_id, account_id, None, None, limit)

    async def entry(self, business_id: str, entry_id: UUID) -> LedgerEntry | None:
        wanted = (business_id, entry_id)
        return next(
            (e for e in self._uow.view.entries if (e.business_id, e.entry_id) == wanted), None
        )

    async def page(
        self,
        business_id: str,
        account_id: UUID,
        before_seq: int | None,
        kinds: Collection[str] | None,
        limit: int,
    ) -> list[LedgerEntry]:
        mine = [
            e
            for e in self._uow.view.entries
            if (e.business_id, e.account_id) == (business_id, account_id)
            and (before_seq is None or e.seq < before_seq)
            and (kinds is None or e.kind.value in kinds)
        ]
        return sorted(mine, key=lambda e: e.seq, reverse=True)[:limit]
