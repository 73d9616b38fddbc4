"""PostgresLedger: immutable ledger entries, each written with its outbox row."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from adapters.postgres.rows import LEDGER_COLUMNS, entry_columns, entry_from
from domain.ledger import LedgerEntry

INSERT_ENTRIES = f"""
INSERT INTO ledger_entries ({LEDGER_COLUMNS})
SELECT * FROM unnest(
    $1::text[], $2::uuid[], $3::uuid[], $4::text[], $5::bigint[], $6::text[], $7::bigint[],
    $8::bigint[], $9::text[], $10::text[], $11::text[], $12::timestamptz[], $13::timestamptz[],
    $14::numeric[], $15::text[], $16::integer[], $17::numeric[], $18::numeric[], $19::numeric[],
    $20::uuid[], $21::text[], $22::text[], $23::text[], $24::text[], $25::text[], $26::text[],
    $27::text[], $28::text[], $29::text[]
)
"""

# Entries and their outbox rows in one round trip; outbox ids follow the entries' order.
INSERT_ENTRIES_AND_OUTBOX = f"""
WITH entries AS ({INSERT_ENTRIES} RETURNING 1)
INSERT INTO outbox (business_id, account_id, entry_id)
SELECT b, a, e FROM unnest($1::text[], $3::uuid[], $2::uuid[]) WITH ORDINALITY AS o(b, a, e, n)
ORDER BY n
"""

RECENT_ENTRIES = f"""
SELECT {LEDGER_COLUMNS} FROM ledger_entries
WHERE business_id = $1 AND account_id = $2
ORDER BY seq DESC
LIMIT $3
"""


PAGE = f"""
SELECT {LEDGER_COLUMNS} FROM ledger_entries
WHERE business_id = $1 AND account_id = $2
  AND ($3::bigint IS NULL OR seq < $3) AND ($4::text IS NULL OR kind = $4)
ORDER BY seq DESC
LIMIT $5
"""


class PostgresLedger:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def append(self, entries: Sequence[LedgerEntry]) -> None:
        if not entries:
            return
        columns = list(zip(*(entry_columns(entry) for entry in entries), strict=True))
        await self._connection.execute(INSERT_ENTRIES_AND_OUTBOX, *columns)

    async def recent(self, business_id: str, account_id: UUID, limit: int) -> list[LedgerEntry]:
        rows = await self._connection.fetch(RECENT_ENTRIES, business_id, account_id, limit)
        return [entry_from(row) for row in rows]

    async def page(
        self,
        business_id: str,
        account_id: UUID,
        before_seq: int | None,
        kind: str | None,
        limit: int,
    ) -> list[LedgerEntry]:
        """Newest first, strictly before ``before_seq`` (keyset pagination)."""
        rows = await self._connection.fetch(PAGE, business_id, account_id, before_seq, kind, limit)
        return [entry_from(row) for row in rows]
