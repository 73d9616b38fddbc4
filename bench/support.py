"""The service as a child process, and bulk enrolment straight in SQL (quicker than the API for
20,000 customers). Fresh databases and isolated settings come from ``tests.support.settings``,
shared with the test fixtures."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import asyncpg

from domain.chain import GENESIS_HASH
from service.entrypoints.settings import Settings

LOYALTY = str(Path(sys.executable).parent / "loyalty")


def settings_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOYALTY_")}
    for name, value in settings.model_dump().items():
        if value is not None:
            env[f"LOYALTY_{name.upper()}"] = str(value)
    return env


class ServiceProcess:
    """``loyalty serve`` in a child process, stopped with SIGTERM as in production."""

    def __init__(self, settings: Settings, log_path: Path, role: str = "consumer") -> None:
        self.settings = settings
        self.log_path = log_path
        self.role = role
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = open(self.log_path, "ab")  # noqa: SIM115 - the child owns it
        self.process = subprocess.Popen(
            [LOYALTY, "serve", "--role", self.role],
            env=settings_env(self.settings),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def stop(self, timeout: float = 30) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)


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
        await enrolled_customers(conn, business, customers)


async def enrolled_customers(conn: asyncpg.Connection, business: str, customers: int) -> None:
    """Accounts ``cust-0`` .. ``cust-{customers - 1}`` with nothing on them (no card_created
    entry: the measured work is earning, and every run starts alike)."""
    await conn.copy_records_to_table(
        "accounts",
        records=[(business, uuid.uuid4(), f"cust-{i}", GENESIS_HASH) for i in range(customers)],
        columns=["business_id", "account_id", "customer_id", "last_hash"],
    )
