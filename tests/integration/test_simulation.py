"""What-if simulations into shadow ledgers on real PostgreSQL (events fed straight in; the
contract test reads them from the broker)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import asyncpg
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from adapters.postgres.shadow import PostgresShadowLedgers
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from adapters.simulation_proposal import read_proposal
from adapters.system_clock import SystemClock
from domain.commands import EnrolCustomer
from domain.events import EventKind, InboundEvent
from domain.identifiers import card
from domain.simulation_report import SimulationReport
from ports.intake import ReadBatch
from service.entrypoints.settings import Settings
from service.entrypoints.simulations import shadow_opener
from service.use_cases.accounts import Accounts
from service.use_cases.simulation import Simulation, simulate
from tests.conftest import TEMPLATE
from tests.integration.conftest import given_customer, given_programme
from tests.support.events import item, parsed, sale

pytestmark = pytest.mark.integration

SHOP = "sim-shop"
START = datetime(2026, 5, 1, tzinfo=UTC)
# Accounts are enrolled now, and only those enrolled before the window's end are copied.
END = datetime.now(UTC) + timedelta(days=1)
CATEGORIES = ("bakery", "dairy", "fruit")
_runs = itertools.count()


async def _batches(events: list[InboundEvent]) -> AsyncIterator[ReadBatch]:
    yield ReadBatch(events, 0, len(events))


async def _simulate(
    database_url: str, events: list[InboundEvent], proposal: dict[str, object]
) -> SimulationReport:
    request = Simulation(
        SHOP, read_proposal(proposal, SHOP), START, END, f"sim_it_{next(_runs)}", batch_size=7
    )
    return await simulate(
        request,
        PostgresShadowLedgers(database_url, template=TEMPLATE),
        shadow_opener(Settings(database_url=database_url), START),
        [_batches(events)],
    )


baskets = st.lists(
    st.tuples(
        st.sampled_from(["c1", "c2", "c3"]),
        st.sampled_from(CATEGORIES),
        st.lists(st.integers(100, 4000), min_size=1, max_size=3),
    ),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=4,
    phases=[Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(baskets=baskets)
async def test_doubling_one_category_changes_exactly_that_categorys_points(
    database_url: str, pool: asyncpg.Pool, baskets: list[tuple[str, str, list[int]]]
) -> None:
    uow = PostgresUnitOfWorkFactory(pool)
    if await pool.fetchval("SELECT count(*) FROM programmes") == 0:
        await given_programme(uow, SHOP, earn_rate="1")
        for customer in ("c1", "c2", "c3"):
            await given_customer(uow, SHOP, customer)
    events = [
        parsed(
            EventKind.SALE_COMPLETED,
            sale(
                SHOP,
                customer,
                str(sum(Decimal(c) / 100 for c in cents)),
                items=[
                    item(f"sku-{n}", str(Decimal(c) / 100), category=category)
                    for n, c in enumerate(cents)
                ],
            ),
        )
        for customer, category, cents in baskets
    ]
    same = await _simulate(database_url, events, {"earn_rate": "1", "redemption_rate": "100"})
    assert same.unchanged, [line for line in same.lines if line.difference]

    doubled = await _simulate(
        database_url,
        events,
        {
            "earn_rate": "1",
            "redemption_rate": "100",
            "item_rules": {"category_multipliers": {"bakery": "2"}},
        },
    )
    by_category = {line.key: line for line in doubled.lines if line.section == "by_category"}
    for category, line in by_category.items():
        if category != "bakery":
            assert line.difference == 0, line
    totals = [sum(Decimal(c) / 100 for c in cents) for _, category, cents in baskets]
    on_bakery = [
        t for t, (_, category, _) in zip(totals, baskets, strict=True) if category == "bakery"
    ]
    if on_bakery:
        assert by_category["bakery"].current == sum(int(t) for t in on_bakery)
        assert by_category["bakery"].proposed == sum(int(2 * t) for t in on_bakery)
    else:
        assert "bakery" not in by_category
    issued = next(line for line in doubled.lines if line.key == "issued")
    assert issued.current == sum(int(t) for t in totals) > 0
    assert issued.difference == sum(line.difference for line in by_category.values())
    # The live database is only read: it holds no shadow's entries.
    assert await pool.fetchval("SELECT count(*) FROM ledger_entries WHERE kind = 'earn'") == 0


async def test_a_sale_naming_only_a_card_earns_in_both_shadows(
    database_url: str, pool: asyncpg.Pool
) -> None:
    uow = PostgresUnitOfWorkFactory(pool)
    await given_programme(uow, SHOP, earn_rate="1")
    await Accounts(uow, SystemClock()).enrol(
        EnrolCustomer(SHOP, "c-card", identifiers=(card("4000 1234 5678 9010"),))
    )
    event = parsed(
        EventKind.SALE_COMPLETED, sale(SHOP, None, "12.00", card_number="4000123456789010")
    )
    report = await _simulate(database_url, [event], {"earn_rate": "1", "redemption_rate": "100"})
    issued = next(line for line in report.lines if line.key == "issued")
    assert (issued.current, issued.proposed) == (12, 12)
