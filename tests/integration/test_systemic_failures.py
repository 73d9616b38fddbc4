"""Failures that would fail every event (a missing table, a read-only database) hold the batch
back, uncommitted and out of the dead-letter topic, until the database is fixed."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from typing import Any

import asyncpg
import pytest
from aiokafka.structs import ConsumerRecord
from dependency_injector import providers
from structlog.testing import capture_logs

from adapters.kafka.dead_letters import DeadLetter
from adapters.kafka.event_consumer import KafkaEventConsumer
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from service.entrypoints.containers import Container, container_for
from service.entrypoints.resources import Database, opened
from tests.integration.conftest import given_customer, given_programme
from tests.integration.ledger_queries import balance
from tests.support.events import sale
from tests.support.settings import isolated_settings

pytestmark = pytest.mark.integration

SHOP = "shop"


class RecordedDeadLetters:
    def __init__(self) -> None:
        self.letters: list[DeadLetter] = []

    async def publish(self, letters: Sequence[DeadLetter]) -> None:
        self.letters.extend(letters)


@pytest.fixture
async def wired(
    database_url: str, uow_factory: PostgresUnitOfWorkFactory
) -> AsyncIterator[tuple[Container, RecordedDeadLetters]]:
    await given_programme(uow_factory, SHOP)
    await given_customer(uow_factory, SHOP, "alice")
    settings = isolated_settings(
        "systemic-",
        database_url,
        "127.0.0.1:1",  # never contacted: the consumer's batches are handed to it directly
        retry_initial_seconds=0.01,
        retry_max_seconds=0.02,
        retry_budget_seconds=0.2,
    )
    container = container_for(settings)
    dead_letters = RecordedDeadLetters()
    container.dead_letters.override(providers.Object(dead_letters))
    async with opened(container, Database):  # the database only: no broker is started
        yield container, dead_letters


def sales_records(topic: str, *amounts: str) -> tuple[ConsumerRecord[bytes, bytes], ...]:
    return tuple(
        ConsumerRecord(
            topic,
            0,
            offset,
            0,
            0,
            None,
            json.dumps(sale(SHOP, "alice", amount)).encode(),
            None,
            0,
            0,
            [],
        )
        for offset, amount in enumerate(amounts)
    )


async def held_back_then_applied(
    container: Container,
    dead_letters: RecordedDeadLetters,
    pool: asyncpg.Pool,
    fix: Callable[[], Awaitable[Any]],
) -> None:
    consumer: KafkaEventConsumer = await container.event_consumer.async_()
    records = sales_records(container.settings().topic_sale_completed, "10", "20", "30")

    with capture_logs() as logs:
        for _ in range(3):  # each redelivery fails the same way, and still dead-letters nothing
            with pytest.raises(asyncpg.PostgresError):
                await consumer.process(records)  # raising leaves the offsets uncommitted
    assert dead_letters.letters == []
    assert sum("systemic failure" in line["event"] for line in logs) == 3
    counted = [
        sample.value
        for metric in container.metrics_registry().collect()
        for sample in metric.samples
        if sample.name == "loyalty_systemic_failures_total"
    ]
    assert counted == [3.0]
    assert await pool.fetchval("SELECT count(*) FROM inbox") == 0

    await fix()
    await consumer.process(records)

    assert dead_letters.letters == []
    assert await balance(pool, SHOP, "alice") == 60
    assert await pool.fetchval("SELECT count(*) FROM inbox") == 3


async def test_a_missing_table_holds_the_batch_back_until_it_is_there_and_dead_letters_nothing(
    pool: asyncpg.Pool, wired: tuple[Container, RecordedDeadLetters]
) -> None:
    container, dead_letters = wired
    # What a pod meets when it starts before the migration that creates a table it uses.
    await pool.execute("ALTER TABLE point_lots RENAME TO point_lots_not_yet_migrated")

    async def migrate() -> None:
        await pool.execute("ALTER TABLE point_lots_not_yet_migrated RENAME TO point_lots")

    await held_back_then_applied(container, dead_letters, pool, migrate)


async def test_a_read_only_database_holds_the_batch_back_until_it_is_writable_again(
    pool: asyncpg.Pool, database_url: str, wired: tuple[Container, RecordedDeadLetters]
) -> None:
    container, dead_letters = wired
    database = database_url.rsplit("/", 1)[1]
    service_pool: asyncpg.Pool = await container.pool.async_()
    admin = await asyncpg.connect(database_url)  # opened writable, before the failover
    try:
        # A read-only failover: every new session of the service starts read-only.
        await admin.execute(f'ALTER DATABASE "{database}" SET default_transaction_read_only = on')
        await service_pool.expire_connections()

        async def fail_back() -> None:
            await admin.execute(f'ALTER DATABASE "{database}" RESET default_transaction_read_only')
            await service_pool.expire_connections()

        await held_back_then_applied(container, dead_letters, pool, fail_back)
    finally:
        await admin.close()
