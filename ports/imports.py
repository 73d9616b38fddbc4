"""The storage ``loyalty import`` needs beside the ledger: which rows came in already, the
accounts they name, and the personal data kept outside the ledger."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol
from uuid import UUID

from domain.accounts import Account
from domain.imports import BalanceRow
from ports.repositories import LedgerRepository

CustomerKey = tuple[str, str]
"""(business_id, customer_id), or (business_id, row_key) for a row"""
IdentifierKey = tuple[str, str, str]
"""(business_id, kind, value)"""


class ImportRepository(Protocol):
    """Rows imported so far and what they made; reads lock what a batch will change."""

    async def known(self, kind: str, keys: Collection[CustomerKey]) -> dict[CustomerKey, str]:
        """The digest each of ``keys`` was imported with (kind: account or balance)."""
        ...

    async def programmes(self, business_ids: Collection[str]) -> set[str]:
        """Those of ``business_ids`` that have a programme."""
        ...

    async def lock_customers(self, keys: Collection[CustomerKey]) -> dict[CustomerKey, Account]:
        """The accounts of these customers that exist, locked in the order event batches use."""
        ...

    async def identifiers_held(self, keys: Collection[IdentifierKey]) -> dict[IdentifierKey, UUID]:
        """The account holding each of ``keys`` that some account holds."""
        ...

    async def add_accounts(self, accounts: Sequence[tuple[Account, datetime]]) -> None:
        """New accounts (before their first posting), each with when it was enrolled."""
        ...

    async def add_personal_data(
        self,
        names: Sequence[tuple[str, UUID, str]],
        identifiers: Sequence[tuple[str, str, str, UUID]],
    ) -> None:
        """Names (business, account, name) where the account has none yet, and identifiers
        (business, kind, value, account)."""
        ...

    async def open_balances(
        self, rows: Sequence[tuple[int, str, BalanceRow]], now: datetime
    ) -> dict[int, str]:
        """Each (line, digest, row)'s opening entry and lot (``domain.imports.opening_balances``)
        on its customer's account, locked, in line order; the rows not imported, by line, with
        why: known (imported before with the same digest), changed (imported before with
        another), repeat (its key came earlier in ``rows``), no_account, closed."""
        ...

    async def record(
        self, kind: str, rows: Sequence[tuple[str, str, str, UUID, UUID | None]]
    ) -> None:
        """Rows imported: (business, row key, digest, account id, entry id)."""
        ...


class ImportUnitOfWork(Protocol):
    """One import batch's transaction: rolls back unless ``commit()`` ran."""

    imports: ImportRepository
    ledger: LedgerRepository

    async def __aenter__(self) -> ImportUnitOfWork: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...
