"""The naive reference: one transaction per event (lock the account, insert, update, commit)."""

from __future__ import annotations

import time
from typing import Any

import asyncpg

from bench.bare import points
from bench.workload import BUSINESS

LOCK = """
SELECT account_id, balance, last_seq FROM accounts
WHERE business_id = $1 AND customer_id = $2 FOR UPDATE
"""
INSERT_ENTRY = """
INSERT INTO ledger_entries (business_id, entry_id, account_id, customer_id, seq, kind, points,
    balance_after, source, source_ref, event_id, occurred_at, recorded_at)
VALUES ($1, gen_random_uuid(), $2, $3, $4, 'earn', $5, $6, 'sale', $7, $8, now(), now())
"""
UPDATE_BALANCE = """
UPDATE accounts SET balance = $3, last_seq = $4, updated_at = now()
WHERE business_id = $1 AND account_id = $2
"""


async def per_event_transactions(database_url: str, payloads: list[dict[str, Any]]) -> float:
    """events/s of applying each event in its own transaction, one after the other."""
    conn = await asyncpg.connect(database_url)
    try:
        started = time.perf_counter()
        for p in payloads:
            async with conn.transaction():
                account = await conn.fetchrow(LOCK, BUSINESS, p["customer_id"])
                assert account is not None
                earned = points(p["total_amount"])
                seq, balance = account["last_seq"] + 1, account["balance"] + earned
                await conn.execute(
                    INSERT_ENTRY,
                    BUSINESS,
                    account["account_id"],
                    p["customer_id"],
                    seq,
                    earned,
                    balance,
                    p["sale_id"],
                    p["event_id"],
                )
                await conn.execute(UPDATE_BALANCE, BUSINESS, account["account_id"], balance, seq)
        return len(payloads) / (time.perf_counter() - started)
    finally:
        await conn.close()
