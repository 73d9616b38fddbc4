"""Use cases on accounts: enrol, look up, history, manual adjustments, suspension, closing."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from uuid import UUID, uuid4

from domain.accounts import Account
from domain.adjustments import (
    ADJUSTMENT_KINDS,
    adjust,
    adjustment_origin,
    change_status,
    check_adjustment,
    same_adjustment,
)
from domain.closure import CloseAccount, close_account, refuse_if_closed
from domain.commands import AdjustPoints, ChangeAccountStatus, EnrolCustomer, ListTransactions
from domain.enrolment import customer_to_enrol, inline_phone, open_account
from domain.errors import AccountNotFound, AlreadyEnrolled
from domain.identifiers import Identifier
from domain.ledger import EntryKind, LedgerEntry, entry_id_for
from domain.lots import LotTotals
from domain.reports import history_kinds
from domain.stamps import StampCard
from domain.views import AccountView, TransactionPage, card_in_force, level_of
from ports.clock import Clock
from ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from service.use_cases.identifiers import attach, holder_of
from service.use_cases.referrals import account_by_code, card_of, enrolled, referrer_for


@dataclass(frozen=True)
class AccountStatement:
    account: Account
    recent_entries: list[LedgerEntry]
    stamp_card: StampCard | None = None
    identifiers: tuple[Identifier, ...] = ()
    name: str | None = None


class Accounts:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow_factory = uow_factory
        self._clock = clock

    @property
    def uow_factory(self) -> UnitOfWorkFactory:
        return self._uow_factory

    @property
    def clock(self) -> Clock:
        return self._clock

    async def enrol(self, command: EnrolCustomer) -> AccountView:
        """Open the customer's account, with the welcome bonus when the programme has one."""
        async with self._uow_factory() as uow:
            programme = await uow.programmes.get(command.business_id)
            customer_id = customer_to_enrol(command, programme, uuid4())
            phone = inline_phone(command) if command.customer_id is None else None
            if phone is not None:
                existing = await holder_of(uow, command.business_id, phone)
            else:
                existing = await uow.accounts.by_customer(command.business_id, customer_id)
            if existing is not None:
                raise AlreadyEnrolled(existing.account_id, existing.customer_id)
            referrer = await referrer_for(
                uow, command.business_id, customer_id, command.referral_code
            )
            now = self._clock.now()
            account, posting = open_account(programme, command, customer_id, uuid4(), now)
            await uow.accounts.add(account)
            await attach(uow, account, command.identifiers, inline=phone is not None)
            if command.name:
                await uow.identifiers.set_name(
                    account.business_id, account.account_id, command.name
                )
            referral = await enrolled(uow, account, referrer, now)
            await uow.ledger.post(posting)
            await uow.commit()
        # The new card shows the stamp card in force, as every later read of the account does.
        return AccountView(
            account,
            stamp_card=card_in_force(programme, now),
            referral_code=referral.code,
            referred_by=referral.referred_by,
            identifiers=tuple(sorted(command.identifiers)),
            name=command.name,
        )

    async def account(self, business_id: str, account_id: UUID) -> AccountView:
        async with self._uow_factory() as uow:
            account = await uow.accounts.by_id(business_id, account_id)
            return await self.view(uow, account)

    async def account_by_referral_code(self, business_id: str, code: str) -> AccountView:
        async with self._uow_factory() as uow:
            return await self.view(uow, await account_by_code(uow, business_id, code))

    async def account_by_customer(self, business_id: str, customer_id: str) -> AccountView:
        async with self._uow_factory() as uow:
            account = await uow.accounts.by_customer(business_id, customer_id)
            return await self.view(uow, account)

    async def statement(
        self,
        business_id: str,
        customer_id: str,
        limit: int = 20,
        kinds: Collection[EntryKind] | None = None,
    ) -> AccountStatement | None:
        """The account and its latest entries (of ``kinds`` only, when given)."""
        async with self._uow_factory() as uow:
            account = await uow.accounts.by_customer(business_id, customer_id)
            if account is None:
                return None
            wanted = None if kinds is None else [kind.value for kind in kinds]
            entries = await uow.ledger.page(business_id, account.account_id, None, wanted, limit)
            card = card_in_force(await uow.programmes.get(business_id), self._clock.now())
            identifiers = await uow.identifiers.of_account(business_id, account.account_id)
            name = await uow.identifiers.name_of(business_id, account.account_id)
        return AccountStatement(account, entries, card, tuple(identifiers), name)

    async def transactions(self, command: ListTransactions) -> TransactionPage:
        async with self._uow_factory() as uow:
            account = await uow.accounts.by_id(command.business_id, command.account_id)
            if account is None:
                raise AccountNotFound("No such loyalty account.")
            kinds = history_kinds(command.kinds, command.buckets)
            entries = await uow.ledger.page(
                command.business_id,
                command.account_id,
                command.before_seq,
                None if kinds is None else [kind.value for kind in kinds],
                command.limit + 1,
            )
        more = len(entries) > command.limit
        entries = entries[: command.limit]
        return TransactionPage(entries, entries[-1].seq if more and entries else None)

    async def adjust(self, command: AdjustPoints) -> LedgerEntry:
        """Post a manual adjustment. Its idempotency key names its entry (the entry id derives
        from it), so a retry finds the entry its first attempt made and posts nothing; the
        same key for another account, amount or reason is refused."""
        check_adjustment(command)
        origin = adjustment_origin(command, otherwise=uuid4())
        async with self._uow_factory() as uow:
            account = await self._lock(uow, command.business_id, command.account_id)
            for kind in ADJUSTMENT_KINDS if command.idempotency_key is not None else ():
                entry_id = entry_id_for(command.business_id, origin, kind)
                made = await uow.ledger.entry(command.business_id, entry_id)
                if made is not None:
                    return same_adjustment(made, command)
            refuse_if_closed(account)
            now = self._clock.now()
            key = (account.business_id, account.account_id)
            if command.stamps:
                held = await uow.rewards.held_stamps(*key, now)
            else:
                held = await uow.redemptions.held_points(*key, now)
            programme = await uow.programmes.get(command.business_id)
            open_lots = await uow.lots.open_lots([key] if command.points < 0 else [])
            posting = adjust(account, command, origin, held, programme, open_lots, now)
            await uow.ledger.post(posting)
            await uow.commit()
        return posting.entries[0]

    async def change_status(self, command: ChangeAccountStatus) -> AccountView:
        """Suspend or reactivate; each change is a zero-point ledger entry for the record."""
        async with self._uow_factory() as uow:
            account = await self._lock(uow, command.business_id, command.account_id)
            refuse_if_closed(account)
            posting = change_status(account, command, uuid4(), self._clock.now())
            if not posting.empty:
                await uow.ledger.post(posting)
                await uow.commit()
                [account] = posting.accounts
            return await self.view(uow, account)

    async def close(self, command: CloseAccount) -> AccountView:
        """Close for good: live holds cancelled, what is left forfeited by one closure entry
        (``domain.closure``). Closing a closed account changes nothing."""
        async with self._uow_factory() as uow:
            account = await self._lock(uow, command.business_id, command.account_id)
            now = self._clock.now()
            key = (account.business_id, account.account_id)
            await uow.redemptions.expire_overdue(*key, now)
            holds = await uow.live_holds.live_holds(*key, now)
            programme = await uow.programmes.get(command.business_id)
            open_lots = await uow.lots.open_lots([key])
            cancelled, posting = close_account(
                account, command, holds, programme, open_lots[key], now
            )
            if not posting.empty:
                for hold in cancelled:
                    await uow.redemptions.save(hold)
                await uow.ledger.post(posting)
                await uow.commit()
                [account] = posting.accounts
            return await self.view(uow, account)

    async def _lock(self, uow: UnitOfWork, business_id: str, account_id: UUID) -> Account:
        account = await uow.accounts.lock(business_id, account_id)
        if account is None:
            raise AccountNotFound("No such loyalty account.")
        return account

    async def view(self, uow: UnitOfWork, account: Account | None) -> AccountView:
        if account is None:
            raise AccountNotFound("No such loyalty account.")
        now = self._clock.now()
        held = await uow.redemptions.held_points(account.business_id, account.account_id, now)
        key = (account.business_id, account.account_id)
        lots = await uow.lots.open_lots([key])
        programme = await uow.programmes.get(account.business_id)
        card = card_in_force(programme, now)
        referral = await card_of(uow, account)
        identifiers = await uow.identifiers.of_account(*key)
        return AccountView(
            account,
            held,
            LotTotals.of(lots[key], now),
            card,
            referral_code=referral.code,
            referred_by=referral.referred_by,
            level=level_of(programme, account, now),
            identifiers=tuple(identifiers),
            name=await uow.identifiers.name_of(*key),
        )
