"""``loyalty import`` measured: the old programme's accounts, then opening balances (one lot a
row) read from JSON lines and imported as the command does (checked rows, its batch sizes, the
next batch read while one is written); then the same balances file again, which must change nothing.

Its baselines, in the same run on the same machine: the same balance rows COPYed into a bare
table, the least any import of them into PostgreSQL costs (no checks, no entries, no lots); and
the import's own writes done again set-based with nothing else (``ledger_write_floor``), what
the ledger's schema costs a row (its indexes, foreign keys, outbox rows and lots)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

import asyncpg
import psutil

from adapters.import_files import e164, read_rows
from adapters.postgres.imports import PostgresImportUnitOfWork
from adapters.postgres.rows import LEDGER_COLUMNS
from adapters.system_clock import SystemClock
from bench.support import programme_with_customers
from bench.workload import BUSINESS, EARN_RATE
from domain.imports import RowRefused, account_row, balance_row
from service.entrypoints.cli_import import BALANCE_BATCH, BALANCE_STREAMS, in_streams, overlapped
from service.use_cases.imports import BatchOutcome, ImportBatches

ACCOUNT_BATCH = 500  # the command's defaults
LOTS_PER_CUSTOMER = 10


def write_files(directory: Path, rows: int) -> tuple[Path, Path]:
    customers = max(1, rows // LOTS_PER_CUSTOMER)
    expires = (datetime.now(UTC) + timedelta(days=365)).isoformat()
    accounts, balances = directory / "import-accounts.csv", directory / "import-balances.jsonl"
    with accounts.open("w") as out:
        out.write("business_id,customer_id,name,email,enrolled_at\n")
        for n in range(customers):
            out.write(f"{BUSINESS},imp-{n},Member {n},m{n}@example.com,2019-05-01\n")
    with balances.open("w") as out:
        for i in range(rows):
            row = {
                "business_id": BUSINESS,
                "customer_id": f"imp-{i % customers}",
                "row_key": f"lot-{i}",
                "points": 10 + i % 90,
                "earned_at": "2025-03-01T10:00:00Z",
                "expires_at": expires,
            }
            out.write(json.dumps(row) + "\n")
    return accounts, balances


def _checked(path: Path, fmt: str, check: Any) -> Iterator[tuple[int, Any]]:
    for line, fields in read_rows(path, "csv" if fmt == "csv" else "jsonl"):
        try:
            yield line, check(fields)
        except (RowRefused, TypeError):
            continue


async def _run(batches: ImportBatches, kind: str, path: Path, fmt: str, check: Any) -> float:
    """Rows per second of one import of the file (every row counted, imported or skipped),
    the command's way: the next batch read while this one is written."""
    step: Any = batches.accounts
    size = ACCOUNT_BATCH
    if kind == "balances":
        step, size = in_streams(batches.balances, BALANCE_STREAMS, False), BALANCE_BATCH
    rows, total = _checked(path, fmt, check), BatchOutcome()
    started = time.perf_counter()
    async for _, outcome in overlapped(iter(lambda: list(islice(rows, size)), []), step):
        total.imported += outcome.imported
        total.skipped += outcome.skipped
        if outcome.rejected:
            raise AssertionError(f"rows refused: {outcome.rejected[:3]}")
    seconds = time.perf_counter() - started
    return (total.imported + total.skipped) / seconds


def _copy_records(balances: Path) -> list[tuple[Any, ...]]:
    with balances.open() as rows:
        return [
            (r["business_id"], r["customer_id"], r["row_key"], r["points"])
            for r in map(json.loads, rows)
        ]


async def bare_copy(database_url: str, balances: Path) -> float:
    """Rows per second of COPYing the parsed balance rows into an unlogged table."""
    records = _copy_records(balances)
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "CREATE UNLOGGED TABLE bare_import (business_id text, customer_id text,"
            " row_key text PRIMARY KEY, points bigint)"
        )
        started = time.perf_counter()
        await conn.copy_records_to_table("bare_import", records=records)
        return len(records) / (time.perf_counter() - started)
    finally:
        await conn.close()


# The import's writes without the import: its opening entries written again (new ids, later
# seqs) with their outbox rows, lots and balances, set-based from a copy, in one transaction
# rolled back. No checks, no hashing, no parsing: what the schema alone costs a row.
_WRITE_AGAIN = """
CREATE TEMP TABLE again ON COMMIT DROP AS
SELECT e.*, gen_random_uuid() AS new_id FROM ledger_entries e
WHERE e.business_id = $1 AND e.source = 'import' AND e.kind = 'adjustment';
INSERT INTO ledger_entries ({columns})
SELECT {renamed} FROM again;
INSERT INTO outbox (business_id, account_id, entry_id)
SELECT business_id, account_id, new_id FROM again ORDER BY account_id, seq;
INSERT INTO point_lots (business_id, account_id, lot_id, entry_id, earned_at, available_at,
                        expires_at, points, remaining)
SELECT business_id, account_id, new_id, new_id, occurred_at, occurred_at, NULL, points, points
FROM again;
UPDATE accounts a SET balance = a.balance, updated_at = now()
WHERE a.account_id IN (SELECT account_id FROM again);
"""


async def ledger_write_floor(pool: asyncpg.Pool, business_id: str) -> float:
    """Rows per second of writing the imported entries again, as ``_WRITE_AGAIN`` does."""
    columns = [name.strip() for name in LEDGER_COLUMNS.split(",")]
    renamed = ", ".join(
        "new_id" if c == "entry_id" else "seq + 1000000000" if c == "seq" else c for c in columns
    )
    script = _WRITE_AGAIN.format(columns=", ".join(columns), renamed=renamed)
    async with pool.acquire() as conn:
        rows = await conn.fetchval(
            "SELECT count(*) FROM ledger_entries WHERE business_id = $1 AND source = 'import'"
            " AND kind = 'adjustment'",
            business_id,
        )
        transaction = conn.transaction()
        await transaction.start()
        try:
            started = time.perf_counter()
            await conn.execute(script.replace("$1", "'" + business_id.replace("'", "''") + "'"))
            seconds = time.perf_counter() - started
        finally:
            await transaction.rollback()
    return int(rows) / seconds


async def _backends(pool: asyncpg.Pool) -> list[psutil.Process]:
    """The database server processes of the pool's connections, every one opened first (each
    stream of the import writes on its own), when the server runs on this machine."""
    held = [await pool.acquire() for _ in range(pool.get_max_size())]
    try:
        pids = [connection.get_server_pid() for connection in held]
    finally:
        for connection in held:
            await pool.release(connection)
    try:
        return [psutil.Process(pid) for pid in pids]
    except psutil.Error:  # a server elsewhere (LOYALTY_BENCH_DATABASE_URL): not measured
        return []


def _cpu_spent(processes: list[psutil.Process]) -> tuple[float, float]:
    """CPU seconds so far of the database's ``processes`` and of this one (all its threads)."""
    database = sum(t.user + t.system for t in (p.cpu_times() for p in processes))
    return float(database), time.process_time()


def _cpu_split(
    rows: int, rate: float, before: tuple[float, float], after: tuple[float, float]
) -> dict[str, float]:
    """Where the balances import's time went: the database's CPU and the command's (its
    reading thread included) a row, and the cores both kept busy."""
    database_s, client_s = after[0] - before[0], after[1] - before[1]
    return {
        "import_database_cpu_us_per_row": database_s / rows * 1e6,
        "import_client_cpu_us_per_row": client_s / rows * 1e6,
        "import_cores_busy": (database_s + client_s) * rate / rows,
    }


async def import_figures(
    database_url: str, bare_url: str, work_dir: Path, rows: int
) -> dict[str, float]:
    accounts, balances = write_files(work_dir, rows)
    pool = await asyncpg.create_pool(database_url, min_size=1, max_size=BALANCE_STREAMS + 1)
    try:
        await programme_with_customers(pool, BUSINESS, EARN_RATE, 0)
        batches = ImportBatches(lambda: PostgresImportUnitOfWork(pool), SystemClock())
        now = datetime.now(UTC)
        phone_of = e164(None)
        figures = {
            "import_accounts_rows_per_s": await _run(
                batches, "accounts", accounts, "csv", lambda f: account_row(f, phone_of, now)
            )
        }
        backends = await _backends(pool)
        before = _cpu_spent(backends)
        figures["import_balances_rows_per_s"] = rate = await _run(
            batches, "balances", balances, "jsonl", lambda f: balance_row(f, now)
        )
        if backends:  # else a server elsewhere: its CPU is not at hand
            figures |= _cpu_split(rows, rate, before, _cpu_spent(backends))
        figures |= {
            "import_rerun_rows_per_s": await _run(
                batches, "balances", balances, "jsonl", lambda f: balance_row(f, now)
            ),
        }
        figures["ledger_write_floor_rows_per_s"] = await ledger_write_floor(pool, BUSINESS)
        total = await pool.fetchval(
            "SELECT sum(balance) FROM accounts WHERE business_id = $1", BUSINESS
        )
        expected = sum(10 + i % 90 for i in range(rows))
        if total != expected:
            raise AssertionError(f"balances add up to {total}, the file to {expected}")
    finally:
        await pool.close()
    figures["bare_copy_rows_per_s"] = await bare_copy(bare_url, balances)
    return figures
