"""PostgresImports: what ``loyalty import`` reads and writes beside the ledger (rows imported,
accounts, names and identifiers), set-based, a batch of rows per statement; and the unit of
work of an import batch: the service's own, with these beside its repositories."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from uuid import UUID

import asyncpg

from adapters.postgres.accounts import ACCOUNT_COLUMNS
from adapters.postgres.json_rows import rows_json, typed_rows
from adapters.postgres.opening_balances import PostgresOpeningBalances
from adapters.postgres.rows import account_from
from adapters.postgres.unit_of_work import PostgresUnitOfWork
from domain.accounts import Account
from domain.imports import BalanceRow
from ports.imports import CustomerKey, IdentifierKey, ImportRepository

KNOWN = f"""
SELECT i.business_id, i.row_key, i.digest FROM import_rows i
JOIN ({typed_rows(2, "business_id text, row_key text")}) AS k
  ON i.business_id = k.business_id AND i.row_key = k.row_key
WHERE i.kind = $1
"""

PROGRAMMES = "SELECT business_id FROM programmes WHERE business_id = ANY($1::text[])"

# In (business_id, account_id) order, as event batches lock (batch_sql.LOCK_ACCOUNTS).
LOCK_CUSTOMERS = f"""
SELECT {ACCOUNT_COLUMNS} FROM accounts
WHERE (business_id, customer_id) IN ({typed_rows(1, "business_id text, customer_id text")})
ORDER BY business_id, account_id
FOR UPDATE
"""

HELD = f"""
SELECT i.business_id, i.kind, i.value, i.account_id FROM customer_identifiers i
JOIN ({typed_rows(1, "business_id text, kind text, value text")}) AS k
  ON i.business_id = k.business_id AND i.kind = k.kind AND i.value = k.value
"""

NEW_ACCOUNT = "business_id text, account_id uuid, customer_id text, enrolled_at timestamptz"
IMPORTED_ROW = "business_id text, row_key text, digest text, account_id uuid, entry_id uuid"

# Balance, seq and hash start as a fresh account's: the posting that follows moves them on.
ADD_ACCOUNTS = f"""
INSERT INTO accounts (business_id, account_id, customer_id, created_at, updated_at)
SELECT business_id, account_id, customer_id, enrolled_at, enrolled_at
FROM ({typed_rows(1, NEW_ACCOUNT)}) AS a
"""

ADD_NAMES = f"""
INSERT INTO customer_profiles (business_id, account_id, name)
SELECT business_id, account_id, name
FROM ({typed_rows(1, "business_id text, account_id uuid, name text")}) AS p
ON CONFLICT (business_id, account_id) DO NOTHING
"""

ADD_IDENTIFIERS = f"""
INSERT INTO customer_identifiers (business_id, kind, value, account_id)
SELECT business_id, kind, value, account_id
FROM ({typed_rows(1, "business_id text, kind text, value text, account_id uuid")}) AS i
ON CONFLICT (business_id, kind, value) DO NOTHING
"""

RECORD = f"""
INSERT INTO import_rows (business_id, kind, row_key, digest, account_id, entry_id)
SELECT business_id, $1, row_key, digest, account_id, entry_id
FROM ({typed_rows(2, IMPORTED_ROW)}) AS r
"""


class PostgresImports:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection
        self._opening = PostgresOpeningBalances(connection)

    async def open_balances(
        self, rows: Sequence[tuple[int, str, BalanceRow]], now: datetime
    ) -> dict[int, str]:
        """Written set-based on the same connection (``opening_balances.py``)."""
        return await self._opening.open_balances(rows, now)

    async def known(self, kind: str, keys: Collection[CustomerKey]) -> dict[CustomerKey, str]:
        if not keys:
            return {}
        rows = await self._connection.fetch(KNOWN, kind, rows_json(keys))
        return {(row["business_id"], row["row_key"]): row["digest"] for row in rows}

    async def programmes(self, business_ids: Collection[str]) -> set[str]:
        rows = await self._connection.fetch(PROGRAMMES, list(business_ids))
        return {row["business_id"] for row in rows}

    async def lock_customers(self, keys: Collection[CustomerKey]) -> dict[CustomerKey, Account]:
        if not keys:
            return {}
        rows = await self._connection.fetch(LOCK_CUSTOMERS, rows_json(keys))
        accounts = (account_from(row) for row in rows)
        return {(a.business_id, a.customer_id): a for a in accounts}

    async def identifiers_held(self, keys: Collection[IdentifierKey]) -> dict[IdentifierKey, UUID]:
        if not keys:
            return {}
        rows = await self._connection.fetch(HELD, rows_json(keys))
        return {(r["business_id"], r["kind"], r["value"]): r["account_id"] for r in rows}

    async def add_accounts(self, accounts: Sequence[tuple[Account, datetime]]) -> None:
        if accounts:
            rows = ((a.business_id, a.account_id, a.customer_id, at) for a, at in accounts)
            await self._connection.execute(ADD_ACCOUNTS, rows_json(rows))

    async def add_personal_data(
        self,
        names: Sequence[tuple[str, UUID, str]],
        identifiers: Sequence[tuple[str, str, str, UUID]],
    ) -> None:
        if names:
            await self._connection.execute(ADD_NAMES, rows_json(names))
        if identifiers:
            await self._connection.execute(ADD_IDENTIFIERS, rows_json(identifiers))

    async def record(
        self, kind: str, rows: Sequence[tuple[str, str, str, UUID, UUID | None]]
    ) -> None:
        if rows:
            await self._connection.execute(RECORD, kind, rows_json(rows))


class PostgresImportUnitOfWork(PostgresUnitOfWork):
    """The service's unit of work (its ledger posts the import's entries), with the import's
    own repository on the same connection."""

    imports: ImportRepository

    async def __aenter__(self) -> PostgresImportUnitOfWork:
        await super().__aenter__()
        assert self._connection is not None
        self.imports = PostgresImports(self._connection)
        return self
