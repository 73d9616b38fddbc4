"""Expiring points: what is left of lots past their expiry, or everything after inactivity.

Two kinds of points never expire here. Points on a live hold stay, so that capturing the
hold can never drive the balance below zero: the sweep keeps back, from what it would
expire, whatever the live holds need beyond the account's other spendable points (they
expire at a later sweep, once the holds are captured, cancelled or lapsed). Pending points
(inside the return window) are not spendable yet, so there is nothing of them to expire;
an inactivity expiry leaves them, and if the account is still quiet when they become
available, the next sweep expires them too.

Each expiry entry's id derives from what it expires (a lot, or an account's quiet period)
and from the position in the account's chain it is written at: the account is locked while
its expiry is decided, so a re-run or a second sweeper sees the same chain position only if
nothing was written since, and then derives the same id; every later expiry follows at
least one more entry (whatever brought the points it expires), so it gets a new id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from domain.accounts import Account
from domain.ledger import Attribution, EntryKind, LedgerEntry, Source
from domain.lots import Lot, LotChanges, LotPolicy, LotTake
from domain.postings import Posting, post_entry

SWEEPER = Attribution(actor="system:expiry-sweep")
LOT_EXPIRED = "lot_expired"
INACTIVITY = "inactivity"


@dataclass
class _Expiry:
    """An account after its expiry entries so far, and the lots those entries took from."""

    account: Account
    entries: list[LedgerEntry] = field(default_factory=list)
    lots: LotChanges = field(default_factory=LotChanges)


def inactive_since(account: Account, policy: LotPolicy, now: datetime) -> datetime | None:
    """When the account's points expire for inactivity, if that moment has come."""
    if policy.inactivity_days is None or account.last_activity_at is None:
        return None
    due = account.last_activity_at + timedelta(days=policy.inactivity_days)
    return due if due <= now else None


def expire_points(
    account: Account,
    lots: Sequence[Lot],
    policy: LotPolicy,
    now: datetime,
    held: int = 0,
    recorded_at: datetime | None = None,
) -> Posting:
    """The posting of what expires on ``account`` at ``now``: after the programme's
    inactivity limit, every point not pending, in one entry; otherwise what is left of each
    expired lot, an entry each. ``held`` points (on live holds) are kept back as the module
    says. Each entry happened when the points expired, and is recorded at ``recorded_at``
    (default ``now``)."""
    expiry = _Expiry(account)
    if account.balance <= 0:
        return Posting()
    open_lots = [lot for lot in lots if lot.remaining > 0]
    due = inactive_since(account, policy, now)
    if due is not None:
        expiring = [lot for lot in open_lots if not lot.pending_at(now)]
    else:
        expiring = [lot for lot in open_lots if lot.expired_at(now)]
    expiring_ids = {lot.lot_id for lot in expiring}
    spendable_elsewhere = sum(
        lot.remaining
        for lot in open_lots
        if lot.spendable_at(now) and lot.lot_id not in expiring_ids
    )
    budget = min(
        account.balance,
        sum(lot.remaining for lot in expiring) - max(0, held - spendable_elsewhere),
    )
    takes: list[tuple[Lot, int]] = []
    for lot in sorted(expiring, key=Lot.fefo_key):  # what is kept back expires last
        taken = min(lot.remaining, budget)
        if taken <= 0:
            break
        takes.append((lot, taken))
        budget -= taken
    if not takes:
        return Posting()
    recorded_at = recorded_at or now
    if due is not None:
        _post(expiry, takes, INACTIVITY, due, recorded_at)
    else:
        for lot, taken in takes:
            _post(expiry, [(lot, taken)], LOT_EXPIRED, lot.expires_at or now, recorded_at)
    return Posting((expiry.account,), tuple(expiry.entries), expiry.lots)


def _post(
    expiry: _Expiry,
    takes: Sequence[tuple[Lot, int]],
    reason: str,
    occurred_at: datetime,
    recorded_at: datetime,
) -> None:
    account = expiry.account
    position = account.last_seq + 1
    if reason == INACTIVITY:
        source_ref = str(account.account_id)
        origin = f"inactivity:{account.account_id}:{account.last_activity_at}:{position}"
        related = None
    else:
        [(lot, _)] = takes
        source_ref, origin, related = (
            str(lot.lot_id),
            f"expiry:{lot.lot_id}:{position}",
            lot.entry_id,
        )
    expiry.account, entry = post_entry(
        account,
        kind=EntryKind.EXPIRY,
        points=-sum(taken for _, taken in takes),
        source=Source.SYSTEM,
        source_ref=source_ref,
        origin=origin,
        at=recorded_at,
        occurred_at=occurred_at,
        attribution=SWEEPER,
        reason=reason,
        related_entry_id=related,
    )
    expiry.entries.append(entry)
    for lot, taken in takes:
        kept = expiry.lots.lots.get(lot.lot_id, lot)
        expiry.lots.lots[lot.lot_id] = replace(kept, remaining=kept.remaining - taken)
        expiry.lots.takes.append(LotTake(lot.business_id, entry.entry_id, lot.lot_id, taken))
