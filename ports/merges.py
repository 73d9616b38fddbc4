"""Ports of merging accounts: what a merge writes beside the ledger, and its forwards."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.merges import MergeAccounts, MergeResult


class AccountMergeRepository(Protocol):
    """Identifiers, profiles and forwarding records, in the unit of work's transaction."""

    async def move_personal_data(self, business_id: str, merged: UUID, survivor: UUID) -> None:
        """Give the survivor the merged account's identifiers, and its name when the survivor
        has none; the merged account keeps neither."""
        ...

    async def move_purchases(self, business_id: str, merged: UUID, survivor: UUID) -> None:
        """Give the survivor the merged account's sales (the account that earned on them and
        that paid for them with points), so a later return or cancellation reverses, voids
        and gives back on the survivor, which now holds those points and stamps."""
        ...

    async def move_referrals(self, business_id: str, merged: UUID, survivor: UUID) -> None:
        """Give the survivor the merged account's referrals, so a full return of the paying
        sale (now the survivor's) takes the bonuses back from where the points now are:
        - the referral that brought the merged account in, unless the survivor has its own
          or is the one that referred it (one referral per account; none of oneself);
        - those it made as referrer, but for the survivor's own (it would refer itself).
        What is not moved stays on the closed account, as before the merge."""
        ...

    async def forward(
        self, business_id: str, customer_id: str, survivor: UUID, at: datetime
    ) -> None:
        """Record that events for ``customer_id`` belong to ``survivor`` from now on, and
        that forwards to the merged account (``customer_id``'s) go on to ``survivor``."""
        ...

    async def forwarded(self, customers: Collection[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """For each (business, customer id) merged away, the survivor's customer id: one read."""
        ...


class MergeOperations(Protocol):
    """Merging two accounts of a business. Errors: AccountNotFound (either, or of another
    business), AccountClosed (either closed: a second merge of the pair), MergeRefused (one
    account), MergeHoldsLive (a live hold on either)."""

    async def merge(self, command: MergeAccounts) -> MergeResult: ...
