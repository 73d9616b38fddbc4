"""Bulk set-up straight in SQL: a programme and many enrolled customers."""

from __future__ import annotations

import uuid
from decimal import Decimal

import asyncpg

from domain.chain import GENESIS_HASH


async def programme_with_customers(
    db: asyncpg.Pool, business: str, earn_rate: Decimal, customers: int
) -> None:
    async with db.acquire() as conn, conn.transaction():
        await conn.execute("INSERT INTO programmes (business_id, name) VALUES ($1, $1)", business)
        await conn.execute(
            "INSERT INTO rule_versions (business_id, version, effective_from, earn_rate,"
            " redemption_rate) VALUES ($1, 1, '2020-01-01T00:00:00Z', $2, 100)",
            business,
            earn_rate,
        )
        await conn.copy_records_to_table(
            "accounts",
            records=[(business, uuid.uuid4(), f"cust-{i}", GENESIS_HASH) for i in range(customers)],
            columns=["business_id", "account_id", "customer_id", "last_hash"],
        )


async def balances(db: asyncpg.Pool, business: str) -> dict[str, int]:
    rows = await db.fetch(
        "SELECT customer_id, balance FROM accounts WHERE business_id = $1", business
    )
    return {r["customer_id"]: int(r["balance"]) for r in rows}


async def inbox_count(db: asyncpg.Pool) -> int:
    return int(await db.fetchval("SELECT count(*) FROM inbox"))
