"""The HTTP API on real PostgreSQL: the walk-through a POS makes, money never spent twice,
retries, holds, and nothing across tenants or above one's role."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.events import EventKind
from service.use_cases.event_intake import ApplyEventBatch
from tests.fakes.clock import FakeClock
from tests.integration.http_client import auth, real_app
from tests.integration.ledger_queries import balance, entry_sum
from tests.support.events import parsed, sale

pytestmark = pytest.mark.integration

SHOP, RIVAL = "http-shop", "rival-shop"
ADMIN, MANAGER, CASHIER = auth(SHOP, "admin"), auth(SHOP, "manager"), auth(SHOP, "cashier")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def api(
    uow_factory: PostgresUnitOfWorkFactory, clock: FakeClock
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=real_app(uow_factory, clock))
    async with httpx.AsyncClient(transport=transport, base_url="http://pos") as client:
        yield client


async def account_with_points(api: httpx.AsyncClient, points: int, customer: str = "c1") -> str:
    programme = {"earn_rate": "1", "redemption_rate": "100", "max_discount": "50"}
    assert (await api.put("/v1/program", json=programme, headers=ADMIN)).status_code == 200
    enrolled = await api.post("/v1/accounts", json={"customer_id": customer}, headers=CASHIER)
    assert enrolled.status_code == 201, enrolled.text
    account_id: str = enrolled.json()["account_id"]
    adjust = {"points": points, "reason": "opening balance"}
    keyed = {**MANAGER, "Idempotency-Key": f"opening-{account_id}"}
    made = await api.post(f"/v1/accounts/{account_id}/adjustments", json=adjust, headers=keyed)
    assert made.status_code == 201, made.text
    return account_id


def redeem(api: httpx.AsyncClient, account_id: str, key: str, **body: Any) -> Any:
    return api.post(
        f"/v1/accounts/{account_id}/redemptions",
        json={"points": 100, **body},
        headers={**CASHIER, "Idempotency-Key": key},
    )


async def test_a_newcomers_walk_through_earns_previews_redeems_and_lists_history(
    api: httpx.AsyncClient, uow_factory: PostgresUnitOfWorkFactory, clock: FakeClock
) -> None:
    programme = {"earn_rate": "2", "redemption_rate": "100", "welcome_bonus": 50}
    assert (await api.put("/v1/program", json=programme, headers=ADMIN)).status_code == 200
    enrolled = await api.post("/v1/accounts", json={"customer_id": "ann"}, headers=CASHIER)
    account_id = enrolled.json()["account_id"]
    bought = sale(SHOP, "ann", "125.50", occurred_at=clock.now().isoformat())
    await ApplyEventBatch(uow_factory, clock)([parsed(EventKind.SALE_COMPLETED, bought)])

    found = await api.get("/v1/accounts", params={"customer_id": "ann"}, headers=CASHIER)
    assert found.json()["balance"] == 50 + 251
    quote = await api.post(
        f"/v1/accounts/{account_id}/redemptions/preview", json={"points": 250}, headers=CASHIER
    )
    assert quote.json()["discount"] == "2.50" and quote.json()["balance_after"] == 51
    assert (await redeem(api, account_id, "walk-1", points=250)).status_code == 201

    history = await api.get(f"/v1/accounts/{account_id}/transactions?limit=2", headers=CASHIER)
    kinds = [e["kind"] for e in history.json()["entries"]]
    assert kinds == ["redemption", "earn"]
    older = await api.get(
        f"/v1/accounts/{account_id}/transactions",
        params={"cursor": history.json()["next_cursor"]},
        headers=CASHIER,
    )
    assert [e["kind"] for e in older.json()["entries"]] == ["welcome_bonus", "card_created"]
    assert older.json()["next_cursor"] is None
    assert history.json()["entries"][0]["terminal_id"] == "till-1"


async def test_two_hundred_concurrent_redemptions_spend_exactly_the_balance(
    api: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    account_id = await account_with_points(api, 5000)  # covers 50 redemptions of 100

    answers = await asyncio.gather(*(redeem(api, account_id, f"rush-{i}") for i in range(200)))

    codes = [a.status_code for a in answers]
    assert codes.count(201) == 50
    assert set(codes) <= {201, 409, 422}
    refused = [a.json()["code"] for a in answers if a.status_code == 422]
    assert set(refused) <= {"insufficient_points"}
    assert all(a.headers.get("retry-after") for a in answers if a.status_code == 409)
    assert await balance(pool, SHOP, "c1") == 0 == await entry_sum(pool, SHOP, "c1")


async def test_a_retried_redemption_answers_as_the_first_and_a_reused_key_is_refused(
    api: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    account_id = await account_with_points(api, 1000)
    first = await redeem(api, account_id, "pos-retry-1")
    again = await redeem(api, account_id, "pos-retry-1")

    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    assert again.json()["redemption_id"] == first.json()["redemption_id"]
    assert await balance(pool, SHOP, "c1") == 900
    other = await redeem(api, account_id, "pos-retry-1", points=200)
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"


async def test_holds_are_captured_by_a_sale_event_cancelled_once_and_expire(
    api: httpx.AsyncClient,
    pool: asyncpg.Pool,
    uow_factory: PostgresUnitOfWorkFactory,
    clock: FakeClock,
) -> None:
    account_id = await account_with_points(api, 1000)
    held = (await redeem(api, account_id, "hold-1", points=300, hold=True)).json()
    assert held["status"] == "held"
    account = (await api.get(f"/v1/accounts/{account_id}", headers=CASHIER)).json()
    assert (account["held"], account["available"]) == (300, 700)

    paid = sale(
        SHOP,
        "c1",
        "10.00",
        loyalty_redemption_id=held["redemption_id"],
        occurred_at=clock.now().isoformat(),
    )
    await ApplyEventBatch(uow_factory, clock)([parsed(EventKind.SALE_COMPLETED, paid)])
    captured = await api.get(f"/v1/redemptions/{held['redemption_id']}", headers=CASHIER)
    assert captured.json()["status"] == "captured"
    assert await balance(pool, SHOP, "c1") == 1000 - 300 + 10

    for _ in range(2):
        cancelled = await api.post(
            f"/v1/redemptions/{held['redemption_id']}/cancel", headers=CASHIER
        )
        assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert await balance(pool, SHOP, "c1") == 1010

    late = (await redeem(api, account_id, "hold-2", points=200, hold=True)).json()
    clock.moment += timedelta(minutes=31)
    expired = await api.post(f"/v1/redemptions/{late['redemption_id']}/capture", headers=CASHIER)
    assert expired.status_code in (409, 410) and expired.json()["code"] == "redemption_expired"
    account = (await api.get(f"/v1/accounts/{account_id}", headers=CASHIER)).json()
    assert (account["held"], account["available"], account["balance"]) == (0, 1010, 1010)


async def test_every_path_refuses_another_business_and_roles_above_ones_own(
    api: httpx.AsyncClient,
) -> None:
    account_id = await account_with_points(api, 1000, customer="zed-customer")
    held = (await redeem(api, account_id, "mine", hold=True)).json()
    rival = {**auth(RIVAL, "admin"), "Idempotency-Key": "rival-1"}
    paths = [
        ("GET", f"/v1/accounts/{account_id}", None),
        ("GET", f"/v1/accounts/{account_id}/transactions", None),
        ("POST", f"/v1/accounts/{account_id}/redemptions/preview", {"points": 1}),
        ("POST", f"/v1/accounts/{account_id}/adjustments", {"points": 5, "reason": "x"}),
        ("POST", f"/v1/accounts/{account_id}/suspend", {}),
        ("POST", f"/v1/accounts/{account_id}/reactivate", {}),
        ("GET", f"/v1/redemptions/{held['redemption_id']}", None),
        ("POST", f"/v1/redemptions/{held['redemption_id']}/capture", None),
        ("POST", f"/v1/redemptions/{held['redemption_id']}/cancel", None),
    ]
    for method, path, body in paths:
        answer = await api.request(method, path, json=body, headers=rival)
        assert answer.status_code == 404, (path, answer.text)
        assert "zed-customer" not in answer.text and "balance" not in answer.text
    stolen = await api.post(
        f"/v1/accounts/{account_id}/redemptions",
        json={"points": 1},
        headers={**rival, "Idempotency-Key": "steal"},
    )
    assert stolen.status_code == 404
    lookup = await api.get("/v1/accounts", params={"customer_id": "zed-customer"}, headers=rival)
    assert lookup.status_code == 404

    for method, path, body in paths[3:6]:
        answer = await api.request(method, path, json=body, headers=CASHIER)
        assert answer.status_code == 403, path
    put = await api.put(
        "/v1/program", json={"earn_rate": "9", "redemption_rate": "1"}, headers=MANAGER
    )
    assert put.status_code == 403
    assert (await api.get(f"/v1/redemptions/{held['redemption_id']}", headers=CASHIER)).json()[
        "status"
    ] == "held"


async def test_a_suspended_account_redeems_nothing_until_reactivated(
    api: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    account_id = await account_with_points(api, 1000)
    await api.post(f"/v1/accounts/{account_id}/suspend", json={"reason": "fraud"}, headers=MANAGER)
    refused = await redeem(api, account_id, "s-1")
    assert refused.status_code == 422 and refused.json()["code"] == "account_suspended"
    await api.post(f"/v1/accounts/{account_id}/reactivate", json={}, headers=MANAGER)
    assert (await redeem(api, account_id, "s-2")).status_code == 201
    kinds = [r["kind"] for r in await pool.fetch("SELECT kind FROM ledger_entries ORDER BY seq")]
    assert kinds == ["card_created", "adjustment", "suspension", "reactivation", "redemption"]


async def test_control_characters_are_refused_at_the_edge_not_by_the_database(
    api: httpx.AsyncClient,
) -> None:
    programme = {"earn_rate": "1", "redemption_rate": "100", "name": "Nul\u0000Club"}
    assert (await api.put("/v1/program", json=programme, headers=ADMIN)).status_code == 422
    enrol = await api.post("/v1/accounts", json={"customer_id": "a\u0000b"}, headers=CASHIER)
    assert enrol.status_code == 422
    lookup = await api.get("/v1/accounts", params={"customer_id": "a\u0000b"}, headers=CASHIER)
    assert lookup.status_code == 422
    account_id = await account_with_points(api, 10)
    adjust = {"points": 1, "reason": "typo\u0000"}
    keyed = {**MANAGER, "Idempotency-Key": "typo-1"}
    made = await api.post(f"/v1/accounts/{account_id}/adjustments", json=adjust, headers=keyed)
    assert made.status_code == 422
