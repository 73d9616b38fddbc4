"""The reports over HTTP and the CLI on real PostgreSQL: managers only, the business from the
token, cursors that page and refuse what they did not make, problem+json on bad input, and
the transactions history filtered by bucket and kind."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from dependency_injector import providers
from prometheus_client import CollectorRegistry
from typer.testing import CliRunner

from adapters.http.app import create_http_app
from adapters.http.auth import AuthSettings
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.ledger import EntryKind
from service.entrypoints.cli import app as cli
from service.entrypoints.containers import Container
from tests.fakes.clock import FakeClock
from tests.fakes.health import FakeHealth
from tests.integration.http_client import SECRET, auth
from tests.integration.report_world import World

pytestmark = pytest.mark.integration

SHOP, RIVAL = "report-shop", "rival-shop"
NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)
MANAGER, CASHIER, RIVALS = auth(SHOP, "manager"), auth(SHOP, "cashier"), auth(RIVAL, "admin")
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


@pytest.fixture
async def world(uow_factory: PostgresUnitOfWorkFactory) -> World:
    made = World(uow_factory, FakeClock(NOW))
    for business in (SHOP, RIVAL):
        await made.business(business)
    for n, name in enumerate(("ann", "bob", "cy")):
        at = NOW - timedelta(days=25 + n)
        await made.post(SHOP, name, EntryKind.EARN, 10 * (n + 1), at, store="s-1")
    await made.post(RIVAL, "rex", EntryKind.EARN, 999, NOW - timedelta(days=25), store="s-1")
    return made


@pytest.fixture
async def api(pool: asyncpg.Pool, world: World) -> AsyncIterator[httpx.AsyncClient]:
    container = Container()
    container.pool.override(providers.Object(pool))
    container.uow_factory.override(world.uows)
    container.clock.override(world.clock)
    app = create_http_app(
        container.operations(),
        FakeHealth({"database": True}),
        AuthSettings(hs256_secret=SECRET),
        clock=world.clock,
        registry=CollectorRegistry(),
        reports=container.reports(),
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://office") as client:
        yield client


async def test_a_manager_pages_the_expiring_points_of_the_tokens_business_only(
    api: httpx.AsyncClient,
) -> None:
    first = await api.get("/v1/reports/expiring", params={"limit": 2}, headers=MANAGER)
    assert first.status_code == 200, first.text
    body = first.json()
    rest = await api.get(
        "/v1/reports/expiring", params={"limit": 2, "cursor": body["next_cursor"]}, headers=MANAGER
    )

    customers = [lot["customer_id"] for lot in body["lots"] + rest.json()["lots"]]
    assert customers == ["cy", "bob", "ann"]  # soonest to expire first
    assert body["total"] == {"points": 60, "lots": 3, "accounts": 3}
    assert rest.json()["next_cursor"] is None
    rivals = await api.get("/v1/reports/expiring", headers=RIVALS)
    assert [lot["points"] for lot in rivals.json()["lots"]] == [999]


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        ("/v1/reports/expiring", {"cursor": "bm90LWEtY3Vyc29y"}, 400),
        ("/v1/reports/levels", {"cursor": "%%%"}, 400),
        ("/v1/reports/expiring", {"within_days": 0}, 422),
        ("/v1/reports/movements", {"from": "2026-03-31", "to": "2026-03-01"}, 422),
        ("/v1/reports/movements", {"from": "yesterday", "to": "2026-03-01"}, 422),
        ("/v1/reports/referrals", {"to": "2026-03-01"}, 422),
        ("/v1/reports/levels", {"limit": 201}, 422),
        ("/v1/reports/levels", {"kind": "earn"}, 422),
    ],
)
async def test_bad_input_answers_problem_json(
    api: httpx.AsyncClient, path: str, params: dict[str, Any], status: int
) -> None:
    answer = await api.get(path, params=params, headers=MANAGER)

    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")


async def test_one_reports_cursor_is_refused_by_another(api: httpx.AsyncClient) -> None:
    page = await api.get("/v1/reports/expiring", params={"limit": 1}, headers=MANAGER)
    cursor = page.json()["next_cursor"]

    answer = await api.get("/v1/reports/levels", params={"cursor": cursor}, headers=MANAGER)

    assert answer.status_code == 400


async def test_cashiers_are_refused_and_another_business_account_is_not_found(
    api: httpx.AsyncClient, world: World
) -> None:
    rex = str(world.ids[(RIVAL, "rex")])

    assert (await api.get("/v1/reports/levels", headers=CASHIER)).status_code == 403
    unknown = await api.get("/v1/reports/expiring", params={"account_id": rex}, headers=MANAGER)
    assert unknown.status_code == 404
    referrals = await api.get(
        "/v1/reports/referrals", params={**MARCH, "account_id": rex}, headers=MANAGER
    )
    assert referrals.status_code == 404


async def test_movements_referrals_and_levels_answer_their_shapes(api: httpx.AsyncClient) -> None:
    window = {"from": "2026-02-01", "to": "2026-02-28"}
    moves = (await api.get("/v1/reports/movements", params=window, headers=MANAGER)).json()
    levels = (await api.get("/v1/reports/levels", headers=MANAGER)).json()
    referrals = await api.get("/v1/reports/referrals", params=MARCH, headers=MANAGER)

    assert {row["store_id"] for row in moves["movements"]} == {"s-1"}
    assert sum(row["points"]["purchase"] for row in moves["movements"]) == 60
    assert set(moves["movements"][0]["points"]) >= {"purchase", "redemption", "expiry"}
    assert levels == {"levels": [{"level": None, "members": 3}], "next_cursor": None}
    assert referrals.json()["total"] == {"points": 0, "bonuses": 0, "reversals": 0, "accounts": 0}


async def test_the_transactions_history_filters_by_repeated_bucket_and_kind(
    api: httpx.AsyncClient, world: World
) -> None:
    await world.post(SHOP, "ann", EntryKind.ADJUSTMENT, 5, NOW)
    await world.post(SHOP, "ann", EntryKind.REDEMPTION, -3, NOW)
    path = f"/v1/accounts/{world.ids[(SHOP, 'ann')]}/transactions"

    async def kinds(params: Any) -> list[str]:
        answer = await api.get(path, params=params, headers=CASHIER)
        assert answer.status_code == 200, answer.text
        return [entry["kind"] for entry in answer.json()["entries"]]

    both = [("bucket", "purchase"), ("bucket", "redemption")]
    assert await kinds(both) == ["redemption", "earn"]
    assert await kinds([("kind", "adjustment"), ("kind", "earn")]) == ["adjustment", "earn"]
    assert await kinds([("kind", "earn"), ("bucket", "admin")]) == []
    refused = await api.get(path, params={"bucket": "nope"}, headers=CASHIER)
    assert refused.status_code == 422


def test_the_cli_reports_print_json_and_tables(database_url: str, world: World) -> None:
    env = {"LOYALTY_DATABASE_URL": database_url, "LOYALTY_LOG_FORMAT": "json"}
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(cli, ["report", *args], env=env)
        assert result.exit_code == 0, result.output
        return result.stdout

    levels = json.loads(run("levels", SHOP, "--json"))
    moves = json.loads(
        run("movements", SHOP, "--from", "2026-02-01", "--to", "2026-02-28", "--json")
    )
    expiring = json.loads(run("expiring", SHOP, "--within-days", "3650", "--limit", "2", "--json"))
    table = run("expiring", SHOP, "--within-days", "3650")

    assert levels["levels"] == [{"level": None, "members": 3}]
    assert sum(row["points"]["purchase"] for row in moves["movements"]) == 60
    assert expiring["total"]["points"] == 60 and expiring["next_cursor"]
    assert table.splitlines()[0].split() == ["expires_at", "customer", "account", "points"]
    assert "total before" in table and "60 points in 3 lots of 3 accounts" in table
    bad = runner.invoke(cli, ["report", "movements", SHOP, "--from", "x", "--to", "y"], env=env)
    assert bad.exit_code == 2
