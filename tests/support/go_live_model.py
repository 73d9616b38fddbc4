"""The go-live history's model (``tests/integration/test_go_live_history.py``): who holds what,
what each sale earned and was returned, the referrals and where merges moved them; and the
helpers its rules share (what a customer id or identifier reaches now, points earned and taken
back). The invariant: every balance equals its entries and the model's."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

import asyncpg
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
)

from adapters.phone_numbers import phone_identifier
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.events import EventKind
from domain.identifiers import Identifier, card
from domain.imports import BalanceRow
from domain.referrals import ReferralPolicy
from service.use_cases.accounts import Accounts
from service.use_cases.verification import verify_ledger
from tests.fakes.clock import FakeClock
from tests.integration.conftest import given_programme

_serials = itertools.count(1)

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


class GoLiveModel(RuleBasedStateMachine):
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

    def open_referred(self) -> list[UUID]:
        return [*dict.fromkeys(r.referred for r in self.referrals if self.members[r.referred].open)]

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
