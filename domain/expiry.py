"""Expiring points: what is left of lots past their expiry, or everything after inactivity.

Each expiry entry derives its id from what it expires (a lot, or an account's quiet period),
so sweeping twice, or two sweepers at once, can never expire the same points twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from domain.accounts import Account
from domain.ledger import Attribution, EntryKind, LedgerEntry, Source
from domain.lots import Lot, LotPolicy
from domain.postings import post_entry

SWEEPER = Attribution(actor="system:expiry-sweep")
LOT_EXPIRED = "lot_expired"
INACTIVITY = "inactivity"


def inactive_since(account: Account, policy: LotPolicy, now: datetime) -> datetime | None:
    """When the account's points expire for inactivity, if that moment has come."""
    if policy.inactivity_days is None or account.last_activity_at is None:
        return None
    due = account.last_activity_at + timedelta(days=policy.inactivity_days)
    return due if due <= now else None


def expiry_entries(
    account: Account,
    lots: Sequence[Lot],
    policy: LotPolicy,
    now: datetime,
    recorded_at: datetime | None = None,
) -> tuple[Account, list[LedgerEntry]]:
    """The entries that expire what is due on ``account`` at ``now``: all of it after the
    programme's inactivity limit, otherwise each expired lot's remaining points. Each entry
    happened when the points expired, and is recorded at ``recorded_at`` (default ``now``)."""
    recorded_at = recorded_at or now
    if account.balance <= 0:
        return account, []
    entries: list[LedgerEntry] = []
    due = inactive_since(account, policy, now)
    if due is not None:
        account, entry = post_entry(
            account,
            kind=EntryKind.EXPIRY,
            points=-account.balance,
            source=Source.SYSTEM,
            source_ref=str(account.account_id),
            origin=f"inactivity:{account.account_id}:{account.last_activity_at}",
            at=recorded_at,
            occurred_at=due,
            attribution=SWEEPER,
            reason=INACTIVITY,
        )
        return account, [entry]
    expired = sorted(
        (lot for lot in lots if lot.remaining > 0 and lot.expired_at(now)),
        key=Lot.fefo_key,
    )
    for lot in expired:
        account, entry = post_entry(
            account,
            kind=EntryKind.EXPIRY,
            points=-lot.remaining,
            source=Source.SYSTEM,
            source_ref=str(lot.lot_id),
            origin=f"expiry:{lot.lot_id}",
            at=recorded_at,
            occurred_at=lot.expires_at,
            attribution=SWEEPER,
            reason=LOT_EXPIRED,
            related_entry_id=lot.entry_id,
        )
        entries.append(entry)
    return account, entries
