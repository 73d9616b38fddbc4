"""Referral codes and referrals' storage (a batch loads and saves referrals with its own
repository: ``EventBatchRepository``)."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from domain.referrals import Referral


class ReferralRepository(Protocol):
    """Each account's referral code (unique per business) and the referral, if any, that
    enrolled it (at most one per referred account)."""

    async def claim_code(self, business_id: str, account_id: UUID, code: str) -> bool:
        """Give ``code`` to the account; False (nothing written) when another account of
        the business holds it already."""
        ...

    async def code_of(self, business_id: str, account_id: UUID) -> str | None: ...

    async def account_by_code(self, business_id: str, code: str) -> UUID | None: ...

    async def add(self, referral: Referral) -> None: ...

    async def of_account(self, business_id: str, account_id: UUID) -> Referral | None:
        """The referral that enrolled the account (it was referred), if any."""
        ...

    async def drop(self, business_id: str, referred_account_id: UUID) -> None:
        """Forget the referral of that referred account (one never paid: see
        ``domain.merges.referrals_dropped_by_merge``)."""
        ...
