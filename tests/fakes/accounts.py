"""In-memory account repository."""

from __future__ import annotations

from uuid import UUID

from domain.accounts import Account
from tests.fakes.store import FakeRepository, FakeStore


class FakeAccounts(FakeRepository):
    async def by_customer(self, business_id: str, customer_id: str) -> Account | None:
        wanted = (business_id, customer_id)
        found = self._uow.view.accounts.values()
        return next((a for a in found if (a.business_id, a.customer_id) == wanted), None)

    async def by_id(self, business_id: str, account_id: UUID) -> Account | None:
        return self._uow.view.accounts.get((business_id, account_id))

    async def lock(self, business_id: str, account_id: UUID) -> Account | None:
        return self._uow.view.accounts.get((business_id, account_id))

    async def add(self, account: Account) -> None:
        def write(store: FakeStore) -> None:
            taken = {(a.business_id, a.customer_id) for a in store.accounts.values()}
            assert (account.business_id, account.customer_id) not in taken, "unique customer"
            store.accounts[(account.business_id, account.account_id)] = account

        self._uow.stage(write)
