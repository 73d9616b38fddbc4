"""PostgresWebhooks: endpoints, their deliveries and each endpoint's cursor over the ledger.

Deliveries are collected from ``ledger_entries`` by record time after each endpoint's
cursor, by a worker, in transactions of its own: the ledger's writers never wait on it. A
transaction that commits after a later one was scanned is found by looking ``settle``
seconds back (the unique key makes a second look harmless).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from uuid import UUID

import asyncpg

from adapters.postgres.outbox import MESSAGE
from adapters.postgres.rows import Row
from domain.webhooks import Delivery, Endpoint

ENDPOINT = "business_id, endpoint_id, url, kinds, created_at, created_by, secret"
DELIVERY = (
    "business_id, delivery_id, endpoint_id, entry_id, account_id, seq, kind, state, attempts,"
    " next_attempt_at, last_status, last_error, delivered_at"
)

ADD = f"""
INSERT INTO webhook_endpoints ({ENDPOINT}, scanned_to) VALUES ($1, $2, $3, $4, $5, $6, $7, $5)
"""
LIST = f"""
SELECT {ENDPOINT} FROM webhook_endpoints WHERE business_id = $1 AND removed_at IS NULL
ORDER BY created_at, endpoint_id
"""
REMOVE = """
UPDATE webhook_endpoints SET removed_at = coalesce(removed_at, $3)
WHERE business_id = $1 AND endpoint_id = $2 AND removed_at IS NULL
"""
DELIVERIES = f"""
SELECT {DELIVERY} FROM webhook_deliveries WHERE business_id = $1 AND endpoint_id = $2
ORDER BY delivery_id DESC LIMIT $3
"""
REDELIVER = f"""
UPDATE webhook_deliveries SET state = 'pending', next_attempt_at = $4
WHERE business_id = $1 AND endpoint_id = $2 AND delivery_id = $3
RETURNING {DELIVERY}
"""

COLLECT = """
WITH found AS (
    SELECT w.business_id, w.endpoint_id, e.entry_id, e.account_id, e.seq, e.kind, e.recorded_at
    FROM webhook_endpoints w
    CROSS JOIN LATERAL (
        SELECT e.entry_id, e.account_id, e.seq, e.kind, e.recorded_at
        FROM ledger_entries e
        WHERE e.business_id = w.business_id
          AND e.recorded_at >= greatest(w.created_at, w.scanned_to - make_interval(secs => $2))
          AND (cardinality(w.kinds) = 0 OR e.kind = ANY(w.kinds))
          AND NOT EXISTS (
              SELECT 1 FROM webhook_deliveries d
              WHERE d.business_id = w.business_id AND d.endpoint_id = w.endpoint_id
                AND d.entry_id = e.entry_id)
        ORDER BY e.recorded_at, e.account_id, e.seq
        LIMIT $3
    ) e
    WHERE w.removed_at IS NULL
),
inserted AS (
    INSERT INTO webhook_deliveries
        (business_id, endpoint_id, entry_id, account_id, seq, kind, created_at, next_attempt_at)
    SELECT business_id, endpoint_id, entry_id, account_id, seq, kind, $1, $1 FROM found
    ON CONFLICT DO NOTHING
    RETURNING 1
),
moved AS (
    UPDATE webhook_endpoints w SET scanned_to = greatest(w.scanned_to, f.last)
    FROM (SELECT business_id, endpoint_id, max(recorded_at) AS last FROM found GROUP BY 1, 2) f
    WHERE w.business_id = f.business_id AND w.endpoint_id = f.endpoint_id
)
SELECT count(*) FROM inserted
"""

# Only the head of each (endpoint, account) queue is claimed (domain.webhooks.sendable), and
# the lease keeps it pending, so the next one waits until its outcome is recorded.
CLAIM = f"""
WITH due AS (
    SELECT d.business_id, d.delivery_id FROM webhook_deliveries d
    WHERE d.state = 'pending' AND d.next_attempt_at <= $1
      AND NOT EXISTS (
          SELECT 1 FROM webhook_deliveries p
          WHERE p.business_id = d.business_id AND p.endpoint_id = d.endpoint_id
            AND p.account_id = d.account_id AND p.state = 'pending' AND p.seq < d.seq)
    ORDER BY d.next_attempt_at, d.delivery_id
    LIMIT $3
    FOR UPDATE SKIP LOCKED
)
UPDATE webhook_deliveries d SET next_attempt_at = $1 + make_interval(secs => $2)
FROM due WHERE d.business_id = due.business_id AND d.delivery_id = due.delivery_id
RETURNING {", ".join(f"d.{c.strip()}" for c in DELIVERY.split(","))}
"""

REQUEST = f"""
SELECT w.url, w.secret, convert_to({MESSAGE}::text, 'UTF8') AS body
FROM webhook_endpoints w
JOIN ledger_entries e ON e.business_id = w.business_id AND e.entry_id = $3
WHERE w.business_id = $1 AND w.endpoint_id = $2 AND w.removed_at IS NULL
"""

RECORD = """
UPDATE webhook_deliveries
SET state = $3, attempts = $4, next_attempt_at = $5, last_status = $6, last_error = $7,
    delivered_at = $8
WHERE business_id = $1 AND delivery_id = $2
"""


def endpoint_from(row: Row) -> Endpoint:
    return Endpoint(
        business_id=row["business_id"],
        endpoint_id=row["endpoint_id"],
        url=row["url"],
        kinds=frozenset(row["kinds"]),
        created_at=row["created_at"],
        created_by=row["created_by"],
        secret=row["secret"],
    )


def delivery_from(row: Row) -> Delivery:
    return Delivery(**dict(row))


class PostgresWebhooks:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def add(self, endpoint: Endpoint) -> None:
        e = endpoint
        await self._pool.execute(
            ADD, e.business_id, e.endpoint_id, e.url, sorted(e.kinds), e.created_at,
            e.created_by, e.secret,
        )  # fmt: skip

    async def endpoints(self, business_id: str) -> list[Endpoint]:
        return [endpoint_from(row) for row in await self._pool.fetch(LIST, business_id)]

    async def remove(self, business_id: str, endpoint_id: UUID, at: datetime) -> bool:
        status: str = await self._pool.execute(REMOVE, business_id, endpoint_id, at)
        return status.endswith(" 1")

    async def deliveries(self, business_id: str, endpoint_id: UUID, limit: int) -> list[Delivery]:
        rows = await self._pool.fetch(DELIVERIES, business_id, endpoint_id, limit)
        return [delivery_from(row) for row in rows]

    async def redeliver(
        self, business_id: str, endpoint_id: UUID, delivery_id: int, at: datetime
    ) -> Delivery | None:
        row = await self._pool.fetchrow(REDELIVER, business_id, endpoint_id, delivery_id, at)
        return delivery_from(row) if row else None

    async def collect(self, at: datetime, settle_seconds: float, limit: int) -> int:
        found: int = await self._pool.fetchval(COLLECT, at, settle_seconds, limit)
        return found

    async def claim(self, at: datetime, lease_seconds: float, limit: int) -> list[Delivery]:
        rows = await self._pool.fetch(CLAIM, at, lease_seconds, limit)
        return [delivery_from(row) for row in rows]

    async def request(self, delivery: Delivery) -> tuple[str, str, bytes] | None:
        d = delivery
        row = await self._pool.fetchrow(REQUEST, d.business_id, d.endpoint_id, d.entry_id)
        return (row["url"], row["secret"], row["body"]) if row else None

    async def record(self, deliveries: Sequence[Delivery]) -> None:
        await self._pool.executemany(
            RECORD,
            [
                (d.business_id, d.delivery_id, d.state, d.attempts, d.next_attempt_at,
                 d.last_status, d.last_error, d.delivered_at)
                for d in deliveries
            ],
        )  # fmt: skip
