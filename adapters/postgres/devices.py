"""PostgresDevices: paired tablets and staff PINs, each call its own short transaction."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import asyncpg

from adapters.postgres.rows import Row
from domain.devices import Device, StaffPin, after_attempt

DEVICE_COLUMNS = (
    "business_id, device_id, name, paired_by, paired_at, store_id, terminal_id, revoked_at,"
    " revoked_by"
)

ADD = f"INSERT INTO devices ({DEVICE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"

LIST = f"SELECT {DEVICE_COLUMNS} FROM devices WHERE business_id = $1 ORDER BY paired_at, device_id"

REVOKE = f"""
UPDATE devices SET revoked_at = coalesce(revoked_at, $3), revoked_by = coalesce(revoked_by, $4)
WHERE business_id = $1 AND device_id = $2
RETURNING {DEVICE_COLUMNS}
"""

# One primary-key read per device-token request: no cache, so a revocation is seen by every
# API process on the very next request.
IS_ACTIVE = """
SELECT revoked_at IS NULL FROM devices WHERE business_id = $1 AND device_id = $2
"""

PIN_COLUMNS = "business_id, staff_id, pin_hash, set_by, set_at, failed_attempts, locked_until"

SET_PIN = f"""
INSERT INTO staff_pins ({PIN_COLUMNS}) VALUES ($1, $2, $3, $4, $5, 0, NULL)
ON CONFLICT (business_id, staff_id) DO UPDATE
SET pin_hash = EXCLUDED.pin_hash, set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at,
    failed_attempts = 0, locked_until = NULL
"""

LOCK_PIN = (
    f"SELECT {PIN_COLUMNS} FROM staff_pins WHERE business_id = $1 AND staff_id = $2 FOR UPDATE"
)

SAVE_ATTEMPTS = """
UPDATE staff_pins SET failed_attempts = $3, locked_until = $4
WHERE business_id = $1 AND staff_id = $2
"""

CLEAR_ATTEMPTS = """
UPDATE staff_pins SET failed_attempts = 0, locked_until = NULL
WHERE business_id = $1 AND staff_id = $2
  AND (failed_attempts <> 0 OR locked_until IS NOT NULL)
"""


def device_from(row: Row) -> Device:
    return Device(
        business_id=row["business_id"],
        device_id=row["device_id"],
        name=row["name"],
        paired_by=row["paired_by"],
        paired_at=row["paired_at"],
        store_id=row["store_id"],
        terminal_id=row["terminal_id"],
        revoked_at=row["revoked_at"],
        revoked_by=row["revoked_by"],
    )


class PostgresDevices:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self._pool = pool

    async def add(self, device: Device) -> None:
        d = device
        await self._pool.execute(
            ADD,
            d.business_id,
            d.device_id,
            d.name,
            d.paired_by,
            d.paired_at,
            d.store_id,
            d.terminal_id,
            d.revoked_at,
            d.revoked_by,
        )

    async def devices(self, business_id: str) -> list[Device]:
        return [device_from(row) for row in await self._pool.fetch(LIST, business_id)]

    async def revoke(
        self, business_id: str, device_id: UUID, by: str, at: datetime
    ) -> Device | None:
        row = await self._pool.fetchrow(REVOKE, business_id, device_id, at, by)
        return device_from(row) if row else None

    async def is_active(self, business_id: str, device_id: UUID) -> bool:
        return bool(await self._pool.fetchval(IS_ACTIVE, business_id, device_id))

    async def set_pin(self, pin: StaffPin) -> None:
        await self._pool.execute(
            SET_PIN, pin.business_id, pin.staff_id, pin.pin_hash, pin.set_by, pin.set_at
        )

    async def take_attempt(self, business_id: str, staff_id: str, now: datetime) -> StaffPin | None:
        async with self._pool.acquire() as connection, connection.transaction():
            row = await connection.fetchrow(LOCK_PIN, business_id, staff_id)
            if row is None:
                return None
            before = StaffPin(**dict(row))
            after = after_attempt(before, now)
            if after != before:
                await connection.execute(
                    SAVE_ATTEMPTS, business_id, staff_id, after.failed_attempts, after.locked_until
                )
            return before

    async def clear_attempts(self, business_id: str, staff_id: str) -> None:
        await self._pool.execute(CLEAR_ATTEMPTS, business_id, staff_id)
