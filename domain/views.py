"""Read models returned to callers: an account with what is held, pages of history."""

from __future__ import annotations

from dataclasses import dataclass

from domain.accounts import Account
from domain.ledger import LedgerEntry
from domain.lots import LotTotals
from domain.redemption import Redemption, RedemptionQuote


@dataclass(frozen=True)
class AccountView:
    account: Account
    held: int = 0
    lots: LotTotals | None = None
    """The balance split by lot state; None reads as all of it spendable."""

    @property
    def available(self) -> int:
        """What can be redeemed now: spendable lots less what is held."""
        spendable = self.account.balance if self.lots is None else self.lots.available
        return spendable - self.held

    @property
    def pending(self) -> int:
        return 0 if self.lots is None else self.lots.pending


@dataclass(frozen=True)
class RedemptionResult:
    redemption: Redemption
    quote: RedemptionQuote | None
    replayed: bool = False


@dataclass(frozen=True)
class TransactionPage:
    entries: list[LedgerEntry]
    next_before_seq: int | None
