"""In-memory identifiers and names, as ``customer_identifiers`` and ``customer_profiles``."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from domain.identifiers import Identifier
from tests.fakes.store import FakeRepository, FakeStore


class FakeIdentifiers(FakeRepository):
    async def account_of(self, business_id: str, identifier: Identifier) -> UUID | None:
        return self._uow.view.identifiers.get((business_id, identifier))

    async def of_account(self, business_id: str, account_id: UUID) -> list[Identifier]:
        held = self._uow.view.identifiers.items()
        return sorted(i for (b, i), a in held if (b, a) == (business_id, account_id))

    async def add(self, business_id: str, account_id: UUID, identifier: Identifier) -> UUID:
        holder = self._uow.view.identifiers.get((business_id, identifier))
        if holder is not None:
            return holder

        def write(store: FakeStore) -> None:
            taken = store.identifiers.setdefault((business_id, identifier), account_id)
            assert taken == account_id, "unique identifier per business"

        self._uow.stage(write)
        return account_id

    async def remove(self, business_id: str, account_id: UUID, identifier: Identifier) -> bool:
        if self._uow.view.identifiers.get((business_id, identifier)) != account_id:
            return False

        def write(store: FakeStore) -> None:
            store.identifiers.pop((business_id, identifier), None)

        self._uow.stage(write)
        return True

    async def customers_of(
        self, identifiers: Collection[tuple[str, Identifier]]
    ) -> dict[tuple[str, Identifier], str]:
        view = self._uow.view
        found = {key: view.identifiers.get(key) for key in identifiers}
        return {
            key: view.accounts[(key[0], account_id)].customer_id
            for key, account_id in found.items()
            if account_id is not None
        }

    async def name_of(self, business_id: str, account_id: UUID) -> str | None:
        return self._uow.view.profiles.get((business_id, account_id))

    async def set_name(self, business_id: str, account_id: UUID, name: str) -> None:
        def write(store: FakeStore) -> None:
            store.profiles[(business_id, account_id)] = name

        self._uow.stage(write)
