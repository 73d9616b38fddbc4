"""Use cases on accounts: enrol, look up, history, manual adjustments, suspension."""

from __future__ import annotations

from dataclasses import dataclass, replace
from uuid import UUID, uuid4

from domain.accounts import Account, AccountStatus
from domain.adjustments import check_points_taken
from domain.commands import AdjustPoints, ChangeAccountStatus, EnrolCustomer, ListTransactions
from domain.enrolment import enrol, inline_customer_id
from domain.errors import (
    AccountNotFound,
    AlreadyEnrolled,
    IdempotencyKeyReused,
    InlineEnrolmentDisabled,
    InvalidRequest,
)
from domain.ledger import EntryKind, LedgerEntry, Source, entry_id_for
from domain.postings import post_entry
from domain.views import AccountView, TransactionPage
from ports.clock import Clock
from ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from service.use_cases.lot_keeping import keep_lots, lot_totals, policies_of, post_entries


@dataclass(frozen=True)
class AccountStatement:
    account: Account
    recent_entries: list[LedgerEntry]


def _same_adjustment(made: LedgerEntry, command: AdjustPoints) -> LedgerEntry:
    asked = (command.account_id, command.points, command.reason.strip())
    if (made.account_id, made.points, made.reason) != asked:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used for a different adjustment."
        )
    return made


class Accounts:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    async def enrol(self, command: EnrolCustomer) -> AccountView:
        """Open the customer's account, with the welcome bonus when the programme has one."""
        async with self._uow_factory() as uow:
            programme = await uow.programmes.get(command.business_id)
            customer_id = command.customer_id
            if customer_id is None:
                if not command.phone:
                    raise InvalidRequest("Give a customer_id, or a phone and name.")
                if programme is None or not programme.inline_enrolment:
                    raise InlineEnrolmentDisabled(
                        "This programme does not allow enrolling by phone at the till."
                    )
                customer_id = inline_customer_id(command.phone)
            existing = await uow.accounts.by_customer(command.business_id, customer_id)
            if existing is not None:
                raise AlreadyEnrolled(existing.account_id, customer_id)
            account, entries = enrol(
                programme,
                business_id=command.business_id,
                customer_id=customer_id,
                account_id=uuid4(),
                at=self._clock.now(),
                attribution=command.attribution,
            )
            account = replace(account, phone=command.phone, name=command.name)
            await uow.accounts.add(account)
            await uow.ledger.append(entries)
            await keep_lots(uow, entries, policies_of(programme))
            await uow.commit()
        return AccountView(account)

    async def account(self, business_id: str, account_id: UUID) -> AccountView:
        async with self._uow_factory() as uow:
            account = await uow.accounts.by_id(business_id, account_id)
            return await self._view(uow, account)

    async def account_by_customer(self, business_id: str, customer_id: str) -> AccountView:
        async with self._uow_factory() as uow:
            account = await uow.accounts.by_customer(business_id, customer_id)
            return await self._view(uow, account)

    async def statement(
        self, business_id: str, customer_id: str, limit: int = 20
    ) -> AccountStatement | None:
        async with self._uow_factory() as uow:
            account = await uow.accounts.by_customer(business_id, customer_id)
            if account is None:
                return None
            entries = await uow.ledger.recent(business_id, account.account_id, limit)
        return AccountStatement(account, entries)

    async def transactions(self, command: ListTransactions) -> TransactionPage:
        async with self._uow_factory() as uow:
            account = await uow.accounts.by_id(command.business_id, command.account_id)
            if account is None:
                raise AccountNotFound("No such loyalty account.")
            entries = await uow.ledger.page(
                command.business_id,
                command.account_id,
                command.before_seq,
                command.kind,
                command.limit + 1,
            )
        more = len(entries) > command.limit
        entries = entries[: command.limit]
        return TransactionPage(entries, entries[-1].seq if more and entries else None)

    async def adjust(self, command: AdjustPoints) -> LedgerEntry:
        """Post a manual adjustment. Its idempotency key names its entry (the entry id derives
        from it), so a retry finds the entry its first attempt made and posts nothing; the
        same key for another account, amount or reason is refused."""
        if command.points == 0 or not command.reason.strip():
            raise InvalidRequest("An adjustment needs non-zero points and a reason.")
        key = command.idempotency_key
        origin = f"adjustment:{key if key is not None else uuid4()}"
        async with self._uow_factory() as uow:
            account = await self._lock(uow, command.business_id, command.account_id)
            if key is not None:
                entry_id = entry_id_for(command.business_id, origin, EntryKind.ADJUSTMENT)
                made = await uow.ledger.entry(command.business_id, entry_id)
                if made is not None:
                    return _same_adjustment(made, command)
            now = self._clock.now()
            held = await uow.redemptions.held_points(account.business_id, account.account_id, now)
            check_points_taken(command.points, account.balance, held)
            account, entry = post_entry(
                account,
                kind=EntryKind.ADJUSTMENT,
                points=command.points,
                source=Source.ADMIN,
                source_ref=origin,
                origin=origin,
                at=self._clock.now(),
                attribution=command.attribution,
                reason=command.reason.strip(),
            )
            programme = await uow.programmes.get(command.business_id)
            await post_entries(uow, [account], [entry], policies_of(programme))
            await uow.commit()
        return entry

    async def change_status(self, command: ChangeAccountStatus) -> AccountView:
        """Suspend or reactivate; each change is a zero-point ledger entry for the record."""
        target = AccountStatus.SUSPENDED if command.suspend else AccountStatus.ACTIVE
        async with self._uow_factory() as uow:
            account = await self._lock(uow, command.business_id, command.account_id)
            if account.status is AccountStatus.CLOSED:
                raise InvalidRequest("This account is closed.")
            if account.status is not target:
                kind = EntryKind.SUSPENSION if command.suspend else EntryKind.REACTIVATION
                account, entry = post_entry(
                    replace(account, status=target),
                    kind=kind,
                    points=0,
                    source=Source.ADMIN,
                    source_ref=str(account.account_id),
                    origin=f"{kind.value}:{uuid4()}",
                    at=self._clock.now(),
                    attribution=command.attribution,
                    reason=command.reason,
                )
                await uow.ledger.append([entry])
                await uow.accounts.save_balances([account])
                await uow.commit()
            return await self._view(uow, account)

    async def _lock(self, uow: UnitOfWork, business_id: str, account_id: UUID) -> Account:
        account = await uow.accounts.lock(business_id, account_id)
        if account is None:
            raise AccountNotFound("No such loyalty account.")
        return account

    async def _view(self, uow: UnitOfWork, account: Account | None) -> AccountView:
        if account is None:
            raise AccountNotFound("No such loyalty account.")
        now = self._clock.now()
        held = await uow.redemptions.held_points(account.business_id, account.account_id, now)
        return AccountView(account, held, await lot_totals(uow, account, now))
