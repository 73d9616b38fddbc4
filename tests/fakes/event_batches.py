"""In-memory event batch repository: the inbox, purchases, refunds and holds a batch touches."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace

from domain.batch import BatchChanges, BatchKeys, BatchState, EventKey
from domain.outcomes import OutcomeStatus
from tests.fakes.levels import batch_histories
from tests.fakes.referrals import referrals_for_batch
from tests.fakes.rewards import save_redemption
from tests.fakes.store import FakeRepository, FakeStore


class FakeEventBatches(FakeRepository):
    async def seen(self, events: Collection[EventKey]) -> dict[EventKey, str]:
        inbox = self._uow.view.inbox
        return {k: inbox[k].payload_hash for k in events if k in inbox}

    async def load(self, keys: BatchKeys) -> BatchState:
        """What the real repository must load for ``keys``, and nothing more: besides the rows
        the keys name, the account behind each purchase or hold named, and every refund
        parked on a purchase the batch mentions."""
        self._uow.loaded.append(keys)
        view = self._uow.view
        purchases = {k: view.purchases[k] for k in keys.purchases if k in view.purchases}
        spent = {(p.business_id, p.spend.redemption_id) for p in purchases.values() if p.spend}
        named = keys.redemptions | spent
        redemptions = {k: view.redemptions[k] for k in named if k in view.redemptions}
        owners = {(p.business_id, p.account_id) for p in purchases.values() if p.account_id}
        owners |= {(p.business_id, p.spend.account_id) for p in purchases.values() if p.spend}
        owners |= {(r.business_id, r.account_id) for r in redemptions.values()}
        referrals = referrals_for_batch(view, keys.customers, owners)
        owners |= {(r.business_id, r.referrer_account_id) for r in referrals.values()}
        state = BatchState(
            seen_events={k: view.inbox[k].payload_hash for k in keys.events if k in view.inbox},
            programmes={b: view.programmes[b] for b in keys.businesses if b in view.programmes},
            accounts={
                k: a
                for k, a in view.accounts.items()
                if (a.business_id, a.customer_id) in keys.customers or k in owners
            },
            purchases=purchases,
            redemptions=redemptions,
            referrals=referrals,
            refunds={
                k: r
                for k, r in view.refunds.items()
                if k in keys.refunds
                or (
                    r.outcome.status is OutcomeStatus.PARKED
                    and r.event.purchase_key in keys.purchases
                )
            },
        )
        batch_histories(view, keys, state)
        return state

    async def save(self, changes: BatchChanges) -> None:
        def write(store: FakeStore) -> None:
            for record in changes.inbox:
                key = (record.business_id, record.event_id)
                assert key not in store.inbox, f"event {key} recorded twice"
                store.inbox[key] = record
            for key, outcome in changes.resolved_inbox.items():
                store.inbox[key] = replace(store.inbox[key], outcome=outcome)
            store.purchases.update(changes.purchases)
            store.refunds.update(changes.refunds)
            store.referrals.update(changes.referrals)
            for redemption in changes.redemptions.values():
                save_redemption(store, redemption)  # stock goes back as the trigger gives it
            for refusal in changes.refused_captures:
                store.capture_refusals.setdefault((refusal.business_id, refusal.event_id), refusal)

        self._uow.stage(write)
