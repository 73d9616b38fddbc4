"""Paired tablets and closing an account over the real API and PostgreSQL: a revoked tablet
is refused by every API process at once, the tablet is recorded on the entries it makes, and
a closed account forfeits what it held and skips later events."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest
from prometheus_client import CollectorRegistry

from adapters.http.app import create_http_app
from adapters.http.auth import AuthSettings
from adapters.postgres.devices import PostgresDevices
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from service.entrypoints.containers import Container
from service.use_cases.devices import Devices
from service.use_cases.event_intake import ApplyEventBatch
from tests.fakes.clock import FakeClock
from tests.fakes.health import FakeHealth
from tests.integration.conftest import given_programme
from tests.integration.http_client import SECRET, auth
from tests.unit.builders import customer_return, sale

pytestmark = pytest.mark.integration

SHOP = "tablet-shop"
ADMIN, MANAGER, CASHIER = auth(SHOP, "admin"), auth(SHOP, "manager"), auth(SHOP, "cashier")


def api_process(uow_factory: PostgresUnitOfWorkFactory, pool: asyncpg.Pool) -> httpx.AsyncClient:
    """One API process of its own (own container, own token memory) over the shared database."""
    container = Container()
    container.uow_factory.override(uow_factory)
    clock = FakeClock()
    container.clock.override(clock)
    app = create_http_app(
        container.operations(),
        FakeHealth({"database": True}),
        AuthSettings(hs256_secret=SECRET),
        clock=clock,
        registry=CollectorRegistry(),
        devices=Devices(PostgresDevices(pool), clock),
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://pos")


@pytest.fixture
async def two_processes(
    uow_factory: PostgresUnitOfWorkFactory, pool: asyncpg.Pool
) -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    await given_programme(uow_factory, SHOP)
    async with api_process(uow_factory, pool) as one, api_process(uow_factory, pool) as two:
        yield one, two


async def paired_tablet(api: httpx.AsyncClient) -> dict[str, Any]:
    response = await api.post(
        "/v1/devices", json={"name": "Till 3", "terminal_id": "till-3"}, headers=ADMIN
    )
    assert response.status_code == 201, response.text
    paired: dict[str, Any] = response.json()
    return paired


async def enrol(api: httpx.AsyncClient, customer: str, headers: dict[str, str]) -> str:
    enrolled = await api.post("/v1/accounts", json={"customer_id": customer}, headers=headers)
    assert enrolled.status_code == 201, enrolled.text
    account_id: str = enrolled.json()["account_id"]
    return account_id


async def test_a_tablet_revoked_through_one_process_is_refused_by_another_at_once(
    two_processes: tuple[httpx.AsyncClient, httpx.AsyncClient], pool: asyncpg.Pool
) -> None:
    one, two = two_processes
    paired = await paired_tablet(one)
    token = {"Authorization": f"Bearer {paired['token']}"}
    account = await enrol(two, "ada", token)  # process two has now remembered the token

    revoked = await one.delete(f"/v1/devices/{paired['device_id']}", headers=ADMIN)
    refused = await two.get(f"/v1/accounts/{account}", headers=token)

    assert revoked.status_code == 200
    assert (refused.status_code, refused.json()["code"]) == (401, "device_revoked")
    rows = await pool.fetch(
        "SELECT kind, device_id, actor, terminal_id FROM ledger_entries WHERE account_id = $1",
        account,
    )
    assert [(r["kind"], r["device_id"], r["actor"], r["terminal_id"]) for r in rows] == [
        ("card_created", paired["device_id"], "admin-sam", "till-3")
    ]


async def test_a_person_token_leaves_the_device_empty_on_its_entries(
    two_processes: tuple[httpx.AsyncClient, httpx.AsyncClient], pool: asyncpg.Pool
) -> None:
    one, _ = two_processes
    account = await enrol(one, "bo", CASHIER)

    device = await pool.fetchval(
        "SELECT device_id FROM ledger_entries WHERE account_id = $1", account
    )

    assert device is None


async def test_checking_a_tablet_per_request_costs_one_primary_key_read(
    two_processes: tuple[httpx.AsyncClient, httpx.AsyncClient], pool: asyncpg.Pool
) -> None:
    """The price of "refused at once" without a cache: measured, and bounded loosely so a busy
    machine does not fail it (the figure goes to the test's output, not a docstring)."""
    one, _ = two_processes
    paired = await paired_tablet(one)
    devices = Devices(PostgresDevices(pool), FakeClock())
    device_id = UUID(paired["device_id"])
    rounds = 200
    started = time.perf_counter()
    for _ in range(rounds):
        assert await devices.is_active(SHOP, device_id)
    per_check = (time.perf_counter() - started) / rounds
    print(f"device check: {per_check * 1e3:.3f} ms per request")
    assert per_check < 0.05


async def test_closing_forfeits_what_is_left_and_later_events_are_skipped(
    two_processes: tuple[httpx.AsyncClient, httpx.AsyncClient],
    pool: asyncpg.Pool,
    apply_events: ApplyEventBatch,
) -> None:
    one, _ = two_processes
    account = await enrol(one, "cy", CASHIER)
    await apply_events([sale("s1", "250", customer_id="cy", business_id=SHOP)])
    held = await one.post(
        f"/v1/accounts/{account}/redemptions",
        json={"points": 100, "hold": True},
        headers={**CASHIER, "Idempotency-Key": "h1"},
    )
    assert held.status_code == 201, held.text

    closed = await one.post(
        f"/v1/accounts/{account}/close", json={"reason": "asked"}, headers=MANAGER
    )
    again = await one.post(
        f"/v1/accounts/{account}/close", json={"reason": "asked"}, headers=MANAGER
    )
    later = await apply_events(
        [
            sale("s2", "90", customer_id="cy", business_id=SHOP),
            customer_return("r1", "s1", "250", customer_id="cy", business_id=SHOP),
        ]
    )

    assert (closed.status_code, closed.json()["balance"], closed.json()["status"]) == (
        200,
        0,
        "closed",
    )
    assert again.json() == closed.json()
    assert sorted(o.reason.value for o in later.outcomes().values() if o.reason) == [
        "account_closed",
        "account_closed",
    ]
    rows = await pool.fetch(
        "SELECT kind, points, balance_after FROM ledger_entries WHERE account_id = $1 ORDER BY seq",
        account,
    )
    assert [tuple(r) for r in rows] == [
        ("card_created", 0, 0),
        ("earn", 250, 250),
        ("closure", -250, 0),
    ]
    assert (
        await pool.fetchval(
            "SELECT coalesce(sum(remaining), 0) FROM point_lots WHERE account_id = $1", account
        )
        == 0
    )
    hold = await pool.fetchval(
        "SELECT status FROM redemptions WHERE redemption_id = $1", held.json()["redemption_id"]
    )
    assert hold == "cancelled"
