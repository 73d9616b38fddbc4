"""The programme's event-time settings on real PostgreSQL: stored with each version, read by
event time, backfilled by migration 0010; and `loyalty program set` keeps what it is not told."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import asyncpg
import pytest
from typer.testing import CliRunner

from adapters.postgres.migrations import MIGRATIONS_DIR, apply_migrations
from adapters.postgres.programmes import PostgresProgrammes
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from adapters.system_clock import SystemClock
from domain.commands import SetProgramme
from domain.events import EventKind
from service.entrypoints.cli import app
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.programmes import Programmes
from tests.conftest import with_database
from tests.integration.conftest import given_customer
from tests.integration.ledger_queries import inbox_outcome
from tests.support.events import parsed, sale

pytestmark = pytest.mark.integration

PAUSED_FROM = datetime(2026, 6, 1, tzinfo=UTC)


def moment(days: float) -> str:
    return (PAUSED_FROM + timedelta(days=days)).isoformat()


async def test_a_pause_acts_from_its_version_on_and_late_sales_before_it_still_earn(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    programmes = Programmes(uow_factory, SystemClock())
    rates = SetProgramme(
        "shop",
        earn_rate=Decimal(1),
        redemption_rate=Decimal(100),
        points_validity_days=365,
        effective_from=datetime(2020, 1, 1, tzinfo=UTC),
    )
    await programmes.set(rates)
    await given_customer(uow_factory, "shop", "alice")
    await programmes.set(
        SetProgramme(
            "shop",
            earn_rate=Decimal(1),
            redemption_rate=Decimal(100),
            active=False,
            points_validity_days=30,
            effective_from=PAUSED_FROM,
        )
    )
    before = sale("shop", "alice", "40", occurred_at=moment(-10))
    after = sale("shop", "alice", "50", occurred_at=moment(1))

    await ApplyEventBatch(uow_factory, SystemClock())(
        [parsed(EventKind.SALE_COMPLETED, before), parsed(EventKind.SALE_COMPLETED, after)]
    )

    assert await inbox_outcome(pool, "shop", before["event_id"]) == ("applied", None)
    assert await inbox_outcome(pool, "shop", after["event_id"]) == (
        "skipped",
        "programme_inactive",
    )
    [lot] = await pool.fetch("SELECT earned_at, expires_at FROM point_lots")
    assert lot["expires_at"] - lot["earned_at"] == timedelta(days=365)
    async with pool.acquire() as conn:
        stored = await PostgresProgrammes(conn).get("shop")
    assert stored is not None and stored.active is False
    settings = [r.settings for r in stored.rules]
    assert [(s.active, s.points_validity_days) for s in settings if s] == [
        (True, 365),
        (False, 30),
    ]


@pytest.fixture
async def database_before_0010(postgres_url: str) -> AsyncIterator[str]:
    name = f"loyalty_before_0010_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(postgres_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = with_database(postgres_url, name)
    earlier = sorted(
        p.stem for p in MIGRATIONS_DIR.glob("*.sql") if not p.stem.endswith(".rollback")
    )
    apply_migrations(url, up_to=max(m for m in earlier if m < "0010"))
    yield url


async def test_migration_0010_gives_the_latest_version_the_programmes_settings(
    database_before_0010: str,
) -> None:
    conn = await asyncpg.connect(database_before_0010)
    try:
        await conn.execute(
            "INSERT INTO programmes (business_id, name, active, points_validity_days,"
            " pending_days) VALUES ('paused', 'P', false, 90, 7), ('running', 'R', true, NULL, 0)"
        )
        await conn.execute(
            "INSERT INTO rule_versions (business_id, version, effective_from, earn_rate,"
            " redemption_rate) VALUES ('paused', 1, '2024-01-01Z', 1, 100),"
            " ('paused', 2, '2025-01-01Z', 1, 100), ('running', 1, '2024-01-01Z', 1, 100)"
        )
        apply_migrations(database_before_0010)
        rows = await conn.fetch(
            "SELECT business_id, version, active, points_validity_days, pending_days"
            " FROM rule_versions ORDER BY business_id, version"
        )
    finally:
        await conn.close()

    assert [tuple(r) for r in rows] == [
        ("paused", 1, True, 90, 7),
        ("paused", 2, False, 90, 7),
        ("running", 1, True, None, 0),
    ]


def program_set(database_url: str, *options: str) -> dict[str, object]:
    result = CliRunner().invoke(
        app,
        ["program", "set", "cli-shop", "--earn-rate", "1", "--redemption-rate", "100", *options],
        env={"LOYALTY_DATABASE_URL": database_url, "LOYALTY_LOG_FORMAT": "json"},
    )
    assert result.exit_code == 0, result.output
    shown: dict[str, object] = json.loads(result.stdout[result.stdout.index("{") :])
    return shown


def test_program_set_keeps_the_active_flag_unless_told_to_change_it(database_url: str) -> None:
    assert program_set(database_url, "--inactive")["active"] is False
    assert program_set(database_url, "--earn-rate", "2")["active"] is False
    assert program_set(database_url, "--active")["active"] is True
    assert program_set(database_url)["active"] is True
