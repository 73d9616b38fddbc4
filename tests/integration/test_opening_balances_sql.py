"""Opening balances written set-based in SQL equal, to the byte, what the domain builds
(``domain.imports.opening_balances``): entries with their hashes, lots, balances. Searched over
accounts in any state (a debt, stamps, a chain already long, closed or missing), rows with
awkward keys and moments, keys repeated in a batch or imported before with other values; each
batch written in one to three streams at once, as ``loyalty import balances --jobs`` does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any
from uuid import uuid4

import asyncpg
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from adapters.postgres.imports import PostgresImportUnitOfWork
from adapters.postgres.lots import LOT_COLUMNS
from adapters.postgres.rows import LEDGER_COLUMNS, account_from, entry_from
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.accounts import Account, AccountStatus
from domain.chain import GENESIS_HASH
from domain.imports import BalanceRow, digest, opening_balances
from domain.lots import Lot
from service.entrypoints.cli_import import in_streams
from service.use_cases.imports import ImportBatches
from tests.fakes.clock import FakeClock
from tests.integration.conftest import given_programme

pytestmark = pytest.mark.integration

NOW = datetime(2026, 11, 30, 9, 15, 0, 250_000, tzinfo=UTC)
_ids = count()

CUSTOMERS = ["ann", "bob", "zoë", "李"]  # the last two: the hash covers UTF-8
_account_state = st.fixed_dictionaries(
    {
        "balance": st.integers(-500, 500),
        "last_seq": st.integers(0, 4),
        "last_hash": st.sampled_from([GENESIS_HASH, "ab" * 32]),
        "stamps": st.sampled_from([0, 0, 3]),
        "status": st.sampled_from(["active", "active", "closed"]),
    }
)
_moments = st.datetimes(
    min_value=datetime(2019, 1, 1), max_value=datetime(2026, 11, 29), timezones=st.just(UTC)
)
_row = st.fixed_dictionaries(
    {
        "customer_id": st.sampled_from([*CUSTOMERS, "nobody"]),
        "row_key": st.sampled_from(["a", "b", "c", "d", "é/ü", "x y"]),
        "points": st.integers(1, 2_000),
        "earned_at": st.none() | _moments,
        "pending_days": st.none() | st.integers(0, 30),
        "expires_in_days": st.none() | st.integers(1, 900),
    }
)


def _balance_row(business: str, fields: dict[str, Any]) -> BalanceRow:
    earned = fields["earned_at"]
    base = earned or NOW
    pending = fields["pending_days"]
    pending_until = None if pending is None else base + timedelta(days=pending)
    days = fields["expires_in_days"]
    expires = None if days is None else max(NOW, pending_until or base) + timedelta(days=days)
    return BalanceRow(
        business,
        fields["customer_id"],
        fields["row_key"],
        fields["points"],
        earned,
        expires,
        pending_until,
    )


async def _given_accounts(
    pool: asyncpg.Pool, business: str, states: list[dict[str, Any]]
) -> dict[str, Account]:
    for customer, state in zip(CUSTOMERS, states, strict=False):
        await pool.execute(
            "INSERT INTO accounts (business_id, account_id, customer_id, balance, last_seq,"
            " last_hash, stamps, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            business,
            uuid4(),
            customer,
            state["balance"],
            state["last_seq"],
            state["last_hash"],
            state["stamps"],
            state["status"],
        )
    return await _accounts(pool, business)


async def _accounts(pool: asyncpg.Pool, business: str) -> dict[str, Account]:
    rows = await pool.fetch("SELECT * FROM accounts WHERE business_id = $1", business)
    return {row["customer_id"]: account_from(row) for row in rows}


def _expected(
    accounts: dict[str, Account], known: dict[str, str], rows: list[BalanceRow]
) -> tuple[dict[int, str], dict[str, list[BalanceRow]]]:
    """The verdicts the port promises, and the rows each customer's posting takes."""
    verdicts: dict[int, str] = {}
    taken: dict[str, list[BalanceRow]] = {}
    seen: set[str] = set()
    for line, row in enumerate(rows, 1):
        account = accounts.get(row.customer_id)
        if row.row_key in seen:
            verdicts[line] = "repeat"
        elif row.row_key in known:
            verdicts[line] = "known" if known[row.row_key] == digest(row) else "changed"
        elif account is None:
            verdicts[line] = "no_account"
        elif account.status is AccountStatus.CLOSED:
            verdicts[line] = "closed"
        else:
            taken.setdefault(row.customer_id, []).append(row)
        seen.add(row.row_key)
    return verdicts, taken


async def _written(pool: asyncpg.Pool, account: Account) -> tuple[list[Any], list[Lot]]:
    entries = await pool.fetch(
        f"SELECT {LEDGER_COLUMNS} FROM ledger_entries"
        " WHERE business_id = $1 AND account_id = $2 AND seq > $3 ORDER BY seq",
        account.business_id,
        account.account_id,
        account.last_seq,
    )
    written = [entry_from(e) for e in entries]
    lots = await pool.fetch(
        f"SELECT {LOT_COLUMNS} FROM point_lots WHERE business_id = $1 AND entry_id = ANY($2)",
        account.business_id,
        [e.entry_id for e in written],
    )
    return written, [Lot(**dict(lot)) for lot in lots]


@settings(
    max_examples=25,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    states=st.lists(_account_state, min_size=0, max_size=len(CUSTOMERS)),
    batches=st.lists(st.lists(_row, min_size=1, max_size=10), min_size=1, max_size=3),
    streams=st.integers(1, 3),
)
async def test_set_based_opening_balances_equal_the_domains_entries_lots_and_balances(
    pool: asyncpg.Pool,
    states: list[dict[str, Any]],
    batches: list[list[dict[str, Any]]],
    streams: int,
) -> None:
    business = f"open-{next(_ids)}"  # one database for every example: a business each
    await given_programme(PostgresUnitOfWorkFactory(pool), business)
    accounts = await _given_accounts(pool, business, states)
    known: dict[str, str] = {}
    importer = ImportBatches(lambda: PostgresImportUnitOfWork(pool), FakeClock(NOW))
    write = in_streams(importer.balances, streams, dry_run=False)

    for batch in batches:
        rows = [_balance_row(business, fields) for fields in batch]
        verdicts, taken = _expected(accounts, known, rows)
        outcome = await write(list(enumerate(rows, 1)))

        assert outcome.imported == len(rows) - len(verdicts)
        assert outcome.skipped == sum(v == "known" for v in verdicts.values())
        assert [line for line, _ in outcome.rejected] == sorted(
            line for line, v in verdicts.items() if v != "known"
        )
        after = await _accounts(pool, business)
        for customer, account in accounts.items():
            posting = opening_balances(account, taken.get(customer, []), NOW)
            entries, lots = await _written(pool, account)
            assert entries == list(posting.entries)
            assert sorted(lots, key=lambda lot: lot.lot_id) == sorted(
                posting.lots.lots.values(), key=lambda lot: lot.lot_id
            )
            (expected_account,) = posting.accounts or (account,)
            got = after[customer]
            assert (got.balance, got.last_seq, got.last_hash, got.stamps, got.status) == (
                expected_account.balance,
                expected_account.last_seq,
                expected_account.last_hash,
                expected_account.stamps,
                expected_account.status,
            )
        for line, row in enumerate(rows, 1):
            if line not in verdicts:
                known[row.row_key] = digest(row)
        accounts = after
