"""Applying a batch of inbound events to the ledger, in memory, with no IO.

The service loads a ``BatchState`` (locked accounts, purchases, refunds, programmes and
inbox rows the batch touches), runs ``apply_batch`` and writes the ``BatchChanges`` back
with set-based SQL in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from domain.accounts import Account, AccountStatus
from domain.batch_state import BatchChanges, BatchKeys, BatchState, EventKey
from domain.cancellations import rest_of_sale
from domain.events import InboundEvent, PurchaseCompleted, RefundIssued
from domain.holds import capture_by_sale
from domain.ledger import EntryKind, LedgerEntry, RateSnapshot
from domain.level_batch import LevelApplier
from domain.line_earning import EarnedLine, earn_sale
from domain.outcomes import InboxRecord, Outcome, OutcomeStatus, SkipReason
from domain.postings import post_entry
from domain.purchases import Purchase, RefundRecord
from domain.referral_batch import ReferralApplier
from domain.spend_batch import SpendApplier
from domain.stamp_batch import StampApplier

__all__ = ["BatchChanges", "BatchKeys", "BatchState", "EventKey", "apply_batch"]


@dataclass(frozen=True)
class _Earning:
    """What a sale earned, for its purchase record (the account and rates even for 0 points)."""

    account_id: UUID | None = None
    rates: RateSnapshot | None = None
    points: int = 0
    entry_id: UUID | None = None
    lines: tuple[EarnedLine, ...] = ()


class _BatchApplier:
    def __init__(self, state: BatchState, recorded_at: datetime) -> None:
        self.state = state
        self.recorded_at = recorded_at
        self.changes = BatchChanges()
        self._customer_index = {
            (a.business_id, a.customer_id): key for key, a in state.accounts.items()
        }
        self._stamps = StampApplier(state, self.changes, recorded_at, self._customer_index)
        self._levels = LevelApplier(state, self.changes, recorded_at)
        self._spend = SpendApplier(state, self.changes, recorded_at)
        self._referrals = ReferralApplier(state, self.changes, recorded_at)

    def apply(self, event: InboundEvent) -> None:
        key = (event.business_id, event.event_id)
        seen_hash = self.state.seen_events.get(key)
        if seen_hash is not None:
            if seen_hash == event.payload_hash:
                self.changes.duplicates.append(event)
            else:
                self.changes.conflicts.append(event)
            return
        self.state.seen_events[key] = event.payload_hash
        if isinstance(event, PurchaseCompleted):
            outcome = self._purchase(event)
        else:
            outcome = self._refund(event)
        self.changes.inbox.append(
            InboxRecord(
                business_id=event.business_id,
                event_id=event.event_id,
                kind=event.kind,
                payload_hash=event.payload_hash,
                outcome=outcome,
                occurred_at=event.occurred_at,
            )
        )

    def _purchase(self, event: PurchaseCompleted) -> Outcome:
        if event.purchase_key in self.state.purchases:
            return Outcome.skipped(SkipReason.DUPLICATE_PURCHASE)
        outcome, earning = self._earn(event)
        purchase = Purchase(
            business_id=event.business_id,
            source=event.source,
            reference=event.reference,
            event_id=event.event_id,
            occurred_at=event.occurred_at,
            total=event.amount,
            currency=event.currency,
            customer_id=event.customer_id,
            account_id=earning.account_id,
            rates=earning.rates,
            points_earned=earning.points,
            earn_entry_id=earning.entry_id,
            lines=earning.lines,
        )
        outcome, purchase = self._stamps.earn(event, outcome, purchase)
        self._save_purchase(purchase)
        # The hold first, so returns parked before the sale give back its spent points too.
        self._capture_redemption(event)
        self._spend.link(event)
        self._resolve_parked_refunds(purchase)
        return outcome

    def _capture_redemption(self, event: PurchaseCompleted) -> None:
        """A sale naming a hold captures it, or records why not (``domain.holds``)."""
        if event.redemption_id is None:
            return
        redemption = self.state.redemptions.get((event.business_id, event.redemption_id))
        owner = None
        if redemption is not None:
            owner = self.state.accounts.get((redemption.business_id, redemption.account_id))
        done = capture_by_sale(
            event,
            redemption,
            owner,
            self.state.programmes.get(event.business_id),
            self.recorded_at,
        )
        if done.account is not None and done.entry is not None:
            account_key = (done.account.business_id, done.account.account_id)
            self.state.accounts[account_key] = self.changes.accounts[account_key] = done.account
            self.changes.entries.append(done.entry)
        if done.redemption is not None:
            hold_key = (done.redemption.business_id, done.redemption.redemption_id)
            self.state.redemptions[hold_key] = done.redemption
            self.changes.redemptions[hold_key] = done.redemption
        if done.refusal is not None:
            self.changes.refused_captures.append(done.refusal)

    def _earn(self, event: PurchaseCompleted) -> tuple[Outcome, _Earning]:
        nothing = _Earning()
        if event.customer_id is None:
            return Outcome.skipped(SkipReason.NO_CUSTOMER), nothing
        programme = self.state.programmes.get(event.business_id)
        if programme is None:
            return Outcome.skipped(SkipReason.NO_PROGRAMME), nothing
        if not programme.active_at(event.occurred_at):
            return Outcome.skipped(SkipReason.PROGRAMME_INACTIVE), nothing
        account_key = self._customer_index.get((event.business_id, event.customer_id))
        if account_key is None:
            return Outcome.skipped(SkipReason.NO_ACCOUNT), nothing
        account = self.state.accounts[account_key]
        if account.status is AccountStatus.SUSPENDED:
            return Outcome.skipped(SkipReason.ACCOUNT_SUSPENDED), nothing
        if account.status is AccountStatus.CLOSED:
            return Outcome.skipped(SkipReason.ACCOUNT_CLOSED), nothing
        rule = programme.rule_at(event.occurred_at)
        if rule is None:
            return Outcome.skipped(SkipReason.NO_RULE_IN_FORCE), nothing
        multiplier, level = self._levels.earning_level(account, rule, event.occurred_at)
        sale = earn_sale(event.amount, event.items, rule, event.occurred_at, multiplier)
        points = sale.points
        rates = RateSnapshot.of(rule, event.occurred_at)
        if points == 0:
            reason = SkipReason.BELOW_MIN_SPEND if sale.below_min_spend else None
            earning = _Earning(account.account_id, rates, lines=sale.lines)
            return Outcome.skipped(reason or SkipReason.NO_POINTS_EARNED), earning
        entry = self._post(
            account,
            kind=EntryKind.EARN,
            points=points,
            origin=event.event_id,
            event=event,
            rates=rates,
            related_entry_id=None,
            category_ids=sale.categories,
            description=self._levels.describe_earn(event, level),
        )
        self._levels.after_earn(account, rule, event)
        self._referrals.earned(event, account.account_id)
        earning = _Earning(account.account_id, rates, points, entry.entry_id, sale.lines)
        return Outcome.applied(), earning

    def _refund(self, event: RefundIssued) -> Outcome:
        if event.refund_key in self.state.refunds:
            return Outcome.skipped(SkipReason.DUPLICATE_REFUND)
        purchase = self.state.purchases.get(event.purchase_key)
        if purchase is None:
            self._save_refund(RefundRecord(event, Outcome.parked()))
            return Outcome.parked()
        record = self._reverse(purchase, event)
        record = self._stamps.void(record)
        record = self._spend.give_back(record)
        self._referrals.returned(record.event)
        self._save_refund(record)
        return record.outcome

    def _reverse(self, purchase: Purchase, event: RefundIssued) -> RefundRecord:
        event = rest_of_sale(event, purchase)  # a cancellation: the rest of the money
        if event.currency != purchase.currency:
            return RefundRecord(event, Outcome.skipped(SkipReason.CURRENCY_MISMATCH))
        if self._closed(purchase):  # before the purchase counts a reversal never posted
            return RefundRecord(event, Outcome.skipped(SkipReason.ACCOUNT_CLOSED))
        purchase, to_reverse = purchase.after_refund(event.amount, event.items)
        self._save_purchase(purchase)
        if purchase.account_id is None or purchase.points_earned == 0:
            return RefundRecord(event, Outcome.skipped(SkipReason.PURCHASE_EARNED_NOTHING))
        if to_reverse == 0:
            return RefundRecord(event, Outcome.skipped(SkipReason.NOTHING_TO_REVERSE_YET))
        # A reversal undoes points already given, so it applies whatever the account's
        # status: suspending an account must not let it keep points for returned goods.
        # (A closed account's points were all forfeited at closing: see ``_closed``.)
        account = self.state.accounts[(purchase.business_id, purchase.account_id)]
        self._post(
            account,
            kind=EntryKind.REVERSAL,
            points=-to_reverse,
            origin=event.event_id,
            event=event,
            rates=purchase.rates,
            related_entry_id=purchase.earn_entry_id,
        )
        return RefundRecord(event, Outcome.applied(), points_reversed=to_reverse)

    def _closed(self, purchase: Purchase) -> bool:
        if purchase.account_id is None:
            return False
        account = self.state.accounts[(purchase.business_id, purchase.account_id)]
        return account.status is AccountStatus.CLOSED

    def _resolve_parked_refunds(self, purchase: Purchase) -> None:
        if not self.state.refunds:
            return  # the common case: nothing parked was loaded or seen in this batch
        parked = [
            record
            for record in self.state.refunds.values()
            if record.outcome.status is OutcomeStatus.PARKED
            and record.event.purchase_key == purchase.key
        ]
        parked.sort(key=lambda r: (r.event.occurred_at, r.event.event_id))
        for record in parked:
            resolved = self._reverse(self.state.purchases[purchase.key], record.event)
            resolved = self._stamps.void(resolved)
            resolved = self._spend.give_back(resolved)
            self._referrals.returned(resolved.event)
            self._save_refund(resolved)
            event_key = (record.event.business_id, record.event.event_id)
            self.changes.resolved_inbox[event_key] = resolved.outcome
            for i, inbox in enumerate(self.changes.inbox):
                if (inbox.business_id, inbox.event_id) == event_key:
                    self.changes.inbox[i] = replace(inbox, outcome=resolved.outcome)
                    del self.changes.resolved_inbox[event_key]

    def _post(
        self,
        account: Account,
        *,
        kind: EntryKind,
        points: int,
        origin: str,
        event: InboundEvent,
        rates: RateSnapshot | None,
        related_entry_id: UUID | None,
        category_ids: tuple[str, ...] = (),
        description: str | None = None,
    ) -> LedgerEntry:
        account, entry = post_entry(
            account,
            kind=kind,
            points=points,
            source=event.source,
            source_ref=event.reference,
            origin=origin,
            at=self.recorded_at,
            attribution=event.attribution,
            related_entry_id=related_entry_id,
            event_id=event.event_id,
            occurred_at=event.occurred_at,
            amount=event.amount,
            currency=event.currency,
            rates=rates,
            category_ids=category_ids,
            description=description,
        )
        key = (account.business_id, account.account_id)
        self.state.accounts[key] = account
        self.changes.accounts[key] = account
        self.changes.entries.append(entry)
        return entry

    def _save_purchase(self, purchase: Purchase) -> None:
        self.state.purchases[purchase.key] = purchase
        self.changes.purchases[purchase.key] = purchase

    def _save_refund(self, record: RefundRecord) -> None:
        self.state.refunds[record.key] = record
        self.changes.refunds[record.key] = record


def apply_batch(
    state: BatchState, events: Sequence[InboundEvent], recorded_at: datetime
) -> BatchChanges:
    """Apply ``events`` in order to ``state``; return every change to write.

    Repeated event ids with the same payload change nothing; with a different payload they
    are conflicts for the dead-letter topic. A refund whose purchase is unknown is parked and
    applied as soon as the purchase is seen, in this batch or a later one.
    """
    applier = _BatchApplier(state, recorded_at)
    for event in events:
        applier.apply(event)
    return applier.changes
