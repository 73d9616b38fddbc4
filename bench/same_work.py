"""The same-work ceiling: the service's own SQL for each batch, replayed with nothing around it.

The bare baseline writes two tables where the service writes and reads several for every
event, so service / bare says little about what the service itself costs. Here the real use
case (``ApplyEventBatch`` on the PostgreSQL unit of work) applies the workload, in the
service's batch size, to one copy of the pre-state while every statement and its parameters
are recorded; then, timed, exactly those statements run again batch by batch, each batch one
transaction, on a second copy: no parsing, no rules, no broker. Service / same work is then
what the service adds over the writes its ledger needs. The two copies must end with the same
ledger, or the ceiling would not be doing the same work and the run stops.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

import asyncpg

from adapters.kafka.parsing import Rejection, parse_event
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from adapters.system_clock import SystemClock
from bench.recording import RecordingPool, Transaction
from domain.events import EventKind, InboundEvent
from service.use_cases.event_intake import ApplyEventBatch

LEDGER = """
SELECT (SELECT count(*) FROM ledger_entries) AS entries,
       (SELECT coalesce(sum(points), 0) FROM ledger_entries) AS points,
       (SELECT coalesce(sum(balance), 0) FROM accounts) AS balances,
       (SELECT coalesce(sum(stamps), 0) FROM ledger_entries) AS stamps,
       (SELECT coalesce(sum(stamps), 0) FROM accounts) AS stamp_balances,
       (SELECT count(*) FROM inbox) AS inbox,
       (SELECT count(*) FROM outbox) AS outbox
"""


@dataclass(frozen=True)
class SameWork:
    events_per_s: float
    batches: int
    statements: int
    service_ledger: dict[str, int]
    replayed_ledger: dict[str, int]


def inbound(payloads: Sequence[dict[str, Any]]) -> list[InboundEvent]:
    """The workload as the consumer hands it to the use case (parsed before anything is timed)."""
    events = []
    for p in payloads:
        event = parse_event(EventKind.SALE_COMPLETED, json.dumps(p).encode())
        if isinstance(event, Rejection):
            raise ValueError(f"the workload holds an event the service refuses: {event}")
        events.append(event)
    return events


async def record(url: str, events: Sequence[InboundEvent], batch: int) -> list[Transaction]:
    """Apply ``events`` with the service's use case, ``batch`` at a time; what each sent."""
    pool = await asyncpg.create_pool(url, min_size=1, max_size=1)
    try:
        recording = RecordingPool(pool)
        factory = PostgresUnitOfWorkFactory(cast(asyncpg.Pool, recording))
        apply = ApplyEventBatch(factory, SystemClock())
        for start in range(0, len(events), batch):
            await apply(events[start : start + batch])
        return [t for t in recording.transactions if t.statements]
    finally:
        await pool.close()


async def replay(url: str, transactions: Sequence[Transaction]) -> float:
    """Seconds to send every recorded statement again, each transaction as one."""
    conn = await asyncpg.connect(url)
    try:
        started = time.perf_counter()
        for transaction in transactions:
            async with conn.transaction():
                for statement in transaction.statements:
                    await statement.send(conn)
        return time.perf_counter() - started
    finally:
        await conn.close()


async def ledger(url: str) -> dict[str, int]:
    conn = await asyncpg.connect(url)
    try:
        row = await conn.fetchrow(LEDGER)
        assert row is not None
        return {k: int(v) for k, v in row.items()}
    finally:
        await conn.close()


async def same_work(
    service_url: str, replay_url: str, payloads: Sequence[dict[str, Any]], batch: int
) -> SameWork:
    """Both URLs copies of one pre-state (programme and customers, nothing applied)."""
    transactions = await record(service_url, inbound(payloads), batch)
    seconds = await replay(replay_url, transactions)
    done = SameWork(
        events_per_s=len(payloads) / max(seconds, 1e-6),
        batches=len(transactions),
        statements=sum(len(t.statements) for t in transactions),
        service_ledger=await ledger(service_url),
        replayed_ledger=await ledger(replay_url),
    )
    if done.service_ledger != done.replayed_ledger:
        raise RuntimeError(
            f"the replayed ledger differs: {done.replayed_ledger} against {done.service_ledger}"
        )
    return done
