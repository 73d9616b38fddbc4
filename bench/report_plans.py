"""``python -m bench.report_plans [--entries N]``: the operators' queries on a large ledger.

Loads N ledger entries (default 1,000,000) over 20 businesses, with their accounts (one per
ten entries) and point lots (for two positive entries in three), straight into an embedded
PostgreSQL with generate_series (not through the service), ANALYZEs, and prints for each
query the head line of its plan under EXPLAIN (ANALYZE, BUFFERS), the indexes it reads and
its time. Exits 1 when a query reads no index.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import asyncpg

from adapters.postgres import report_sql as sql
from adapters.postgres.ledger import PAGE
from adapters.postgres.reports import day_bounds
from bench.report_data import BUSINESS, NOW, load
from domain.reports import DayRange


@dataclass(frozen=True)
class Query:
    name: str
    statement: str
    args: tuple[Any, ...]
    index: str
    """The index its plan must read."""


def queries(business: str = BUSINESS) -> list[Query]:
    """Each report's statement with the arguments the adapter gives it, as a manager's first
    and a later page would ask."""
    until = NOW.replace(year=2026, month=1, day=7)
    month = day_bounds(DayRange(date(2025, 6, 1), date(2025, 6, 30)))
    year = day_bounds(DayRange(date(2025, 1, 1), date(2025, 12, 31)))
    june = (date(2025, 6, 1), date(2025, 6, 30))
    account = _account(business)
    return [
        Query(
            "expiring in a week (business)",
            sql.expiring(one_account=False, after=False),
            (business, until, 51),
            "point_lots_expiring_by_business",
        ),
        Query(
            "expiring, a later page",
            sql.expiring(one_account=False, after=True),
            (business, until, datetime(2026, 1, 3, tzinfo=UTC), _account(""), 51),
            "point_lots_expiring_by_business",
        ),
        Query(
            "expiring in a week (total)",
            sql.expiring_total(one_account=False),
            (business, until),
            "point_lots_expiring_by_business",
        ),
        Query(
            "expiring in a year (one account)",
            sql.expiring(one_account=True, after=False),
            (business, NOW.replace(year=2027), account, 51),
            "point_lots",
        ),
        Query(
            "referrals in June (per account)",
            sql.referrals(one_account=False, after=False),
            (business, *month, 51),
            "ledger_entries_referrals",
        ),
        Query(
            "referrals in 2025 (total)",
            sql.referral_total(one_account=False),
            (business, *year),
            "ledger_entries_referrals",
        ),
        Query(
            "movements in June (by day, store)",
            sql.movements(after=False),
            (business, *june, 51),
            "ledger_entries_by_day_and_store",
        ),
        Query(
            "movements, a later page",
            sql.movements(after=True),
            (business, *june, date(2025, 6, 15), "s-3", 51),
            "ledger_entries_by_day_and_store",
        ),
        Query("members per level", sql.levels(after=None), (business, 51), "accounts_by_level"),
        Query(
            "history: purchase bucket",
            PAGE,
            (business, account, None, ["earn", "stamp_earn"], 51),
            "ledger_entries_business_id_account_id_seq_key",
        ),
    ]


def _account(business: str) -> UUID:
    """The generator's first account of ``business``, or the smallest uuid."""
    if not business:
        return UUID(int=0)
    number = int(business.removeprefix("bench-"))
    return UUID(hashlib.md5(f"account{number}".encode()).hexdigest())


@dataclass(frozen=True)
class Plan:
    name: str
    head: str
    indexes: tuple[str, ...]
    milliseconds: float
    expected: str

    @property
    def uses_index(self) -> bool:
        return any(index.startswith(self.expected) for index in self.indexes)


def _indexes(node: dict[str, Any]) -> list[str]:
    found = [node["Index Name"]] if "Index Name" in node else []
    for child in node.get("Plans", []):
        found += _indexes(child)
    return found


async def explain(connection: asyncpg.Connection, query: Query, analyze: bool = True) -> Plan:
    """The plan PostgreSQL chooses for ``query`` (run, when ``analyze``, to time it)."""
    document = await connection.fetchval(f"EXPLAIN (FORMAT JSON) {query.statement}", *query.args)
    head, milliseconds = "", 0.0
    if analyze:
        lines = [
            row[0]
            for row in await connection.fetch(
                f"EXPLAIN (ANALYZE, BUFFERS) {query.statement}", *query.args
            )
        ]
        head = lines[0].strip()
        timing = [line for line in lines if line.startswith("Execution Time")]
        milliseconds = float(timing[0].split()[2]) if timing else 0.0
    return Plan(
        name=query.name,
        head=head,
        indexes=tuple(_indexes(json.loads(document)[0]["Plan"])),
        milliseconds=milliseconds,
        expected=query.index,
    )


async def plans(connection: asyncpg.Connection, analyze: bool = True) -> list[Plan]:
    return [await explain(connection, query, analyze) for query in queries()]


async def main(entries: int) -> int:
    from bench.infra import database_name, servers
    from tests.support.settings import fresh_database

    with servers() as srv:
        url = await fresh_database(srv.admin_url, database_name(srv, "reports"))
        connection = await asyncpg.connect(url)
        try:
            started = time.perf_counter()
            await load(connection, entries)
            print(f"loaded {entries:,} entries in {time.perf_counter() - started:.1f} s")
            found = await plans(connection)
        finally:
            await connection.close()
    for plan in found:
        mark = "ok" if plan.uses_index else "NO INDEX"
        print(f"{plan.name}: {plan.milliseconds:.2f} ms [{mark}: {', '.join(plan.indexes)}]")
        print(f"    {plan.head}")
    return 0 if all(plan.uses_index for plan in found) else 1


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.report_plans", description=__doc__)
    parser.add_argument("--entries", type=int, default=1_000_000)
    sys.exit(asyncio.run(main(parser.parse_args().entries)))
