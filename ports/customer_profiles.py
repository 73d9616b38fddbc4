"""The port to a customer's profile clock: when upstream last changed who the customer is."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.customer_updates import Keep


class CustomerProfileRepository(Protocol):
    """One profile per account (``customer_profiles``): its name and the time of the newest
    change applied to it, which orders upstream's updates."""

    async def updated_at(self, business_id: str, account_id: UUID) -> datetime | None:
        """The time of the newest change applied to the profile; None: no profile yet."""
        ...

    async def record(
        self, business_id: str, account_id: UUID, at: datetime, name: str | Keep | None
    ) -> bool:
        """Note a change made at ``at`` (and set the name, unless ``KEEP``) unless a newer one
        is recorded; False then, and nothing changed. Holds the profile's row until commit."""
        ...
