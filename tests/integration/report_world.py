"""A small world for the reports on real PostgreSQL: businesses, customers, entries posted
through the ledger's own port at chosen times, stores and kinds."""

from __future__ import annotations

import itertools
from datetime import datetime
from uuid import UUID

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.commands import EnrolCustomer
from domain.ledger import Attribution, EntryKind, Source
from domain.postings import policies_of, post_entry, settle
from service.use_cases.accounts import Accounts
from tests.fakes.clock import FakeClock
from tests.integration.conftest import given_programme

_origins = itertools.count()


class World:
    def __init__(self, uow_factory: PostgresUnitOfWorkFactory, clock: FakeClock) -> None:
        self.uows, self.clock = uow_factory, clock
        self.accounts = Accounts(uow_factory, clock)
        self.ids: dict[tuple[str, str], UUID] = {}

    async def business(self, business: str, validity_days: int = 30) -> None:
        await given_programme(self.uows, business, points_validity_days=validity_days)

    async def customer(self, business: str, customer: str) -> UUID:
        if (business, customer) not in self.ids:
            view = await self.accounts.enrol(EnrolCustomer(business, customer))
            self.ids[(business, customer)] = view.account.account_id
        return self.ids[(business, customer)]

    async def post(
        self,
        business: str,
        customer: str,
        kind: EntryKind,
        points: int,
        at: datetime,
        *,
        store: str | None = None,
        referred: UUID | None = None,
        level: str | None = None,
    ) -> UUID:
        """Post one entry (and its lots) on the customer's account; answers its entry id."""
        account_id = await self.customer(business, customer)
        async with self.uows() as uow:
            account = await uow.accounts.lock(business, account_id)
            assert account is not None
            key = (business, account_id)
            open_lots = await uow.lots.open_lots([key]) if points < 0 else {}
            account, entry = post_entry(
                account,
                kind=kind,
                points=points,
                source=Source.SYSTEM if points >= 0 else Source.POS,
                source_ref=f"test-{next(_origins)}",
                origin=f"report-test:{next(_origins)}",
                at=at,
                attribution=Attribution(store_id=store, actor="test"),
                referred_account_id=referred,
                level_before=account.level if kind is EntryKind.LEVEL_CHANGE else None,
                level_after=level,
            )
            programme = await uow.programmes.get(business)
            await uow.ledger.post(settle([account], [entry], policies_of(programme), open_lots))
            await uow.commit()
        return entry.entry_id
