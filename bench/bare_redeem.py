"""The redeem ceiling: one transaction per request straight in SQL, at the API's concurrency.

Each request locks the account row, checks the balance, writes a redemption entry and the
new balance, and commits: the least any redeem path must do, with no HTTP, auth,
idempotency key, holds, lots or rules around it.
"""

from __future__ import annotations

import asyncio
import random
import time

import asyncpg

from bench.sampling import percentile
from bench.workload import BUSINESS, enrol

ACCOUNTS = 1_000

LOCK = """
SELECT account_id, customer_id, balance, last_seq FROM accounts
WHERE business_id = $1 AND account_id = $2 FOR UPDATE
"""
INSERT_ENTRY = """
INSERT INTO ledger_entries (business_id, entry_id, account_id, customer_id, seq, kind, points,
    balance_after, source, source_ref, occurred_at, recorded_at)
VALUES ($1, gen_random_uuid(), $2, $3, $4, 'redemption', $5, $6, 'pos', gen_random_uuid()::text,
    now(), now())
"""
UPDATE_BALANCE = """
UPDATE accounts SET balance = $3, last_seq = $4, updated_at = now()
WHERE business_id = $1 AND account_id = $2
"""


async def _redeem(conn: asyncpg.Connection, account: object, points: int) -> bool:
    async with conn.transaction():
        row = await conn.fetchrow(LOCK, BUSINESS, account)
        if row is None or row["balance"] < points:
            return False
        seq, balance = row["last_seq"] + 1, row["balance"] - points
        await conn.execute(
            INSERT_ENTRY, BUSINESS, account, row["customer_id"], seq, -points, balance
        )
        await conn.execute(UPDATE_BALANCE, BUSINESS, account, balance, seq)
        return True


async def bare_redeem(
    database_url: str, clients: int = 32, seconds: float = 10
) -> dict[str, float]:
    """Requests/s and p50/p99 of ``clients`` connections redeeming 1 point over 1,000 accounts."""
    await enrol(database_url, ACCOUNTS)
    pool = await asyncpg.create_pool(database_url, min_size=clients, max_size=clients)
    try:
        await pool.execute("UPDATE accounts SET balance = 1000000 WHERE business_id = $1", BUSINESS)
        accounts = [r["account_id"] for r in await pool.fetch("SELECT account_id FROM accounts")]
        waits: list[float] = []
        stop = time.monotonic() + seconds

        async def worker(seed: int) -> None:
            rng = random.Random(seed)
            async with pool.acquire() as conn:
                while time.monotonic() < stop:
                    started = time.perf_counter()
                    await _redeem(conn, rng.choice(accounts), 1)
                    waits.append((time.perf_counter() - started) * 1000)

        started = time.perf_counter()
        await asyncio.gather(*(worker(i) for i in range(clients)))
        elapsed = time.perf_counter() - started
    finally:
        await pool.close()
    return {
        "bare_redeem_requests_per_s": len(waits) / elapsed,
        "bare_redeem_p50_ms": percentile(waits, 0.5),
        "bare_redeem_p99_ms": percentile(waits, 0.99),
    }
