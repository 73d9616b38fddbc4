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
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from adapters.kafka.parsing import parse_intake
from adapters.phone_numbers import phone_identifier
from adapters.postgres.erasure import PostgresErasure
from adapters.postgres.imports import PostgresImportUnitOfWork
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.commands import CaptureRedemption, EnrolCustomer, Redeem
from domain.customer_updates import CustomerUpdate
from domain.erasure import EraseCustomer
from domain.events import EventKind
from domain.identifiers import Identifier, card
from domain.imports import BalanceRow
from domain.merges import MergeAccounts, MergeLinksReferral
from domain.referrals import ReferralPolicy
from service.use_cases.accounts import Accounts
from service.use_cases.erasure import Erasures
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.identifiers import Identifiers
from service.use_cases.imports import ImportBatches
from service.use_cases.merges import Merges
from service.use_cases.redemptions import Redemptions
from service.use_cases.verification import verify_ledger
from tests.fakes.clock import FakeClock
from tests.integration.conftest import given_programme
from tests.support.events import customer_return, parsed, sale
from tests.support.settings import fresh_database

pytestmark = pytest.mark.integration

HISTORIES = int(os.environ.get("LOYALTY_GO_LIVE_HISTORIES", "8"))
_serials = itertools.count(1)
_databases = itertools.count(1)
SALE = EventKind.SALE_COMPLETED
REFERRAL = ReferralPolicy(referrer_points=50, referred_points=20, return_window_days=30)

BALANCES = """
SELECT a.account_id, a.balance, coalesce(sum(e.points), 0) AS entries
  FROM accounts AS a LEFT JOIN ledger_entries AS e USING (business_id, account_id)
 WHERE a.business_id = $1 GROUP BY a.account_id, a.balance
"""


@dataclass
class Member:
    customer_id: str
    balance: int = 0
    open: bool = True
    name: str | None = None
    held: set[Identifier] = field(default_factory=set)
    owes_for_returns: bool = False
    """Went below zero by a reversal after its points were spent (the only way it may)."""


@dataclass
class Bought:
    sale_id: str
    account_id: UUID
    cents: int
    earned: int
    refunded: int = 0
    reversed: int = 0


@dataclass
class Referred:
    """A referral as the model follows it: the accounts holding its two sides now (a merge
    moves them as ``AccountMergeRepository.move_referrals`` says), and what it paid."""

    referred: UUID
    referrer: UUID
    sale_id: str | None = None
    paid: dict[str, int] = field(default_factory=dict)
    reversed: bool = False


class GoLiveHistory(RuleBasedStateMachine):
    """Subclassed by the test with the ``loop`` and ``pool`` every example shares."""

    loop: asyncio.AbstractEventLoop
    pool: asyncpg.Pool
    text_columns: list[tuple[str, str]]

    def __init__(self) -> None:
        super().__init__()
        self.serial = next(_serials)
        self.shop = f"golive-{self.serial}-{uuid4().hex[:6]}"
        self.clock = FakeClock()
        self.uows = PostgresUnitOfWorkFactory(self.pool)
        self.accounts = Accounts(self.uows, self.clock)
        self.members: dict[UUID, Member] = {}
        self.forwards: dict[str, UUID] = {}  # a merged-away customer id: its account then
        self.sales: list[Bought] = []
        self.imported: list[BalanceRow] = []
        self.referrals: list[Referred] = []
        self.issued = self.taken = 0
        self.numbers = itertools.count(1)
        self.updated_minutes = itertools.count(1)
        self.run(
            given_programme(self.uows, self.shop, "1", inline_enrolment=True, referral=REFERRAL)
        )

    def run(self, work: Any) -> Any:
        return self.loop.run_until_complete(work)

    # What a customer id, phone or card reaches now, as the model says.
    def reach(self, customer_id: str) -> UUID | None:
        found = [a for a, m in self.members.items() if m.customer_id == customer_id]
        account = found[0] if found else None
        if account is not None and not self.members[account].open:
            account = self.forwards.get(customer_id)
        return account

    def holder(self, identifier: Identifier) -> UUID | None:
        return next((a for a, m in self.members.items() if identifier in m.held), None)

    def fresh(self) -> tuple[int, Identifier, Identifier, str]:
        n = next(self.numbers)
        # +44 780 then 7 digits is valid for any of them (7911 3xx is not)
        phone = phone_identifier(f"+44 780{self.serial % 10000:04d}{n:03d}")
        return n, phone, card(f"6011{self.serial % 10000:04d}{n:04d}"), f"Ann-{self.serial}-{n}-Z"

    def open_accounts(self) -> list[UUID]:
        return [a for a, m in self.members.items() if m.open]  # enrolment order: ids are random

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

    @precondition(lambda self: self.open_accounts())
    @rule(data=st.data())
    def enrol_referred(self, data: st.DataObject) -> None:
        # Any card's code, a merged-away one's too: it refers for the survivor.
        named = data.draw(st.sampled_from(list(self.members)))
        code = self.run(
            self.pool.fetchval(
                "SELECT code FROM referral_codes WHERE business_id = $1 AND account_id = $2",
                self.shop,
                named,
            )
        )
        referrer = self.forwards.get(self.members[named].customer_id, named)
        n, *_ = self.fresh()
        view = self.run(self.accounts.enrol(EnrolCustomer(self.shop, f"c{n}", referral_code=code)))
        self.members[view.account.account_id] = Member(f"c{n}")
        self.referrals.append(Referred(view.account.account_id, referrer))

    # Three rules, one sale path each: sales are what most histories should be made of.
    @precondition(lambda self: self.members)
    @rule(data=st.data(), cents=st.integers(1, 40_000))
    def sale_for_a_customer_id(self, data: st.DataObject, cents: int) -> None:
        self.sale(data, cents, "id")

    @precondition(lambda self: self.open_referred())
    @rule(data=st.data(), cents=st.integers(100, 40_000))
    def sale_for_a_referred_customer(self, data: st.DataObject, cents: int) -> None:
        self.sale(data, cents, "referred")

    @precondition(lambda self: self.members)
    @rule(data=st.data(), cents=st.integers(1, 40_000))
    def sale_by_phone(self, data: st.DataObject, cents: int) -> None:
        self.sale(data, cents, "phone")

    @precondition(lambda self: self.members)
    @rule(data=st.data(), cents=st.integers(1, 40_000))
    def sale_by_card(self, data: st.DataObject, cents: int) -> None:
        self.sale(data, cents, "card")

    def sale(self, data: st.DataObject, cents: int, by: str) -> None:
        named: dict[str, Any] = {}
        if by in ("id", "referred"):
            known = [
                *dict.fromkeys([*(m.customer_id for m in self.members.values()), *self.forwards])
            ]
            if by == "referred":  # first sales pay referrals, which merges must carry
                known = [self.members[account].customer_id for account in self.open_referred()]
            customer = data.draw(st.sampled_from(known))
            expected = self.reach(customer)
            named["customer_id"] = customer
        else:
            kind = "phone" if by == "phone" else "card"
            held = sorted(
                (i for m in self.members.values() for i in m.held if i.kind.value == kind),
                key=lambda i: i.value,
            )
            if not held:
                return
            identifier = data.draw(st.sampled_from(held))
            expected = self.holder(identifier)
            found = self.run(
                Identifiers(self.accounts).account_by_identifier(self.shop, identifier)
            )
            assert found.account.account_id == expected
            named["customer_id"] = None
            named["customer_phone" if kind == "phone" else "card_number"] = identifier.value
        customer_id = named.pop("customer_id")
        total = f"{Decimal(cents) / 100:.2f}"
        payload = sale(self.shop, customer_id, total, occurred_at=self.clock.now().isoformat())
        payload.update(named)
        changes = self.run(ApplyEventBatch(self.uows, self.clock)([parsed(SALE, payload)]))
        earned = cents // 100
        landed = {e.account_id for e in changes.entries}
        if expected is None or earned == 0:
            assert landed <= ({expected} if expected else set()), (landed, expected)
            return
        self.sales.append(Bought(payload["sale_id"], expected, cents, earned))
        self.earn(expected, earned)
        bonused = self.first_sale_of_a_referred(expected, payload["sale_id"])
        assert landed == {expected} | bonused, (landed, expected, payload)

    def first_sale_of_a_referred(self, account: UUID, sale_id: str) -> set[UUID]:
        """Both bonuses (the referrer's if its account is open), once: the accounts paid."""
        referral = next((r for r in self.referrals if r.referred == account), None)
        if referral is None or referral.sale_id is not None:
            return set()
        referral.sale_id = sale_id
        referral.paid["referred"] = REFERRAL.referred_points
        self.earn(account, REFERRAL.referred_points)
        if not self.members[referral.referrer].open:
            return {account}
        referral.paid["referrer"] = REFERRAL.referrer_points
        self.earn(referral.referrer, REFERRAL.referrer_points)
        return {account, referral.referrer}

    def take_back(self, account: UUID, points: int) -> None:
        member = self.members[account]
        member.balance -= points
        self.taken += points
        if member.balance < 0:
            member.owes_for_returns = True

    def earn(self, account: UUID, points: int) -> None:
        member = self.members[account]
        member.balance += points
        self.issued += points
        if member.balance >= 0:
            member.owes_for_returns = False

    @precondition(lambda self: any(s.refunded < s.cents for s in self.sales))
    @rule(data=st.data(), share=st.integers(1, 100))
    def partial_return(self, data: st.DataObject, share: int) -> None:
        # A sale of an account merged away reverses on the survivor (``merge`` re-points it).
        bought = data.draw(st.sampled_from([s for s in self.sales if s.refunded < s.cents]))
        self.returned(bought, share)

    def referrals_sales(self) -> list[Bought]:
        paying = {r.sale_id for r in self.referrals if not r.reversed}
        return [s for s in self.sales if s.sale_id in paying and s.refunded < s.cents]

    @precondition(lambda self: self.referrals_sales())
    @rule(data=st.data())
    def return_a_referrals_sale_in_full(self, data: st.DataObject) -> None:
        self.returned(data.draw(st.sampled_from(self.referrals_sales())), 100)

    def returned(self, bought: Bought, share: int) -> None:
        cents = max(1, (bought.cents - bought.refunded) * share // 100)
        amount = f"{Decimal(cents) / 100:.2f}"
        payload = customer_return(
            self.shop, bought.sale_id, amount, occurred_at=self.clock.now().isoformat()
        )
        self.run(
            ApplyEventBatch(self.uows, self.clock)(
                [parsed(EventKind.CUSTOMER_RETURN_CREATED, payload)]
            )
        )
        bought.refunded += cents
        due = bought.earned * min(bought.refunded, bought.cents) // bought.cents - bought.reversed
        bought.reversed += due
        self.take_back(bought.account_id, due)
        if bought.refunded >= bought.cents:  # in full, inside the window: both bonuses back
            for referral in self.referrals:
                if referral.sale_id == bought.sale_id and not referral.reversed:
                    referral.reversed = True
                    for side, points in referral.paid.items():
                        holder = getattr(referral, side)
                        if self.members[holder].open:  # closing forfeited what it held
                            self.take_back(holder, points)

    @precondition(lambda self: any(m.open and m.balance > 0 for m in self.members.values()))
    @rule(data=st.data(), hold=st.booleans())
    def redeem(self, data: st.DataObject, hold: bool) -> None:
        rich = [a for a in self.open_accounts() if self.members[a].balance > 0]
        account = data.draw(st.sampled_from(rich))
        points = data.draw(st.integers(1, self.members[account].balance))
        key = uuid4().hex
        till = Redemptions(self.uows, self.clock)
        command = Redeem(self.shop, account, points, key, key, hold=hold)
        result = self.run(till.redeem(command))
        assert result.redemption.points == points
        if hold:  # captured at once: a live hold would only refuse the merges
            self.run(till.capture(CaptureRedemption(self.shop, result.redemption.redemption_id)))
        self.members[account].balance -= points
        self.taken += points

    @precondition(lambda self: len([m for m in self.members.values() if m.open]) >= 2)
    @rule(data=st.data())
    def merge(self, data: st.DataObject) -> None:
        self.merge_two_of(data, self.open_accounts())

    @precondition(lambda self: len(self.open_referred()) >= 2)
    @rule(data=st.data())
    def merge_two_referred(self, data: st.DataObject) -> None:
        """Where merges meet referrals: each account holds one referral, and may have paid."""
        self.merge_two_of(data, self.open_referred())

    def open_referred(self) -> list[UUID]:
        return [*dict.fromkeys(r.referred for r in self.referrals if self.members[r.referred].open)]

    def merge_two_of(self, data: st.DataObject, accounts: list[UUID]) -> None:
        survivor, merged = data.draw(
            st.lists(st.sampled_from(accounts), min_size=2, max_size=2, unique=True)
        )
        between = [r for r in self.referrals if {r.referred, r.referrer} == {survivor, merged}]
        merging = Merges(self.uows, self.clock).merge(MergeAccounts(self.shop, survivor, merged))
        dropped = [r for r in between if r.sale_id is None]  # never paid: nobody refers oneself
        staying = [r for r in self.referrals if r not in dropped]
        # Refused while a return may still take bonuses back that the merge would put out of
        # its reach: between the two, or the merged one's own when the survivor has its own.
        stranded = any(r.referred == survivor for r in staying) and [
            r for r in staying if r.referred == merged and r.referrer != survivor
        ]
        if any(r.paid and not r.reversed for r in [*between, *(stranded or [])]):
            with pytest.raises(MergeLinksReferral):
                self.run(merging)
            return
        result = self.run(merging)
        self.referrals = staying
        kept, gone = self.members[survivor], self.members[merged]
        assert result.moved_points == gone.balance
        kept.balance += gone.balance
        kept.owes_for_returns = kept.balance < 0 and (
            kept.owes_for_returns or gone.owes_for_returns
        )
        kept.held |= gone.held
        kept.name = kept.name or gone.name
        gone.balance, gone.held, gone.name, gone.open = 0, set(), None, False
        self.forwards[gone.customer_id] = survivor
        survivor_referred = any(r.referred == survivor for r in self.referrals)
        for referral in self.referrals:  # no referral of oneself, one per account
            if referral.referred == merged:
                if referral.referrer != survivor and not survivor_referred:
                    referral.referred = survivor
            elif referral.referrer == merged and referral.referred != survivor:
                referral.referrer = survivor
        for bought in self.sales:  # their returns reverse on the survivor, which has the points
            if bought.account_id == merged:
                bought.account_id = survivor
        for customer, account in list(self.forwards.items()):
            if account == merged:
                self.forwards[customer] = survivor

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

    @invariant()
    def balances_equal_entries_and_the_model(self) -> None:
        rows = self.run(self.pool.fetch(BALANCES, self.shop))
        stored = {r["account_id"]: r["balance"] for r in rows}
        assert all(r["balance"] == r["entries"] for r in rows), rows
        assert stored == {a: m.balance for a, m in self.members.items()}
        assert sum(stored.values()) == self.issued - self.taken
        for account, balance in stored.items():
            assert balance >= 0 or self.members[account].owes_for_returns, account

    def teardown(self) -> None:
        report = self.run(verify_ledger(self.uows, self.shop, outbox_max_age_seconds=3600))
        assert report.breaches == []


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
