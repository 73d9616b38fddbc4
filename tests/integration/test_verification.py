from __future__ import annotations

import asyncpg
import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.events import EventKind
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.verification import verify_ledger
from tests.integration.conftest import given_customer, given_programme
from tests.support.events import customer_return, parsed, sale

pytestmark = pytest.mark.integration


@pytest.fixture
async def busy_ledger(uow_factory: PostgresUnitOfWorkFactory, apply_events: ApplyEventBatch) -> str:
    await given_programme(uow_factory, "audit-shop", welcome_bonus=10)
    for customer in ("amy", "bo"):
        await given_customer(uow_factory, "audit-shop", customer)
        bought = sale("audit-shop", customer, "40.00")
        await apply_events(
            [
                parsed(EventKind.SALE_COMPLETED, bought),
                parsed(
                    EventKind.CUSTOMER_RETURN_CREATED,
                    customer_return("audit-shop", bought["sale_id"], "15"),
                ),
            ]
        )
    return "audit-shop"


async def test_a_consistent_ledger_passes_verification(
    uow_factory: PostgresUnitOfWorkFactory, busy_ledger: str
) -> None:
    report = await verify_ledger(uow_factory, None, 300)
    assert report.breaches == []
    assert (report.entries_checked, report.accounts_checked) == (8, 2)  # with 2 card_created


async def test_an_entry_altered_behind_the_services_back_is_found(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory, busy_ledger: str
) -> None:
    async with pool.acquire() as superuser:
        await superuser.execute("SET session_replication_role = replica")  # triggers off
        await superuser.execute(
            "UPDATE ledger_entries SET points = points + 100, balance_after = balance_after + 100"
            " WHERE kind = 'earn' AND customer_id = 'amy'"
        )
        await superuser.execute(
            "UPDATE accounts SET balance = balance + 100 WHERE customer_id = 'amy'"
        )

    report = await verify_ledger(uow_factory, busy_ledger, 300)

    # The chain gives the edit away; so do the lots and the purchase, which it did not touch.
    [chain] = [b for b in report.breaches if "does not match its hash chain" in b]
    [lots] = [b for b in report.breaches if "lots hold" in b]
    [purchase] = [b for b in report.breaches if "earned 40 but its earn entry" in b]
    assert sorted(report.breaches) == sorted([chain, lots, purchase])


async def test_a_balance_that_disagrees_with_its_entries_is_found(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory, busy_ledger: str
) -> None:
    await pool.execute("UPDATE accounts SET balance = balance - 1 WHERE customer_id = 'bo'")

    report = await verify_ledger(uow_factory, None, 300)

    [entries] = [b for b in report.breaches if "entries sum to" in b]
    [lots] = [b for b in report.breaches if "lots hold" in b]
    assert sorted(report.breaches) == sorted([entries, lots])


async def test_a_deleted_entry_and_a_stale_outbox_are_found(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory, busy_ledger: str
) -> None:
    async with pool.acquire() as superuser:
        await superuser.execute("SET session_replication_role = replica")
        await superuser.execute(
            "DELETE FROM outbox WHERE entry_id IN (SELECT entry_id FROM ledger_entries"
            " WHERE kind = 'reversal' AND customer_id = 'bo')"
        )
        await superuser.execute(
            "DELETE FROM ledger_entries WHERE kind = 'reversal' AND customer_id = 'bo'"
        )

    report = await verify_ledger(uow_factory, None, 0)

    text = "\n".join(report.breaches)
    assert "entries sum to" in text
    assert "is applied but has no entry" in text
    assert "unpublished since" in text
