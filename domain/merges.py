"""Merging two accounts of one customer: the ledger moves what one holds onto the other.

The merged account's whole balance and stamps leave by a ``merge_out`` entry that takes every
open lot; a ``merge_in`` entry brings them onto the survivor with lots that keep each old
lot's dates (when earned, until when pending, when they expire), so merging neither extends
nor shortens a point's life. The merged account is then closed (``domain.closure``) with
nothing left to forfeit. A debt (a negative balance) moves the same way: the survivor's
``merge_in`` takes it from the survivor's lots, as any negative entry does. Entries name the
other account by its opaque id, never by customer id, which may be personal data.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID, uuid5

from domain.accounts import Account
from domain.closure import CloseAccount, close_account, refuse_if_closed
from domain.errors import LoyaltyError
from domain.ledger import Attribution, EntryKind, LedgerEntry, Source
from domain.lots import Lot, LotChanges, LotTake, allocate_lots
from domain.postings import Posting, post_entry
from domain.referrals import Referral

_MERGE_LOT_NAMESPACE = UUID("9a4c2e71-5d3b-4f08-b6e2-7c1d0a8f3e59")


class MergeRefused(LoyaltyError):
    """The two accounts cannot be merged (the same account, or a hold still live)."""

    code = "merge_refused"


class MergeHoldsLive(MergeRefused):
    """A hold on either account is still live: capture or cancel it first, since a capture
    after the merge would find the points gone."""

    code = "merge_holds_live"


@dataclass(frozen=True)
class MergeAccounts:
    business_id: str
    survivor_id: UUID
    merged_id: UUID
    attribution: Attribution = field(default_factory=Attribution)


@dataclass(frozen=True)
class MergeResult:
    survivor: Account
    merged: Account
    posting: Posting
    moved_points: int
    moved_stamps: int


def check_merge(survivor: Account, merged: Account, live_holds: int) -> None:
    """Refuse a merge of an account with itself, of a closed account (a second merge of the
    same pair is one), or while ``live_holds`` holds (of either account) are live."""
    if survivor.account_id == merged.account_id:
        raise MergeRefused("An account cannot be merged into itself.")
    refuse_if_closed(survivor)
    refuse_if_closed(merged)
    if live_holds:
        raise MergeHoldsLive(
            "A hold on one of the accounts is still live: capture or cancel it first."
        )


class MergeLinksReferral(MergeRefused):
    """One account referred the other, and a return could still take the bonuses back."""

    code = "merge_refused_referral"


class MergeStrandsReferral(MergeLinksReferral):
    """Both accounts were referred, the merged one's bonuses could still be taken back, and
    an account holds one referral: it would stay on the closed account, where no return of
    its sale (now the survivor's) finds it."""


def referrals_dropped_by_merge(
    survivor: Account, merged: Account, referrals: Sequence[Referral], at: datetime
) -> list[Referral]:
    """Of ``referrals`` (the two accounts'), those between them that the merge drops: a
    person does not refer themselves, so one still open is never paid. One that paid refuses
    the merge while a return could still take its bonuses back: after it, the referral would
    name one account on both sides, and nothing could be taken back (README Go-live). So does
    the merged account's own referral while a return could take it back, when the survivor was
    referred too: an account holds one referral, so it would stay behind on the closed account,
    out of reach of the return of its sale, which moves to the survivor."""
    between = [r for r in referrals if r.links(survivor.account_id, merged.account_id)]
    if any(r.may_be_taken_back(at) for r in between):
        raise MergeLinksReferral(
            "One account referred the other and its bonuses may still be taken back by a"
            " return: merge them once the return window of the referred customer's first"
            " sale has passed."
        )
    dropped = [r for r in between if r.open]
    kept = [r for r in referrals if r not in dropped]
    if any(r.referred_account_id == survivor.account_id for r in kept) and any(
        r.referred_account_id == merged.account_id and r.may_be_taken_back(at) for r in kept
    ):
        raise MergeStrandsReferral(
            "Both customers were referred and the merged account's referral bonuses may still"
            " be taken back by a return: merge them once the return window of its first sale"
            " has passed."
        )
    return dropped


def merge_accounts(
    survivor: Account,
    merged: Account,
    merged_lots: Sequence[Lot],
    survivor_lots: Sequence[Lot],
    at: datetime,
    attribution: Attribution,
) -> MergeResult:
    """The posting of a merge: ``merge_out`` and the closure on ``merged``, ``merge_in`` on
    ``survivor``. ``merged_lots`` and ``survivor_lots``: each account's open lots, read under
    both accounts' locks (the survivor's are only taken from when ``merged`` is in debt)."""
    check_merge(survivor, merged, 0)
    if sum(lot.remaining for lot in merged_lots) != max(merged.balance, 0):
        raise ValueError(f"account {merged.account_id}: its lots do not hold its balance")
    origin = f"merge:{merged.account_id}"
    emptied, out = post_entry(
        merged,
        kind=EntryKind.MERGE_OUT,
        points=-merged.balance,
        stamps=-merged.stamps,
        source=Source.ADMIN,
        source_ref=str(survivor.account_id),
        origin=origin,
        at=at,
        attribution=attribution,
    )
    grown, into = post_entry(
        survivor,
        kind=EntryKind.MERGE_IN,
        points=merged.balance,
        stamps=merged.stamps,
        source=Source.ADMIN,
        source_ref=str(merged.account_id),
        origin=origin,
        at=at,
        attribution=attribution,
        related_entry_id=out.entry_id,
    )
    lots = _taken_out(out, merged_lots)
    if into.points >= 0:
        lots.lots.update({lot.lot_id: lot for lot in _brought_in(into, merged_lots, survivor)})
    else:  # a debt: taken from the survivor's lots like any negative entry
        taken = allocate_lots(
            {(survivor.business_id, survivor.account_id): survivor_lots}, [into], {}
        )
        lots.lots.update(taken.lots)
        lots.takes.extend(taken.takes)
    reason = f"merged into account {survivor.account_id}"
    _, closure = close_account(
        emptied,
        CloseAccount(merged.business_id, merged.account_id, reason, attribution),
        [],
        None,
        [],
        at,
    )
    posting = Posting.combined([Posting((emptied, grown), (out, into), lots), closure])
    [closed] = [a for a in posting.accounts if a.account_id == merged.account_id]
    return MergeResult(grown, closed, posting, merged.balance, merged.stamps)


def _taken_out(entry: LedgerEntry, lots: Sequence[Lot]) -> LotChanges:
    changes = LotChanges()
    for lot in lots:
        if lot.remaining > 0:
            changes.lots[lot.lot_id] = replace(lot, remaining=0)
            changes.takes.append(
                LotTake(lot.business_id, entry.entry_id, lot.lot_id, lot.remaining)
            )
    return changes


def _brought_in(entry: LedgerEntry, lots: Sequence[Lot], survivor: Account) -> list[Lot]:
    """The merged account's lots again on the survivor, with their dates; a debt on the
    survivor is paid first from the first to expire, as a new lot always pays a debt first."""
    debt = max(0, -survivor.balance)
    moved = []
    for lot in sorted((lot for lot in lots if lot.remaining > 0), key=Lot.fefo_key):
        paid = min(debt, lot.remaining)
        debt -= paid
        moved.append(
            replace(
                lot,
                account_id=entry.account_id,
                lot_id=uuid5(_MERGE_LOT_NAMESPACE, f"{entry.entry_id}\x1f{lot.lot_id}"),
                entry_id=entry.entry_id,
                points=lot.remaining,
                remaining=lot.remaining - paid,
            )
        )
    return moved
