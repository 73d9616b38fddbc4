"""PostgresOutbox: committed ledger entries waiting to be published, oldest first."""

from __future__ import annotations

from collections.abc import Sequence

import asyncpg

from adapters.postgres.rows import LEDGER_COLUMNS, entry_from
from domain.ledger import LedgerEntry

# One relay at a time keeps entries of an account in order: a second relay finds the lock
# taken and claims nothing until the first is done.
RELAY_LOCK_ID = 0x6C6F79616C7479  # "loyalty"

TRY_RELAY_LOCK = "SELECT pg_try_advisory_xact_lock($1)"

CLAIM = f"""
SELECT o.outbox_id, {", ".join("e." + c.strip() for c in LEDGER_COLUMNS.split(","))}
FROM outbox o
JOIN ledger_entries e ON e.business_id = o.business_id AND e.entry_id = o.entry_id
WHERE o.published_at IS NULL
ORDER BY o.outbox_id
LIMIT $1
"""

# A published row leaves the outbox: the ledger keeps the history, and deleting costs about
# a quarter of an update here (no new row version, no index entries; measured per 2,000).
DELETE_PUBLISHED = "DELETE FROM outbox WHERE outbox_id = ANY($1::bigint[])"


class PostgresOutbox:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def claim_pending(self, limit: int) -> list[tuple[int, LedgerEntry]]:
        if not await self._connection.fetchval(TRY_RELAY_LOCK, RELAY_LOCK_ID):
            return []
        rows = await self._connection.fetch(CLAIM, limit)
        return [(row["outbox_id"], entry_from(row)) for row in rows]

    async def mark_published(self, outbox_ids: Sequence[int]) -> None:
        await self._connection.execute(DELETE_PUBLISHED, list(outbox_ids))
