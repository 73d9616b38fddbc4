"""``loyalty verify --json`` on real PostgreSQL: a tampered ledger exits 1 with the breaches in
one JSON document on stdout; a sound one exits 0 with ``ok`` true."""

from __future__ import annotations

import json

import asyncpg
import pytest
from typer.testing import CliRunner

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from service.entrypoints.cli import app
from tests.integration.conftest import given_customer, given_programme

pytestmark = pytest.mark.integration

SHOP = "json-audit-shop"


@pytest.fixture
async def enrolled(uow_factory: PostgresUnitOfWorkFactory) -> None:
    await given_programme(uow_factory, SHOP, welcome_bonus=10)
    await given_customer(uow_factory, SHOP, "amy")


@pytest.fixture
async def tampered(pool: asyncpg.Pool, enrolled: None) -> None:
    async with pool.acquire() as superuser:
        await superuser.execute("SET session_replication_role = replica")  # triggers off
        await superuser.execute(
            "UPDATE ledger_entries SET points = points + 100, balance_after = balance_after + 100"
            " WHERE business_id = $1 AND kind <> 'card_created'",
            SHOP,
        )


def verify_json(database_url: str) -> tuple[int, dict[str, object]]:
    env = {"LOYALTY_DATABASE_URL": database_url, "LOYALTY_LOG_FORMAT": "json"}
    result = CliRunner().invoke(app, ["verify", "--business", SHOP, "--json"], env=env)
    return result.exit_code, json.loads(result.stdout)


def test_verify_json_on_a_sound_ledger_exits_0_with_ok_true(
    database_url: str, enrolled: None
) -> None:
    code, report = verify_json(database_url)

    assert code == 0
    assert report["ok"] is True and report["breaches"] == []
    assert report["accounts_checked"] == 1


def test_verify_json_on_a_tampered_ledger_exits_1_with_the_breaches_on_stdout(
    database_url: str, tampered: None
) -> None:
    code, report = verify_json(database_url)

    assert code == 1
    assert report["ok"] is False
    breaches = report["breaches"]
    assert isinstance(breaches, list)
    assert any("does not match its hash chain" in b for b in breaches)
