"""``python -m bench.exports [--entries N]``: ``loyalty export`` of a large ledger, with the
peak memory of the exporting process.

Loads N ledger entries (default 1,000,000) of one business straight into an embedded
PostgreSQL (``bench.report_data``, generate_series: not through the service), then runs the
real ``loyalty export ledger`` in a child process once per format into a file, and prints
seconds, rows per second, file size and that process's peak RSS (``os.wait4``'s rusage of
it alone). A tenth of the entries first: constant memory shows as the same peak for both.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import asyncpg

from bench.report_data import load

BUSINESS = "bench-00"
FORMATS = ("csv", "jsonl", "parquet")
NOTHING = ("--from", "2100-01-01T00:00:00Z")  # a window no entry is in


@dataclass(frozen=True)
class Export:
    entries: int
    form: str
    seconds: float
    peak_rss_mb: float
    file_mb: float
    start_seconds: float = 0.0
    """The same command exporting nothing: the interpreter and its imports."""

    def line(self) -> str:
        rate = self.entries / max(self.seconds - self.start_seconds, 1e-3)
        return (
            f"{self.entries:>9,} entries {self.form:<7}: {self.seconds:6.1f} s"
            f" ({self.start_seconds:.1f} s of it starting), {rate:>8,.0f} rows/s,"
            f" peak RSS {self.peak_rss_mb:6.1f} MB, file {self.file_mb:7.1f} MB"
        )


def export(url: str, entries: int, form: str, work: Path, *window: str) -> Export:
    """One ``loyalty export ledger`` in a child process, timed, its own peak RSS."""
    target = work / f"ledger-{entries}.{form}"
    command = [sys.executable, "-c", "from service.entrypoints.cli import app; app()"]
    arguments = ["export", "ledger", "--business", BUSINESS, "--format", form, "-o", str(target)]
    arguments += window
    env = {**os.environ, "LOYALTY_DATABASE_URL": url, "LOYALTY_LOG_LEVEL": "WARNING"}
    started = time.perf_counter()
    child = subprocess.Popen([*command, *arguments], env=env, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    stderr = child.stderr.read().decode() if child.stderr else ""
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"export failed: {stderr}")
    rss_mb = usage.ru_maxrss / 1024  # kilobytes on Linux
    size_mb = target.stat().st_size / 1e6
    target.unlink()
    return Export(entries, form, seconds, rss_mb, size_mb)


async def loaded(admin_url: str, name: str, entries: int) -> str:
    from tests.support.settings import fresh_database

    url = await fresh_database(admin_url, name)
    connection = await asyncpg.connect(url)
    try:
        await load(connection, entries, businesses=1)
    finally:
        await connection.close()
    return url


async def main(entries: int) -> list[Export]:
    from bench.infra import database_name, servers

    results = []
    with servers() as srv:
        for count in (entries // 10, entries):
            started = time.perf_counter()
            url = await loaded(srv.admin_url, database_name(srv, "exports"), count)
            print(f"loaded {count:,} entries in {time.perf_counter() - started:.1f} s", flush=True)
            for form in FORMATS:
                empty = await asyncio.to_thread(export, url, 0, form, srv.work_dir, *NOTHING)
                result = await asyncio.to_thread(export, url, count, form, srv.work_dir)
                result = replace(result, start_seconds=empty.seconds)
                print(empty.line(), flush=True)
                print(result.line(), flush=True)
                results.append(result)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.exports", description=__doc__)
    parser.add_argument("--entries", type=int, default=1_000_000)
    asyncio.run(main(parser.parse_args().entries))
