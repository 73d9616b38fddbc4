"""PostgresOutbox: committed ledger entries waiting to be published, oldest first, in
shards by account (the ``shard`` column, migration 0022), each claimed under its own lock.

PostgreSQL renders each entry's outbound message itself, in the claim: the relay then sends
bytes as they come, instead of building an entry and its JSON in Python for every row (that
was about a seventh of the service's CPU under an earning backlog, profiled with py-spy).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

import asyncpg

from adapters.postgres.rows import ENTRY_TYPES
from adapters.tracing_context import outbox_traceparents
from domain.ledger import BUCKET_OF_KIND
from ports.publishing import OUTBOX_SHARDS, LedgerMessage

# One holder per shard keeps an account's entries in order (its rows all sit in one shard):
# a relay finds a shard's lock taken and moves on to another. The shard locks are the
# two-key form, in a class of their own, apart from the one-key space.
SHARD_LOCK_CLASS = 0x6C6F7574  # "lout"

# The relays before shards took this key exclusively and claimed across every shard: each
# shard's holder takes it shared, so during an upgrade an old relay and new ones never claim
# at once. Either lock refused answers false, and the unit of work ends what it got.
RELAY_LOCK_ID = 0x6C6F79616C7479  # "loyalty"

TRY_SHARD_LOCK = "SELECT pg_try_advisory_xact_lock_shared($1) AND pg_try_advisory_xact_lock($2, $3)"

# Which shards have rows pending: one index probe each, so an idle pass costs one query.
PENDING_SHARDS = """
SELECT s FROM generate_series(0, $1::int - 1) s
WHERE EXISTS (SELECT 1 FROM outbox WHERE shard = s AND published_at IS NULL)
ORDER BY s
"""


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
    convert_to({MESSAGE}::text, 'UTF8') AS body, o.traceparent
FROM outbox o
JOIN ledger_entries e ON e.business_id = o.business_id AND e.entry_id = o.entry_id
WHERE o.shard = $1 AND o.published_at IS NULL
ORDER BY o.outbox_id
LIMIT $2
"""

# The trace context an outbox row keeps (migration 0024), over the posting's rows: its event's
# own (parameter $5: business id -> event id -> traceparent), else the posting's ($6).
OUTBOX_TRACEPARENT = "coalesce($5::jsonb -> business_id ->> event_id, $6::text)"


def traceparent_parameters() -> tuple[str | None, str | None]:
    """Parameters $5 and $6 of ``OUTBOX_TRACEPARENT`` for a posting written now."""
    contexts, current = outbox_traceparents()
    return (json.dumps(contexts) if contexts else None), current


# A published row leaves the outbox: the ledger keeps the history, and deleting costs less
# than an update here (no new row version, no index entries; docs/performance.md).
DELETE_PUBLISHED = "DELETE FROM outbox WHERE outbox_id = ANY($1::bigint[])"


class PostgresOutbox:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def pending_shards(self) -> list[int]:
        return [shard for (shard,) in await self._connection.fetch(PENDING_SHARDS, OUTBOX_SHARDS)]

    async def claim_pending(self, shard: int, limit: int) -> list[tuple[int, LedgerMessage]]:
        locked = await self._connection.fetchval(
            TRY_SHARD_LOCK, RELAY_LOCK_ID, SHARD_LOCK_CLASS, shard
        )
        if not locked:
            return []
        # A statement of its own, after the lock: under READ COMMITTED its snapshot then sees
        # the deletes of the shard's previous holder, so nothing it published comes back.
        rows = await self._connection.fetch(CLAIM, shard, limit)
        return [
            (outbox_id, LedgerMessage(entry_id, account_id, kind, recorded_at, body, traceparent))
            for outbox_id, entry_id, account_id, kind, recorded_at, body, traceparent in rows
        ]

    async def mark_published(self, outbox_ids: Sequence[int]) -> None:
        await self._connection.execute(DELETE_PUBLISHED, list(outbox_ids))
