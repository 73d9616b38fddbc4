"""In-memory live holds of an account (the redemptions the store holds)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.redemption import Redemption, RedemptionStatus
from tests.fakes.store import FakeRepository


class FakeLiveHolds(FakeRepository):
    async def live_holds(
        self, business_id: str, account_id: UUID, now: datetime
    ) -> list[Redemption]:
        # As in SQL, a hold with no expiry (NULL) is not live.
        return sorted(
            (
                r
                for r in self._uow.view.redemptions.values()
                if (r.business_id, r.account_id) == (business_id, account_id)
                and r.status is RedemptionStatus.HELD
                and r.expires_at is not None
                and r.expires_at > now
            ),
            key=lambda r: (r.created_at, str(r.redemption_id)),
        )
