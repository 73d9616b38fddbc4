"""The operators' queries (``domain.reports``): where they read, and what the edges call."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.reports import (
    ExpiringLot,
    ExpiringPage,
    ExpiringQuery,
    ExpiringTotal,
    LevelCount,
    LevelPage,
    LevelQuery,
    Movement,
    MovementPage,
    MovementQuery,
    ReferralEarning,
    ReferralPage,
    ReferralQuery,
    ReferralTotal,
)


class ReportQueries(Protocol):
    """Read-only, one business at a time; each page is the ``limit`` rows after the query's
    ``after`` key in key order. No call writes or locks anything."""

    async def has_account(self, business_id: str, account_id: UUID) -> bool: ...

    async def expiring(self, query: ExpiringQuery, until: datetime) -> list[ExpiringLot]:
        """Lots with points left that expire before ``until``, by (expires_at, lot_id)."""
        ...

    async def expiring_total(self, query: ExpiringQuery, until: datetime) -> ExpiringTotal: ...

    async def referrals(self, query: ReferralQuery) -> list[ReferralEarning]:
        """Referral entries (bucket referral) per account, by account id."""
        ...

    async def referral_total(self, query: ReferralQuery) -> ReferralTotal: ...

    async def movements(self, query: MovementQuery) -> list[Movement]:
        """Points by bucket per (UTC day, store), by day then store ("" for none first)."""
        ...

    async def levels(self, query: LevelQuery) -> list[LevelCount]:
        """Members (accounts not closed) per level, the base level (none) first."""
        ...


class ReportOperations(Protocol):
    """The queries as the API and the CLI ask them; the business comes from the caller.

    Errors: InvalidRequest (a bad limit, window or range), NotFound (an account of another
    business, or none)."""

    async def expiring(self, query: ExpiringQuery) -> ExpiringPage: ...

    async def referrals(self, query: ReferralQuery) -> ReferralPage: ...

    async def movements(self, query: MovementQuery) -> MovementPage: ...

    async def levels(self, query: LevelQuery) -> LevelPage: ...
