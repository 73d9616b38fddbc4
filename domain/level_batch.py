"""Levels in a batch of events: a sale earns at the level in force at its ``occurred_at``,
and a sale whose earn lifts the qualifying total over a threshold posts a level change
(``domain.levels``). Called by ``domain.batch`` around the points of a sale.

The level history each touched account needs (its level changes, its earns and reversals
within the longest window) is loaded with the batch (``BatchState.levels``) and kept up to
date here as the batch posts, so a later event of the same batch sees what an earlier one
did. Entries already posted are never recomputed (a late sale freezes what came before it).

Replay into an empty database, applying the same batches in the same order, posts the same
entries, level changes included: each change's id derives from its sale's event id, and
each decision reads only the entries posted before it. What a different interleaving of
topics (a sale's return applied before or after another sale of the same member) can change
is which events see a level that other events reached, never the consistency of balances:
every entry still follows from the entries before it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from domain.accounts import Account
from domain.batch_state import BatchChanges, BatchState
from domain.descriptions import describe
from domain.events import PurchaseCompleted
from domain.ledger import EntryKind, LedgerEntry
from domain.levels import (
    LevelChange,
    LevelHistory,
    QualifyingFact,
    current_level,
    level_in_force,
    lookback_start,
    multiplier_at,
    upgrade_at,
)
from domain.postings import post_entry
from domain.programme import Programme, RuleVersion

AccountKey = tuple[str, UUID]


def fact_of(entry: LedgerEntry) -> QualifyingFact | None:
    """What ``entry`` adds to its account's qualifying total (None: it does not qualify:
    only sales' and bills' earns and their reversals do)."""
    money = entry.amount or Decimal(0)
    if entry.kind is EntryKind.EARN:
        return QualifyingFact(entry.occurred_at, entry.points, money)
    if entry.kind is EntryKind.REVERSAL:
        return QualifyingFact(entry.occurred_at, entry.points, -money)
    return None


def change_of(entry: LedgerEntry) -> LevelChange | None:
    if entry.kind is not EntryKind.LEVEL_CHANGE:
        return None
    return LevelChange(entry.occurred_at, entry.seq, entry.level_after)


def record(history: LevelHistory, entry: LedgerEntry) -> None:
    """Add ``entry`` to the account's history if levels count it."""
    fact = fact_of(entry)
    if fact is not None:
        history.facts.append(fact)
    change = change_of(entry)
    if change is not None:
        history.changes.append(change)


def history_from(entries: Iterable[LedgerEntry], since: datetime) -> LevelHistory:
    """An account's level history from its entries: its facts after ``since``, its level
    changes after it and the latest one at or before it (what decides the level then)."""
    history = LevelHistory()
    latest_before: LevelChange | None = None
    for entry in entries:
        change = change_of(entry)
        if change is not None and change.occurred_at <= since:
            if latest_before is None or (change.occurred_at, change.seq) > (
                latest_before.occurred_at,
                latest_before.seq,
            ):
                latest_before = change
        elif entry.occurred_at > since:
            record(history, entry)
    if latest_before is not None:
        history.changes.insert(0, latest_before)
    return history


def levels_since(programme: Programme | None, earliest: datetime | None) -> datetime | None:
    """How far back a batch whose earliest event is at ``earliest`` needs its accounts'
    histories under ``programme``; None: no version of it has levels (nothing to load)."""
    policies = [rule.tiers for rule in programme.rules if rule.tiers] if programme else []
    if not policies or earliest is None:
        return None
    return lookback_start(policies, earliest)


class LevelApplier:
    def __init__(self, state: BatchState, changes: BatchChanges, recorded_at: datetime) -> None:
        self.state = state
        self.changes = changes
        self.recorded_at = recorded_at
        self._counted = 0
        """How many of the batch's entries are already in the histories."""

    def earning_level(
        self, account: Account, rule: RuleVersion, at: datetime
    ) -> tuple[Decimal, str | None]:
        """The multiplier a sale at ``at`` earns with, and the level's name (None: base or a
        programme without levels)."""
        history = self._history(account)
        if rule.tiers is None or history is None:
            return Decimal(1), None
        return multiplier_at(rule.tiers, history, at), level_in_force(history.changes, at)

    def describe_earn(self, event: PurchaseCompleted, level: str | None) -> str | None:
        """The earn's description naming the level it earned at (None: the default)."""
        if level is None:
            return None
        return f"{describe(EntryKind.EARN, event.source, event.reference)} at {level}"

    def after_earn(self, account: Account, rule: RuleVersion, event: PurchaseCompleted) -> None:
        """Post a level change if the sale just earned lifts the account above the level in
        force at its time; it is dated at the sale and acts for events applied after."""
        history = self._history(account)
        if rule.tiers is None or history is None:
            return
        reached = upgrade_at(rule.tiers, history, event.occurred_at)
        if reached is None:
            return
        key = (account.business_id, account.account_id)
        account = self.state.accounts[key]
        account, entry = post_entry(
            account,
            kind=EntryKind.LEVEL_CHANGE,
            points=0,
            source=event.source,
            source_ref=event.reference,
            origin=f"{event.event_id}:level",
            at=self.recorded_at,
            attribution=event.attribution,
            event_id=event.event_id,
            occurred_at=event.occurred_at,
            level_before=level_in_force(history.changes, event.occurred_at),
            level_after=reached.name,
        )
        self.changes.entries.append(entry)
        self._sync()
        # A late sale's change may be older than one recorded after it: the account keeps
        # the level in force after every change, as the history reads it.
        account = replace(account, level=current_level(history.changes))
        self.state.accounts[key] = self.changes.accounts[key] = account

    def _history(self, account: Account) -> LevelHistory | None:
        self._sync()
        return self.state.levels.get((account.business_id, account.account_id))

    def _sync(self) -> None:
        """Add the entries the batch posted since the last look to their histories."""
        entries = self.changes.entries
        for entry in entries[self._counted :]:
            history = self.state.levels.get((entry.business_id, entry.account_id))
            if history is not None:
                record(history, entry)
        self._counted = len(entries)
