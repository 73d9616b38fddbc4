"""Reading the ledger back in tests, straight from SQL."""

from __future__ import annotations

import asyncpg


async def balance(pool: asyncpg.Pool, business: str, customer: str) -> int:
    value = await pool.fetchval(
        "SELECT balance FROM accounts WHERE business_id = $1 AND customer_id = $2",
        business,
        customer,
    )
    assert value is not None, f"no account for {customer}"
    return int(value)


async def entry_sum(pool: asyncpg.Pool, business: str, customer: str) -> int:
    value = await pool.fetchval(
        "SELECT coalesce(sum(points), 0) FROM ledger_entries"
        " WHERE business_id = $1 AND customer_id = $2",
        business,
        customer,
    )
    return int(value)


async def entries(pool: asyncpg.Pool, business: str, customer: str) -> list[asyncpg.Record]:
    rows: list[asyncpg.Record] = await pool.fetch(
        "SELECT * FROM ledger_entries WHERE business_id = $1 AND customer_id = $2 ORDER BY seq",
        business,
        customer,
    )
    return rows


async def inbox_outcome(pool: asyncpg.Pool, business: str, event_id: str) -> tuple[str, str | None]:
    row = await pool.fetchrow(
        "SELECT status, reason FROM inbox WHERE business_id = $1 AND event_id = $2",
        business,
        event_id,
    )
    assert row is not None, f"event {event_id} not in the inbox"
    return row["status"], row["reason"]
