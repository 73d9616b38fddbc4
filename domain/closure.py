"""Closing an account: a terminal state, written into the ledger.

What is left on the card is forfeited by one closure entry that brings points and stamps to
zero (a negative balance, a debt left by a return, is written off the same way). Live holds
are cancelled first: held points were only reserved, so cancelling gives them back to the
balance the closure then forfeits, and a sale naming such a hold later finds it cancelled.
The closure takes every open lot, so no expiry ever touches the account again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from domain.accounts import Account, AccountStatus
from domain.errors import LoyaltyError
from domain.ledger import Attribution, EntryKind, Source
from domain.lots import Lot
from domain.postings import Posting, policies_of, post_entry, settle
from domain.programme import Programme
from domain.redemption import Redemption, RedemptionStatus


class AccountClosed(LoyaltyError):
    """The account is closed for good: nothing earns, redeems or changes on it any more."""

    code = "account_closed"


@dataclass(frozen=True)
class CloseAccount:
    business_id: str
    account_id: UUID
    reason: str
    attribution: Attribution = field(default_factory=Attribution)


def refuse_if_closed(account: Account) -> None:
    if account.status is AccountStatus.CLOSED:
        raise AccountClosed("This loyalty account is closed.")


def closure_origin(account: Account) -> str:
    """One closure per account: its entry id derives from the account alone, so a second
    close, even racing the first, can never write a second closure entry."""
    return f"closure:{account.account_id}"


def close_account(
    account: Account,
    command: CloseAccount,
    live_holds: Sequence[Redemption],
    programme: Programme | None,
    open_lots: Sequence[Lot],
    at: datetime,
) -> tuple[list[Redemption], Posting]:
    """The holds to save as cancelled and the closure's posting; nothing when the account is
    closed already (closing twice is one closure). ``open_lots``: the account's, under lock."""
    if account.status is AccountStatus.CLOSED:
        return [], Posting()
    cancelled = [
        replace(hold, status=RedemptionStatus.CANCELLED, cancelled_at=at)
        for hold in live_holds
        if hold.status_at(at) is RedemptionStatus.HELD
    ]
    origin = closure_origin(account)
    closed, entry = post_entry(
        replace(account, status=AccountStatus.CLOSED),
        kind=EntryKind.CLOSURE,
        points=-account.balance,
        stamps=-account.stamps,
        source=Source.ADMIN,
        source_ref=str(account.account_id),
        origin=origin,
        at=at,
        attribution=command.attribution,
        reason=command.reason.strip(),
    )
    key = (account.business_id, account.account_id)
    posting = settle([closed], [entry], policies_of(programme), {key: open_lots})
    return cancelled, posting
