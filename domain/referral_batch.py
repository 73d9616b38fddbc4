"""Referral bonuses in a batch of events: the referred customer's first qualifying sale pays
both sides once (``earned``), a full return of that sale inside the window takes both back
once (``returned``). Called by ``domain.batch`` after the sale's points and after a
return's, in the same state; the referrer's account is loaded and locked with the batch."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from uuid import UUID

from domain.accounts import Account, AccountStatus
from domain.batch_state import BatchChanges, BatchState
from domain.cancellations import is_cancellation
from domain.events import InboundEvent, PurchaseCompleted, RefundIssued
from domain.ledger import EntryKind, LedgerEntry
from domain.postings import post_entry
from domain.referrals import Referral, ReferralOutcome

_REFERRER_SKIPPED = {
    AccountStatus.SUSPENDED: ReferralOutcome.REFERRER_SUSPENDED,
    AccountStatus.CLOSED: ReferralOutcome.REFERRER_CLOSED,
}


class ReferralApplier:
    def __init__(self, state: BatchState, changes: BatchChanges, recorded_at: datetime) -> None:
        self.state = state
        self.changes = changes
        self.recorded_at = recorded_at

    def earned(self, event: PurchaseCompleted, account_id: UUID) -> None:
        """The sale just earned points > 0 on ``account_id``: if it is the first to do so for
        a referred account, it settles the referral under the version in force at the sale."""
        referral = self.state.referrals.get((event.business_id, account_id))
        if referral is None or not referral.open:
            return
        programme = self.state.programmes[event.business_id]
        rule = programme.rule_at(event.occurred_at)
        policy = rule.referral if rule is not None else None
        referral = replace(
            referral,
            sale_source=event.source,
            sale_reference=event.reference,
            sale_occurred_at=event.occurred_at,
        )
        if policy is None:
            self._save(replace(referral, outcome=ReferralOutcome.NO_POLICY))
            return
        referral = replace(referral, return_window_days=policy.return_window_days)
        referred = self._account(referral.referred_account_id, referral)
        entry = self._post(
            referred, EntryKind.REFERRAL_BONUS, policy.referred_points, referral, "referred", event
        )
        referral = replace(
            referral,
            referred_entry_id=entry.entry_id if entry else None,
            referred_points=policy.referred_points if entry else 0,
        )
        referrer = self._account(referral.referrer_account_id, referral)
        skipped = _REFERRER_SKIPPED.get(referrer.status)
        if skipped is not None:
            self._save(replace(referral, outcome=skipped))
            return
        entry = self._post(
            referrer, EntryKind.REFERRAL_BONUS, policy.referrer_points, referral, "referrer", event
        )
        self._save(
            replace(
                referral,
                outcome=ReferralOutcome.PAID,
                referrer_entry_id=entry.entry_id if entry else None,
                referrer_points=policy.referrer_points if entry else 0,
            )
        )

    def returned(self, event: RefundIssued) -> None:
        """A return was applied to its purchase: once the returns of a referral's paying
        sale dated inside the window reach its total (``Referral.after_return``), both
        bonuses go back (once). A closed account is left alone: closing forfeited what it
        held."""
        purchase = self.state.purchases.get(event.purchase_key)
        if purchase is None or purchase.account_id is None:
            return
        referral = self.state.referrals.get((purchase.business_id, purchase.account_id))
        if referral is None or event.currency != purchase.currency:
            return  # no referral, or a return refused for its currency
        before = referral
        referral, full = referral.after_return(
            purchase.source,
            purchase.reference,
            event.occurred_at,
            event.amount,
            cancelled=is_cancellation(event),
            total=purchase.total,
        )
        if not full:
            if referral is not before:
                self._save(referral)
            return
        sides = (
            ("referred", referral.referred_account_id, referral.referred_entry_id),
            ("referrer", referral.referrer_account_id, referral.referrer_entry_id),
        )
        points = {"referred": referral.referred_points, "referrer": referral.referrer_points}
        for side, account_id, bonus_id in sides:
            account = self._account(account_id, referral)
            if bonus_id is None or account.status is AccountStatus.CLOSED:
                continue
            self._post(
                account, EntryKind.REFERRAL_REVERSAL, -points[side], referral, side, event, bonus_id
            )
        self._save(replace(referral, reversed_at=event.occurred_at))

    def _account(self, account_id: UUID, referral: Referral) -> Account:
        key = (referral.business_id, account_id)
        if key not in self.state.accounts:
            raise LookupError(f"account {account_id} of a referral was not loaded and locked")
        return self.state.accounts[key]

    def _post(
        self,
        account: Account,
        kind: EntryKind,
        points: int,
        referral: Referral,
        side: str,
        event: InboundEvent,
        related_entry_id: UUID | None = None,
    ) -> LedgerEntry | None:
        if points == 0:
            return None
        account, entry = post_entry(
            account,
            kind=kind,
            points=points,
            source=event.source,
            source_ref=event.reference,
            origin=referral.origin(side),
            at=self.recorded_at,
            attribution=event.attribution,
            related_entry_id=related_entry_id,
            event_id=event.event_id,
            occurred_at=event.occurred_at,
            referred_account_id=referral.referred_account_id if side == "referrer" else None,
        )
        key = (account.business_id, account.account_id)
        self.state.accounts[key] = self.changes.accounts[key] = account
        self.changes.entries.append(entry)
        return entry

    def _save(self, referral: Referral) -> None:
        key = (referral.business_id, referral.referred_account_id)
        self.state.referrals[key] = self.changes.referrals[key] = referral
