"""In-memory start of a redemption: the idempotency key claimed and the account locked, then
what the account may spend, read through the unit of work's other fakes."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from ports.repositories import KeyClaim, SpendingState
from tests.fakes.store import FakeRepository, FakeStore


class FakeRedemptionStart(FakeRepository):
    async def claim_and_lock(
        self, business_id: str, key: str, fingerprint: str, redemption_id: UUID, account_id: UUID
    ) -> KeyClaim:
        account = await self._uow.accounts.lock(business_id, account_id)
        claimed = self._uow.view.idempotency_keys.get((business_id, key))
        if claimed is not None:
            return KeyClaim(claimed, account)

        def write(store: FakeStore) -> None:
            store.idempotency_keys.setdefault((business_id, key), (fingerprint, redemption_id))

        self._uow.stage(write)
        return KeyClaim(None, account)

    async def spending_state(
        self, business_id: str, account_id: UUID, now: datetime, *, releasing: bool = False
    ) -> SpendingState:
        key = (business_id, account_id)
        if releasing:
            await self._uow.redemptions.expire_overdue(business_id, account_id, now)
        return SpendingState(
            await self._uow.redemptions.held_points(business_id, account_id, now),
            await self._uow.programmes.get(business_id),
            (await self._uow.lots.open_lots([key]))[key],
        )
