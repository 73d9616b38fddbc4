"""In-memory profile clocks and names, as ``customer_profiles``."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.customer_updates import Keep
from tests.fakes.store import FakeRepository, FakeStore


class FakeCustomerProfiles(FakeRepository):
    async def updated_at(self, business_id: str, account_id: UUID) -> datetime | None:
        return self._uow.view.profile_times.get((business_id, account_id))

    async def record(
        self, business_id: str, account_id: UUID, at: datetime, name: str | Keep | None
    ) -> bool:
        key = (business_id, account_id)
        last = self._uow.view.profile_times.get(key)
        if last is not None and last > at:
            return False

        def write(store: FakeStore) -> None:
            store.profile_times[key] = at
            if name is None:
                store.profiles.pop(key, None)
            elif not isinstance(name, Keep):
                store.profiles[key] = name

        self._uow.stage(write)
        return True
