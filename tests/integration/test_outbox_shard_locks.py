"""The outbox's shard locks: one holder per shard, shards apart from each other, and a relay
of the version before shards (one global lock) never claiming beside the new ones."""

from __future__ import annotations

import asyncpg
import pytest

from adapters.postgres.outbox import RELAY_LOCK_ID
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from ports.publishing import OUTBOX_SHARDS
from tests.integration.outbox_relays import pending, sales_on_many_accounts, shards

pytestmark = pytest.mark.integration


@pytest.fixture
async def two_shards(pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory) -> list[int]:
    await sales_on_many_accounts(uow_factory, 40, 200)
    return sorted(set((await shards(pool)).values()))[:2]


async def test_a_shard_held_by_one_unit_of_work_gives_another_nothing_until_it_ends(
    uow_factory: PostgresUnitOfWorkFactory, two_shards: list[int]
) -> None:
    held, other = two_shards
    async with uow_factory() as first, uow_factory() as second:
        assert await first.outbox.claim_pending(held, 10)
        assert await second.outbox.claim_pending(held, 10) == []
        assert await second.outbox.claim_pending(other, 10)  # another shard is free
    async with uow_factory() as later:
        assert await later.outbox.claim_pending(held, 10)


async def test_a_claim_takes_only_its_shards_oldest_rows_in_outbox_order(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory, two_shards: list[int]
) -> None:
    shard_of, waiting = await shards(pool), await pending(pool)
    in_shard = [a for a in waiting if shard_of[a] == two_shards[0]]
    async with uow_factory() as uow:
        claimed = await uow.outbox.claim_pending(two_shards[0], 10_000)
    assert {message.account_id for _, message in claimed} == set(in_shard)
    assert [outbox_id for outbox_id, _ in claimed] == sorted(o for o, _ in claimed)
    for account in in_shard:
        mine = [str(m.entry_id) for _, m in claimed if m.account_id == account]
        assert mine == waiting[account]


async def test_every_account_falls_in_one_of_the_fixed_shards(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory, two_shards: list[int]
) -> None:
    assert set((await shards(pool)).values()) <= set(range(OUTBOX_SHARDS))
    async with uow_factory() as uow:
        assert set(await uow.outbox.pending_shards()) == set((await shards(pool)).values())


async def test_a_relay_of_the_previous_version_and_the_sharded_relays_exclude_each_other(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory, two_shards: list[int]
) -> None:
    async with pool.acquire() as old_relay, old_relay.transaction():
        await old_relay.execute("SELECT pg_advisory_xact_lock($1)", RELAY_LOCK_ID)
        async with uow_factory() as uow:
            assert await uow.outbox.claim_pending(two_shards[0], 10) == []
    async with uow_factory() as uow:
        assert await uow.outbox.claim_pending(two_shards[0], 10)
        async with pool.acquire() as old_relay:
            assert not await old_relay.fetchval("SELECT pg_try_advisory_lock($1)", RELAY_LOCK_ID)
