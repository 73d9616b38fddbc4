"""``loyalty verify`` on a live system: a writer committing between its checks is no breach."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

import asyncpg
import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWork, PostgresUnitOfWorkFactory
from domain.events import EventKind
from ports.repositories import LedgerAuditRepository
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.verification import verify_ledger
from tests.integration.conftest import given_customer, given_programme
from tests.support.events import customer_return, parsed, sale

pytestmark = pytest.mark.integration

Writer = Callable[[], Awaitable[None]]


class AuditWithWriterBetweenChecks:
    """The real audit, except that after each of its checks a writer commits on another
    connection: the worst a busy service can do to a verification in progress."""

    def __init__(self, inner: LedgerAuditRepository, writer: Writer) -> None:
        self._inner = inner
        self._writer = writer

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._inner, name)
        if name in ("read_one_snapshot", "entries_in_chain_order"):
            return method  # not a check; a generator

        async def then_write(*args: Any) -> Any:
            found = await method(*args)
            await self._writer()
            return found

        return then_write


class UnitOfWorkWithWriter(PostgresUnitOfWork):
    def __init__(self, pool: asyncpg.Pool, writer: Writer) -> None:
        super().__init__(pool)
        self._writer = writer

    async def __aenter__(self) -> PostgresUnitOfWork:
        await super().__aenter__()
        self.audit = cast(
            LedgerAuditRepository, AuditWithWriterBetweenChecks(self.audit, self._writer)
        )
        return self


async def test_postings_committed_between_the_checks_are_no_breach(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory, apply_events: ApplyEventBatch
) -> None:
    await given_programme(uow_factory, "live-shop")
    await given_customer(uow_factory, "live-shop", "amy")
    commits = 0

    async def a_sale_and_a_return() -> None:
        nonlocal commits
        bought = sale("live-shop", "amy", "40.00")
        returned = customer_return("live-shop", bought["sale_id"], "10")
        await apply_events(
            [
                parsed(EventKind.SALE_COMPLETED, bought),
                parsed(EventKind.CUSTOMER_RETURN_CREATED, returned),
            ]
        )
        commits += 1

    await a_sale_and_a_return()

    report = await verify_ledger(lambda: UnitOfWorkWithWriter(pool, a_sale_and_a_return), None, 300)

    assert commits > 3, "the writer committed between the checks"
    assert report.breaches == []
    # What was checked is the ledger as the first check saw it: the card_created entry, one
    # sale and one return.
    assert (report.entries_checked, report.accounts_checked) == (3, 1)
    assert await pool.fetchval("SELECT count(*) FROM ledger_entries") == 2 * commits + 1
