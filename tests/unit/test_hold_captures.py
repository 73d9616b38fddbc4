"""A sale naming a held redemption: it captures the hold only when the hold is its customer's
and still live by the service's clock, takes exactly the held points once, and any capture it
may not make is recorded, never dropped."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from domain.accounts import Account
from domain.batch import BatchChanges, BatchState
from domain.events import PurchaseCompleted
from domain.holds import CaptureVerdict
from domain.ledger import EntryKind
from domain.redemption import Redemption, RedemptionStatus

from .builders import BUSINESS, RECORDED_AT, account, account_id_of, apply, customer_return, sale
from .builders import state as batch_state

pytestmark = pytest.mark.unit

HOLD_ID = UUID(int=42)
C1 = (BUSINESS, account_id_of("c1"))


def hold(
    *,
    points: int = 300,
    expires_at: datetime = RECORDED_AT + timedelta(minutes=10),
    status: RedemptionStatus = RedemptionStatus.HELD,
    customer_id: str = "c1",
) -> Redemption:
    return Redemption(
        business_id=BUSINESS,
        redemption_id=HOLD_ID,
        account_id=account_id_of(customer_id),
        points=points,
        discount=Decimal(points) / 100,
        capped=False,
        status=status,
        created_at=expires_at - timedelta(minutes=30),
        expires_at=expires_at,
    )


def with_hold(redemption: Redemption, *accounts: Account) -> BatchState:
    loaded = batch_state(None, *(accounts or (account("c1", balance=500),)))
    loaded.redemptions[(BUSINESS, HOLD_ID)] = redemption
    return loaded


def naming_the_hold(event: PurchaseCompleted) -> PurchaseCompleted:
    return replace(event, redemption_id=HOLD_ID)


def redemption_points(changes: BatchChanges) -> list[int]:
    return [e.points for e in changes.entries if e.kind is EntryKind.REDEMPTION]


def test_a_sale_processed_before_the_hold_expires_captures_exactly_the_held_points() -> None:
    changes = apply(with_hold(hold()), naming_the_hold(sale("s1", "10")))

    assert redemption_points(changes) == [-300]
    assert changes.redemptions[(BUSINESS, HOLD_ID)].status is RedemptionStatus.CAPTURED
    assert changes.accounts[C1].balance == 500 + 10 - 300
    assert changes.refused_captures == []


def test_a_sale_that_occurred_in_time_but_is_processed_after_expiry_captures_nothing() -> None:
    # The consumer lagged: the points were released at expires_at by the service's clock
    # and may have been spent again since, so the sale's event time cannot revive the hold.
    expired_hold = hold(expires_at=RECORDED_AT - timedelta(minutes=1))
    event = naming_the_hold(sale("s1", "10", occurred_at=RECORDED_AT - timedelta(minutes=5)))

    changes = apply(with_hold(expired_hold), event)

    assert redemption_points(changes) == []
    assert changes.accounts[C1].balance == 510, "the sale still earns"
    assert changes.redemptions[(BUSINESS, HOLD_ID)].status is RedemptionStatus.EXPIRED
    [refusal] = changes.refused_captures
    assert (refusal.reason, refusal.event_id, refusal.refused_at) == (
        CaptureVerdict.EXPIRED,
        event.event_id,
        RECORDED_AT,
    )
    assert (refusal.account_id, refusal.points, refusal.sale_reference) == (C1[1], 300, "s1")


def test_a_live_hold_is_captured_whatever_time_the_sale_claims() -> None:
    # One clock decides: a producer clock running ahead does not expire a live hold.
    event = naming_the_hold(sale("s1", "10", occurred_at=RECORDED_AT + timedelta(hours=3)))

    assert redemption_points(apply(with_hold(hold()), event)) == [-300]


def test_another_customer_s_sale_naming_the_hold_is_refused_and_leaves_it_held() -> None:
    loaded = with_hold(hold(), account("c1", balance=500), account("c2", balance=900))
    event = naming_the_hold(sale("s1", "10", customer_id="c2"))

    changes = apply(loaded, event)

    assert redemption_points(changes) == []
    assert (BUSINESS, HOLD_ID) not in changes.redemptions
    assert loaded.redemptions[(BUSINESS, HOLD_ID)].status is RedemptionStatus.HELD
    [refusal] = changes.refused_captures
    assert (refusal.reason, refusal.customer_id) == (CaptureVerdict.NOT_OWNER, "c2")


def test_a_sale_without_a_customer_cannot_capture_a_hold() -> None:
    changes = apply(with_hold(hold()), naming_the_hold(sale("s1", "10", customer_id=None)))

    assert redemption_points(changes) == []
    assert [r.reason for r in changes.refused_captures] == [CaptureVerdict.NOT_OWNER]


@pytest.mark.parametrize(
    ("status", "reason"),
    [
        (RedemptionStatus.CANCELLED, CaptureVerdict.CANCELLED),
        (RedemptionStatus.EXPIRED, CaptureVerdict.EXPIRED),
    ],
)
def test_a_sale_naming_a_released_hold_records_the_refusal_instead_of_dropping_it(
    status: RedemptionStatus, reason: CaptureVerdict
) -> None:
    # Marked by a capture or cancel over HTTP before the lagging sale arrived.
    changes = apply(with_hold(hold(status=status)), naming_the_hold(sale("s1", "10")))

    assert redemption_points(changes) == []
    assert [(r.reason, r.points) for r in changes.refused_captures] == [(reason, 300)]
    assert (BUSINESS, HOLD_ID) not in changes.redemptions, "the hold is left as it was"


def test_a_sale_naming_an_unknown_hold_records_the_refusal() -> None:
    changes = apply(batch_state(None, account("c1", balance=500)), naming_the_hold(sale("s", "1")))

    [refusal] = changes.refused_captures
    assert (refusal.reason, refusal.account_id, refusal.points) == (
        CaptureVerdict.UNKNOWN_HOLD,
        None,
        None,
    )


def test_two_sales_naming_the_same_hold_capture_it_once_without_a_refusal() -> None:
    changes = apply(
        with_hold(hold()), naming_the_hold(sale("s1", "10")), naming_the_hold(sale("s2", "10"))
    )

    assert redemption_points(changes) == [-300]
    assert changes.refused_captures == []


def test_a_hold_captured_after_a_reversal_took_its_points_still_takes_exactly_them() -> None:
    # 500 earned, 300 held, the sale returned in full: 0 left. The capture takes the 300 the
    # till gave a discount for; the balance goes to -300, as if the return came afterwards.
    loaded = with_hold(hold(), account("c1", balance=0))
    earn = sale("s0", "500")
    changes = apply(
        loaded, earn, customer_return("r0", "s0", "500"), naming_the_hold(sale("s1", "0.50"))
    )

    assert [e.points for e in changes.entries] == [500, -500, -300]
    assert changes.accounts[C1].balance == -300
