"""Ports of erasure: one transaction that may rewrite what an erasure must, and nothing else."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol
from uuid import UUID

from domain.accounts import Account
from domain.erasure import ChainReseal, EraseCustomer, ErasureResult, PersonalData
from domain.ledger import LedgerEntry
from domain.postings import Posting


class ErasureSession(Protocol):
    """One transaction allowed to change an entry's customer id, hashes, IP address and user
    agent (never anything else); ``async with`` rolls back unless ``commit`` ran."""

    async def __aenter__(self) -> ErasureSession: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def lock_account(self, business_id: str, customer: str) -> Account | None:
        """The account of customer id ``customer`` (or of account id ``customer``), locked."""
        ...

    async def chain(self, business_id: str, account_id: UUID) -> list[LedgerEntry]:
        """The account's entries in seq order."""
        ...

    async def personal_data(self, account: Account) -> PersonalData: ...

    async def rewrite_chain(
        self, account: Account, entries: Sequence[LedgerEntry], reseal: ChainReseal
    ) -> None:
        """The account and ``entries`` (re-sealed) under the account's new customer id, and
        the re-seal recorded; every other table naming the old id follows."""
        ...

    async def remove_personal_data(self, account: Account) -> None:
        """Identifiers and profile deleted; contact columns, IP addresses, user agents nulled."""
        ...

    async def post(self, posting: Posting) -> None: ...

    async def commit(self) -> None: ...


class ErasureStore(Protocol):
    """Opens erasure sessions, and clears attribution past its retention."""

    def session(self) -> ErasureSession: ...

    async def clear_attribution_before(self, cutoff: datetime, batch_size: int) -> int:
        """Null the IP address and user agent of entries recorded before ``cutoff``, in
        batches of one transaction each; how many entries were cleared."""
        ...


class ErasureOperations(Protocol):
    """Erasing a customer's personal data (the admin endpoint's port). Errors: AccountNotFound,
    ChainBroken (domain.erasure), ConcurrentUpdate."""

    async def erase(self, command: EraseCustomer) -> ErasureResult: ...
