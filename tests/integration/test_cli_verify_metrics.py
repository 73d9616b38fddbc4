"""``loyalty verify --metrics-file`` on real PostgreSQL, and with none reachable: the file says
what the exit code says."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import CliRunner

from adapters.embedded.postgres import free_port
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from service.entrypoints.cli import app
from tests.integration.conftest import given_customer, given_programme

pytestmark = pytest.mark.integration

SHOP = "metrics-audit-shop"


def verify(database_url: str, path: Path) -> int:
    env = {"LOYALTY_DATABASE_URL": database_url, "LOYALTY_LOG_FORMAT": "json"}
    arguments = ["verify", "--business", SHOP, "--json", "--metrics-file", str(path)]
    return CliRunner().invoke(app, arguments, env=env).exit_code


def gauges(path: Path) -> dict[str, float]:
    return {
        s.name + "".join(f"/{v}" for _, v in sorted(s.labels.items())): s.value
        for family in text_string_to_metric_families(path.read_text())
        for s in family.samples
    }


@pytest.fixture
async def enrolled(uow_factory: PostgresUnitOfWorkFactory) -> None:
    await given_programme(uow_factory, SHOP, welcome_bonus=10)
    await given_customer(uow_factory, SHOP, "amy")


async def tamper(database_url: str) -> None:
    """Points added behind the ledger's back (a fresh connection: this test's loop is its own)."""
    superuser = await asyncpg.connect(database_url)
    try:
        await superuser.execute("SET session_replication_role = replica")  # triggers off
        await superuser.execute(
            "UPDATE ledger_entries SET points = points + 100, balance_after = balance_after + 100"
            " WHERE business_id = $1 AND kind <> 'card_created'",
            SHOP,
        )
    finally:
        await superuser.close()


def test_a_tampered_ledger_exits_1_and_its_metrics_file_names_the_broken_check(
    database_url: str, enrolled: None, tmp_path: Path
) -> None:
    path = tmp_path / "loyalty_verify.prom"
    assert verify(database_url, path) == 0
    sound = gauges(path)
    assert sound["loyalty_verify_last_run_result/ok"] == 1
    assert sound["loyalty_verify_accounts_checked"] == 1
    assert sound["loyalty_verify_findings/hash_chain/breach"] == 0
    asyncio.run(tamper(database_url))

    assert verify(database_url, path) == 1

    tampered = gauges(path)
    assert tampered["loyalty_verify_last_run_result/breach"] == 1
    assert tampered["loyalty_verify_last_run_result/ok"] == 0
    assert tampered["loyalty_verify_findings/hash_chain/breach"] >= 1


def test_an_unreachable_database_exits_3_and_its_metrics_file_says_unreachable(
    tmp_path: Path,
) -> None:
    path = tmp_path / "loyalty_verify.prom"
    nowhere = f"postgresql://loyalty@127.0.0.1:{free_port()}/loyalty?connect_timeout=2"

    assert verify(nowhere, path) == 3

    got = gauges(path)
    assert got["loyalty_verify_last_run_result/unreachable"] == 1
    assert "loyalty_verify_accounts_checked" not in got
