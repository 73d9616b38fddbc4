"""Exports on real PostgreSQL: the ledger in csv, jsonl and parquet reads back as the very
messages loyalty.ledger carries (no IP address or user agent), the recorded-at window filters,
balances match the accounts, and the HTTP download pages for managers only."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pyarrow.parquet as pq
import pytest
from dependency_injector import providers
from prometheus_client import CollectorRegistry
from typer.testing import CliRunner

from adapters.http.app import create_http_app
from adapters.http.auth import AuthSettings
from adapters.kafka.contracts import LedgerEntryPublished
from adapters.kafka.ledger_publisher import ledger_message
from adapters.postgres.exports import PostgresExports
from adapters.postgres.rows import entry_from
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.ledger import EntryKind
from service.entrypoints.cli import app as cli
from service.entrypoints.containers import Container
from tests.fakes.clock import FakeClock
from tests.fakes.health import FakeHealth
from tests.integration.http_client import SECRET, auth
from tests.integration.report_world import World

pytestmark = pytest.mark.integration

SHOP, RIVAL = "export-shop", "export-rival"
START = datetime(2026, 3, 1, tzinfo=UTC)
ENTRIES = 240
MANAGER, CASHIER = auth(SHOP, "manager"), auth(SHOP, "cashier")


@pytest.fixture
async def world(uow_factory: PostgresUnitOfWorkFactory) -> World:
    made = World(uow_factory, FakeClock(START))
    for business in (SHOP, RIVAL):
        await made.business(business)
    for n in range(ENTRIES):
        at = START + timedelta(minutes=n)
        await made.post(SHOP, f"c-{n % 7}", EntryKind.EARN, 1 + n, at, store=f"s-{n % 3}")
    await made.post(RIVAL, "rex", EntryKind.EARN, 999, START)
    return made


async def ledger(pool: asyncpg.Pool, since: datetime | None = None) -> list[LedgerEntryPublished]:
    rows = await pool.fetch(
        "SELECT * FROM ledger_entries WHERE business_id = $1"
        " AND ($2::timestamptz IS NULL OR recorded_at >= $2) ORDER BY account_id, seq",
        SHOP,
        since,
    )
    return [ledger_message(entry_from(row)) for row in rows]


def read_back(row: dict[str, Any]) -> LedgerEntryPublished:
    """A csv or parquet row as the contract's model (csv: empty is null, lists as JSON)."""
    if isinstance(row.get("category_ids"), str):
        row = {k: None if v == "" else v for k, v in row.items()}
        row["category_ids"] = json.loads(row["category_ids"])
    return LedgerEntryPublished.model_validate(row)


async def exported(database_url: str, tmp_path: Path, form: str, *options: str) -> bytes:
    """The CLI's file (run in a thread: the command runs its own event loop)."""
    env = {"LOYALTY_DATABASE_URL": database_url, "LOYALTY_LOG_FORMAT": "json"}
    target = tmp_path / f"ledger.{form}"
    args = ["export", "ledger", "--business", SHOP, "--format", form, *options]
    command = [*args, "--output", str(target)]
    result = await asyncio.to_thread(CliRunner().invoke, cli, command, env=env)
    assert result.exit_code == 0, result.output
    return target.read_bytes()


def parsed(form: str, body: bytes) -> list[LedgerEntryPublished]:
    if form == "jsonl":
        lines = body.decode().splitlines()
        return [LedgerEntryPublished.model_validate_json(line) for line in lines]
    if form == "csv":
        return [read_back(dict(row)) for row in csv.DictReader(io.StringIO(body.decode()))]
    return [read_back(row) for row in pq.read_table(io.BytesIO(body)).to_pylist()]


@pytest.mark.parametrize("form", ["csv", "jsonl", "parquet"])
async def test_an_exported_ledger_reads_back_as_the_published_messages_of_its_entries(
    database_url: str, pool: asyncpg.Pool, world: World, tmp_path: Path, form: str
) -> None:
    body = await exported(database_url, tmp_path, form)

    expected = await ledger(pool)
    assert len(expected) > ENTRIES  # the earns and the enrolments' own entries
    assert parsed(form, body) == expected
    assert b"ip_address" not in body and b"user_agent" not in body


@pytest.mark.parametrize("form", ["csv", "jsonl", "parquet"])
async def test_the_time_window_keeps_the_entries_recorded_inside_it(
    database_url: str, pool: asyncpg.Pool, world: World, tmp_path: Path, form: str
) -> None:
    since, until = START + timedelta(minutes=100), START + timedelta(minutes=130)
    window = ["--from", since.isoformat(), "--to", until.isoformat()]
    got = parsed(form, await exported(database_url, tmp_path, form, *window))

    assert len(got) == 30
    assert {message.recorded_at for message in got} == {
        START + timedelta(minutes=n) for n in range(100, 130)
    }
    inside = [m for m in await ledger(pool, since) if m.recorded_at < until]
    assert got == inside


async def test_balances_are_one_row_per_account_with_the_accounts_figures(
    pool: asyncpg.Pool, world: World
) -> None:
    from ports.exports import Dataset, ExportQuery, Rendering

    exports = PostgresExports(pool, batch_rows=3)
    query = ExportQuery(Dataset.BALANCES, SHOP)
    rows = [row async for batch in exports.batches(query, Rendering.JSON) for row in batch]
    got = {
        (r["customer_id"], r["balance"], r["stamps"]) for r in (json.loads(row[0]) for row in rows)
    }
    accounts = await pool.fetch(
        "SELECT customer_id, balance, stamps FROM accounts WHERE business_id = $1", SHOP
    )
    assert got == {tuple(a) for a in accounts} and len(rows) == 7


def test_the_cli_refuses_parquet_on_stdout_and_a_backwards_window(database_url: str) -> None:
    env = {"LOYALTY_DATABASE_URL": database_url}
    runner = CliRunner()
    base = ["export", "ledger", "--business", SHOP, "--format"]
    assert runner.invoke(cli, [*base, "parquet"], env=env).exit_code == 2
    window = ["--from", "2026-03-02T00:00:00Z", "--to", "2026-03-01T00:00:00Z"]
    assert runner.invoke(cli, [*base, "csv", *window], env=env).exit_code == 2
    # --json's one document goes to stdout, where the rows would go without --output.
    assert runner.invoke(cli, [*base, "csv", "--json"], env=env).exit_code == 2


async def test_with_json_the_summary_is_one_document_on_stdout_and_the_rows_go_to_the_file(
    database_url: str, pool: asyncpg.Pool, world: World, tmp_path: Path
) -> None:
    env = {"LOYALTY_DATABASE_URL": database_url, "LOYALTY_LOG_FORMAT": "json"}
    target = tmp_path / "ledger.jsonl"
    command = ["export", "ledger", "--business", SHOP, "--format", "jsonl", "-o", str(target)]
    result = await asyncio.to_thread(CliRunner().invoke, cli, [*command, "--json"], env=env)

    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["rows"] == len(target.read_bytes().splitlines()) == len(await ledger(pool))
    assert summary["dataset"] == "ledger" and summary["output"] == str(target)


@pytest.fixture
async def api(pool: asyncpg.Pool, world: World) -> AsyncIterator[httpx.AsyncClient]:
    container = Container()
    container.pool.override(providers.Object(pool))
    app = create_http_app(
        container.operations(),
        FakeHealth({"database": True}),
        AuthSettings(hs256_secret=SECRET),
        clock=world.clock,
        registry=CollectorRegistry(),
        exports=PostgresExports(pool, batch_rows=50),
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://office") as client:
        yield client


async def test_a_manager_downloads_the_ledger_in_pages_that_add_up_to_the_whole(
    api: httpx.AsyncClient, pool: asyncpg.Pool
) -> None:
    whole = await api.get("/v1/exports/ledger", params={"format": "csv"}, headers=MANAGER)
    assert whole.status_code == 200, whole.text
    assert whole.headers["content-type"].startswith("text/csv")
    expected = await ledger(pool)
    assert parsed("csv", whole.content) == expected

    pages: list[LedgerEntryPublished] = []
    url: str | None = "/v1/exports/ledger?limit=100"
    while url is not None:
        page = await api.get(url, headers=MANAGER)
        assert page.status_code == 200, page.text
        pages += parsed("jsonl", page.content)
        url = page.links.get("next", {}).get("url")
    assert pages == expected  # the rival's entry never in it


async def test_the_download_is_refused_without_the_manager_scope_and_on_bad_parameters(
    api: httpx.AsyncClient,
) -> None:
    path = "/v1/exports/ledger"
    assert (await api.get(path, headers=CASHIER)).status_code == 403
    assert (await api.get(path)).status_code == 401
    for params in (
        {"format": "parquet"},
        {"from": "2026-03-02T00:00:00Z", "to": "2026-03-01T00:00:00Z"},
        {"cursor": "not-a-cursor"},
        {"limit": "0"},
        {"from": "yesterday"},
    ):
        refused = await api.get(path, params=params, headers=MANAGER)
        assert refused.status_code in (400, 422), params
        assert refused.headers["content-type"] == "application/problem+json", params
