"""Stamps in a batch of events: a sale earns them on the card in force at its ``occurred_at``
(``domain.stamps``), a return voids them (``domain.stamp_voids``). Called by
``domain.batch`` after the points of the same sale or return, in the same state."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from uuid import UUID

from domain.accounts import Account, AccountStatus
from domain.batch_state import BatchChanges, BatchState
from domain.events import InboundEvent, PurchaseCompleted
from domain.ledger import EntryKind, LedgerEntry
from domain.outcomes import Outcome, OutcomeStatus, SkipReason
from domain.postings import post_entry
from domain.purchases import Purchase, RefundRecord
from domain.stamp_voids import PurchaseStamps
from domain.stamps import stamps_for_sale

_VOIDABLE = frozenset({None, SkipReason.PURCHASE_EARNED_NOTHING, SkipReason.NOTHING_TO_REVERSE_YET})
"""Outcomes of a return's points after which its stamps are voided: not a return parked,
nor one refused for its currency."""


class StampApplier:
    def __init__(
        self,
        state: BatchState,
        changes: BatchChanges,
        recorded_at: datetime,
        customer_index: dict[tuple[str, str], tuple[str, UUID]],
    ) -> None:
        self.state = state
        self.changes = changes
        self.recorded_at = recorded_at
        self._customer_index = customer_index

    def earn(
        self, event: PurchaseCompleted, outcome: Outcome, purchase: Purchase
    ) -> tuple[Outcome, Purchase]:
        """The sale's stamps, on an account that may earn, under a programme running at the
        sale's time (the same conditions as points); the sale is applied when it earned
        stamps though no points."""
        account = self._earning_account(event)
        if account is None:
            return outcome, purchase
        programme = self.state.programmes[event.business_id]
        rule = programme.rule_at(event.occurred_at)
        if rule is None or rule.stamp_card is None:
            return outcome, purchase
        stamps, lines = stamps_for_sale(rule.stamp_card, event.amount, event.items)
        if stamps == 0:
            return outcome, purchase
        # Origin: the sale's event id, as its points earn (the kind tells the two ids apart),
        # so a replay makes the same entry and the inbox keeps it to once.
        entry = self._post(account, EntryKind.STAMP_EARN, stamps, event, None)
        earned = PurchaseStamps(earned=stamps, entry_id=entry.entry_id, lines=lines)
        return Outcome.applied(), replace(purchase, account_id=account.account_id, stamps=earned)

    def void(self, record: RefundRecord) -> RefundRecord:
        """Void what the return takes back of its purchase's stamps (the purchase already
        after the return's points); the return is applied when it voided stamps."""
        event = record.event
        purchase = self.state.purchases.get(event.purchase_key)
        if purchase is None or purchase.stamps.earned == 0 or purchase.account_id is None:
            return record
        if record.outcome.status is OutcomeStatus.PARKED or record.outcome.reason not in _VOIDABLE:
            return record
        account = self.state.accounts[(purchase.business_id, purchase.account_id)]
        if account.status is AccountStatus.CLOSED:
            return record  # closing forfeited what the account held: nothing left to void
        stamps, to_void = purchase.stamps.after_refund(
            event, purchase.total, purchase.refunded_amount
        )
        purchase = replace(purchase, stamps=stamps)
        self.state.purchases[purchase.key] = self.changes.purchases[purchase.key] = purchase
        if to_void == 0:
            return record
        # Like a reversal, a void applies whatever the account's status: suspending it must
        # not let it keep stamps for goods that came back.
        self._post(account, EntryKind.STAMP_VOID, -to_void, event, stamps.entry_id)
        return replace(record, outcome=Outcome.applied())

    def _earning_account(self, event: PurchaseCompleted) -> Account | None:
        if event.customer_id is None:
            return None
        programme = self.state.programmes.get(event.business_id)
        if programme is None or not programme.active_at(event.occurred_at):
            return None
        key = self._customer_index.get((event.business_id, event.customer_id))
        account = self.state.accounts.get(key) if key is not None else None
        if account is None or account.status is not AccountStatus.ACTIVE:
            return None
        return account

    def _post(
        self,
        account: Account,
        kind: EntryKind,
        stamps: int,
        event: InboundEvent,
        related_entry_id: UUID | None,
    ) -> LedgerEntry:
        account, entry = post_entry(
            account,
            kind=kind,
            points=0,
            stamps=stamps,
            source=event.source,
            source_ref=event.reference,
            origin=event.event_id,
            at=self.recorded_at,
            attribution=event.attribution,
            related_entry_id=related_entry_id,
            event_id=event.event_id,
            occurred_at=event.occurred_at,
            amount=event.amount,
            currency=event.currency,
        )
        key = (account.business_id, account.account_id)
        self.state.accounts[key] = self.changes.accounts[key] = account
        self.changes.entries.append(entry)
        return entry
