"""Manual adjustments over the real API and PostgreSQL: a retry never posts twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import httpx
import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from tests.fakes.clock import FakeClock
from tests.integration.http_client import auth, real_app

pytestmark = pytest.mark.integration

SHOP = "adjust-shop"
ADMIN, MANAGER, CASHIER = auth(SHOP, "admin"), auth(SHOP, "manager"), auth(SHOP, "cashier")


@pytest.fixture
async def api(uow_factory: PostgresUnitOfWorkFactory) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=real_app(uow_factory, FakeClock()))
    async with httpx.AsyncClient(transport=transport, base_url="http://pos") as client:
        programme = {"earn_rate": "1", "redemption_rate": "100"}
        assert (await client.put("/v1/program", json=programme, headers=ADMIN)).status_code == 200
        yield client


async def enrol(api: httpx.AsyncClient, customer: str) -> str:
    enrolled = await api.post("/v1/accounts", json={"customer_id": customer}, headers=CASHIER)
    assert enrolled.status_code == 201, enrolled.text
    account_id: str = enrolled.json()["account_id"]
    return account_id


async def adjust(
    api: httpx.AsyncClient, account: str, key: str, points: int, reason: str
) -> httpx.Response:
    return await api.post(
        f"/v1/accounts/{account}/adjustments",
        json={"points": points, "reason": reason},
        headers={**MANAGER, "Idempotency-Key": key},
    )


async def adjustments(pool: asyncpg.Pool, account: str) -> list[tuple[int, str]]:
    rows = await pool.fetch(
        "SELECT points, reason FROM ledger_entries WHERE account_id = $1 AND kind = 'adjustment'",
        account,
    )
    return [(r["points"], r["reason"]) for r in rows]


async def test_a_retried_adjustment_answers_the_same_entry_and_the_balance_moves_once(
    api: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    account = await enrol(api, "ada")

    first = await adjust(api, account, "ticket-1", 40, "goodwill")
    retry = await adjust(api, account, "ticket-1", 40, "goodwill")

    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json() == first.json()
    assert await adjustments(pool, account) == [(40, "goodwill")]
    balance = await pool.fetchval("SELECT balance FROM accounts WHERE account_id = $1", account)
    assert balance == 40


@pytest.mark.parametrize(
    ("points", "reason", "other_account"),
    [(41, "goodwill", False), (40, "typo", False), (40, "goodwill", True)],
    ids=["points", "reason", "account"],
)
async def test_the_same_key_with_another_body_is_a_422_problem_and_posts_nothing(
    api: httpx.AsyncClient, pool: asyncpg.Pool, points: int, reason: str, other_account: bool
) -> None:
    account, other = await enrol(api, "ada"), await enrol(api, "bo")
    first = await adjust(api, account, "ticket-1", 40, "goodwill")
    assert first.status_code == 201

    target = other if other_account else account
    refused = await adjust(api, target, "ticket-1", points, reason)

    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "idempotency_key_reused"
    assert await adjustments(pool, account) == [(40, "goodwill")]
    assert await adjustments(pool, other) == []


async def test_concurrent_requests_with_one_key_post_one_entry(
    api: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    account = await enrol(api, "ada")

    answers = await asyncio.gather(
        *(adjust(api, account, "ticket-9", 25, "goodwill") for _ in range(6))
    )

    assert {a.status_code for a in answers} <= {201, 409}
    assert await adjustments(pool, account) == [(25, "goodwill")]
    made = {a.json()["entry_id"] for a in answers if a.status_code == 201}
    assert len(made) == 1
