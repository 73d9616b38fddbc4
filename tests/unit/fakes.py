"""An in-memory stand-in for the event batch repository, for tests that run many batches."""

from __future__ import annotations

import itertools
from dataclasses import replace

from domain.batch import BatchChanges, BatchKeys, BatchState, apply_batch
from domain.outcomes import OutcomeStatus
from domain.programme import Programme

from .builders import RECORDED_AT, account


class InMemoryLedgerStore:
    """What the database holds; loads a batch's state by its keys alone and saves its changes."""

    def __init__(self, prog: Programme, customers_with_accounts: list[str]) -> None:
        self.programme = prog
        self.accounts = {
            (a.business_id, a.account_id): a for a in map(account, customers_with_accounts)
        }
        self.purchases: dict = {}
        self.refunds: dict = {}
        self.inbox: dict = {}
        self.entries: list = []

    def load(self, keys: BatchKeys) -> BatchState:
        """What the real repository must load for ``keys``, and nothing more.

        Besides the rows named by the keys, that is the account behind each purchase a refund
        names, and every refund parked on a purchase the batch mentions.
        """
        purchases = {k: self.purchases[k] for k in keys.purchases if k in self.purchases}
        owners = {(p.business_id, p.account_id) for p in purchases.values() if p.account_id}
        return BatchState(
            seen_events={k: self.inbox[k].payload_hash for k in keys.events if k in self.inbox},
            programmes={
                b: self.programme for b in keys.businesses if b == self.programme.business_id
            },
            accounts={
                k: a
                for k, a in self.accounts.items()
                if (a.business_id, a.customer_id) in keys.customers or k in owners
            },
            purchases=purchases,
            refunds={
                k: r
                for k, r in self.refunds.items()
                if k in keys.refunds
                or (
                    r.outcome.status is OutcomeStatus.PARKED
                    and r.event.purchase_key in keys.purchases
                )
            },
        )

    def save(self, changes: BatchChanges) -> None:
        for record in changes.inbox:
            key = (record.business_id, record.event_id)
            assert key not in self.inbox
            self.inbox[key] = record
        for key, outcome in changes.resolved_inbox.items():
            self.inbox[key] = replace(self.inbox[key], outcome=outcome)
        assert not {e.entry_id for e in changes.entries} & {e.entry_id for e in self.entries}
        self.entries.extend(changes.entries)
        self.accounts.update(changes.accounts)
        self.purchases.update(changes.purchases)
        self.refunds.update(changes.refunds)

    def run(self, events: list, cuts: list[int]) -> list[BatchChanges]:
        bounds = [0, *sorted(cuts), len(events)]
        applied = []
        for start, end in itertools.pairwise(bounds):
            batch = events[start:end]
            changes = apply_batch(self.load(BatchKeys.of(batch)), batch, RECORDED_AT)
            self.save(changes)
            applied.append(changes)
        return applied
