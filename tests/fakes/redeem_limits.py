"""In-memory redeem limit usage, counted from the redemptions the store holds."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from domain.redemption import RedemptionStatus
from tests.fakes.store import FakeRepository


class FakeRedeemLimits(FakeRepository):
    async def used_in_period(
        self, business_id: str, account_id: UUID, since: datetime, until: datetime, now: datetime
    ) -> int:
        # As in SQL, a hold with no expiry (NULL) is not live; points the sale it paid for
        # gave back by its returns free the period again.
        view = self._uow.view
        returned = {
            p.spend.redemption_id: p.spend.returned
            for p in view.purchases.values()
            if p.business_id == business_id and p.spend is not None
        }
        return sum(
            r.points - returned.get(r.redemption_id, 0)
            for r in view.redemptions.values()
            if (r.business_id, r.account_id) == (business_id, account_id)
            and since <= r.created_at < until
            and (
                r.status is RedemptionStatus.CAPTURED
                or (
                    r.status is RedemptionStatus.HELD
                    and r.expires_at is not None
                    and r.expires_at > now
                )
            )
        )
