"""Where a model history runs: the use cases over in-memory fakes or over real PostgreSQL.

A world gives the history a unit-of-work factory and a clock it controls, and reads back a
``Snapshot`` of what the store holds (balances, entries, inbox outcomes, redemptions) so the
history's invariants are checked the same way on both.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit
from uuid import UUID

import asyncpg

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from ports.unit_of_work import UnitOfWorkFactory
from tests.fakes import FakeClock, FakeStore, FakeUnitOfWorkFactory


@dataclass(frozen=True)
class EntryRow:
    entry_id: UUID
    account_id: UUID
    seq: int
    kind: str
    points: int
    balance_after: int
    source_ref: str
    event_id: str | None
    related_entry_id: UUID | None
    stamps: int = 0
    stamps_balance_after: int = 0
    reward_id: str | None = None
    occurred_at: datetime | None = None
    level_before: str | None = None
    level_after: str | None = None
    referred_account_id: UUID | None = None


@dataclass(frozen=True)
class RedemptionRow:
    account_id: UUID
    points: int
    status: str
    expires_at: datetime | None
    entry_id: UUID | None
    cancel_entry_id: UUID | None
    reward_id: str | None = None
    stamps: int = 0
    stock_taken: bool = False
    created_at: datetime | None = None


@dataclass(frozen=True)
class Snapshot:
    balances: dict[UUID, int]
    entries: tuple[EntryRow, ...]
    inbox: dict[str, tuple[str, str | None]]
    redemptions: dict[UUID, RedemptionRow]
    refused_captures: frozenset[str]
    """Event ids of the sales that named a hold they could not capture."""
    stamps: dict[UUID, int] = field(default_factory=dict)
    statuses: dict[UUID, str] = field(default_factory=dict)
    stock: dict[str, int | None] = field(default_factory=dict)
    """Each catalogue reward's units left (None: unlimited)."""
    levels: dict[UUID, str | None] = field(default_factory=dict)

    def entries_of(self, account_id: UUID) -> list[EntryRow]:
        return sorted((e for e in self.entries if e.account_id == account_id), key=lambda e: e.seq)


class World(Protocol):
    """A store the use cases run on, with a clock the history moves."""

    uows: UnitOfWorkFactory
    clock: FakeClock

    async def snapshot(self) -> Snapshot: ...

    async def empty_twin(self) -> World:
        """Another, empty store of the same kind (for replaying the history's events)."""
        ...

    async def close(self) -> None: ...


class FakeWorld:
    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.factory = FakeUnitOfWorkFactory(FakeStore())
        self.uows: UnitOfWorkFactory = self.factory

    async def snapshot(self) -> Snapshot:
        store = self.factory.store
        return Snapshot(
            balances={key[1]: a.balance for key, a in store.accounts.items()},
            entries=tuple(
                EntryRow(
                    e.entry_id,
                    e.account_id,
                    e.seq,
                    e.kind.value,
                    e.points,
                    e.balance_after,
                    e.source_ref,
                    e.event_id,
                    e.related_entry_id,
                    e.stamps,
                    e.stamps_balance_after,
                    e.reward_id,
                    e.occurred_at,
                    e.level_before,
                    e.level_after,
                    e.referred_account_id,
                )
                for e in store.entries
            ),
            inbox={
                key[1]: (r.outcome.status.value, r.outcome.reason and str(r.outcome.reason))
                for key, r in store.inbox.items()
            },
            redemptions={
                key[1]: RedemptionRow(
                    r.account_id,
                    r.points,
                    r.status.value,
                    r.expires_at,
                    r.entry_id,
                    r.cancel_entry_id,
                    r.reward_id,
                    r.stamps,
                    r.stock_taken,
                    r.created_at,
                )
                for key, r in store.redemptions.items()
            },
            refused_captures=frozenset(key[1] for key in store.capture_refusals),
            stamps={key[1]: a.stamps for key, a in store.accounts.items()},
            statuses={key[1]: a.status.value for key, a in store.accounts.items()},
            stock={key[1]: r.stock for key, r in store.rewards.items()},
            levels={key[1]: a.level for key, a in store.accounts.items()},
        )

    async def empty_twin(self) -> World:
        return FakeWorld(FakeClock(self.clock.moment))

    async def close(self) -> None:
        return None


_numbers = itertools.count()


def _with_database(url: str, database: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


class PostgresWorld:
    """A fresh database, copied from the migrated template, per history."""

    def __init__(self, admin_url: str, template: str, clock: FakeClock) -> None:
        self.clock = clock
        self._admin_url = admin_url
        self._template = template
        self._database = f"loyalty_history_{next(_numbers)}"
        self._pool: asyncpg.Pool | None = None
        self.uows: UnitOfWorkFactory

    async def open(self) -> PostgresWorld:
        admin = await asyncpg.connect(self._admin_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{self._database}"')
            await admin.execute(f'CREATE DATABASE "{self._database}" TEMPLATE "{self._template}"')
        finally:
            await admin.close()
        url = _with_database(self._admin_url, self._database)
        self._pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
        self.uows = PostgresUnitOfWorkFactory(self._pool)
        return self

    async def snapshot(self) -> Snapshot:
        assert self._pool is not None
        async with self._pool.acquire() as conn:
            balances = await conn.fetch(
                "SELECT account_id, balance, stamps, status, level FROM accounts"
            )
            entries = await conn.fetch(
                "SELECT entry_id, account_id, seq, kind, points, balance_after, source_ref,"
                " event_id, related_entry_id, stamps, stamps_balance_after, reward_id,"
                " occurred_at, level_before, level_after, referred_account_id"
                " FROM ledger_entries"
            )
            inbox = await conn.fetch("SELECT event_id, status, reason FROM inbox")
            redemptions = await conn.fetch(
                "SELECT redemption_id, account_id, points, status, expires_at, entry_id,"
                " cancel_entry_id, reward_id, stamps, stock_taken, created_at FROM redemptions"
            )
            refused = await conn.fetch("SELECT event_id FROM hold_capture_refusals")
            rewards = await conn.fetch("SELECT reward_id, stock FROM rewards")
        return Snapshot(
            balances={r["account_id"]: r["balance"] for r in balances},
            entries=tuple(EntryRow(*r.values()) for r in entries),
            inbox={r["event_id"]: (r["status"], r["reason"]) for r in inbox},
            redemptions={
                r["redemption_id"]: RedemptionRow(*list(r.values())[1:]) for r in redemptions
            },
            refused_captures=frozenset(r["event_id"] for r in refused),
            stamps={r["account_id"]: r["stamps"] for r in balances},
            statuses={r["account_id"]: r["status"] for r in balances},
            stock={r["reward_id"]: r["stock"] for r in rewards},
            levels={r["account_id"]: r["level"] for r in balances},
        )

    async def empty_twin(self) -> World:
        return await PostgresWorld(
            self._admin_url, self._template, FakeClock(self.clock.moment)
        ).open()

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
        admin = await asyncpg.connect(self._admin_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{self._database}"')
        finally:
            await admin.close()
