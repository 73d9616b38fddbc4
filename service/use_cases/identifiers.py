"""Identifiers on accounts: given at enrolment, found at the till, added and removed by staff.

Each identifier is unique per business; the repository's unique key decides between two
transactions giving the same one, so a race never leaves two accounts holding it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING
from uuid import UUID

from domain.accounts import Account
from domain.closure import refuse_if_closed
from domain.errors import AccountNotFound, AlreadyEnrolled
from domain.events import InboundEvent, PurchaseCompleted
from domain.identifiers import Identifier, IdentifierKind, IdentifierNotFound, IdentifierTaken
from domain.views import AccountView
from ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

if TYPE_CHECKING:  # Accounts enrols through ``attach`` below
    from service.use_cases.accounts import Accounts


async def holder_of(uow: UnitOfWork, business_id: str, identifier: Identifier) -> Account | None:
    account_id = await uow.identifiers.account_of(business_id, identifier)
    return None if account_id is None else await uow.accounts.by_id(business_id, account_id)


async def attach(
    uow: UnitOfWork, account: Account, identifiers: Iterable[Identifier], *, inline: bool
) -> None:
    """Give ``identifiers`` to ``account``. Held by another account: IdentifierTaken, or for
    the phone of an inline enrolment AlreadyEnrolled naming that account (the enrolment of the
    same phone that got there first, perhaps a moment ago in another transaction)."""
    for identifier in identifiers:
        holder = await uow.identifiers.add(account.business_id, account.account_id, identifier)
        if holder == account.account_id:
            continue
        if inline and identifier.kind is IdentifierKind.PHONE:
            other = await uow.accounts.by_id(account.business_id, holder)
            raise AlreadyEnrolled(holder, other.customer_id if other else str(holder))
        raise IdentifierTaken(f"Another account holds this {identifier.kind.value}.")


async def with_known_customers(
    uow: UnitOfWork, events: Sequence[InboundEvent]
) -> Sequence[InboundEvent]:
    """``events``, a sale or bill that names no customer_id but a known identifier naming
    the customer of the account that holds it (the first of its identifiers found)."""
    asked = {
        (e.business_id, i)
        for e in events
        if isinstance(e, PurchaseCompleted) and e.customer_id is None
        for i in e.identifiers
    }
    if not asked:
        return events
    found = await uow.identifiers.customers_of(asked)
    return [_named(e, found) if isinstance(e, PurchaseCompleted) else e for e in events]


def _named(
    event: PurchaseCompleted, found: Mapping[tuple[str, Identifier], str]
) -> PurchaseCompleted:
    if event.customer_id is not None:
        return event
    known = (found.get((event.business_id, i)) for i in event.identifiers)
    customer_id = next((c for c in known if c is not None), None)
    return event if customer_id is None else replace(event, customer_id=customer_id)


class Identifiers:
    """Identifier operations over the accounts' unit of work and views."""

    def __init__(self, accounts: Accounts) -> None:
        self._uow_factory: UnitOfWorkFactory = accounts.uow_factory
        self._accounts = accounts

    async def account_by_identifier(self, business_id: str, identifier: Identifier) -> AccountView:
        async with self._uow_factory() as uow:
            account = await holder_of(uow, business_id, identifier)
            if account is None:
                raise IdentifierNotFound(f"No account has this {identifier.kind.value}.")
            return await self._accounts.view(uow, account)

    async def add_identifier(
        self, business_id: str, account_id: UUID, identifier: Identifier
    ) -> AccountView:
        """Adding one the account holds already changes nothing; a closed account takes none
        (sales naming it would only be skipped)."""
        async with self._uow_factory() as uow:
            account = await self._account(uow, business_id, account_id)
            refuse_if_closed(account)
            await attach(uow, account, [identifier], inline=False)
            await uow.commit()
            return await self._accounts.view(uow, account)

    async def remove_identifier(
        self, business_id: str, account_id: UUID, identifier: Identifier
    ) -> AccountView:
        async with self._uow_factory() as uow:
            account = await self._account(uow, business_id, account_id)
            if not await uow.identifiers.remove(business_id, account_id, identifier):
                raise IdentifierNotFound(f"The account has no such {identifier.kind.value}.")
            await uow.commit()
            return await self._accounts.view(uow, account)

    @staticmethod
    async def _account(uow: UnitOfWork, business_id: str, account_id: UUID) -> Account:
        account = await uow.accounts.lock(business_id, account_id)
        if account is None:
            raise AccountNotFound("No such loyalty account.")
        return account
