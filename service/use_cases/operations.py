"""LoyaltyService: the operations port, implemented by the use cases, conflicts translated."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from uuid import UUID

from domain.commands import (
    AdjustPoints,
    CancelRedemption,
    CaptureRedemption,
    ChangeAccountStatus,
    EnrolCustomer,
    ListTransactions,
    PreviewRedemption,
    Redeem,
    SetProgramme,
)
from domain.errors import ConcurrentUpdate
from domain.ledger import LedgerEntry
from domain.programme import Programme
from domain.redemption import Redemption, RedemptionQuote
from domain.views import AccountView, RedemptionResult, TransactionPage
from service.use_cases.accounts import Accounts
from service.use_cases.programmes import Programmes
from service.use_cases.redemptions import Redemptions


class LoyaltyService:
    def __init__(
        self,
        programmes: Programmes,
        accounts: Accounts,
        redemptions: Redemptions,
        is_conflict: Callable[[BaseException], bool],
    ) -> None:
        self._programmes = programmes
        self._accounts = accounts
        self._redemptions = redemptions
        self._is_conflict = is_conflict

    @asynccontextmanager
    async def _conflicts_answered(self) -> AsyncIterator[None]:
        try:
            yield
        except Exception as error:
            if self._is_conflict(error):
                raise ConcurrentUpdate(
                    "Another change to this account is in progress; try again."
                ) from error
            raise

    async def programme(self, business_id: str) -> Programme:
        return await self._programmes.get(business_id)

    async def set_programme(self, command: SetProgramme) -> Programme:
        async with self._conflicts_answered():
            return await self._programmes.set(command)

    async def enrol(self, command: EnrolCustomer) -> AccountView:
        async with self._conflicts_answered():
            return await self._accounts.enrol(command)

    async def account(self, business_id: str, account_id: UUID) -> AccountView:
        return await self._accounts.account(business_id, account_id)

    async def account_by_customer(self, business_id: str, customer_id: str) -> AccountView:
        return await self._accounts.account_by_customer(business_id, customer_id)

    async def preview(self, command: PreviewRedemption) -> RedemptionQuote:
        return await self._redemptions.preview(command)

    async def redeem(self, command: Redeem) -> RedemptionResult:
        async with self._conflicts_answered():
            return await self._redemptions.redeem(command)

    async def redemption(self, business_id: str, redemption_id: UUID) -> Redemption:
        return await self._redemptions.get(business_id, redemption_id)

    async def capture(self, command: CaptureRedemption) -> Redemption:
        async with self._conflicts_answered():
            return await self._redemptions.capture(command)

    async def cancel(self, command: CancelRedemption) -> Redemption:
        async with self._conflicts_answered():
            return await self._redemptions.cancel(command)

    async def transactions(self, command: ListTransactions) -> TransactionPage:
        return await self._accounts.transactions(command)

    async def adjust(self, command: AdjustPoints) -> LedgerEntry:
        async with self._conflicts_answered():
            return await self._accounts.adjust(command)

    async def change_status(self, command: ChangeAccountStatus) -> AccountView:
        async with self._conflicts_answered():
            return await self._accounts.change_status(command)
