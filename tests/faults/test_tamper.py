"""A ledger row altered behind the service's back is found by ``loyalty verify``."""

from __future__ import annotations

import subprocess
from pathlib import Path

import asyncpg
import pytest

from service.entrypoints.settings import Settings
from tests.faults.harness import LOYALTY, ServiceProcess, Workload, settings_env
from tests.faults.setup_data import inbox_count, programme_with_customers
from tests.faults.streaming import stream, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.timeout(300)]


def verify(settings: Settings) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [LOYALTY, "verify"], env=settings_env(settings), capture_output=True, text=True, timeout=60
    )


async def test_loyalty_verify_finds_a_row_altered_by_a_superuser(
    fault_settings: Settings, fault_db: asyncpg.Pool, tmp_path: Path
) -> None:
    load = Workload.generate("tamper-shop", customers=50, sales=400, returns=100)
    await programme_with_customers(fault_db, load.business, load.earn_rate, 50)
    service = ServiceProcess(fault_settings, tmp_path / "service.log")
    service.start()
    await stream(load, fault_settings, chunk=250, pause=0)
    await wait_for(lambda: inbox_count(fault_db), lambda n: n == 500, 120)
    await wait_for(
        lambda: fault_db.fetchval("SELECT count(*) FROM outbox WHERE published_at IS NULL"),
        lambda n: n == 0,
        60,
    )
    assert service.stop() == 0
    clean = verify(fault_settings)
    assert clean.returncode == 0, clean.stderr
    assert "0 breach(es)" in clean.stdout

    async with fault_db.acquire() as superuser:
        await superuser.execute("ALTER TABLE ledger_entries DISABLE TRIGGER USER")
        victim = await superuser.fetchrow(
            "UPDATE ledger_entries SET points = points * 10, balance_after = balance_after + 1"
            " WHERE entry_id = (SELECT entry_id FROM ledger_entries WHERE kind = 'earn'"
            " ORDER BY entry_id LIMIT 1) RETURNING entry_id"
        )
        await superuser.execute("ALTER TABLE ledger_entries ENABLE TRIGGER USER")

    tampered = verify(fault_settings)

    assert tampered.returncode == 1
    assert f"entry tamper-shop/{victim['entry_id']}" in tampered.stderr
    assert "does not match its hash chain" in tampered.stderr
    assert "entries sum to" in tampered.stderr  # the balance no longer adds up either
