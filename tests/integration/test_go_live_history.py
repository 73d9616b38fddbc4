"""Random go-live histories on real PostgreSQL (#18): enrolments by customer id and inline by
phone, sales by customer id, phone or card, partial returns, redemptions, merges, erasures,
customer.updated phone changes, imported opening balances (each row twice) and referrals (the
first sale pays both sides, a full return takes both back from wherever a merge moved them),
against a small model of who holds what. After every step each balance equals its entries and
the model's (points moved by merges, never made or lost); a sale by a phone or card reaches
its holder now; an erased customer's data is in no table; at the end ``verify`` finds no
breach."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
from datetime import timedelta
from typing import Any
from uuid import uuid4

import asyncpg
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule, run_state_machine_as_test

from adapters.kafka.parsing import parse_intake
from adapters.postgres.erasure import PostgresErasure
from adapters.postgres.imports import PostgresImportUnitOfWork
from domain.commands import EnrolCustomer
from domain.customer_updates import CustomerUpdate
from domain.erasure import EraseCustomer
from domain.events import EventKind
from domain.imports import BalanceRow
from service.use_cases.erasure import Erasures
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.imports import ImportBatches
from tests.support.go_live_merges import MergesAndReferrals
from tests.support.go_live_model import Member
from tests.support.settings import fresh_database

pytestmark = pytest.mark.integration

HISTORIES = int(os.environ.get("LOYALTY_GO_LIVE_HISTORIES", "8"))
_databases = itertools.count(1)


class GoLiveHistory(MergesAndReferrals):
    """Enrolments, erasures, phone changes and imports; sales, returns, redemptions,
    referrals and merges come from its bases (``tests/support/go_live_*.py``)."""

    @rule(with_card=st.booleans(), named=st.booleans())
    def enrol_by_customer_id(self, with_card: bool, named: bool) -> None:
        n, _, number, name = self.fresh()
        ids = (number,) if with_card else ()
        command = EnrolCustomer(self.shop, f"c{n}", identifiers=ids, name=name if named else None)
        view = self.run(self.accounts.enrol(command))
        self.members[view.account.account_id] = Member(f"c{n}", name=command.name, held=set(ids))

    @rule(named=st.booleans())
    def enrol_inline_by_phone(self, named: bool) -> None:
        _, phone, _, name = self.fresh()
        command = EnrolCustomer(self.shop, identifiers=(phone,), name=name if named else None)
        view = self.run(self.accounts.enrol(command))
        assert view.account.customer_id.startswith("cust_")
        self.members[view.account.account_id] = Member(
            view.account.customer_id, name=command.name, held={phone}
        )

    @precondition(lambda self: self.members)
    @rule(data=st.data())
    def erase(self, data: st.DataObject) -> None:
        account = data.draw(st.sampled_from(list(self.members)))
        member = self.members[account]
        needles = [i.value.removeprefix("+44") for i in member.held]  # national digits too
        needles += [member.name] if member.name else []
        store = Erasures(PostgresErasure(self.pool), self.clock)
        self.run(store.erase(EraseCustomer(self.shop, str(account), actor="dpo")))
        member.held, member.name = set(), None
        assert self.run(self.personal_data(needles)) == []
        balance = self.run(
            self.pool.fetchval("SELECT balance FROM accounts WHERE account_id = $1", account)
        )
        assert balance == member.balance

    async def personal_data(self, needles: list[str]) -> list[str]:
        if not needles:
            return []
        patterns = [f"%{n}%" for n in needles]
        found = []
        async with self.pool.acquire() as connection:
            for table, column in self.text_columns:
                hit = await connection.fetchval(
                    f'SELECT count(*) FROM "{table}" WHERE "{column}"::text LIKE ANY($1)', patterns
                )
                if hit:
                    found.append(f"{table}.{column}")
        return found

    @precondition(lambda self: self.members)
    @rule(data=st.data(), taken=st.booleans())
    def change_phone(self, data: st.DataObject, taken: bool) -> None:
        opened = (m.customer_id for m in self.members.values() if m.open)
        known = [*dict.fromkeys([*opened, *self.forwards])]
        customer = data.draw(st.sampled_from(known))
        account = self.reach(customer)
        assert account is not None
        others = sorted(
            (
                i
                for a, m in self.members.items()
                if a != account
                for i in m.held
                if i.kind.value == "phone"
            ),
            key=lambda i: i.value,
        )
        phone = data.draw(st.sampled_from(others)) if taken and others else self.fresh()[1]
        document = {
            "event_id": f"u-{uuid4().hex}",
            "occurred_at": (
                self.clock.now() + timedelta(minutes=next(self.updated_minutes))
            ).isoformat(),
            "business_id": self.shop,
            "customer_id": customer,
            "type": "updated",
            "phone": phone.value,
        }
        update = parse_intake(EventKind.CUSTOMER_UPDATED, json.dumps(document).encode())
        assert isinstance(update, CustomerUpdate), update
        changes = self.run(ApplyEventBatch(self.uows, self.clock)([update]))
        holder = self.holder(phone)
        if holder is not None and holder != account:
            assert [r.split(":")[0] for _, r in changes.failed] == ["identifier_taken"]
            return
        assert not changes.failed, changes.failed
        member = self.members[account]
        member.held = {i for i in member.held if i.kind.value != "phone"} | {phone}

    @precondition(lambda self: self.members)
    @rule(data=st.data(), points=st.integers(1, 500))
    def import_opening_balance(self, data: st.DataObject, points: int) -> None:
        account = data.draw(st.sampled_from(list(self.members)))
        member = self.members[account]
        row = BalanceRow(
            self.shop, member.customer_id, f"row-{next(self.numbers)}", points, None, None, None
        )
        outcome = self.run(self.import_rows([row]))
        if not member.open:
            assert (outcome.imported, len(outcome.rejected)) == (0, 1)
            return
        assert (outcome.imported, outcome.rejected) == (1, [])
        self.imported.append(row)
        self.earn(account, points)
        again = self.run(self.import_rows([row]))
        assert (again.imported, again.skipped, again.rejected) == (0, 1, [])

    @precondition(lambda self: self.imported)
    @rule(data=st.data())
    def import_an_earlier_row_again(self, data: st.DataObject) -> None:
        row = data.draw(st.sampled_from(self.imported))
        again = self.run(self.import_rows([row]))
        assert (again.imported, again.skipped, again.rejected) == (0, 1, [])

    async def import_rows(self, rows: list[BalanceRow]) -> Any:
        batches = ImportBatches(lambda: PostgresImportUnitOfWork(self.pool), self.clock)
        return await batches.balances(list(enumerate(rows, 1)))


TEXT_COLUMNS = """
SELECT table_name, column_name FROM information_schema.columns
 WHERE table_schema = current_schema()
   AND data_type IN ('text', 'character varying', 'json', 'jsonb', 'ARRAY')
"""


SEARCHED = """
SELECT 'entries:' || kind, count(*) FROM ledger_entries GROUP BY kind
UNION ALL SELECT 'inbox:' || kind || ':' || status, count(*) FROM inbox GROUP BY kind, status
UNION ALL SELECT 'forwards', count(*) FROM account_forwards
UNION ALL SELECT 'import_rows', count(*) FROM import_rows
UNION ALL SELECT 'histories', count(DISTINCT business_id) FROM accounts
"""


async def _searched(pool: asyncpg.Pool) -> dict[str, int]:
    return {name: n for name, n in sorted(map(tuple, await pool.fetch(SEARCHED)))}


@pytest.mark.timeout(900)
def test_go_live_histories_keep_balances_lookups_erasure_and_verify(
    postgres_url: str, migrated_template: str
) -> None:
    loop = asyncio.new_event_loop()

    async def opened() -> tuple[asyncpg.Pool, list[tuple[str, str]]]:
        url = await fresh_database(
            postgres_url, f"loyalty_go_live_{os.getpid()}_{next(_databases)}", migrated_template
        )
        pool = await asyncpg.create_pool(url, min_size=1, max_size=4)
        return pool, [tuple(r) for r in await pool.fetch(TEXT_COLUMNS)]

    pool, columns = loop.run_until_complete(opened())

    class OnOneDatabase(GoLiveHistory):
        pass

    OnOneDatabase.loop, OnOneDatabase.pool, OnOneDatabase.text_columns = loop, pool, columns
    try:
        run_state_machine_as_test(
            OnOneDatabase,
            settings=settings(
                max_examples=HISTORIES,
                stateful_step_count=15,
                phases=[p for p in Phase if p is not Phase.explain],
                suppress_health_check=list(HealthCheck),
            ),
        )
        print(loop.run_until_complete(_searched(pool)))  # what the run reached (pytest -s)
    finally:
        loop.run_until_complete(pool.close())
        loop.close()
