"""Three relays on one database: each entry published once, in order per account, the
shards spread over the relays; a relay killed mid-batch leaves duplicates, never a gap."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter

import asyncpg
import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from ports.publishing import OUTBOX_SHARDS
from service.use_cases.outbox_relay import OutboxRelay
from tests.integration.outbox_relays import (
    Journal,
    pending,
    relay_on_own_pool,
    sales_on_many_accounts,
    shards,
)
from tests.support.kafka import eventually

pytestmark = pytest.mark.integration

CUSTOMERS, SALES = 300, 3_000  # 300 accounts: every one of the 16 shards gets some


async def until_published(pool: asyncpg.Pool, relays: list[OutboxRelay]) -> None:
    """Run the relays' own loops until the outbox is empty, then let them drain and stop."""
    stopping = asyncio.Event()
    running = [asyncio.create_task(relay.run(stopping)) for relay in relays]
    await eventually(lambda: pool.fetchval("SELECT count(*) FROM outbox"), lambda n: n == 0, 120)
    stopping.set()
    async with asyncio.timeout(30):
        await asyncio.gather(*running)


async def test_three_relays_publish_every_entry_once_in_order_per_account_over_spread_shards(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory, database_url: str
) -> None:
    await sales_on_many_accounts(uow_factory, CUSTOMERS, SALES)
    expected, journal = await pending(pool), Journal(await shards(pool))
    assert set(journal.shard_of.values()) == set(range(OUTBOX_SHARDS))
    made = [
        await relay_on_own_pool(database_url, f"relay-{n}", journal, first_shard=n * 5)
        for n in range(3)
    ]
    try:
        await until_published(pool, [relay for _, relay in made])
    finally:
        for relay_pool, _ in made:
            await relay_pool.close()

    entries = [entry for _, _, entry in journal.published]
    assert len(entries) == sum(map(len, expected.values())) == CUSTOMERS + SALES
    assert Counter(entries).most_common(1)[0][1] == 1  # once each
    assert journal.per_account() == expected  # in order per account
    assert journal.overlaps == []  # never two holders of one shard at once
    for n in range(3):
        held = {journal.shard_of[a] for name, a, _ in journal.published if name == f"relay-{n}"}
        assert len(held) > 1, f"relay-{n} published shards {held}"


async def test_a_relay_killed_mid_batch_leaves_its_batch_to_the_others_with_no_gap(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory, database_url: str
) -> None:
    await sales_on_many_accounts(uow_factory, 60, 600)
    expected, journal = await pending(pool), Journal(await shards(pool))
    doomed_pool, doomed = await relay_on_own_pool(
        database_url, "doomed", journal, first_shard=0, hang=True
    )
    dying = asyncio.create_task(doomed.relay_once())
    async with asyncio.timeout(30):  # its first batch is on the broker, not yet marked
        await journal.first_batch.wait()
    in_doubt = journal.by_relay("doomed")
    await pool.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'doomed'"
    )
    dying.cancel()
    with contextlib.suppress(BaseException):
        await dying
    doomed_pool.terminate()
    journal.in_flight.clear()  # the killed relay's shard is free once its session has gone

    survivors = [
        await relay_on_own_pool(database_url, f"relay-{n}", journal, first_shard=n * 8)
        for n in range(2)
    ]
    try:
        await until_published(pool, [relay for _, relay in survivors])
    finally:
        for relay_pool, _ in survivors:
            await relay_pool.close()

    entries = [entry for _, _, entry in journal.published]
    assert set(entries) == {e for account in expected.values() for e in account}  # no gap
    assert {e: n for e, n in Counter(entries).items() if n > 1} == dict.fromkeys(in_doubt, 2)
    for account, published in journal.per_account().items():
        assert list(dict.fromkeys(published)) == expected[account]  # first copies in order
    for n in range(2):  # each survivor's own stream is the outbox order, without repeats
        for account, published in journal.per_account(f"relay-{n}").items():
            assert published == [e for e in expected[account] if e in set(published)]
    assert journal.overlaps == []
