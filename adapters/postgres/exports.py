"""PostgresExports: the ledger and the balances streamed through a server-side cursor, in a
read-only repeatable-read transaction (one snapshot), a batch at a time: the client holds one
batch whatever the size of the business. PostgreSQL renders the text and JSON itself."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from typing import Any
from uuid import UUID

import asyncpg

from adapters.postgres.outbox import MESSAGE, MESSAGE_FIELDS
from adapters.postgres.rows import ENTRY_TYPES
from ports.exports import Column, Dataset, ExportQuery, Rendering

BATCH_ROWS = 2_000

_PORTABLE = {"bigint": "int", "integer": "int", "timestamptz": "time", "text[]": "texts"}

# The published fields of an entry (the loyalty.ledger contract, no personal data), by type.
LEDGER = tuple(
    Column(name, _PORTABLE.get(ENTRY_TYPES.get(name, "text"), "text")) for name in MESSAGE_FIELDS
)
BALANCES = (
    Column("account_id", "text"),
    Column("customer_id", "text"),
    Column("status", "text"),
    Column("balance", "int"),
    Column("pending", "int"),
    Column("stamps", "int"),
    Column("level", "text"),
    Column("last_activity_at", "time"),
)


def _typed(expression: str, column: Column) -> str:
    # Ids and decimals leave as exact text: no float ever touches an amount or a rate.
    return expression if column.type != "text" else f"({expression})::text"


def _text(expression: str, column: Column) -> str:
    if column.type == "texts":
        return f"array_to_json({expression})::text"
    if column.type == "time":
        return f"((to_json(({expression}) AT TIME ZONE 'UTC') #>> '{{}}') || 'Z')"
    return f"({expression})::text"


_LEDGER_SOURCE = {name: f"e.{name}" for name in MESSAGE_FIELDS} | {
    "bucket": MESSAGE_FIELDS["bucket"]
}
LEDGER_FROM = """
FROM ledger_entries e
WHERE e.business_id = $1
  AND ($2::timestamptz IS NULL OR e.recorded_at >= $2)
  AND ($3::timestamptz IS NULL OR e.recorded_at < $3)
  AND ($4::uuid IS NULL OR (e.account_id, e.seq) > ($4::uuid, $5::bigint))
ORDER BY e.account_id, e.seq
LIMIT $6
"""

_BALANCE_SOURCE = {column.name: f"a.{column.name}" for column in BALANCES} | {
    "pending": "coalesce(p.pending, 0)"
}
# Pending: what lots still hold inside their return window (domain.lots.Lot.pending_at).
BALANCES_FROM = """
FROM accounts a
LEFT JOIN LATERAL (
    SELECT sum(l.remaining)::bigint AS pending FROM point_lots l
    WHERE l.business_id = a.business_id AND l.account_id = a.account_id AND l.remaining > 0
      AND l.available_at > now() AND (l.expires_at IS NULL OR l.expires_at > now())
) p ON true
WHERE a.business_id = $1
  AND ($2::timestamptz IS NULL OR a.last_activity_at >= $2)
  AND ($3::timestamptz IS NULL OR a.last_activity_at < $3)
  AND ($4::uuid IS NULL OR a.account_id > $4::uuid)
ORDER BY a.account_id
LIMIT $5
"""

_SHAPES = {Dataset.LEDGER: (LEDGER, _LEDGER_SOURCE), Dataset.BALANCES: (BALANCES, _BALANCE_SOURCE)}
_FROM = {Dataset.LEDGER: LEDGER_FROM, Dataset.BALANCES: BALANCES_FROM}
_KEY = {Dataset.LEDGER: "e.account_id, e.seq", Dataset.BALANCES: "a.account_id, 0::bigint"}


def select(dataset: Dataset, rendering: Rendering) -> str:
    columns, source = _SHAPES[dataset]
    if rendering is Rendering.JSON:
        if dataset is Dataset.LEDGER:
            selected = f"{MESSAGE}::text"
        else:
            fields = ", ".join(f"'{c.name}', {source[c.name]}" for c in columns)
            selected = f"json_build_object({fields})::text"
    else:
        render = _text if rendering is Rendering.TEXT else _typed
        selected = ", ".join(f"{render(source[c.name], c)} AS {c.name}" for c in columns)
    return f"SELECT {selected} {_FROM[dataset]}"


def _arguments(query: ExportQuery, limit: int | None) -> tuple[Any, ...]:
    after_account, after_seq = query.after or (None, None)
    window = (query.business_id, query.since, query.until, after_account)
    # A balance's key is its account alone.
    return window + ((after_seq,) if query.dataset is Dataset.LEDGER else ()) + (limit,)


class PostgresExports:
    def __init__(self, pool: asyncpg.Pool, batch_rows: int = BATCH_ROWS) -> None:
        self._pool = pool
        self._batch_rows = batch_rows

    def columns(self, dataset: Dataset) -> tuple[Column, ...]:
        return _SHAPES[dataset][0]

    async def batches(
        self, query: ExportQuery, rendering: Rendering
    ) -> AsyncIterator[Sequence[Sequence[Any]]]:
        statement = select(query.dataset, rendering)
        async with (
            self._pool.acquire() as connection,
            connection.transaction(isolation="repeatable_read", readonly=True),
        ):
            cursor = await connection.cursor(statement, *_arguments(query, query.limit))
            while batch := await cursor.fetch(self._batch_rows):
                yield batch

    async def last_key(self, query: ExportQuery) -> tuple[UUID, int] | None:
        if query.limit is None:
            return None
        statement = f"SELECT {_KEY[query.dataset]} {_FROM[query.dataset]}"
        async with self._pool.acquire() as connection:
            keys = await connection.fetch(statement, *_arguments(query, query.limit + 1))
        if len(keys) <= query.limit:
            return None
        account_id, seq = keys[query.limit - 1]
        return account_id, seq
