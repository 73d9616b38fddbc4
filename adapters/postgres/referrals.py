"""PostgresReferrals: referral codes and referrals; and what an event batch reads and writes of
referrals (``load_for_batch``, ``save_for_batch``, called by ``PostgresEventBatches``)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from uuid import UUID

import asyncpg

from adapters.postgres.batch_sql import LOCK_ACCOUNTS
from adapters.postgres.json_rows import rows_json, typed_rows
from adapters.postgres.rows import account_from
from domain.accounts import Account
from domain.ledger import Source
from domain.referrals import Referral, ReferralOutcome

REFERRAL_ROW = (
    "business_id text, referred_account_id uuid, referrer_account_id uuid, code text,"
    " enrolled_at timestamptz, sale_source text, sale_reference text,"
    " sale_occurred_at timestamptz, outcome text, referred_entry_id uuid,"
    " referrer_entry_id uuid, referred_points bigint, referrer_points bigint,"
    " return_window_days integer, reversed_at timestamptz, returned_in_window numeric"
)
REFERRAL_COLUMNS = ", ".join(column.split()[0] for column in REFERRAL_ROW.split(","))

CLAIM_CODE = """
INSERT INTO referral_codes (business_id, code, account_id) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING RETURNING code
"""
DROP = "DELETE FROM referrals WHERE business_id = $1 AND referred_account_id = $2"
CODE_OF = "SELECT code FROM referral_codes WHERE business_id = $1 AND account_id = $2"
ACCOUNT_BY_CODE = "SELECT account_id FROM referral_codes WHERE business_id = $1 AND code = $2"
OF_ACCOUNT = f"""
SELECT {REFERRAL_COLUMNS} FROM referrals WHERE business_id = $1 AND referred_account_id = $2
"""
INSERT = f"""
INSERT INTO referrals ({REFERRAL_COLUMNS})
SELECT {REFERRAL_COLUMNS} FROM ({typed_rows(1, REFERRAL_ROW)}) AS given
"""

# The referrals of a batch's customers (by customer id) and of its purchases' accounts.
FOR_BATCH = f"""
SELECT {", ".join("r." + c for c in REFERRAL_COLUMNS.split(", "))} FROM referrals r
JOIN accounts a ON a.business_id = r.business_id AND a.account_id = r.referred_account_id
JOIN ({typed_rows(1, "business_id text, customer_id text")}) AS k
  ON a.business_id = k.business_id AND a.customer_id = k.customer_id
UNION
SELECT {", ".join("r." + c for c in REFERRAL_COLUMNS.split(", "))} FROM referrals r
JOIN ({typed_rows(2, "business_id text, account_id uuid")}) AS k
  ON r.business_id = k.business_id AND r.referred_account_id = k.account_id
"""

SAVE = f"""
UPDATE referrals AS r
SET sale_source = c.sale_source, sale_reference = c.sale_reference,
    sale_occurred_at = c.sale_occurred_at, outcome = c.outcome,
    referred_entry_id = c.referred_entry_id, referrer_entry_id = c.referrer_entry_id,
    referred_points = c.referred_points, referrer_points = c.referrer_points,
    return_window_days = c.return_window_days, reversed_at = c.reversed_at,
    returned_in_window = c.returned_in_window
FROM ({typed_rows(1, REFERRAL_ROW)}) AS c
WHERE r.business_id = c.business_id AND r.referred_account_id = c.referred_account_id
"""


class PostgresReferrals:
    def __init__(self, connection: asyncpg.Connection) -> None:
        self._connection = connection

    async def claim_code(self, business_id: str, account_id: UUID, code: str) -> bool:
        claimed = await self._connection.fetchval(CLAIM_CODE, business_id, code, account_id)
        return claimed is not None

    async def code_of(self, business_id: str, account_id: UUID) -> str | None:
        code: str | None = await self._connection.fetchval(CODE_OF, business_id, account_id)
        return code

    async def account_by_code(self, business_id: str, code: str) -> UUID | None:
        found: UUID | None = await self._connection.fetchval(ACCOUNT_BY_CODE, business_id, code)
        return found

    async def add(self, referral: Referral) -> None:
        await self._connection.execute(INSERT, rows_json([referral_columns(referral)]))

    async def of_account(self, business_id: str, account_id: UUID) -> Referral | None:
        row = await self._connection.fetchrow(OF_ACCOUNT, business_id, account_id)
        return referral_from(row) if row is not None else None

    async def drop(self, business_id: str, referred_account_id: UUID) -> None:
        await self._connection.execute(DROP, business_id, referred_account_id)


async def load_for_batch(
    connection: asyncpg.Connection,
    customers: Collection[tuple[str, str]],
    account_ids: Collection[tuple[str, UUID]],
) -> dict[tuple[str, UUID], Referral]:
    """The referrals of the accounts of ``customers`` and of ``account_ids``."""
    if not customers and not account_ids:
        return {}
    rows = await connection.fetch(FOR_BATCH, rows_json(customers), rows_json(account_ids))
    return {(r["business_id"], r["referred_account_id"]): referral_from(r) for r in rows}


async def save_for_batch(connection: asyncpg.Connection, referrals: Iterable[Referral]) -> None:
    rows = [referral_columns(r) for r in referrals]
    if rows:
        await connection.execute(SAVE, rows_json(rows))


def referral_columns(r: Referral) -> tuple[object, ...]:
    return (
        r.business_id,
        r.referred_account_id,
        r.referrer_account_id,
        r.code,
        r.enrolled_at,
        r.sale_source.value if r.sale_source else None,
        r.sale_reference,
        r.sale_occurred_at,
        r.outcome.value if r.outcome else None,
        r.referred_entry_id,
        r.referrer_entry_id,
        r.referred_points,
        r.referrer_points,
        r.return_window_days,
        r.reversed_at,
        r.returned_in_window,
    )


def referral_from(row: asyncpg.Record) -> Referral:
    return Referral(
        business_id=row["business_id"],
        referred_account_id=row["referred_account_id"],
        referrer_account_id=row["referrer_account_id"],
        code=row["code"],
        enrolled_at=row["enrolled_at"],
        sale_source=Source(row["sale_source"]) if row["sale_source"] else None,
        sale_reference=row["sale_reference"],
        sale_occurred_at=row["sale_occurred_at"],
        outcome=ReferralOutcome(row["outcome"]) if row["outcome"] else None,
        referred_entry_id=row["referred_entry_id"],
        referrer_entry_id=row["referrer_entry_id"],
        referred_points=row["referred_points"],
        referrer_points=row["referrer_points"],
        return_window_days=row["return_window_days"],
        reversed_at=row["reversed_at"],
        returned_in_window=row["returned_in_window"],
    )


async def referrers_of(
    connection: asyncpg.Connection,
    customers: Collection[tuple[str, str]],
    account_ids: Collection[tuple[str, UUID]],
) -> set[tuple[str, UUID]]:
    """Before a batch locks its accounts: the referrers of the referrals it may settle or
    reverse, to be locked with the rest in one ordered lock."""
    found = await load_for_batch(connection, customers, account_ids)
    return {(r.business_id, r.referrer_account_id) for r in found.values()}


async def referrals_locked(
    connection: asyncpg.Connection,
    customers: Collection[tuple[str, str]],
    account_ids: Collection[tuple[str, UUID]],
    accounts: dict[tuple[str, UUID], Account],
) -> dict[tuple[str, UUID], Referral]:
    """Once the accounts are locked: their referrals as they are now (another batch may have
    settled one meanwhile). A customer enrolled between the first read and the lock brings a
    referrer not locked yet: locked now, after the rest (rare; a deadlock this may meet is
    a conflict retried like any other)."""
    found = await load_for_batch(connection, customers, account_ids)
    missing = {(r.business_id, r.referrer_account_id) for r in found.values()}
    missing -= accounts.keys()
    if missing:
        for row in await connection.fetch(LOCK_ACCOUNTS, rows_json(()), rows_json(missing)):
            accounts[(row["business_id"], row["account_id"])] = account_from(row)
    return found
