"""The port to identifiers and names: personal data kept beside accounts, outside the ledger."""

from __future__ import annotations

from collections.abc import Collection
from typing import Protocol
from uuid import UUID

from domain.identifiers import Identifier
from domain.views import AccountView


class IdentifierRepository(Protocol):
    """Each identifier belongs to at most one account of a business (a unique key)."""

    async def account_of(self, business_id: str, identifier: Identifier) -> UUID | None:
        """The account holding ``identifier``, if any."""
        ...

    async def of_account(self, business_id: str, account_id: UUID) -> list[Identifier]:
        """The account's identifiers, sorted by kind and value."""
        ...

    async def add(self, business_id: str, account_id: UUID, identifier: Identifier) -> UUID:
        """Give ``identifier`` to the account unless an account holds it already; the holder
        after the call (another account's id: taken). A concurrent add of the same identifier
        waits for the other transaction and then sees its holder."""
        ...

    async def remove(self, business_id: str, account_id: UUID, identifier: Identifier) -> bool:
        """Take ``identifier`` from the account; False when the account did not hold it."""
        ...

    async def customers_of(
        self, identifiers: Collection[tuple[str, Identifier]]
    ) -> dict[tuple[str, Identifier], str]:
        """The customer id of each (business, identifier) an account holds, in one read."""
        ...

    async def name_of(self, business_id: str, account_id: UUID) -> str | None: ...

    async def set_name(self, business_id: str, account_id: UUID, name: str) -> None: ...


class IdentifierOperations(Protocol):
    """The till's lookup by identifier and the staff's changes to an account's identifiers.
    Errors: AccountNotFound, IdentifierNotFound, IdentifierTaken (another account holds it)."""

    async def account_by_identifier(self, business_id: str, identifier: Identifier) -> AccountView:
        """The account holding ``identifier``; IdentifierNotFound when none does."""
        ...

    async def add_identifier(
        self, business_id: str, account_id: UUID, identifier: Identifier
    ) -> AccountView: ...

    async def remove_identifier(
        self, business_id: str, account_id: UUID, identifier: Identifier
    ) -> AccountView: ...
