"""The period-end review of levels: at each review moment (00:00 UTC daily for rolling
windows, Jan 1 00:00 UTC for calendar years) an account whose level is above what its
qualifying total then earns is moved down by a ``level_change`` entry dated at the moment
(``domain.levels.downgrade_at``). Upgrades happen when a sale is applied, never here.

The entry's id derives from the account and the moment (origin
``level-review:<account>:<moment>``), and the decision reads the level in force at the
moment, which that entry itself changes: a second review of the same moment, in the same
process or another, finds nothing to do, and a racing one is refused by the entry's key.
A review that did not run for a while decides at the latest moment only: the level goes
straight to what the window ending then earns.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from domain.accounts import Account
from domain.ledger import Attribution, EntryKind, LedgerEntry, Source
from domain.levels import LevelChange, LevelHistory, TierPolicy, current_level, downgrade_at
from domain.postings import post_entry

REVIEWER = Attribution(actor="system:level-review")


def review_account(
    account: Account,
    policy: TierPolicy,
    history: LevelHistory,
    moment: datetime,
    recorded_at: datetime,
) -> tuple[Account, LedgerEntry] | None:
    """The account after the review at ``moment`` and its downgrade entry; None: it keeps
    its level (at base, or a total still high enough)."""
    decision = downgrade_at(policy, history, moment)
    if decision is None:
        return None
    before, after = decision
    stamp = moment.isoformat()
    reviewed, entry = post_entry(
        account,
        kind=EntryKind.LEVEL_CHANGE,
        points=0,
        source=Source.SYSTEM,
        source_ref=f"level review {stamp}",
        origin=f"level-review:{account.account_id}:{stamp}",
        at=recorded_at,
        attribution=REVIEWER,
        occurred_at=moment,
        level_before=before,
        level_after=after.name if after else None,
    )
    level = current_level([*history.changes, LevelChange(moment, entry.seq, entry.level_after)])
    return replace(reviewed, level=level), entry
