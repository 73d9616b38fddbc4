"""Capturing a held redemption with the sale that names it: who may, until when, and the
record a refused capture leaves.

Liveness is decided in one place, ``Redemption.status_at``, with one clock: the service's
clock when the capture is processed, the same clock that releases held points to be spent
again. The sale's ``occurred_at`` plays no part: with consumer lag longer than the hold, the
points may already have been spent again, and taking them a second time would overspend.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from domain.accounts import Account
from domain.events import PurchaseCompleted
from domain.ledger import Attribution, EntryKind, LedgerEntry, RateSnapshot, Source
from domain.postings import post_entry
from domain.programme import Programme
from domain.redemption import Redemption, RedemptionStatus, redemption_entry_origin


class CaptureVerdict(enum.StrEnum):
    CAPTURE = "capture"
    ALREADY_CAPTURED = "already_captured"
    """Captured before (over HTTP, or by another sale): the points were taken once."""
    UNKNOWN_HOLD = "unknown_hold"
    """No such redemption in the sale's business."""
    NOT_OWNER = "not_owner"
    """The sale is not the hold's customer's (or names no customer)."""
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    """The hold ran out before the capture was processed: its points were released."""

    @property
    def refused(self) -> bool:
        return self not in (CaptureVerdict.CAPTURE, CaptureVerdict.ALREADY_CAPTURED)


def judge_sale_capture(
    redemption: Redemption | None,
    owner_customer_id: str | None,
    sale_customer_id: str | None,
    now: datetime,
) -> CaptureVerdict:
    """Whether the sale may capture the hold it names, judged at ``now`` (processing time).

    A refused capture takes nothing and leaves the hold as it was (an overdue one is only
    marked expired); the caller records the refusal.
    """
    if redemption is None:
        return CaptureVerdict.UNKNOWN_HOLD
    if sale_customer_id is None or sale_customer_id != owner_customer_id:
        return CaptureVerdict.NOT_OWNER
    status = redemption.status_at(now)
    if status is RedemptionStatus.CAPTURED:
        return CaptureVerdict.ALREADY_CAPTURED
    if status is RedemptionStatus.CANCELLED:
        return CaptureVerdict.CANCELLED
    if status is RedemptionStatus.EXPIRED:
        return CaptureVerdict.EXPIRED
    return CaptureVerdict.CAPTURE


@dataclass(frozen=True)
class RefusedCapture:
    """A sale named a hold it could not capture: the till gave a discount no points paid for.

    Kept so the refusal is never silent: ``loyalty verify`` and the metrics show it, and the
    business can settle it with the customer. ``account_id`` and ``points`` are the hold's
    (None when the hold is unknown).
    """

    business_id: str
    event_id: str
    redemption_id: UUID
    reason: CaptureVerdict
    sale_reference: str
    customer_id: str | None
    occurred_at: datetime
    refused_at: datetime
    account_id: UUID | None = None
    points: int | None = None


@dataclass(frozen=True)
class SaleCapture:
    """What a sale naming a hold changes: the account and its entry (a capture), the hold as
    it is to be saved (captured, or marked expired), and the refusal to record."""

    account: Account | None = None
    entry: LedgerEntry | None = None
    redemption: Redemption | None = None
    refusal: RefusedCapture | None = None


def capture_by_sale(
    sale: PurchaseCompleted,
    redemption: Redemption | None,
    owner: Account | None,
    programme: Programme | None,
    now: datetime,
) -> SaleCapture:
    """The sale captures the hold it names if ``judge_sale_capture`` allows it at ``now``.

    A capture takes exactly the held points, once, even if a reversal since left the account
    fewer: the balance may go negative, as it would had the reversal come after the capture,
    so the result does not depend on the order the two arrive in.
    """
    assert sale.redemption_id is not None
    owner_customer = owner.customer_id if owner is not None else None
    verdict = judge_sale_capture(redemption, owner_customer, sale.customer_id, now)
    if verdict is CaptureVerdict.ALREADY_CAPTURED:
        return SaleCapture()
    if verdict.refused or redemption is None or owner is None:
        refusal = RefusedCapture(
            business_id=sale.business_id,
            event_id=sale.event_id,
            redemption_id=sale.redemption_id,
            reason=verdict,
            sale_reference=sale.reference,
            customer_id=sale.customer_id,
            occurred_at=sale.occurred_at,
            refused_at=now,
            account_id=redemption.account_id if redemption else None,
            points=(redemption.points or None) if redemption else None,  # stamps: no points
        )
        if (
            verdict is CaptureVerdict.EXPIRED
            and redemption is not None
            and redemption.status is RedemptionStatus.HELD
        ):  # overdue by the clock: record the expiry just decided
            return SaleCapture(
                redemption=replace(redemption, status=RedemptionStatus.EXPIRED), refusal=refusal
            )
        return SaleCapture(refusal=refusal)
    account, entry, captured = capture_points(
        owner,
        redemption,
        programme,
        at=now,
        attribution=sale.attribution,
        event_id=sale.event_id,
        occurred_at=sale.occurred_at,
    )
    captured = replace(captured, sale_reference=sale.reference)
    return SaleCapture(account, entry, captured)


def capture_points(
    account: Account,
    redemption: Redemption,
    programme: Programme | None,
    *,
    at: datetime,
    attribution: Attribution,
    event_id: str | None = None,
    occurred_at: datetime | None = None,
) -> tuple[Account, LedgerEntry, Redemption]:
    """The one way a redemption's points (or a stamp reward's stamps) are taken (at once,
    over HTTP or by its sale): one entry of exactly its cost, whose id derives from the
    redemption, so never twice."""
    rates_at = occurred_at or at
    rule = programme.rule_at(rates_at) if programme else None
    in_stamps = redemption.stamps > 0
    account, entry = post_entry(
        account,
        kind=EntryKind.STAMP_REDEMPTION if in_stamps else EntryKind.REDEMPTION,
        points=-redemption.points,
        source=Source.POS,
        source_ref=str(redemption.redemption_id),
        origin=redemption_entry_origin(redemption.redemption_id),
        at=at,
        attribution=attribution,
        event_id=event_id,
        occurred_at=occurred_at,
        amount=None if redemption.reward_id else redemption.discount,
        rates=RateSnapshot.of(rule, rates_at) if rule else None,
        stamps=-redemption.stamps,
        reward_id=redemption.reward_id,
        reward_description=redemption.reward_description,
    )
    captured = replace(
        redemption, status=RedemptionStatus.CAPTURED, captured_at=at, entry_id=entry.entry_id
    )
    return account, entry, captured
