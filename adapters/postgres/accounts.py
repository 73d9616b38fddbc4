"""PostgresAccounts: accounts; their balances change only with a posting (``PostgresLedger``)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

import asyncpg

from adapters.postgres.json_rows import rows_json, typed_rows
from adapters.postgres.rows import account_from
from domain.accounts import Account

ACCOUNT_COLUMNS = (
    "business_id, account_id, customer_id, status, balance, last_seq, last_hash,"
    " last_activity_at, stamps, level"
)

BY_CUSTOMER = f"""
SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE business_id = $1 AND customer_id = $2
"""

BY_ID = f"""
SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE business_id = $1 AND account_id = $2
"""

LOCK_ONE = BY_ID + " FOR UPDATE"

INSERT = f"""
INSERT INTO accounts ({ACCOUNT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
"""

BALANCE_ROW = (
    "business_id text, account_id uuid, balance bigint, last_seq bigint, status text,"
    " last_hash text, last_activity_at timestamptz, stamps bigint, level text"
)


def save_balances_sql(param: int) -> str:
    """The new balances of the accounts in JSON parameter ``$param`` (see ``balance_rows``)."""
    return f"""
UPDATE accounts AS a
SET balance = c.balance, last_seq = c.last_seq, status = c.status, last_hash = c.last_hash,
    last_activity_at = c.last_activity_at, stamps = c.stamps, level = c.level,
    updated_at = now()
FROM ({typed_rows(param, BALANCE_ROW)}) AS c
WHERE a.business_id = c.business_id AND a.account_id = c.account_id
"""


def balance_rows(accounts: Sequence[Account]) -> str:
    return rows_json(
        (
            a.business_id,
            a.account_id,
            a.balance,
            a.last_seq,
            a.status.value,
            a.last_hash,
            a.last_activity_at,
            a.stamps,
            a.level,
        )
        for a in accounts
    )


class PostgresAccounts:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def by_customer(self, business_id: str, customer_id: str) -> Account | None:
        row = await self._connection.fetchrow(BY_CUSTOMER, business_id, customer_id)
        return account_from(row) if row else None

    async def by_id(self, business_id: str, account_id: UUID) -> Account | None:
        row = await self._connection.fetchrow(BY_ID, business_id, account_id)
        return account_from(row) if row else None

    async def lock(self, business_id: str, account_id: UUID) -> Account | None:
        row = await self._connection.fetchrow(LOCK_ONE, business_id, account_id)
        return account_from(row) if row else None

    async def add(self, account: Account) -> None:
        await self._connection.execute(
            INSERT,
            account.business_id,
            account.account_id,
            account.customer_id,
            account.status.value,
            account.balance,
            account.last_seq,
            account.last_hash,
            account.last_activity_at,
            account.stamps,
            account.level,
        )
