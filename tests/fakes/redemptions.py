"""In-memory redemption (hold) repository."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from uuid import UUID

from domain.redemption import Redemption, RedemptionStatus
from tests.fakes.rewards import save_redemption
from tests.fakes.store import FakeRepository, FakeStore


class FakeRedemptions(FakeRepository):
    async def get(self, business_id: str, redemption_id: UUID) -> Redemption | None:
        return self._uow.view.redemptions.get((business_id, redemption_id))

    async def save(self, redemption: Redemption) -> None:
        def write(store: FakeStore) -> None:
            save_redemption(store, redemption)

        self._uow.stage(write)

    async def held_points(self, business_id: str, account_id: UUID, now: datetime) -> int:
        # As in SQL, a hold with no expiry (NULL) is not counted.
        return sum(
            r.points
            for r in self._uow.view.redemptions.values()
            if (r.business_id, r.account_id) == (business_id, account_id)
            and r.status is RedemptionStatus.HELD
            and r.expires_at is not None
            and r.expires_at > now
        )

    async def given_back_by_returns(self, business_id: str, redemption_id: UUID) -> int:
        return sum(
            p.spend.returned
            for p in self._uow.view.purchases.values()
            if p.business_id == business_id
            and p.spend is not None
            and p.spend.redemption_id == redemption_id
        )

    async def expire_overdue(self, business_id: str, account_id: UUID, now: datetime) -> None:
        def write(store: FakeStore) -> None:
            for r in list(store.redemptions.values()):
                overdue = r.expires_at is not None and r.expires_at <= now
                mine = (r.business_id, r.account_id) == (business_id, account_id)
                if mine and overdue and r.status is RedemptionStatus.HELD:
                    save_redemption(store, replace(r, status=RedemptionStatus.EXPIRED))

        self._uow.stage(write)
