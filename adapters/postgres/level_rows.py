"""PostgresLevels: the level histories a batch and the level review read, and the accounts
above the base level a review locks. SQL is kept here; rows become ``domain.levels`` values.

A history is read with three index range scans per account (migration 0019): its earns and
reversals after ``since``, its level changes after it, and the latest change at or before it.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime
from decimal import Decimal
from uuid import UUID

import asyncpg

from adapters.postgres.accounts import ACCOUNT_COLUMNS
from adapters.postgres.json_rows import rows_json, typed_rows
from adapters.postgres.rows import account_from
from domain.accounts import Account
from domain.batch import BatchState
from domain.level_batch import levels_since
from domain.levels import LevelChange, LevelHistory, QualifyingFact
from domain.lots import AccountKey

_COLUMNS = "e.kind, e.points, e.amount, e.occurred_at, e.seq, e.level_after"

HISTORIES = f"""
SELECT k.business_id, k.account_id, e.*
FROM ({typed_rows(1, "business_id text, account_id uuid, since timestamptz")}) AS k
CROSS JOIN LATERAL (
    SELECT {_COLUMNS} FROM ledger_entries e
    WHERE e.business_id = k.business_id AND e.account_id = k.account_id
      AND e.kind IN ('earn', 'reversal') AND e.occurred_at > k.since
    UNION ALL
    SELECT {_COLUMNS} FROM ledger_entries e
    WHERE e.business_id = k.business_id AND e.account_id = k.account_id
      AND e.kind = 'level_change' AND e.occurred_at > k.since
    UNION ALL
    (SELECT {_COLUMNS} FROM ledger_entries e
     WHERE e.business_id = k.business_id AND e.account_id = k.account_id
       AND e.kind = 'level_change' AND e.occurred_at <= k.since
     ORDER BY e.occurred_at DESC, e.seq DESC
     LIMIT 1)
) AS e
"""

LOCK_LEVELLED = f"""
SELECT {ACCOUNT_COLUMNS} FROM accounts
WHERE level IS NOT NULL AND status <> 'closed'
  AND ($1::text IS NULL OR business_id = $1::text)
  AND ($2::text IS NULL OR (business_id, account_id) > ($2::text, $3::uuid))
ORDER BY business_id, account_id
LIMIT $4
FOR UPDATE
"""


async def read_histories(
    connection: asyncpg.Connection, wanted: Iterable[tuple[str, UUID, datetime]]
) -> dict[AccountKey, LevelHistory]:
    """The histories of ``wanted`` accounts, each as ``(business, account, since)``."""
    keys = list(wanted)
    histories: dict[AccountKey, LevelHistory] = {(b, a): LevelHistory() for b, a, _ in keys}
    if not keys:
        return histories
    for row in await connection.fetch(HISTORIES, rows_json(keys)):
        history = histories[(row["business_id"], row["account_id"])]
        if row["kind"] == "level_change":
            history.changes.append(LevelChange(row["occurred_at"], row["seq"], row["level_after"]))
        else:
            amount = row["amount"] or Decimal(0)
            signed = amount if row["kind"] == "earn" else -amount
            history.facts.append(QualifyingFact(row["occurred_at"], row["points"], signed))
    return histories


async def load_batch_histories(
    connection: asyncpg.Connection, state: BatchState, earliest: datetime | None
) -> None:
    """Add to ``state`` the histories of its locked accounts whose programme has levels, as
    far back as the batch's earliest event needs: one query, none without levels."""
    since = {b: levels_since(p, earliest) for b, p in state.programmes.items()}
    wanted = [(b, a, s) for b, a in state.accounts if (s := since.get(b)) is not None]
    if wanted:
        state.levels.update(await read_histories(connection, wanted))


class PostgresLevels:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def lock_levelled(
        self, business_id: str | None, after: AccountKey | None, limit: int
    ) -> list[Account]:
        after_business, after_account = after or (None, None)
        rows = await self._connection.fetch(
            LOCK_LEVELLED, business_id, after_business, after_account, limit
        )
        return [account_from(row) for row in rows]

    async def histories(
        self, accounts: Collection[AccountKey], since: datetime
    ) -> dict[AccountKey, LevelHistory]:
        return await read_histories(self._connection, ((b, a, since) for b, a in accounts))
