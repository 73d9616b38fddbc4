"""PostgresIdentifiers: ``customer_identifiers`` and ``customer_profiles`` (migration 0025)."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

import asyncpg

from adapters.postgres.json_rows import rows_json, typed_rows
from domain.identifiers import Identifier, IdentifierKind

HOLDER = """
SELECT account_id FROM customer_identifiers WHERE business_id = $1 AND kind = $2 AND value = $3
"""

OF_ACCOUNT = """
SELECT kind, value FROM customer_identifiers
 WHERE business_id = $1 AND account_id = $2
 ORDER BY kind, value
"""

# DO NOTHING waits for a concurrent insert of the same key to commit or roll back; the
# statement after it then sees the winner.
ADD = """
INSERT INTO customer_identifiers (business_id, kind, value, account_id)
VALUES ($1, $2, $3, $4)
ON CONFLICT (business_id, kind, value) DO NOTHING
RETURNING account_id
"""

REMOVE = """
DELETE FROM customer_identifiers
 WHERE business_id = $1 AND kind = $2 AND value = $3 AND account_id = $4
"""

CUSTOMERS = f"""
SELECT k.business_id, k.kind, k.value, a.customer_id
  FROM ({typed_rows(1, "business_id text, kind text, value text")}) AS k
  JOIN customer_identifiers AS c USING (business_id, kind, value)
  JOIN accounts AS a ON a.business_id = c.business_id AND a.account_id = c.account_id
"""

NAME = "SELECT name FROM customer_profiles WHERE business_id = $1 AND account_id = $2"

SET_NAME = """
INSERT INTO customer_profiles (business_id, account_id, name) VALUES ($1, $2, $3)
ON CONFLICT (business_id, account_id) DO UPDATE SET name = excluded.name, updated_at = now()
"""


class PostgresIdentifiers:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def account_of(self, business_id: str, identifier: Identifier) -> UUID | None:
        found: UUID | None = await self._connection.fetchval(
            HOLDER, business_id, identifier.kind.value, identifier.value
        )
        return found

    async def of_account(self, business_id: str, account_id: UUID) -> list[Identifier]:
        rows = await self._connection.fetch(OF_ACCOUNT, business_id, account_id)
        return [Identifier(IdentifierKind(row["kind"]), row["value"]) for row in rows]

    async def add(self, business_id: str, account_id: UUID, identifier: Identifier) -> UUID:
        key = (business_id, identifier.kind.value, identifier.value)
        added: UUID | None = await self._connection.fetchval(ADD, *key, account_id)
        if added is not None:
            return added
        holder: UUID = await self._connection.fetchval(HOLDER, *key)
        return holder

    async def remove(self, business_id: str, account_id: UUID, identifier: Identifier) -> bool:
        key = (business_id, identifier.kind.value, identifier.value)
        status: str = await self._connection.execute(REMOVE, *key, account_id)
        return status != "DELETE 0"

    async def customers_of(
        self, identifiers: Collection[tuple[str, Identifier]]
    ) -> dict[tuple[str, Identifier], str]:
        if not identifiers:
            return {}
        keys = rows_json((b, i.kind.value, i.value) for b, i in identifiers)
        return {
            (r["business_id"], Identifier(IdentifierKind(r["kind"]), r["value"])): r["customer_id"]
            for r in await self._connection.fetch(CUSTOMERS, keys)
        }

    async def name_of(self, business_id: str, account_id: UUID) -> str | None:
        name: str | None = await self._connection.fetchval(NAME, business_id, account_id)
        return name

    async def set_name(self, business_id: str, account_id: UUID, name: str) -> None:
        await self._connection.execute(SET_NAME, business_id, account_id, name)
