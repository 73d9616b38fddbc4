"""Fault tests own their servers, so they can stop PostgreSQL and freeze the broker."""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest

from adapters.embedded.postgres import EmbeddedPostgres, free_port
from adapters.embedded.tansu import EmbeddedTansu
from adapters.kafka.topics import ensure_topics
from adapters.postgres.migrations import apply_migrations
from service.entrypoints.settings import Settings
from tests.conftest import with_database
from tests.support.settings import isolated_settings

_numbers = itertools.count()


@pytest.fixture(scope="module")
def fault_dir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="loyalty-faults-") as tmp:
        yield Path(tmp)


@pytest.fixture(scope="module")
def fault_postgres(fault_dir: Path) -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres(fault_dir / "pgdata", free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop("immediate")


@pytest.fixture(scope="module")
def fault_broker(fault_dir: Path) -> Iterator[EmbeddedTansu]:
    broker = EmbeddedTansu(free_port(), log_file=fault_dir / "tansu.log")
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture
async def fault_settings(fault_postgres: EmbeddedPostgres, fault_broker: EmbeddedTansu) -> Settings:
    n = next(_numbers)
    database = f"faults_{n}"
    admin = await asyncpg.connect(fault_postgres.url)
    try:
        await admin.execute(f'CREATE DATABASE "{database}"')
    finally:
        await admin.close()
    url = with_database(fault_postgres.url, database)
    apply_migrations(url)
    prefix = f"f{n}-"
    settings = isolated_settings(
        prefix,
        url,
        fault_broker.bootstrap_servers,
        consumer_session_timeout_ms=6000,
        consumer_heartbeat_interval_ms=1000,
        retry_budget_seconds=2,  # a 10 s outage then exercises pause-and-back-off
        retry_max_seconds=2,
        outbox_idle_seconds=0.05,
        log_format="json",
        log_level="INFO",
    )
    await ensure_topics(settings.kafka_bootstrap_servers, settings.all_topics(), 3)
    return settings


@pytest.fixture
async def fault_db(fault_settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(fault_settings.database_url, min_size=1, max_size=4)
    try:
        yield pool
    finally:
        await pool.close()
