"""Every operator query reads its index on a ledger of 20,000 generated entries over 20
businesses, as the planner chooses on its own (nothing disabled), after ANALYZE."""

from __future__ import annotations

import asyncpg
import pytest

from bench.report_data import load
from bench.report_plans import explain, queries

pytestmark = pytest.mark.integration


async def test_each_report_query_plan_reads_its_index_on_twenty_thousand_entries(
    pool: asyncpg.Pool,
) -> None:
    async with pool.acquire() as connection:
        await load(connection, 20_000)
        found = [await explain(connection, query, analyze=False) for query in queries()]

    missing = {plan.name: plan.indexes for plan in found if not plan.uses_index}
    assert not missing, f"plans not reading their index: {missing}"
