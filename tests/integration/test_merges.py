"""Merging two accounts on real PostgreSQL: the balance moves exactly, lots keep their dates,
identifiers move, later events for the merged customer id earn on the survivor, and verify
stays green; a second merge and a merge with a live hold are refused."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
import pytest
from prometheus_client import CollectorRegistry
from typer.testing import CliRunner

from adapters.http.app import create_http_app
from adapters.http.auth import AuthSettings
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.events import EventKind
from service.entrypoints.cli import app as cli
from service.entrypoints.containers import Container
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.verification import verify_ledger
from tests.fakes.clock import FakeClock
from tests.fakes.health import FakeHealth
from tests.integration.conftest import given_customer, given_programme
from tests.integration.http_client import SECRET, auth
from tests.support.events import parsed, sale

pytestmark = pytest.mark.integration

LOTS = """
SELECT earned_at, available_at, expires_at, remaining FROM point_lots
WHERE business_id = $1 AND account_id = $2 AND remaining > 0
"""


@pytest.fixture
def shop() -> str:
    return f"merge-{uuid4().hex[:8]}"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def api(
    uow_factory: PostgresUnitOfWorkFactory, clock: FakeClock
) -> AsyncIterator[httpx.AsyncClient]:
    container = Container()
    container.uow_factory.override(uow_factory)
    container.clock.override(clock)
    app = create_http_app(
        container.operations(),
        FakeHealth({"database": True}),
        AuthSettings(hs256_secret=SECRET),
        clock=clock,
        registry=CollectorRegistry(),
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://pos") as client:
        yield client


async def _earned(
    api: httpx.AsyncClient,
    uow_factory: PostgresUnitOfWorkFactory,
    clock: FakeClock,
    shop: str,
    customer: str,
    total: str,
    **enrol: Any,
) -> dict[str, Any]:
    made = await api.post(
        "/v1/accounts", json={"customer_id": customer, **enrol}, headers=auth(shop, "cashier")
    )
    assert made.status_code == 201, made.text
    bought = sale(shop, customer, total, occurred_at=clock.now().isoformat())
    await ApplyEventBatch(uow_factory, clock)([parsed(EventKind.SALE_COMPLETED, bought)])
    account: dict[str, Any] = made.json()
    return account


async def _balance(api: httpx.AsyncClient, shop: str, account_id: str) -> int:
    found = await api.get(f"/v1/accounts/{account_id}", headers=auth(shop, "cashier"))
    balance: int = found.json()["balance"]
    return balance


async def test_a_merge_moves_balance_lots_and_identifiers_and_later_sales_earn_on_the_survivor(
    api: httpx.AsyncClient,
    uow_factory: PostgresUnitOfWorkFactory,
    clock: FakeClock,
    pool: asyncpg.Pool,
    shop: str,
) -> None:
    await given_programme(uow_factory, shop, "2", pending_days=14, points_validity_days=365)
    survivor = await _earned(api, uow_factory, clock, shop, "anna-new", "40.00")
    clock.advance(days=3)
    merged = await _earned(
        api, uow_factory, clock, shop, "anna-old", "125.50", card_number="6006 1234 5678"
    )
    lots_before = sorted(map(tuple, await pool.fetch(LOTS, shop, merged["account_id"])))
    total_before = sum([await _balance(api, shop, a["account_id"]) for a in (survivor, merged)])

    answer = await api.post(
        f"/v1/accounts/{survivor['account_id']}/merge",
        json={"from_account_id": merged["account_id"]},
        headers=auth(shop, "manager"),
    )

    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["points_moved"], body["balance"]) == (251, 80 + 251)
    assert await _balance(api, shop, merged["account_id"]) == 0
    assert await _balance(api, shop, survivor["account_id"]) == total_before
    moved = sorted(map(tuple, await pool.fetch(LOTS, shop, survivor["account_id"])))
    assert all(lot in moved for lot in lots_before)  # same earned, pending and expiry dates
    by_card = await api.get("/v1/accounts?card=6006 1234 5678", headers=auth(shop, "cashier"))
    assert by_card.json()["account_id"] == survivor["account_id"]
    old = await api.get(f"/v1/accounts/{merged['account_id']}", headers=auth(shop, "cashier"))
    assert old.json()["status"] == "closed"
    # Later: a sale for the old customer id earns on the survivor, once.
    later = sale(shop, "anna-old", "10.00", occurred_at=clock.now().isoformat())
    changes = await ApplyEventBatch(uow_factory, clock)([parsed(EventKind.SALE_COMPLETED, later)])
    assert {str(e.account_id) for e in changes.entries} == {survivor["account_id"]}
    assert await _balance(api, shop, survivor["account_id"]) == total_before + 20
    report = await verify_ledger(uow_factory, shop, outbox_max_age_seconds=3600)
    assert report.ok, report.breaches


async def test_a_second_merge_of_the_same_pair_and_a_merge_with_a_live_hold_are_refused(
    api: httpx.AsyncClient, uow_factory: PostgresUnitOfWorkFactory, clock: FakeClock, shop: str
) -> None:
    await given_programme(uow_factory, shop, "2")
    one = await _earned(api, uow_factory, clock, shop, "bo-1", "100.00")
    two = await _earned(api, uow_factory, clock, shop, "bo-2", "100.00")
    three = await _earned(api, uow_factory, clock, shop, "bo-3", "100.00")
    manager = auth(shop, "manager")

    def merge(into: dict[str, Any], away: dict[str, Any]) -> Any:
        return api.post(
            f"/v1/accounts/{into['account_id']}/merge",
            json={"from_account_id": away["account_id"]},
            headers=manager,
        )

    assert (await merge(one, two)).status_code == 200
    again = await merge(one, two)
    held = await api.post(
        f"/v1/accounts/{three['account_id']}/redemptions",
        json={"points": 100, "hold": True},
        headers={**auth(shop, "cashier"), "Idempotency-Key": "hold-1"},
    )
    assert held.status_code in (200, 201), held.text
    while_held = await merge(one, three)
    itself = await merge(one, one)
    elsewhere = await api.post(
        f"/v1/accounts/{one['account_id']}/merge",
        json={"from_account_id": three["account_id"]},
        headers=auth("another-shop", "manager"),
    )

    assert (again.status_code, again.json()["code"]) == (409, "account_closed")
    assert (while_held.status_code, while_held.json()["code"]) == (409, "merge_holds_live")
    assert (itself.status_code, itself.json()["code"]) == (422, "merge_refused")
    assert elsewhere.status_code == 404
    assert await _balance(api, shop, three["account_id"]) == 200
    assert (await verify_ledger(uow_factory, shop, outbox_max_age_seconds=3600)).ok


@pytest.fixture
async def two_customers(uow_factory: PostgresUnitOfWorkFactory, shop: str) -> str:
    await given_programme(uow_factory, shop)
    await given_customer(uow_factory, shop, "cli-keeps")
    await given_customer(uow_factory, shop, "cli-goes")
    return shop


def test_loyalty_merge_on_the_command_line(database_url: str, two_customers: str) -> None:
    env = {"LOYALTY_DATABASE_URL": database_url, "LOYALTY_LOG_FORMAT": "json"}
    runner = CliRunner()

    merged = runner.invoke(cli, ["merge", two_customers, "cli-keeps", "cli-goes"], env=env)
    again = runner.invoke(cli, ["merge", two_customers, "cli-keeps", "cli-goes"], env=env)

    assert merged.exit_code == 0, merged.output
    shown = json.loads(merged.stdout)
    assert (shown["customer_id"], shown["merged_customer_id"]) == ("cli-keeps", "cli-goes")
    assert again.exit_code == 1 and "account_closed" in again.stderr
