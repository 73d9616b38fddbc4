"""Spent points in a batch of events: a sale links the points it was paid with (the hold it
captured or names), and each return, refund or cancellation of it gives back their share
(``domain.spend_returns``). Called by ``domain.batch`` after the points and stamps of the
same sale or return, in the same state."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from domain.accounts import AccountStatus
from domain.batch_state import BatchChanges, BatchState
from domain.events import InboundEvent, PurchaseCompleted
from domain.ledger import EntryKind
from domain.outcomes import Outcome, OutcomeStatus
from domain.postings import post_entry
from domain.purchases import Purchase, RefundRecord
from domain.spend_returns import may_link, spend_of, still_owed


class SpendApplier:
    def __init__(self, state: BatchState, changes: BatchChanges, recorded_at: datetime) -> None:
        self.state = state
        self.changes = changes
        self.recorded_at = recorded_at

    def link(self, event: PurchaseCompleted) -> None:
        """After the sale captured (or found captured) the hold it names: the sale keeps the
        points it was paid with. A hold paying for another sale already links nowhere else."""
        if event.redemption_id is None:
            return
        purchase = self.state.purchases.get(event.purchase_key)
        hold_key = (event.business_id, event.redemption_id)
        redemption = self.state.redemptions.get(hold_key)
        if purchase is None or purchase.spend is not None or redemption is None:
            return
        owner = self.state.accounts.get((redemption.business_id, redemption.account_id))
        if owner is None or owner.customer_id != event.customer_id:
            return
        spend = spend_of(redemption, redemption.account_id)
        if spend is None or not may_link(redemption, event.reference):
            return
        if redemption.sale_reference is None:  # captured over HTTP before its sale came
            redemption = replace(redemption, sale_reference=event.reference)
            self.state.redemptions[hold_key] = self.changes.redemptions[hold_key] = redemption
        self._save(replace(purchase, spend=spend))
        # A sale's returns are parked until it is applied, so none came before this link;
        # were some applied already, their share goes back now, with the sale as its cause.
        self._give_back(self.state.purchases[purchase.key], event)

    def give_back(self, record: RefundRecord) -> RefundRecord:
        """The share of the spent points this return brings back (its purchase already after
        the return's points and stamps); the return is applied when it gave some back."""
        if record.outcome.status is OutcomeStatus.PARKED:
            return record
        purchase = self.state.purchases.get(record.event.purchase_key)
        if purchase is None or purchase.spend is None:
            return record
        if self._give_back(purchase, record.event) == 0:
            return record
        return replace(record, outcome=Outcome.applied())

    def _give_back(self, purchase: Purchase, event: InboundEvent) -> int:
        spend = purchase.spend
        assert spend is not None
        account = self.state.accounts.get((purchase.business_id, spend.account_id))
        if account is None or account.status is AccountStatus.CLOSED:
            return 0  # closing forfeited the points: nothing to give back into
        redemption = self.state.redemptions.get((purchase.business_id, spend.redemption_id))
        if not still_owed(redemption):
            return 0
        already = spend.returned
        spend, points = spend.after_refund(purchase.total, purchase.refunded_amount)
        self._save(replace(purchase, spend=spend))
        if points == 0:
            return 0
        # Like a reversal, it applies whatever the account's status: the points were spent
        # on goods that came back.
        account, entry = post_entry(
            account,
            kind=EntryKind.SPEND_RETURN,
            points=points,
            source=event.source,
            source_ref=event.reference,
            origin=event.event_id,
            at=self.recorded_at,
            attribution=event.attribution,
            related_entry_id=spend.entry_id,
            event_id=event.event_id,
            occurred_at=event.occurred_at,
            amount=event.amount,
            currency=event.currency,
        )
        key = (account.business_id, account.account_id)
        self.state.accounts[key] = self.changes.accounts[key] = account
        self.changes.entries.append(entry)
        self.changes.spend_given_back[entry.entry_id] = (spend.entry_id, already)
        return points

    def _save(self, purchase: Purchase) -> None:
        self.state.purchases[purchase.key] = self.changes.purchases[purchase.key] = purchase
