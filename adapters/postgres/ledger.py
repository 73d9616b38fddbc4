"""PostgresLedger: immutable ledger entries, each written with its outbox row, and postings:
entries with the balances and lots they change, in one statement."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

import asyncpg

from adapters.postgres.accounts import balance_rows, save_balances_sql
from adapters.postgres.json_rows import rows_json, typed_rows
from adapters.postgres.lots import insert_takes_sql, lot_rows, take_rows, upsert_lots_sql
from adapters.postgres.outbox import OUTBOX_TRACEPARENT, traceparent_parameters
from adapters.postgres.rows import ENTRY_ROW, LEDGER_COLUMNS, entry_columns, entry_from
from domain.ledger import LedgerEntry
from domain.postings import Posting

# The entries in JSON parameter $1 and their outbox rows (whose ids follow the entries'
# order), as WITH queries: PostgreSQL runs each to completion, read or not.
ENTRIES_AND_OUTBOX = f"""
rows AS ({typed_rows(1, ENTRY_ROW, numbered=True)}),
entries AS (
    INSERT INTO ledger_entries ({LEDGER_COLUMNS}) SELECT {LEDGER_COLUMNS} FROM rows RETURNING 1
),
outbox AS (
    INSERT INTO outbox (business_id, account_id, entry_id, traceparent)
    SELECT business_id, account_id, entry_id, {OUTBOX_TRACEPARENT} FROM rows ORDER BY n
    RETURNING 1
)"""

# A posting in one round trip: entries with their outbox rows, balances, lots and lot takes.
POST = f"""
WITH {ENTRIES_AND_OUTBOX},
balances AS ({save_balances_sql(2)} RETURNING 1),
lots AS ({upsert_lots_sql(3)} RETURNING 1)
{insert_takes_sql(4)}
"""

RECENT_ENTRIES = f"""
SELECT {LEDGER_COLUMNS} FROM ledger_entries
WHERE business_id = $1 AND account_id = $2
ORDER BY seq DESC
LIMIT $3
"""

ENTRY = f"SELECT {LEDGER_COLUMNS} FROM ledger_entries WHERE business_id = $1 AND entry_id = $2"

PAGE = f"""
SELECT {LEDGER_COLUMNS} FROM ledger_entries
WHERE business_id = $1 AND account_id = $2
  AND ($3::bigint IS NULL OR seq < $3) AND ($4::text[] IS NULL OR kind = ANY($4))
ORDER BY seq DESC
LIMIT $5
"""


class PostgresLedger:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def post(self, posting: Posting) -> None:
        if posting.empty:
            return
        await self._connection.execute(
            POST,
            rows_json(entry_columns(entry) for entry in posting.entries),
            balance_rows(posting.accounts),
            lot_rows(posting.lots),
            take_rows(posting.lots),
            *traceparent_parameters(),
        )

    async def recent(self, business_id: str, account_id: UUID, limit: int) -> list[LedgerEntry]:
        rows = await self._connection.fetch(RECENT_ENTRIES, business_id, account_id, limit)
        return [entry_from(row) for row in rows]

    async def entry(self, business_id: str, entry_id: UUID) -> LedgerEntry | None:
        row = await self._connection.fetchrow(ENTRY, business_id, entry_id)
        return entry_from(row) if row is not None else None

    async def page(
        self,
        business_id: str,
        account_id: UUID,
        before_seq: int | None,
        kinds: Collection[str] | None,
        limit: int,
    ) -> list[LedgerEntry]:
        """Newest first, strictly before ``before_seq`` (keyset pagination)."""
        wanted = None if kinds is None else list(kinds)
        rows = await self._connection.fetch(
            PAGE, business_id, account_id, before_seq, wanted, limit
        )
        return [entry_from(row) for row in rows]
