"""Reports: the operators' queries (``domain.reports``), checked and paged.

Each page asks the store for one row more than it shows: that row's presence is what says
there is a next page, and the last row shown is where it starts."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from uuid import UUID

from domain.errors import AccountNotFound
from domain.reports import (
    ExpiringPage,
    ExpiringQuery,
    LevelPage,
    LevelQuery,
    MovementPage,
    MovementQuery,
    ReferralPage,
    ReferralQuery,
    check_limit,
    check_within_days,
)
from ports.clock import Clock
from ports.reports import ReportQueries


class Reports:
    def __init__(self, queries: ReportQueries, clock: Clock) -> None:
        self._queries = queries
        self._clock = clock

    async def expiring(self, query: ExpiringQuery) -> ExpiringPage:
        """Points in lots expiring within ``within_days`` of now (lots already expired but not
        yet swept included: they go at the next sweep), soonest first, with the window's
        total."""
        check_limit(query.limit)
        check_within_days(query.within_days)
        await self._known(query.business_id, query.account_id)
        until = self._clock.now() + timedelta(days=query.within_days)
        lots = await self._queries.expiring(replace(query, limit=query.limit + 1), until)
        total = await self._queries.expiring_total(query, until)
        shown = tuple(lots[: query.limit])
        more = len(lots) > query.limit
        last = (shown[-1].expires_at, shown[-1].lot_id) if more else None
        return ExpiringPage(until=until, lots=shown, total=total, next_after=last)

    async def referrals(self, query: ReferralQuery) -> ReferralPage:
        """Referral bonuses and their reversals per account over the days, by account id."""
        check_limit(query.limit)
        await self._known(query.business_id, query.account_id)
        rows = await self._queries.referrals(replace(query, limit=query.limit + 1))
        total = await self._queries.referral_total(query)
        shown = tuple(rows[: query.limit])
        last = shown[-1].account_id if len(rows) > query.limit else None
        return ReferralPage(earnings=shown, total=total, next_after=last)

    async def movements(self, query: MovementQuery) -> MovementPage:
        """Points moved by bucket per UTC day and store, by day then store."""
        check_limit(query.limit)
        rows = await self._queries.movements(replace(query, limit=query.limit + 1))
        shown = tuple(rows[: query.limit])
        last = shown[-1].key if len(rows) > query.limit else None
        return MovementPage(movements=shown, next_after=last)

    async def levels(self, query: LevelQuery) -> LevelPage:
        """Members (cards not closed) per level, the base level first."""
        check_limit(query.limit)
        rows = await self._queries.levels(replace(query, limit=query.limit + 1))
        shown = tuple(rows[: query.limit])
        last = (shown[-1].level or "") if len(rows) > query.limit else None
        return LevelPage(levels=shown, next_after=last)

    async def _known(self, business_id: str, account_id: UUID | None) -> None:
        if account_id is not None and not await self._queries.has_account(business_id, account_id):
            raise AccountNotFound("No such loyalty account.")
