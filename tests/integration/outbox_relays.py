"""Relays on one database, each with its own connection, publishing into one journal."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import asyncpg

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from adapters.system_clock import SystemClock
from domain.events import EventKind
from ports.publishing import LedgerMessage
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.outbox_relay import OutboxRelay
from tests.fakes import FakeMetrics
from tests.integration.conftest import given_customer, given_programme
from tests.support.events import parsed, sale


@dataclass
class Journal:
    """What every relay published, in the order the broker would have it, and which relay
    held which shard while publishing (to catch two holders of one shard at once)."""

    shard_of: dict[str, int]
    published: list[tuple[str, str, str]] = field(default_factory=list)  # relay, account, entry
    in_flight: dict[int, str] = field(default_factory=dict)
    overlaps: list[tuple[int, str, str]] = field(default_factory=list)
    first_batch: asyncio.Event = field(default_factory=asyncio.Event)

    def by_relay(self, relay: str) -> list[str]:
        return [entry for name, _, entry in self.published if name == relay]

    def per_account(self, relay: str | None = None) -> dict[str, list[str]]:
        seen: dict[str, list[str]] = defaultdict(list)
        for name, account, entry in self.published:
            if relay in (None, name):
                seen[account].append(entry)
        return dict(seen)


@dataclass
class RecordingPublisher:
    """A broker that takes ``ack_seconds`` to acknowledge, or never (``hang``)."""

    name: str
    journal: Journal
    ack_seconds: float = 0.002
    hang: bool = False

    async def publish(self, messages: Sequence[LedgerMessage]) -> None:
        [shard] = {self.journal.shard_of[m.account_id] for m in messages}  # one shard a batch
        holder = self.journal.in_flight.setdefault(shard, self.name)
        if holder != self.name:
            self.journal.overlaps.append((shard, holder, self.name))
        for message in messages:
            self.journal.published.append((self.name, message.account_id, str(message.entry_id)))
        self.journal.first_batch.set()
        if self.hang:
            await asyncio.Event().wait()
        await asyncio.sleep(self.ack_seconds)
        del self.journal.in_flight[shard]


async def relay_on_own_pool(
    url: str, name: str, journal: Journal, first_shard: int, **publisher: object
) -> tuple[asyncpg.Pool, OutboxRelay]:
    pool = await asyncpg.create_pool(
        url, min_size=1, max_size=1, server_settings={"application_name": name}
    )
    relay = OutboxRelay(
        PostgresUnitOfWorkFactory(pool),
        RecordingPublisher(name, journal, **publisher),  # type: ignore[arg-type]
        25,  # small batches: many claims, so the relays meet on shards often
        0.005,
        lambda error: False,
        SystemClock(),
        FakeMetrics(),
        first_shard=first_shard,
    )
    return pool, relay


async def sales_on_many_accounts(
    uow_factory: PostgresUnitOfWorkFactory, customers: int, sales: int
) -> None:
    """A programme, ``customers`` enrolled, then ``sales`` sales spread over them."""
    await given_programme(uow_factory, "shards")
    for n in range(customers):
        await given_customer(uow_factory, "shards", f"c{n}")
    apply = ApplyEventBatch(uow_factory, SystemClock())
    events = [
        parsed(EventKind.SALE_COMPLETED, sale("shards", f"c{n % customers}", f"{n % 50 + 1}.00"))
        for n in range(sales)
    ]
    for start in range(0, sales, 500):
        await apply(events[start : start + 500])


async def pending(pool: asyncpg.Pool) -> dict[str, list[str]]:
    """Each account's unpublished entries in outbox order."""
    rows = await pool.fetch(
        "SELECT account_id::text, entry_id::text FROM outbox ORDER BY outbox_id"
    )
    per_account: dict[str, list[str]] = defaultdict(list)
    for account, entry in rows:
        per_account[account].append(entry)
    return dict(per_account)


async def shards(pool: asyncpg.Pool) -> dict[str, int]:
    rows = await pool.fetch("SELECT DISTINCT account_id::text, shard FROM outbox")
    return {account: shard for account, shard in rows}
