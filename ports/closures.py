"""What closing an account reads beyond the other repositories."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.redemption import Redemption


class LiveHoldRepository(Protocol):
    """The account's holds still live at ``now`` (held, not yet expired), read under the
    account's lock so no till adds one meanwhile."""

    async def live_holds(
        self, business_id: str, account_id: UUID, now: datetime
    ) -> list[Redemption]: ...
