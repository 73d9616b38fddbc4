"""PostgresOutbox: committed ledger entries waiting to be published, oldest first.

PostgreSQL renders each entry's outbound message itself, in the claim: the relay then sends
bytes as they come, instead of building an entry and its JSON in Python for every row (that
was about a seventh of the service's CPU under an earning backlog, profiled with py-spy).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import asyncpg

from adapters.postgres.rows import ENTRY_TYPES
from domain.ledger import BUCKET_OF_KIND
from ports.publishing import LedgerMessage

# One relay at a time keeps entries of an account in order: a second relay finds the lock
# taken and claims nothing until the first is done.
RELAY_LOCK_ID = 0x6C6F79616C7479  # "loyalty"

TRY_RELAY_LOCK = "SELECT pg_try_advisory_xact_lock($1)"


def _utc(column: str) -> str:
    """An instant as the contract writes it: ISO 8601 in UTC with a Z, whatever the
    session's time zone."""
    return f"((to_json({column} AT TIME ZONE 'UTC') #>> '{{}}') || 'Z')"


# Kept in the ledger, never published: where a request came from, and the chain's own links.
UNPUBLISHED = frozenset({"ip_address", "user_agent", "prev_hash", "entry_hash"})


def _exact(column: str) -> str:
    """A decimal as exact text, as pydantic writes it."""
    return f"{column}::text"


# How a column of each type is written in the message (other types as they are).
_AS_JSON: dict[str, Callable[[str], str]] = {"timestamptz": _utc, "numeric": _exact}

# The fields of LedgerEntryPublished, in its order: every published column of the entry.
MESSAGE_FIELDS = {
    name: _AS_JSON.get(sql_type, str)(f"e.{name}")
    for name, sql_type in ENTRY_TYPES.items()
    if name not in UNPUBLISHED
}

# The bucket is not stored: it follows from the kind (``domain.ledger.BUCKET_OF_KIND``).
MESSAGE_FIELDS["bucket"] = "CASE e.kind {} END".format(
    " ".join(
        f"WHEN '{kind.value}' THEN '{bucket.value}'" for kind, bucket in BUCKET_OF_KIND.items()
    )
)

MESSAGE = "json_build_object({})".format(
    ", ".join(f"'{name}', {expression}" for name, expression in MESSAGE_FIELDS.items())
)

CLAIM = f"""
SELECT o.outbox_id, e.entry_id, e.account_id::text AS account_id, e.kind, e.recorded_at,
    convert_to({MESSAGE}::text, 'UTF8') AS body
FROM outbox o
JOIN ledger_entries e ON e.business_id = o.business_id AND e.entry_id = o.entry_id
WHERE o.published_at IS NULL
ORDER BY o.outbox_id
LIMIT $1
"""

# A published row leaves the outbox: the ledger keeps the history, and deleting costs less
# than an update here (no new row version, no index entries; docs/performance.md).
DELETE_PUBLISHED = "DELETE FROM outbox WHERE outbox_id = ANY($1::bigint[])"


class PostgresOutbox:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def claim_pending(self, limit: int) -> list[tuple[int, LedgerMessage]]:
        if not await self._connection.fetchval(TRY_RELAY_LOCK, RELAY_LOCK_ID):
            return []
        rows = await self._connection.fetch(CLAIM, limit)
        return [
            (outbox_id, LedgerMessage(entry_id, account_id, kind, recorded_at, body))
            for outbox_id, entry_id, account_id, kind, recorded_at, body in rows
        ]

    async def mark_published(self, outbox_ids: Sequence[int]) -> None:
        await self._connection.execute(DELETE_PUBLISHED, list(outbox_ids))
