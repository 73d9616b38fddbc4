"""What a batch of events needs loaded, what the database holds for it, and what applying it
changed: the values passed between the repository and the rules."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from domain.accounts import Account
from domain.customer_updates import IntakeEvent
from domain.events import InboundEvent, PurchaseKey, RefundIssued, RefundKey
from domain.holds import RefusedCapture
from domain.ledger import LedgerEntry
from domain.levels import LevelHistory
from domain.lots import Lot
from domain.outcomes import InboxRecord, Outcome
from domain.postings import Posting, settle
from domain.programme import Programme
from domain.purchases import Purchase, RefundRecord
from domain.redemption import Redemption
from domain.referrals import Referral
from domain.spend_lots import with_spend_slices

EventKey = tuple[str, str]
"""(business_id, event_id)"""


@dataclass(frozen=True)
class BatchKeys:
    """Everything a batch needs loaded (and locked) before it can be applied."""

    events: frozenset[EventKey]
    businesses: frozenset[str]
    customers: frozenset[tuple[str, str]]
    purchases: frozenset[PurchaseKey]
    refunds: frozenset[RefundKey]
    redemptions: frozenset[tuple[str, UUID]] = frozenset()
    earliest: datetime | None = None
    """The earliest ``occurred_at`` of the events (how far back levels must look)."""

    @classmethod
    def of(cls, events: Iterable[InboundEvent]) -> BatchKeys:
        event_keys: set[EventKey] = set()
        businesses: set[str] = set()
        customers: set[tuple[str, str]] = set()
        purchases: set[PurchaseKey] = set()
        refunds: set[RefundKey] = set()
        redemptions: set[tuple[str, UUID]] = set()
        earliest: datetime | None = None
        for e in events:  # one pass: this runs for every event of every batch
            event_keys.add((e.business_id, e.event_id))
            if earliest is None or e.occurred_at < earliest:
                earliest = e.occurred_at
            businesses.add(e.business_id)
            purchases.add(e.purchase_key)
            if isinstance(e, RefundIssued):
                refunds.add(e.refund_key)
                continue
            if e.customer_id is not None:
                customers.add((e.business_id, e.customer_id))
            if e.redemption_id is not None:
                redemptions.add((e.business_id, e.redemption_id))
        return cls(
            events=frozenset(event_keys),
            businesses=frozenset(businesses),
            customers=frozenset(customers),
            purchases=frozenset(purchases),
            refunds=frozenset(refunds),
            redemptions=frozenset(redemptions),
            earliest=earliest,
        )


@dataclass
class BatchState:
    """What the database holds for a batch's keys, loaded under lock."""

    seen_events: dict[EventKey, str] = field(default_factory=dict)
    referrals: dict[tuple[str, UUID], Referral] = field(default_factory=dict)
    """By (business, referred account): those of the batch's customers and purchases."""
    programmes: dict[str, Programme] = field(default_factory=dict)
    accounts: dict[tuple[str, UUID], Account] = field(default_factory=dict)
    purchases: dict[PurchaseKey, Purchase] = field(default_factory=dict)
    refunds: dict[RefundKey, RefundRecord] = field(default_factory=dict)
    redemptions: dict[tuple[str, UUID], Redemption] = field(default_factory=dict)
    levels: dict[tuple[str, UUID], LevelHistory] = field(default_factory=dict)
    """Per locked account of a business with levels: what its level is computed from."""


@dataclass
class BatchChanges:
    """What applying a batch changed, to be written in one transaction."""

    inbox: list[InboxRecord] = field(default_factory=list)
    resolved_inbox: dict[EventKey, Outcome] = field(default_factory=dict)
    entries: list[LedgerEntry] = field(default_factory=list)
    accounts: dict[tuple[str, UUID], Account] = field(default_factory=dict)
    purchases: dict[PurchaseKey, Purchase] = field(default_factory=dict)
    refunds: dict[RefundKey, RefundRecord] = field(default_factory=dict)
    redemptions: dict[tuple[str, UUID], Redemption] = field(default_factory=dict)
    refused_captures: list[RefusedCapture] = field(default_factory=list)
    duplicates: list[IntakeEvent] = field(default_factory=list)
    conflicts: list[IntakeEvent] = field(default_factory=list)
    failed: list[tuple[IntakeEvent, str]] = field(default_factory=list)
    referrals: dict[tuple[str, UUID], Referral] = field(default_factory=dict)
    spend_given_back: dict[UUID, tuple[UUID, int]] = field(default_factory=dict)
    """Each spend-return entry's capture entry and the points given back of it before."""

    def absorb(self, other: BatchChanges) -> None:
        """Add another batch's changes to these (used when a batch is applied event by event)."""
        self.inbox.extend(other.inbox)
        self.resolved_inbox.update(other.resolved_inbox)
        self.entries.extend(other.entries)
        self.accounts.update(other.accounts)
        self.purchases.update(other.purchases)
        self.refunds.update(other.refunds)
        self.redemptions.update(other.redemptions)
        self.refused_captures.extend(other.refused_captures)
        self.duplicates.extend(other.duplicates)
        self.conflicts.extend(other.conflicts)
        self.failed.extend(other.failed)
        self.referrals.update(other.referrals)
        self.spend_given_back.update(other.spend_given_back)

    def posting(
        self,
        programmes: Mapping[str, Programme],
        open_lots: Mapping[tuple[str, UUID], Sequence[Lot]],
        returned: Mapping[UUID, Sequence[tuple[Lot, int]]] | None = None,
    ) -> Posting:
        """The batch's entries and balances as one posting, with the lots they open and take
        (``open_lots``: those of every account an entry takes from)."""
        policies = {business: p.lot_policy for business, p in programmes.items()}
        returned = with_spend_slices(returned or {}, self.spend_given_back, self.entries)
        return settle(self.accounts.values(), self.entries, policies, open_lots, returned)

    def outcomes(self) -> dict[EventKey, Outcome]:
        """Every event's outcome, by (business_id, event_id)."""
        found = {(r.business_id, r.event_id): r.outcome for r in self.inbox}
        found.update(self.resolved_inbox)
        return found

    def outcome_of(self, event: IntakeEvent) -> Outcome | None:
        key = (event.business_id, event.event_id)
        if key in self.resolved_inbox:
            return self.resolved_inbox[key]
        for record in self.inbox:
            if (record.business_id, record.event_id) == key:
                return record.outcome
        return None
