"""Two instances in one consumer group; one is killed and the other takes its partitions."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest

from service.entrypoints.settings import Settings
from tests.faults.checks import assert_exactly_once, assert_ledger_topic_has_every_entry
from tests.faults.harness import ServiceProcess, Workload
from tests.faults.setup_data import inbox_count, programme_with_customers
from tests.faults.streaming import stream, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]


async def test_the_survivor_of_two_instances_takes_over_and_nothing_is_doubled(
    fault_settings: Settings, fault_db: asyncpg.Pool, tmp_path: Path
) -> None:
    load = Workload.generate("group-shop", customers=400, sales=3200, returns=800)
    total = len(load.sales) + len(load.returns)
    await programme_with_customers(fault_db, load.business, load.earn_rate, 400)
    first = ServiceProcess(fault_settings, tmp_path / "first.log")
    second = ServiceProcess(fault_settings, tmp_path / "second.log")
    first.start()
    second.start()
    producing = asyncio.create_task(stream(load, fault_settings, chunk=100, pause=0.4))
    await wait_for(lambda: inbox_count(fault_db), lambda n: n >= total // 4, 120)

    async def assignments() -> int:
        return (tmp_path / "second.log").read_text().count("assigned to partitions")

    assigned_before = await assignments()
    first.kill()
    took_over = await wait_for(assignments, lambda n: n > assigned_before, 120)
    await producing
    await wait_for(lambda: inbox_count(fault_db), lambda n: n == total, 180)

    await assert_exactly_once(fault_db, fault_settings, load)
    await assert_ledger_topic_has_every_entry(fault_db, fault_settings)
    assert second.alive
    assert second.stop() == 0
    print(f"\ntwo instances, one killed: the survivor was reassigned in {took_over:.1f}s")
