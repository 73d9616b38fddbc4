from __future__ import annotations

import asyncio

import asyncpg
import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.events import EventKind
from service.use_cases.event_intake import ApplyEventBatch
from tests.integration.conftest import given_customer, given_programme
from tests.integration.ledger_queries import balance, entries, entry_sum, inbox_outcome
from tests.support.events import bill, bill_refund, customer_return, parsed, sale

pytestmark = pytest.mark.integration

SALE = EventKind.SALE_COMPLETED
RETURN = EventKind.CUSTOMER_RETURN_CREATED


@pytest.fixture
async def shop(uow_factory: PostgresUnitOfWorkFactory) -> str:
    await given_programme(uow_factory, "shop", earn_rate="2")
    await given_customer(uow_factory, "shop", "alice")
    return "shop"


async def test_a_sale_earns_points_with_its_attribution_and_rate_snapshot(
    pool: asyncpg.Pool, apply_events: ApplyEventBatch, shop: str
) -> None:
    payload = sale(shop, "alice", "19.99")
    await apply_events([parsed(SALE, payload)])

    assert await balance(pool, shop, "alice") == 39
    [created, entry] = await entries(pool, shop, "alice")
    assert (created["kind"], created["points"]) == ("card_created", 0)
    assert (entry["kind"], entry["points"], entry["balance_after"]) == ("earn", 39, 39)
    assert (entry["store_id"], entry["terminal_id"], entry["staff_id"]) == (
        "store-1",
        "till-3",
        "staff-9",
    )
    assert entry["earn_rate"] == 2 and entry["rule_version"] == 1
    assert entry["source_ref"] == payload["sale_id"]
    assert await pool.fetchval("SELECT count(*) FROM outbox") == 2


async def test_partial_returns_then_the_rest_reverse_exactly_what_was_earned(
    pool: asyncpg.Pool, apply_events: ApplyEventBatch, shop: str
) -> None:
    payload = sale(shop, "alice", "33.33")  # 66 points
    await apply_events([parsed(SALE, payload)])
    await apply_events([parsed(RETURN, customer_return(shop, payload["sale_id"], "10.00"))])
    await apply_events([parsed(RETURN, customer_return(shop, payload["sale_id"], "10.00"))])
    assert await balance(pool, shop, "alice") == 66 - 19 - 20
    await apply_events([parsed(RETURN, customer_return(shop, payload["sale_id"], "13.33"))])

    assert await balance(pool, shop, "alice") == 0
    assert [e["points"] for e in await entries(pool, shop, "alice")] == [0, 66, -19, -20, -27]


async def test_a_return_before_its_sale_is_parked_then_applied_when_the_sale_arrives(
    pool: asyncpg.Pool, apply_events: ApplyEventBatch, shop: str
) -> None:
    payload = sale(shop, "alice", "50.00")
    early_return = customer_return(shop, payload["sale_id"], "25.00")
    await apply_events([parsed(RETURN, early_return)])
    assert await inbox_outcome(pool, shop, early_return["event_id"]) == ("parked", None)
    assert await balance(pool, shop, "alice") == 0

    await apply_events([parsed(SALE, payload)])

    assert await balance(pool, shop, "alice") == 50
    assert await inbox_outcome(pool, shop, early_return["event_id"]) == ("applied", None)


async def test_bills_earn_and_bill_refunds_reverse_in_proportion(
    pool: asyncpg.Pool, apply_events: ApplyEventBatch, shop: str
) -> None:
    paid = bill(shop, "alice", "80.00")
    await apply_events([parsed(EventKind.BILL_PAID, paid)])
    await apply_events(
        [parsed(EventKind.BILL_REFUNDED, bill_refund(shop, paid["bill_id"], "20.00"))]
    )
    assert await balance(pool, shop, "alice") == 160 - 40


async def test_replaying_the_same_events_changes_nothing(
    pool: asyncpg.Pool, apply_events: ApplyEventBatch, shop: str
) -> None:
    payload = sale(shop, "alice", "12.00")
    batch = [parsed(SALE, payload), parsed(RETURN, customer_return(shop, payload["sale_id"], "6"))]
    await apply_events(batch)
    before = await entries(pool, shop, "alice")

    changes = await apply_events(batch)

    assert len(changes.duplicates) == 2 and not changes.entries
    assert await entries(pool, shop, "alice") == before


async def test_the_same_event_id_with_another_payload_is_a_conflict(
    pool: asyncpg.Pool, apply_events: ApplyEventBatch, shop: str
) -> None:
    payload = sale(shop, "alice", "12.00")
    await apply_events([parsed(SALE, payload)])

    changes = await apply_events([parsed(SALE, {**payload, "total_amount": "99.00"})])

    assert [e.event_id for e in changes.conflicts] == [payload["event_id"]]
    assert await balance(pool, shop, "alice") == 24


async def test_skipped_events_are_recorded_with_their_reason(
    pool: asyncpg.Pool, apply_events: ApplyEventBatch, shop: str
) -> None:
    anonymous = sale(shop, None, "10")
    stranger = sale(shop, "bob", "10")
    await apply_events([parsed(SALE, anonymous), parsed(SALE, stranger)])

    assert await inbox_outcome(pool, shop, anonymous["event_id"]) == ("skipped", "no_customer")
    assert await inbox_outcome(pool, shop, stranger["event_id"]) == ("skipped", "no_account")


async def test_concurrent_batches_with_a_sale_and_its_return_never_strand_the_return(
    pool: asyncpg.Pool, apply_events: ApplyEventBatch, shop: str
) -> None:
    for _ in range(20):
        payload = sale(shop, "alice", "10.00")
        refund = customer_return(shop, payload["sale_id"], "10.00")
        await asyncio.gather(
            apply_events([parsed(SALE, payload)]), apply_events([parsed(RETURN, refund)])
        )
    assert await balance(pool, shop, "alice") == 0
    assert await pool.fetchval("SELECT count(*) FROM refunds WHERE status = 'parked'") == 0
    assert await entry_sum(pool, shop, "alice") == 0


async def test_the_database_refuses_to_update_or_delete_ledger_entries(
    pool: asyncpg.Pool, apply_events: ApplyEventBatch, shop: str
) -> None:
    await apply_events([parsed(SALE, sale(shop, "alice", "10"))])
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="immutable"):
        await pool.execute("UPDATE ledger_entries SET points = 1000")
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="immutable"):
        await pool.execute("DELETE FROM ledger_entries")
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="immutable"):
        await pool.execute("TRUNCATE ledger_entries CASCADE")
    assert await balance(pool, shop, "alice") == await entry_sum(pool, shop, "alice") == 20


async def test_a_sale_stamped_in_the_same_second_as_a_new_programme_earns(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory, apply_events: ApplyEventBatch
) -> None:
    from datetime import UTC, datetime
    from decimal import Decimal

    from adapters.system_clock import SystemClock
    from domain.commands import SetProgramme
    from service.use_cases.programmes import Programmes

    await Programmes(uow_factory, SystemClock()).set(
        SetProgramme("fresh-shop", earn_rate=Decimal(1), redemption_rate=Decimal(100))
    )
    await given_customer(uow_factory, "fresh-shop", "newcomer")
    whole_second = datetime.now(UTC).replace(microsecond=0).isoformat()
    await apply_events(
        [parsed(SALE, sale("fresh-shop", "newcomer", "25", occurred_at=whole_second))]
    )
    assert await balance(pool, "fresh-shop", "newcomer") == 25
