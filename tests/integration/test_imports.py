"""``loyalty import accounts|balances`` on real PostgreSQL: the old programme's members and
opening lots come in once however often the file runs, dry runs write nothing, refused rows are
reported by line, and the ledger verifies afterwards."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from typer.testing import CliRunner, Result

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from service.entrypoints.cli import app
from tests.integration.conftest import given_programme

pytestmark = pytest.mark.integration

SHOP = "import-shop"
CUSTOMERS = 100
LOTS_EACH = 20  # 2,000 balance rows
LATER = datetime.now(UTC).replace(microsecond=0) + timedelta(days=400)
PENDING = LATER - timedelta(days=370)


@pytest.fixture
async def programme(uow_factory: PostgresUnitOfWorkFactory) -> None:
    await given_programme(uow_factory, SHOP)


def accounts_csv(path: Path) -> Path:
    lines = ["business_id,customer_id,name,phone,email,card,enrolled_at"]
    lines += [
        f"{SHOP},c{n},Member {n},07911 123{n:03d},m{n}@example.com,6011 {n:08d},2019-05-01"
        for n in range(CUSTOMERS)
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def balance_rows() -> list[dict[str, object]]:
    return [
        {
            "business_id": SHOP,
            "customer_id": f"c{n}",
            "row_key": f"lot-{n}-{k}",
            "points": 10 + k,
            "earned_at": "2024-01-02T10:00:00Z",
            "expires_at": LATER.isoformat(),
            **({"pending_until": PENDING.isoformat()} if k == 0 else {}),
        }
        for n in range(CUSTOMERS)
        for k in range(LOTS_EACH)
    ]


def jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


async def loyalty(database_url: str, *args: str) -> Result:
    env = {"LOYALTY_DATABASE_URL": database_url, "LOYALTY_LOG_FORMAT": "json"}
    return await asyncio.to_thread(lambda: CliRunner().invoke(app, list(args), env=env))


async def balances(pool: asyncpg.Pool) -> dict[str, int]:
    rows = await pool.fetch(
        "SELECT customer_id, balance FROM accounts WHERE business_id = $1", SHOP
    )
    return {row["customer_id"]: row["balance"] for row in rows}


async def snapshot(pool: asyncpg.Pool) -> tuple[int, ...]:
    counts = []
    for table in ("accounts", "ledger_entries", "point_lots", "outbox", "import_rows"):
        counts.append(await pool.fetchval(f"SELECT count(*) FROM {table}"))
    counts.append(await pool.fetchval("SELECT count(*) FROM customer_identifiers"))
    return tuple(counts)


async def test_importing_the_same_files_twice_changes_nothing_and_balances_equal_the_file(
    database_url: str, pool: asyncpg.Pool, programme: None, tmp_path: Path
) -> None:
    members = accounts_csv(tmp_path / "accounts.csv")
    rows = balance_rows()
    lots = jsonl(tmp_path / "balances.jsonl", rows)
    half = jsonl(tmp_path / "half.jsonl", rows[: len(rows) // 2])  # a run cut short

    first = await loyalty(database_url, "import", "accounts", str(members), "--phone-region", "GB")
    assert first.exit_code == 0, first.output
    cut = await loyalty(database_url, "import", "balances", str(half), "--jobs", "1")
    assert cut.exit_code == 0, cut.output
    rest = await loyalty(database_url, "import", "balances", str(lots), "--jobs", "3", "--json")
    assert rest.exit_code == 0, rest.output
    assert json.loads(rest.stdout)["imported"] == len(rows) - len(rows) // 2
    before = await snapshot(pool)

    again = [
        await loyalty(database_url, "import", "accounts", str(members), "--phone-region", "GB"),
        await loyalty(database_url, "import", "balances", str(lots), "--json"),
    ]

    assert [result.exit_code for result in again] == [0, 0]
    assert json.loads(again[1].stdout) | {"skipped": 0} == {
        "kind": "balances",
        "dry_run": False,
        "imported": 0,
        "skipped": 0,
        "rejected": 0,
    }
    assert await snapshot(pool) == before
    expected = Counter[str]()
    for row in rows:
        expected[str(row["customer_id"])] += int(str(row["points"]))
    assert await balances(pool) == dict(expected)
    verified = await loyalty(database_url, "verify", "--business", SHOP, "--json")
    assert verified.exit_code == 0, verified.output


async def test_an_opening_lot_keeps_its_dates_and_the_member_their_identifiers(
    database_url: str, pool: asyncpg.Pool, programme: None, tmp_path: Path
) -> None:
    await loyalty(
        database_url,
        "import",
        "accounts",
        str(accounts_csv(tmp_path / "a.csv")),
        "--phone-region",
        "GB",
    )
    await loyalty(
        database_url, "import", "balances", str(jsonl(tmp_path / "b.jsonl", balance_rows()[:1]))
    )

    lot = await pool.fetchrow("SELECT * FROM point_lots WHERE business_id = $1", SHOP)
    entry = await pool.fetchrow(
        "SELECT source, kind FROM ledger_entries WHERE business_id = $1 AND points > 0", SHOP
    )
    phone = await pool.fetchval(
        "SELECT value FROM customer_identifiers WHERE business_id = $1 AND kind = 'phone'"
        " ORDER BY value LIMIT 1",
        SHOP,
    )
    assert lot["earned_at"] == datetime(2024, 1, 2, 10, tzinfo=UTC)
    assert lot["available_at"] == PENDING
    assert lot["expires_at"] == LATER
    assert (entry["source"], entry["kind"]) == ("import", "adjustment")
    assert phone == "+447911123000"


async def test_a_dry_run_reports_what_it_would_import_and_writes_nothing(
    database_url: str, pool: asyncpg.Pool, programme: None, tmp_path: Path
) -> None:
    before = await snapshot(pool)

    result = await loyalty(
        database_url,
        "import",
        "accounts",
        str(accounts_csv(tmp_path / "a.csv")),
        "--phone-region",
        "GB",
        "--dry-run",
        "--json",
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["imported"] == CUSTOMERS
    assert await snapshot(pool) == before


async def test_refused_rows_are_reported_by_line_and_reason_and_the_rest_imported(
    database_url: str, pool: asyncpg.Pool, programme: None, tmp_path: Path
) -> None:
    await loyalty(
        database_url,
        "import",
        "accounts",
        str(accounts_csv(tmp_path / "a.csv")),
        "--phone-region",
        "GB",
    )
    good = balance_rows()[:2]
    bad = [
        {"business_id": SHOP, "customer_id": "c1", "row_key": "neg", "points": -5},
        {"business_id": SHOP, "customer_id": "nobody", "row_key": "x", "points": 5},
        {
            "business_id": SHOP,
            "customer_id": "c1",
            "row_key": "old",
            "points": 5,
            "expires_at": "2020-01-01",
        },
    ]
    path = jsonl(tmp_path / "b.jsonl", [good[0], *bad, good[1]])
    with path.open("a") as handle:
        handle.write("{not json\n")
    rejects = tmp_path / "rejects.jsonl"

    result = await loyalty(database_url, "import", "balances", str(path), "--rejects", str(rejects))

    assert result.exit_code == 1
    reported = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert [r["line"] for r in reported] == [2, 3, 4, 6]
    assert "points" in reported[0]["reason"] and "no account" in reported[1]["reason"]
    assert "expired" in reported[2]["reason"] and "JSON" in reported[3]["reason"]
    assert (await balances(pool))["c0"] == 10 + 11


async def test_an_identifier_held_by_another_member_or_a_key_reused_with_other_values_is_refused(
    database_url: str, pool: asyncpg.Pool, programme: None, tmp_path: Path
) -> None:
    members = tmp_path / "a.csv"
    members.write_text(
        "business_id,customer_id,phone,card\n"
        f"{SHOP},ann,+447911123456,6011 0000 0001\n"
        f"{SHOP},bob,07911 123456,60110000-0002\n"
        f"{SHOP},cat,,601100000001\n"  # ann's card, written another way
    )
    first = jsonl(tmp_path / "b1.jsonl", [{**balance_rows()[0], "customer_id": "ann"}])
    changed = jsonl(
        tmp_path / "b2.jsonl", [{**balance_rows()[0], "customer_id": "ann", "points": 99}]
    )
    rejects = tmp_path / "rejects.jsonl"

    accounts = await loyalty(
        database_url,
        "import",
        "accounts",
        str(members),
        "--phone-region",
        "GB",
        "--rejects",
        str(rejects),
    )
    await loyalty(database_url, "import", "balances", str(first))
    again = await loyalty(database_url, "import", "balances", str(changed), "--json")

    assert accounts.exit_code == 1
    assert [json.loads(line)["line"] for line in rejects.read_text().splitlines()] == [3, 4]
    assert json.loads(again.stdout)["rejected"] == 1
    assert await balances(pool) == {"ann": 10}
