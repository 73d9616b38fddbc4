"""In-memory level histories and the accounts a level review locks."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from domain.accounts import Account, AccountStatus
from domain.batch import BatchKeys, BatchState
from domain.ledger import LedgerEntry
from domain.level_batch import history_from, levels_since
from domain.levels import LevelHistory
from domain.lots import AccountKey
from tests.fakes.lots import database_order
from tests.fakes.store import FakeRepository, FakeStore


def histories_in(
    store: FakeStore, accounts: Collection[AccountKey], since: datetime
) -> dict[AccountKey, LevelHistory]:
    wanted = set(accounts)
    by_account: dict[AccountKey, list[LedgerEntry]] = {key: [] for key in wanted}
    for entry in sorted(store.entries, key=lambda e: e.seq):
        key = (entry.business_id, entry.account_id)
        if key in wanted:
            by_account[key].append(entry)
    return {key: history_from(entries, since) for key, entries in by_account.items()}


def batch_histories(store: FakeStore, keys: BatchKeys, state: BatchState) -> None:
    """What the batch loader adds: the histories of the locked accounts of businesses with
    levels, as far back as the batch's earliest event needs (as PostgreSQL loads them)."""
    for business_id, programme in state.programmes.items():
        since = levels_since(programme, keys.earliest)
        if since is None:
            continue
        accounts = [key for key in state.accounts if key[0] == business_id]
        state.levels.update(histories_in(store, accounts, since))


class FakeLevels(FakeRepository):
    async def lock_levelled(
        self, business_id: str | None, after: AccountKey | None, limit: int
    ) -> list[Account]:
        found = [
            key
            for key, account in self._uow.view.accounts.items()
            if account.level is not None
            and account.status is not AccountStatus.CLOSED
            and business_id in (None, key[0])
            and (after is None or database_order(key) > database_order(after))
        ]
        return [self._uow.view.accounts[key] for key in sorted(found, key=database_order)[:limit]]

    async def histories(
        self, accounts: Collection[AccountKey], since: datetime
    ) -> dict[AccountKey, LevelHistory]:
        return histories_in(self._uow.view, accounts, since)
