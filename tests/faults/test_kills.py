"""SIGKILL the service ten times while 20,000 events stream in: nothing lost, nothing doubled."""

from __future__ import annotations

import asyncio
import random
import time
from pathlib import Path

import asyncpg
import pytest

from service.entrypoints.settings import Settings
from tests.faults.checks import assert_exactly_once, assert_ledger_topic_has_every_entry
from tests.faults.harness import ServiceProcess, Workload
from tests.faults.setup_data import inbox_count, programme_with_customers
from tests.faults.streaming import stream, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.timeout(900)]


async def test_ten_sigkills_while_streaming_lose_nothing_and_double_nothing(
    fault_settings: Settings, fault_db: asyncpg.Pool, tmp_path: Path
) -> None:
    load = Workload.generate("kill-shop", customers=2000, sales=16000, returns=4000)
    total = len(load.sales) + len(load.returns)
    await programme_with_customers(fault_db, load.business, load.earn_rate, 2000)
    service = ServiceProcess(fault_settings, tmp_path / "service.log")
    service.start()
    producing = asyncio.create_task(stream(load, fault_settings, chunk=100, pause=0.75))
    rng = random.Random(11)
    recoveries: list[float] = []
    for _ in range(10):
        await asyncio.sleep(rng.uniform(0.5, 3.0))
        service.kill()
        before = await inbox_count(fault_db)
        restarted = time.monotonic()
        service.start()

        def grew(n: int, before: int = before) -> bool:
            return n > before or n == total

        await wait_for(lambda: inbox_count(fault_db), grew, 120)
        recoveries.append(round(time.monotonic() - restarted, 1))
    sent = await producing
    await wait_for(lambda: inbox_count(fault_db), lambda n: n == total, 300)

    await assert_exactly_once(fault_db, fault_settings, load)
    duplicates = await assert_ledger_topic_has_every_entry(fault_db, fault_settings)
    assert service.stop() == 0
    print(  # the figures for the record: pytest -s tests/faults
        f"\nkills={service.starts - 1} sent={sent} lost=0 doubled=0"
        f" ledger-topic duplicates={duplicates} recovery seconds={recoveries}"
    )
