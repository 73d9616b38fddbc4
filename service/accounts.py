"""Use cases: enrol a customer; read an account's balance and recent entries."""

from __future__ import annotations

from dataclasses import dataclass, field
from uuid import uuid4

from domain.accounts import Account
from domain.enrolment import enrol
from domain.ledger import Attribution, LedgerEntry
from ports.clock import Clock
from ports.unit_of_work import UnitOfWorkFactory


class AlreadyEnrolled(Exception):
    def __init__(self, account: Account) -> None:
        super().__init__(f"customer {account.customer_id} is already enrolled")
        self.account = account


@dataclass(frozen=True)
class EnrolCustomer:
    business_id: str
    customer_id: str
    attribution: Attribution = field(default_factory=Attribution)


@dataclass(frozen=True)
class AccountStatement:
    account: Account
    recent_entries: list[LedgerEntry]


async def enrol_customer(
    command: EnrolCustomer, uow_factory: UnitOfWorkFactory, clock: Clock
) -> Account:
    """Open the customer's account, with the welcome bonus when the programme has one."""
    async with uow_factory() as uow:
        existing = await uow.accounts.by_customer(command.business_id, command.customer_id)
        if existing is not None:
            raise AlreadyEnrolled(existing)
        programme = await uow.programmes.get(command.business_id)
        account, entries = enrol(
            programme,
            business_id=command.business_id,
            customer_id=command.customer_id,
            account_id=uuid4(),
            at=clock.now(),
            attribution=command.attribution,
        )
        await uow.accounts.add(account)
        await uow.ledger.append(entries)
        await uow.commit()
    return account


async def account_statement(
    business_id: str, customer_id: str, uow_factory: UnitOfWorkFactory, limit: int = 20
) -> AccountStatement | None:
    async with uow_factory() as uow:
        account = await uow.accounts.by_customer(business_id, customer_id)
        if account is None:
            return None
        entries = await uow.ledger.recent(business_id, account.account_id, limit)
    return AccountStatement(account, entries)
