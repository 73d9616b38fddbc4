"""The bugs the go-live history found (``test_go_live_history.py``), each kept as an example on
real PostgreSQL: verify after a customer.updated that changes a phone, and returns of a sale
earned on an account later merged away (once, and through a chain of merges) reversing points
and stamps once on the account that holds them."""

from __future__ import annotations

import json
from uuid import uuid4

import asyncpg
import pytest

from adapters.kafka.parsing import parse_intake
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.commands import EnrolCustomer
from domain.customer_updates import CustomerUpdate
from domain.events import EventKind
from domain.ledger import EntryKind
from domain.merges import MergeAccounts
from domain.stamps import StampCard
from service.use_cases.accounts import Accounts
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.merges import Merges
from service.use_cases.verification import verify_ledger
from tests.fakes.clock import FakeClock
from tests.integration.conftest import given_programme
from tests.support.events import customer_return, parsed, sale

pytestmark = pytest.mark.integration

SALE = EventKind.SALE_COMPLETED


async def test_verify_passes_after_a_customer_update_that_changes_a_phone(
    uow_factory: PostgresUnitOfWorkFactory, apply_events: ApplyEventBatch
) -> None:
    shop = f"golive-bug-{uuid4().hex[:6]}"
    await given_programme(uow_factory, shop)
    await Accounts(uow_factory, FakeClock()).enrol(EnrolCustomer(shop, "ann"))
    document = {"event_id": "u-1", "occurred_at": FakeClock().now().isoformat()}
    document |= {"business_id": shop, "customer_id": "ann", "type": "updated"}
    update = parse_intake(
        EventKind.CUSTOMER_UPDATED, json.dumps(document | {"phone": "+447911123456"}).encode()
    )
    assert isinstance(update, CustomerUpdate), update
    assert (await apply_events([update])).failed == []

    report = await verify_ledger(uow_factory, shop, outbox_max_age_seconds=3600)

    assert report.ok, report.breaches


async def test_a_return_after_its_sales_account_was_merged_away_reverses_on_the_survivor(
    uow_factory: PostgresUnitOfWorkFactory, apply_events: ApplyEventBatch
) -> None:
    shop = f"golive-bug-{uuid4().hex[:6]}"
    await given_programme(uow_factory, shop)
    clock = FakeClock()
    accounts = Accounts(uow_factory, clock)
    survivor = (await accounts.enrol(EnrolCustomer(shop, "new"))).account.account_id
    merged = (await accounts.enrol(EnrolCustomer(shop, "old"))).account.account_id
    bought = sale(shop, "old", "100.00", occurred_at=clock.now().isoformat())
    changes_of_sale = (await apply_events([parsed(SALE, bought)])).entries
    await Merges(uow_factory, clock).merge(MergeAccounts(shop, survivor, merged))

    returned = customer_return(
        shop, bought["sale_id"], "100.00", occurred_at=clock.now().isoformat()
    )
    changes = await apply_events([parsed(EventKind.CUSTOMER_RETURN_CREATED, returned)])

    assert (await accounts.account(shop, survivor)).account.balance == 0
    [reversal] = changes.entries
    [earn] = [e for e in changes_of_sale if e.kind is EntryKind.EARN]
    assert (reversal.account_id, reversal.points) == (survivor, -earn.points)
    assert reversal.related_entry_id == earn.entry_id and earn.account_id == merged
    report = await verify_ledger(uow_factory, shop, outbox_max_age_seconds=3600)
    assert report.ok, report.breaches


async def test_returns_after_a_chain_of_merges_reverse_points_and_stamps_once_on_the_last(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory, apply_events: ApplyEventBatch
) -> None:
    shop = f"golive-chain-{uuid4().hex[:6]}"
    await given_programme(uow_factory, shop, stamp_card=StampCard(target=5))
    clock = FakeClock()
    accounts = Accounts(uow_factory, clock)
    first, middle, last = [
        (await accounts.enrol(EnrolCustomer(shop, name))).account.account_id
        for name in ("a", "b", "c")
    ]
    bought = sale(shop, "a", "10.00", occurred_at=clock.now().isoformat())
    await apply_events([parsed(SALE, bought)])
    await Merges(uow_factory, clock).merge(MergeAccounts(shop, middle, first))
    await Merges(uow_factory, clock).merge(MergeAccounts(shop, last, middle))
    assert (await accounts.account(shop, last)).account.balance == 10

    # Returns of more than was bought, one redelivered: never more back than the sale earned.
    returns = [
        customer_return(shop, bought["sale_id"], cash, occurred_at=clock.now().isoformat())
        for cash in ("4.00", "6.00", "5.00")
    ]
    for returned in [returns[0], returns[0], *returns[1:]]:
        await apply_events([parsed(EventKind.CUSTOMER_RETURN_CREATED, returned)])

    held = await pool.fetchrow(
        "SELECT balance, stamps FROM accounts WHERE business_id = $1 AND account_id = $2",
        shop,
        last,
    )
    assert (held["balance"], held["stamps"]) == (0, 0)
    taken = await pool.fetch(
        "SELECT kind, sum(points) AS points, sum(stamps) AS stamps FROM ledger_entries"
        " WHERE business_id = $1 AND kind IN ('reversal', 'stamp_void') AND account_id = $2"
        " GROUP BY kind ORDER BY kind",
        shop,
        last,
    )
    assert [tuple(r) for r in taken] == [("reversal", -10, 0), ("stamp_void", 0, -1)]
    report = await verify_ledger(uow_factory, shop, outbox_max_age_seconds=3600)
    assert report.ok, report.breaches
