"""A what-if simulation reads the real broker outside the consumer group and leaves the live
ledger and the group's offsets exactly as they were."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import asyncpg
import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from adapters.simulation_proposal import read_proposal
from adapters.system_clock import SystemClock
from domain.commands import AdjustPoints
from domain.simulation_report import SimulationReport
from service.entrypoints.runtime import Service
from service.entrypoints.settings import Settings
from service.entrypoints.simulations import run_simulation
from service.use_cases.accounts import Accounts
from tests.conftest import TEMPLATE
from tests.integration.conftest import given_customer, given_programme
from tests.support.events import customer_return, encode, sale
from tests.support.kafka import committed_offsets, eventually, last_offsets, produce

pytestmark = pytest.mark.contract

SHOP = "what-if-shop"
START = datetime(2026, 5, 1, tzinfo=UTC)
LEDGER = "SELECT * FROM ledger_entries ORDER BY business_id, account_id, seq"
ACCOUNTS = "SELECT * FROM accounts ORDER BY business_id, account_id"


async def test_a_simulation_reports_no_difference_for_the_same_programme_and_touches_nothing_live(
    contract_settings: Settings, db: asyncpg.Pool, service: Service
) -> None:
    s = contract_settings
    uow = PostgresUnitOfWorkFactory(db)
    await given_programme(uow, SHOP, earn_rate="1")
    for customer in ("c1", "c2", "c3"):
        await given_customer(uow, SHOP, customer)
    sales = [sale(SHOP, c, f"{40 + 7 * i}.50") for i, c in enumerate(["c1", "c2", "c3", "c1"])]
    await produce(s.kafka_bootstrap_servers, s.topic_sale_completed, [encode(x) for x in sales])
    await produce(
        s.kafka_bootstrap_servers,
        s.topic_customer_return_created,
        [encode(customer_return(SHOP, sales[0]["sale_id"], "10.00"))],
    )
    await eventually(
        lambda: db.fetchval("SELECT count(*) FROM inbox WHERE status = 'applied'"),
        lambda n: n == 5,
    )
    c1 = UUID(str(await db.fetchval("SELECT account_id FROM accounts WHERE customer_id = 'c1'")))
    # Made over HTTP in the window: carried into both shadows.
    await Accounts(uow, SystemClock()).adjust(AdjustPoints(SHOP, c1, -60, "redeemed at the desk"))
    topics = list(s.inbound_topics())
    ends = await last_offsets(s.kafka_bootstrap_servers, topics)
    offsets = await committed_offsets(s.kafka_bootstrap_servers, s.consumer_group, list(ends))
    ledger = [tuple(r) for r in await db.fetch(LEDGER)]
    accounts = [tuple(r) for r in await db.fetch(ACCOUNTS)]
    end = datetime.now(UTC) + timedelta(days=1)

    async def run(proposal: dict[str, object]) -> SimulationReport:
        return await run_simulation(
            s, SHOP, read_proposal(proposal, SHOP), START, end, template=TEMPLATE
        )

    same = await run({"earn_rate": "1", "redemption_rate": "100"})
    assert same.unchanged, [line for line in same.lines if line.difference]
    totals = {line.key: line.current for line in same.lines if line.section == "totals"}
    assert totals["issued"] == 40 + 47 + 54 + 61
    assert totals["reversed"] == 9  # floor(40 * 10.00 / 40.50)
    assert totals["redeemed"] == 0 and totals["refused"] == 0  # an adjustment, not a redemption
    assert totals["outstanding"] == 40 + 47 + 54 + 61 - 9 - 60

    # A tenth of the rate: c1 could not have afforded the 60 points taken at the desk.
    meagre = await run({"earn_rate": "0.1", "redemption_rate": "100"})
    refused = next(line for line in meagre.lines if line.key == "refused")
    assert (refused.current, refused.proposed) == (0, 1)
    # c1 keeps its 10 points (4 + 6, a return of 0): nothing was taken at the desk there.
    moved = [(m.customer_id, m.current, m.proposed) for m in meagre.movers]
    assert moved == [("c3", 54, 5), ("c2", 47, 4), ("c1", 32, 10)]

    assert [tuple(r) for r in await db.fetch(LEDGER)] == ledger
    assert [tuple(r) for r in await db.fetch(ACCOUNTS)] == accounts
    assert (
        await committed_offsets(s.kafka_bootstrap_servers, s.consumer_group, list(ends)) == offsets
    )
    assert await last_offsets(s.kafka_bootstrap_servers, topics) == ends
    assert not await db.fetchval(
        "SELECT count(*) FROM pg_database WHERE datname LIKE '%\\_sim\\_%'"
    )
