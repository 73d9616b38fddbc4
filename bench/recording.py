"""A stand-in for the asyncpg pool that hands out connections recording every statement.

The same-work ceiling replays what the service's own adapters sent, so the recording sits at
the one place every statement passes (the connection), not on any statement by name: when the
adapters' SQL changes, the ceiling follows without an edit here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import asyncpg

# The methods that send a statement; anything else (transaction(), codecs) passes through.
STATEMENTS = frozenset(
    {"execute", "executemany", "fetch", "fetchrow", "fetchval", "copy_records_to_table"}
)


@dataclass(frozen=True)
class Statement:
    method: str
    args: tuple[Any, ...]
    kwargs: dict[str, Any]

    async def send(self, conn: asyncpg.Connection) -> None:
        await getattr(conn, self.method)(*self.args, **self.kwargs)


@dataclass
class Transaction:
    """What one unit of work sent, in order, between acquiring its connection and releasing."""

    statements: list[Statement] = field(default_factory=list)


class RecordingConnection:
    def __init__(self, conn: Any, transaction: Transaction) -> None:
        self._conn = conn
        self.recorded = transaction

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._conn, name)
        if name not in STATEMENTS:
            return attribute
        return self._recording(name, attribute)

    def _recording(self, name: str, send: Callable[..., Awaitable[Any]]) -> Callable[..., Any]:
        async def recorded(*args: Any, **kwargs: Any) -> Any:
            self.recorded.statements.append(Statement(name, args, dict(kwargs)))
            return await send(*args, **kwargs)

        return recorded


class _Acquiring:
    """``await pool.acquire()`` and ``async with pool.acquire()`` both, as asyncpg allows."""

    def __init__(self, pool: RecordingPool) -> None:
        self._pool = pool
        self._conn: RecordingConnection | None = None

    def __await__(self) -> Generator[Any, None, RecordingConnection]:
        return self._pool._acquire().__await__()

    async def __aenter__(self) -> RecordingConnection:
        self._conn = await self._pool._acquire()
        return self._conn

    async def __aexit__(self, *exc: object) -> None:
        assert self._conn is not None
        await self._pool.release(self._conn)


class RecordingPool:
    """Wraps a real pool; ``transactions`` holds every acquisition's statements, in order."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool
        self.transactions: list[Transaction] = []

    def acquire(self) -> _Acquiring:
        return _Acquiring(self)

    async def _acquire(self) -> RecordingConnection:
        transaction = Transaction()
        self.transactions.append(transaction)
        return RecordingConnection(await self._pool.acquire(), transaction)

    async def release(self, conn: RecordingConnection) -> None:
        await self._pool.release(conn._conn)
