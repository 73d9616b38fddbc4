"""What staff change by hand: manual adjustments, and suspending or reactivating an account."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from uuid import UUID

from domain.accounts import Account, AccountStatus
from domain.commands import AdjustPoints, ChangeAccountStatus
from domain.errors import IdempotencyKeyReused, InvalidRequest
from domain.ledger import EntryKind, LedgerEntry, Source
from domain.lots import AccountKey, Lot
from domain.postings import Posting, policies_of, post_entry, settle
from domain.programme import Programme


def check_adjustment(command: AdjustPoints) -> None:
    if (command.points == 0) == (command.stamps == 0) or not command.reason.strip():
        raise InvalidRequest("An adjustment needs non-zero points or stamps (one) and a reason.")


def adjustment_kind(command: AdjustPoints) -> EntryKind:
    return EntryKind.STAMP_ADJUSTMENT if command.stamps else EntryKind.ADJUSTMENT


ADJUSTMENT_KINDS = (EntryKind.ADJUSTMENT, EntryKind.STAMP_ADJUSTMENT)
"""Both are looked for under a key: a key used for points may not be reused for stamps."""


def adjustment_origin(command: AdjustPoints, otherwise: UUID) -> str:
    """What an adjustment's entry id derives from: its idempotency key, so a retry names the
    entry its first attempt made (``otherwise``, a fresh id, when it has no key)."""
    key = command.idempotency_key
    return f"adjustment:{key if key is not None else otherwise}"


def same_adjustment(made: LedgerEntry, command: AdjustPoints) -> LedgerEntry:
    """The entry an earlier request with the same key made, if it asked for the same."""
    asked = (command.account_id, command.points, command.stamps, command.reason.strip())
    if (made.account_id, made.points, made.stamps, made.reason) != asked:
        raise IdempotencyKeyReused(
            "This Idempotency-Key was already used for a different adjustment."
        )
    return made


def check_points_taken(points: int, balance: int, held: int) -> None:
    """Taking points by hand never takes those held for a till, nor leaves the balance below
    zero: only a reversal may make a balance negative (it undoes points given for goods that
    came back), and a capture must find its held points where they were."""
    free = max(balance - held, 0)
    if -points > free:
        raise InvalidRequest(
            f"An adjustment can take at most {free} points here: the balance ({balance})"
            f" less the points held for tills ({held})."
        )


def check_stamps_taken(stamps: int, balance: int, held: int) -> None:
    """Stamps taken by hand never leave the card below zero, nor take those held for a
    reward at a till: only a return may take a card below zero (it voids stamps of goods
    that came back after the card was used)."""
    free = max(balance - held, 0)
    if -stamps > free:
        raise InvalidRequest(
            f"An adjustment can take at most {free} stamps here: the card ({balance}) less"
            f" the stamps held for rewards ({held})."
        )


def adjust(
    account: Account,
    command: AdjustPoints,
    origin: str,
    held: int,
    programme: Programme | None,
    open_lots: Mapping[AccountKey, Sequence[Lot]],
    at: datetime,
) -> Posting:
    """A manual adjustment's posting (``held``: the points, or stamps, held for tills;
    ``open_lots``: the account's, when it takes points)."""
    check_points_taken(command.points, account.balance, 0 if command.stamps else held)
    check_stamps_taken(command.stamps, account.stamps, held if command.stamps else 0)
    account, entry = post_entry(
        account,
        kind=adjustment_kind(command),
        points=command.points,
        stamps=command.stamps,
        source=Source.ADMIN,
        source_ref=origin,
        origin=origin,
        at=at,
        attribution=command.attribution,
        reason=command.reason.strip(),
    )
    return settle([account], [entry], policies_of(programme), open_lots)


def change_status(
    account: Account, command: ChangeAccountStatus, change_id: UUID, at: datetime
) -> Posting:
    """Suspend or reactivate: a zero-point entry for the record; nothing when the account
    already has that status. A closed account stays closed."""
    target = AccountStatus.SUSPENDED if command.suspend else AccountStatus.ACTIVE
    if account.status is AccountStatus.CLOSED:
        raise InvalidRequest("This account is closed.")
    if account.status is target:
        return Posting()
    kind = EntryKind.SUSPENSION if command.suspend else EntryKind.REACTIVATION
    account, entry = post_entry(
        replace(account, status=target),
        kind=kind,
        points=0,
        source=Source.ADMIN,
        source_ref=str(account.account_id),
        origin=f"{kind.value}:{change_id}",
        at=at,
        attribution=command.attribution,
        reason=command.reason,
    )
    return Posting((account,), (entry,))
