"""What a redeem limit per period reads (domain.redeem_limits says what counts)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID


class RedeemLimitUsage(Protocol):
    """The points of the account's redemptions made in [since, until) that are captured, or
    held and live at ``now``. Read after the account's lock, in its transaction, so that no
    concurrent redemption is missed."""

    async def used_in_period(
        self, business_id: str, account_id: UUID, since: datetime, until: datetime, now: datetime
    ) -> int: ...
