"""In-memory programme, accounts and ledger: the part of the fake operations without redemptions."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from uuid import UUID, uuid4

from domain import errors
from domain.accounts import Account, AccountStatus
from domain.commands import (
    AdjustPoints,
    ChangeAccountStatus,
    EnrolCustomer,
    ListTransactions,
    SetProgramme,
)
from domain.enrolment import enrol, inline_customer_id
from domain.ledger import Attribution, EntryKind, LedgerEntry, Source
from domain.postings import post_entry
from domain.programme import Programme, RuleVersion
from domain.redemption import Redemption, RedemptionStatus
from domain.views import AccountView, RedemptionResult, TransactionPage

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@dataclass
class FakeClock:
    moment: datetime = NOW

    def now(self) -> datetime:
        return self.moment


@dataclass
class FakeHealth:
    checks: dict[str, bool] = field(default_factory=lambda: {"database": True, "broker": True})
    fail_with: Exception | None = None

    async def __call__(self) -> dict[str, bool]:
        if self.fail_with is not None:
            raise self.fail_with
        return dict(self.checks)


@dataclass
class FakeAccounts:
    clock: FakeClock = field(default_factory=FakeClock)
    programmes: dict[str, Programme] = field(default_factory=dict)
    accounts: dict[UUID, Account] = field(default_factory=dict)
    entries: dict[UUID, list[LedgerEntry]] = field(default_factory=dict)
    redemptions: dict[UUID, Redemption] = field(default_factory=dict)
    answered: dict[tuple[str, str], tuple[str, RedemptionResult]] = field(default_factory=dict)
    commands: list[object] = field(default_factory=list)
    fail_with: Exception | None = None

    def seed(self, business_id: str, customer_id: str, points: int = 0) -> UUID:
        """An enrolled customer with ``points`` earned, straight in the store."""
        account = Account(business_id=business_id, account_id=uuid4(), customer_id=customer_id)
        self.accounts[account.account_id] = account
        self.entries[account.account_id] = []
        if points:
            self._post(account, EntryKind.EARN, points, Attribution())
        return account.account_id

    def _seen(self, command: object) -> None:
        self.commands.append(command)
        if self.fail_with is not None:
            raise self.fail_with

    def _account(self, business_id: str, account_id: UUID) -> Account:
        found = self.accounts.get(account_id)
        if found is None or found.business_id != business_id:
            raise errors.AccountNotFound("We could not find that loyalty account.")
        return found

    def _view(self, account: Account) -> AccountView:
        return AccountView(account, held=self._held(account.account_id))

    def _held(self, account_id: UUID) -> int:
        now = self.clock.now()
        return sum(
            r.points
            for r in self.redemptions.values()
            if r.account_id == account_id and r.status_at(now) is RedemptionStatus.HELD
        )

    def _post(
        self, account: Account, kind: EntryKind, points: int, by: Attribution, reason: str = ""
    ) -> LedgerEntry:
        moved, entry = post_entry(
            account,
            kind=kind,
            points=points,
            source=Source.POS,
            source_ref=str(account.account_id),
            origin=str(uuid4()),
            at=self.clock.now(),
            attribution=by,
            reason=reason or None,
        )
        self.accounts[moved.account_id] = moved
        self.entries.setdefault(moved.account_id, []).append(entry)
        return entry

    async def programme(self, business_id: str) -> Programme:
        self._seen(business_id)
        if business_id not in self.programmes:
            raise errors.ProgrammeNotFound("This business has no loyalty programme yet.")
        return self.programmes[business_id]

    async def set_programme(self, command: SetProgramme) -> Programme:
        self._seen(command)
        old = self.programmes.get(command.business_id) or Programme(command.business_id, "Points")
        rule = RuleVersion(
            version=old.next_version(),
            effective_from=command.effective_from or self.clock.now(),
            earn_rate=command.earn_rate,
            redemption_rate=command.redemption_rate,
            multiplier=command.multiplier,
            max_discount=command.max_discount,
            min_balance_to_redeem=command.min_balance_to_redeem,
        )
        settings = {
            name: getattr(command, name)
            for name in ("name", "active", "inline_enrolment", "welcome_bonus", "hold_minutes")
            if getattr(command, name) is not None
        }
        new = replace(old, **settings, rules=(*old.rules, rule))
        self.programmes[command.business_id] = new
        return new

    async def enrol(self, command: EnrolCustomer) -> AccountView:
        self._seen(command)
        programme = self.programmes.get(command.business_id)
        customer_id = command.customer_id
        if customer_id is None:
            if programme is None or not programme.inline_enrolment:
                raise errors.InlineEnrolmentDisabled("Enrolment by phone is not enabled here.")
            customer_id = inline_customer_id(command.phone or "")
        for existing in self.accounts.values():
            if (existing.business_id, existing.customer_id) == (command.business_id, customer_id):
                raise errors.AlreadyEnrolled(existing.account_id, customer_id)
        account, bonus = enrol(
            programme,
            business_id=command.business_id,
            customer_id=customer_id,
            account_id=uuid4(),
            at=self.clock.now(),
            attribution=command.attribution,
        )
        self.accounts[account.account_id] = replace(account, phone=command.phone, name=command.name)
        self.entries[account.account_id] = bonus
        return self._view(self.accounts[account.account_id])

    async def account(self, business_id: str, account_id: UUID) -> AccountView:
        self._seen(account_id)
        return self._view(self._account(business_id, account_id))

    async def account_by_customer(self, business_id: str, customer_id: str) -> AccountView:
        self._seen(customer_id)
        for account in self.accounts.values():
            if (account.business_id, account.customer_id) == (business_id, customer_id):
                return self._view(account)
        raise errors.AccountNotFound("This customer is not enrolled yet.")

    async def transactions(self, command: ListTransactions) -> TransactionPage:
        self._seen(command)
        self._account(command.business_id, command.account_id)
        newest_first = [
            entry
            for entry in reversed(self.entries.get(command.account_id, []))
            if (command.before_seq is None or entry.seq < command.before_seq)
            and (command.kind is None or entry.kind == command.kind)
        ]
        page = newest_first[: command.limit]
        more = len(newest_first) > command.limit
        return TransactionPage(page, page[-1].seq if more else None)

    async def adjust(self, command: AdjustPoints) -> LedgerEntry:
        self._seen(command)
        account = self._account(command.business_id, command.account_id)
        if account.balance + command.points < 0:
            raise errors.InvalidRequest("That would take the balance below zero.")
        return self._post(
            account, EntryKind.ADJUSTMENT, command.points, command.attribution, command.reason
        )

    async def change_status(self, command: ChangeAccountStatus) -> AccountView:
        self._seen(command)
        account = self._account(command.business_id, command.account_id)
        kind = EntryKind.SUSPENSION if command.suspend else EntryKind.REACTIVATION
        self._post(account, kind, 0, command.attribution, command.reason or "")
        status = AccountStatus.SUSPENDED if command.suspend else AccountStatus.ACTIVE
        self.accounts[account.account_id] = replace(
            self.accounts[account.account_id], status=status
        )
        return self._view(self.accounts[account.account_id])
