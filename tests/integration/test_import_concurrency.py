"""Opening balances imported while sales for the same customers are applied, on real
PostgreSQL: both lock accounts in one order, so neither waits for ever, each account ends with
exactly what the file and the sales gave it, and ``verify`` finds every chain whole. Searched
over how the two interleave."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import TypeVar

import asyncpg
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from adapters.postgres.imports import PostgresImportUnitOfWork
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from adapters.system_clock import SystemClock
from domain.errors import ConcurrentUpdate
from domain.events import EventKind
from domain.imports import BalanceRow
from service.entrypoints.cli_import import in_streams
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.imports import ImportBatches
from service.use_cases.verification import verify_ledger
from tests.integration.conftest import given_customer, given_programme
from tests.support.events import parsed, sale

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

CUSTOMERS = [f"c{n}" for n in range(6)]
T = TypeVar("T")
_shops = count()


async def _retried(work: Callable[[], Awaitable[T]]) -> T:
    """As the consumer and ``loyalty import`` do: a conflict (a deadlock among them) is retried."""
    for _ in range(20):
        try:
            return await work()
        except ConcurrentUpdate:
            await asyncio.sleep(0.01)
    raise AssertionError("still conflicting after 20 attempts")


@settings(
    max_examples=6,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    lots=st.lists(st.tuples(st.sampled_from(CUSTOMERS), st.integers(1, 500)), max_size=40),
    sales=st.lists(st.tuples(st.sampled_from(CUSTOMERS), st.integers(1, 300)), max_size=20),
    batch=st.integers(1, 10),
    streams=st.integers(1, 3),
)
async def test_an_import_beside_sales_for_the_same_customers_gives_each_exactly_both(
    pool: asyncpg.Pool,
    lots: list[tuple[str, int]],
    sales: list[tuple[str, int]],
    batch: int,
    streams: int,
) -> None:
    shop = f"import-race-{next(_shops)}"
    uows = PostgresUnitOfWorkFactory(pool)
    await given_programme(uows, shop)
    for customer in CUSTOMERS:
        await given_customer(uows, shop, customer)
    expires = datetime.now(UTC) + timedelta(days=365)
    rows = [
        (line, BalanceRow(shop, customer, f"lot-{line}", points, None, expires, None))
        for line, (customer, points) in enumerate(lots, 1)
    ]
    importer = ImportBatches(lambda: PostgresImportUnitOfWork(pool), SystemClock())
    write = in_streams(importer.balances, streams, dry_run=False)  # as ``--jobs`` does
    apply = ApplyEventBatch(uows, SystemClock())
    events = [parsed(EventKind.SALE_COMPLETED, sale(shop, c, str(p))) for c, p in sales]

    async def import_all() -> None:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            outcome = await _retried(lambda: write(chunk))  # noqa: B023
            assert outcome.rejected == []

    async def sell_all() -> None:
        for start in range(0, len(events), 2):
            chunk = events[start : start + 2]
            await _retried(lambda: apply(chunk))  # noqa: B023

    await asyncio.wait_for(asyncio.gather(import_all(), sell_all()), timeout=60)

    held = {
        r["customer_id"]: r["balance"]
        for r in await pool.fetch(
            "SELECT customer_id, balance FROM accounts WHERE business_id = $1", shop
        )
    }
    expected = dict.fromkeys(CUSTOMERS, 0)
    for customer, points in [*lots, *sales]:
        expected[customer] += points
    assert held == expected
    assert (await verify_ledger(uows, shop, outbox_max_age_seconds=3600)).ok
