from __future__ import annotations

import itertools
from collections.abc import AsyncIterator

import asyncpg
import pytest

from adapters.kafka.topics import ensure_topics
from service.entrypoints import serving
from service.entrypoints.containers import container_for
from service.entrypoints.runtime import Role, Service
from service.entrypoints.settings import Settings
from tests.conftest import with_database
from tests.support.settings import isolated_settings

_modules = itertools.count()


@pytest.fixture(scope="module")
async def contract_settings(
    postgres_url: str, migrated_template: str, kafka_bootstrap: str
) -> Settings:
    """A database and a set of topics of its own for each test module."""
    n = next(_modules)
    name = f"loyalty_contract_{n}"
    admin = await asyncpg.connect(postgres_url)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{migrated_template}"')
    finally:
        await admin.close()
    prefix = f"c{n}-"
    settings = isolated_settings(
        prefix,
        with_database(postgres_url, name),
        kafka_bootstrap,
        retry_budget_seconds=20,
        outbox_idle_seconds=0.05,
        log_format="console",
    )
    await ensure_topics(kafka_bootstrap, settings.all_topics(), settings.topic_partitions)
    return settings


async def start_service(settings: Settings) -> Service:
    return await serving.start_service(container_for(settings, Role.CONSUMER))


@pytest.fixture(scope="module")
async def service(contract_settings: Settings) -> AsyncIterator[Service]:
    running = await start_service(contract_settings)
    try:
        yield running
    finally:
        await running.stop()


@pytest.fixture(scope="module")
async def db(contract_settings: Settings) -> AsyncIterator[asyncpg.Pool]:
    pool = await asyncpg.create_pool(contract_settings.database_url, min_size=1, max_size=4)
    try:
        yield pool
    finally:
        await pool.close()
