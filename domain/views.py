"""Read models returned to callers: an account with what is held, pages of history."""

from __future__ import annotations

from dataclasses import dataclass

from domain.accounts import Account
from domain.ledger import LedgerEntry
from domain.redemption import Redemption, RedemptionQuote


@dataclass(frozen=True)
class AccountView:
    account: Account
    held: int = 0

    @property
    def available(self) -> int:
        return self.account.balance - self.held


@dataclass(frozen=True)
class RedemptionResult:
    redemption: Redemption
    quote: RedemptionQuote | None
    replayed: bool = False


@dataclass(frozen=True)
class TransactionPage:
    entries: list[LedgerEntry]
    next_before_seq: int | None
