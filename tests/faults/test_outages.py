"""PostgreSQL stopped, the broker frozen, or the database read-only for 10 s mid-stream: the
service recovers by itself, with no loss, no double and no dead letter, and (when a
dependency stops answering) says it is not ready meanwhile."""

from __future__ import annotations

import asyncio
import inspect
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import asyncpg
import httpx
import pytest

from adapters.embedded.postgres import EmbeddedPostgres, free_port
from adapters.embedded.tansu import EmbeddedTansu
from service.entrypoints.settings import Settings
from tests.faults.checks import assert_exactly_once, assert_ledger_topic_has_every_entry
from tests.faults.harness import ServiceProcess, Workload
from tests.faults.setup_data import inbox_count, programme_with_customers
from tests.faults.streaming import stream, wait_for

pytestmark = [pytest.mark.faults, pytest.mark.timeout(600)]


async def ready(url: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=5) as client:
            return (await client.get(url)).status_code == 200
    except httpx.HTTPError:
        return False


async def settle(result: object) -> None:
    if inspect.isawaitable(result):
        await result


async def run_outage(
    settings: Settings,
    db: asyncpg.Pool,
    tmp_path: Path,
    business: str,
    outage: tuple[Callable[[], object], Callable[[], object]],
    answers_meanwhile: bool = False,
) -> tuple[float, float]:
    """Stream, start the outage a few seconds in, end it after 10 s; seconds until not ready
    and until applying again after the outage ends."""
    settings = settings.model_copy(update={"http_port": free_port(), "jwt_secret": "fault"})
    readyz = f"http://127.0.0.1:{settings.http_port}/readyz"
    load = Workload.generate(business, customers=300, sales=2400, returns=600)
    total = len(load.sales) + len(load.returns)
    await programme_with_customers(db, business, load.earn_rate, 300)
    service = ServiceProcess(settings, tmp_path / "service.log", role="all")
    service.start()
    await wait_for(lambda: ready(readyz), lambda ok: ok, 60)
    producing = asyncio.create_task(stream(load, settings, chunk=100, pause=0.5))
    await asyncio.sleep(3)

    begin, end = outage  # each may return an awaitable
    await settle(begin())
    if answers_meanwhile:  # the database still answers SELECT 1: readiness has nothing to see
        noticed = 0.0
        await asyncio.sleep(10)
    else:
        noticed = await wait_for(lambda: ready(readyz), lambda ok: not ok, 30)
        await asyncio.sleep(10)
    await settle(end())
    before = await inbox_count(db)
    resumed_at = time.monotonic()
    await wait_for(lambda: inbox_count(db), lambda n: n > before or n == total, 120)
    recovered = time.monotonic() - resumed_at
    await wait_for(lambda: ready(readyz), lambda ok: ok, 60)

    await producing
    await wait_for(lambda: inbox_count(db), lambda n: n == total, 180)
    await assert_exactly_once(db, settings, load)
    await assert_ledger_topic_has_every_entry(db, settings)
    assert service.alive, "the service recovered without a restart"
    assert service.stop() == 0
    return noticed, recovered


async def test_postgres_stopped_for_ten_seconds_mid_stream_loses_and_doubles_nothing(
    fault_settings: Settings,
    fault_db: asyncpg.Pool,
    fault_postgres: EmbeddedPostgres,
    tmp_path: Path,
) -> None:
    noticed, recovered = await run_outage(
        fault_settings,
        fault_db,
        tmp_path,
        "pg-outage-shop",
        (lambda: fault_postgres.stop("immediate"), fault_postgres.start),
    )
    print(f"\npostgres outage: not ready after {noticed:.1f}s, applying {recovered:.1f}s after")


async def test_broker_frozen_for_ten_seconds_mid_stream_loses_and_doubles_nothing(
    fault_settings: Settings,
    fault_db: asyncpg.Pool,
    fault_broker: EmbeddedTansu,
    tmp_path: Path,
) -> None:
    pid = fault_broker.pid
    assert pid is not None
    noticed, recovered = await run_outage(
        fault_settings,
        fault_db,
        tmp_path,
        "broker-freeze-shop",
        (lambda: os.kill(pid, signal.SIGSTOP), lambda: os.kill(pid, signal.SIGCONT)),
    )
    print(f"\nbroker freeze: not ready after {noticed:.1f}s, applying {recovered:.1f}s after")


async def test_a_read_only_failover_mid_stream_dead_letters_nothing_and_loses_nothing(
    fault_settings: Settings,
    fault_db: asyncpg.Pool,
    fault_postgres: EmbeddedPostgres,
    tmp_path: Path,
) -> None:
    database = fault_settings.database_url.rsplit("/", 1)[1]
    # From the server's maintenance database, so this session is not among those cut off.
    admin = await asyncpg.connect(fault_postgres.url)

    async def fail_over(read_only: bool) -> None:
        setting = "SET default_transaction_read_only = on" if read_only else "RESET ALL"
        await admin.execute(f'ALTER DATABASE "{database}" {setting}')
        # As a failover does: every session ends, and the new ones meet the new server.
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
            database,
        )
        await fault_db.expire_connections()

    try:
        _, recovered = await run_outage(
            fault_settings,
            fault_db,
            tmp_path,
            "read-only-shop",
            (lambda: fail_over(True), lambda: fail_over(False)),
            answers_meanwhile=True,
        )
    finally:
        await admin.close()
    print(f"\nread-only failover: applying {recovered:.1f}s after it ended")
