"""Read models returned to callers: an account with what is held, pages of history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from domain.accounts import Account
from domain.identifiers import Identifier
from domain.ledger import LedgerEntry
from domain.levels import Level, named
from domain.lots import LotTotals
from domain.programme import Programme
from domain.redemption import Redemption, RedemptionQuote
from domain.stamps import StampCard


@dataclass(frozen=True)
class AccountView:
    account: Account
    held: int = 0
    lots: LotTotals | None = None
    """The balance split by lot state; None reads as all of it spendable."""
    stamp_card: StampCard | None = None
    """The stamp card in force now (none: the programme runs no card)."""
    level: Level | None = None
    """The account's level as the version in force now defines it (None: the base level)."""
    referral_code: str | None = None
    """The code a customer gives to name this account as their referrer."""
    referred_by: UUID | None = None
    """The account whose code this one's customer gave at enrolment, if any."""
    identifiers: tuple[Identifier, ...] = ()
    """How the till finds the account (personal data, kept outside the ledger)."""
    name: str | None = None

    @property
    def stamps_to_go(self) -> int | None:
        """Stamps still needed for a full card (0 when one is full)."""
        if self.stamp_card is None:
            return None
        return max(self.stamp_card.target - self.account.stamps, 0)

    @property
    def available(self) -> int:
        """What can be redeemed now: spendable lots less what is held."""
        spendable = self.account.balance if self.lots is None else self.lots.available
        return spendable - self.held

    @property
    def pending(self) -> int:
        return 0 if self.lots is None else self.lots.pending


def level_of(programme: Programme | None, account: Account, now: datetime) -> Level | None:
    """The account's level, with its benefits, under the rule version in force ``now``."""
    rule = programme.rule_at(now) if programme is not None else None
    return named(rule.tiers, account.level) if rule is not None and rule.tiers else None


def card_in_force(programme: Programme | None, now: datetime) -> StampCard | None:
    rule = programme.rule_at(now) if programme is not None else None
    return rule.stamp_card if rule is not None else None


@dataclass(frozen=True)
class RedemptionResult:
    redemption: Redemption
    quote: RedemptionQuote | None
    replayed: bool = False


@dataclass(frozen=True)
class TransactionPage:
    entries: list[LedgerEntry]
    next_before_seq: int | None
