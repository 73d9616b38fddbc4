"""Spent points come back on a return: a sale paid partly with a hold it captured gives back,
on each return, refund or cancellation, the same share of those points as of its money,
floored cumulatively, never more than was spent, all of it on a full return."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

import pytest

from domain.accounts import AccountStatus
from domain.batch import BatchChanges, BatchState
from domain.events import EventKind, PurchaseCompleted, RefundIssued
from domain.ledger import EntryKind, Source
from domain.outcomes import OutcomeStatus, SkipReason
from domain.redemption import Redemption, RedemptionStatus

from .builders import (
    BUSINESS,
    RECORDED_AT,
    account,
    account_id_of,
    apply,
    at,
    customer_return,
    sale,
)
from .builders import state as batch_state

pytestmark = pytest.mark.unit

HOLD_ID = UUID(int=7)
C1 = (BUSINESS, account_id_of("c1"))


def hold(points: int = 100, status: RedemptionStatus = RedemptionStatus.HELD) -> Redemption:
    return Redemption(
        business_id=BUSINESS,
        redemption_id=HOLD_ID,
        account_id=account_id_of("c1"),
        points=points,
        discount=Decimal(points) / 100,
        capped=False,
        status=status,
        created_at=RECORDED_AT - timedelta(minutes=5),
        expires_at=RECORDED_AT + timedelta(minutes=25),
        entry_id=UUID(int=99) if status is RedemptionStatus.CAPTURED else None,
    )


def loaded(redemption: Redemption | None = None, balance: int = 500) -> BatchState:
    state = batch_state(None, account("c1", balance=balance))
    state.redemptions[(BUSINESS, HOLD_ID)] = redemption or hold()
    return state


def paid_with_points(reference: str, total: str) -> PurchaseCompleted:
    return replace(sale(reference, total), redemption_id=HOLD_ID)


def cancellation(reference: str, of_sale: str, event_id: str | None = None) -> RefundIssued:
    event = customer_return(reference, of_sale, "0", event_id=event_id or f"ev-cancel-{reference}")
    return replace(event, kind=EventKind.SALE_CANCELLED, source=Source.CANCELLATION, currency="XXX")


def given_back(changes: BatchChanges) -> list[int]:
    return [e.points for e in changes.entries if e.kind is EntryKind.SPEND_RETURN]


def test_a_return_of_a_quarter_of_the_sale_gives_back_a_quarter_of_the_spent_points() -> None:
    state = loaded(hold(300))
    bought = apply(state, paid_with_points("s1", "40"))
    [capture] = [e for e in bought.entries if e.kind is EntryKind.REDEMPTION]

    changes = apply(state, customer_return("r1", "s1", "10"))

    [entry] = [e for e in changes.entries if e.kind is EntryKind.SPEND_RETURN]
    assert (entry.points, entry.related_entry_id) == (75, capture.entry_id)
    assert (entry.source, entry.source_ref) == (Source.RETURN, "r1")
    purchase = state.purchases[(BUSINESS, Source.SALE, "s1")]
    assert purchase.spend is not None
    assert (purchase.spend.points, purchase.spend.returned) == (300, 75)
    assert changes.spend_given_back == {entry.entry_id: (capture.entry_id, 0)}


def test_partial_returns_floor_cumulatively_and_a_full_return_gives_back_everything() -> None:
    state = loaded(hold(100))
    apply(state, paid_with_points("s1", "3"))

    steps = [given_back(apply(state, customer_return(f"r{i}", "s1", "1"))) for i in range(3)]

    assert steps == [[33], [33], [34]]


def test_a_return_parked_before_its_sale_gives_back_once_the_sale_captures_its_hold() -> None:
    state = loaded(hold(200))
    parked = apply(state, customer_return("r1", "s1", "5"))
    assert given_back(parked) == []

    changes = apply(state, paid_with_points("s1", "10"))

    kinds = [e.kind for e in changes.entries]
    assert kinds.index(EntryKind.REDEMPTION) < kinds.index(EntryKind.SPEND_RETURN)
    assert given_back(changes) == [100]
    assert changes.outcomes()[(BUSINESS, "ev-return-r1")].status is OutcomeStatus.APPLIED


def test_a_cancellation_reverses_the_rest_and_gives_back_the_rest_exactly_once() -> None:
    state = loaded(hold(90))
    apply(state, paid_with_points("s1", "30"))  # earns 30
    apply(state, customer_return("r1", "s1", "10"))  # reverses 10, gives back 30

    changes = apply(state, cancellation("k1", "s1"))

    assert [e.points for e in changes.entries if e.kind is EntryKind.REVERSAL] == [-20]
    assert given_back(changes) == [60]
    again = apply(state, cancellation("k2", "s1"), cancellation("k1", "s1", "ev-other"))
    assert again.entries == []
    assert [r.outcome.reason for r in again.inbox] == [
        SkipReason.NOTHING_TO_REVERSE_YET,
        SkipReason.DUPLICATE_REFUND,
    ]
    assert apply(state, customer_return("r2", "s1", "5")).entries == []
    assert state.accounts[C1].balance == 500


def test_a_cancellation_before_its_sale_is_parked_then_undoes_the_whole_sale() -> None:
    state = loaded(hold(50))
    parked = apply(state, cancellation("k1", "s1"))
    assert parked.inbox[0].outcome.status is OutcomeStatus.PARKED

    changes = apply(state, paid_with_points("s1", "20"))

    assert sum(e.points for e in changes.entries) == 0, "earned 20, spent 50, all undone"
    [record] = [r for r in state.refunds.values()]
    assert (record.event.amount, record.event.currency) == (Decimal(20), "EUR")


def test_a_sale_that_earned_nothing_still_gives_back_what_it_spent() -> None:
    state = loaded(hold(40))
    apply(state, paid_with_points("s1", "0.50"))

    changes = apply(state, customer_return("r1", "s1", "0.50"))

    assert given_back(changes) == [40]
    assert changes.inbox[0].outcome.status is OutcomeStatus.APPLIED


def test_a_hold_cancelled_after_its_capture_gives_nothing_more_on_a_return() -> None:
    state = loaded(hold(100))
    apply(state, paid_with_points("s1", "10"))
    captured = state.redemptions[(BUSINESS, HOLD_ID)]
    state.redemptions[(BUSINESS, HOLD_ID)] = replace(captured, status=RedemptionStatus.CANCELLED)

    assert given_back(apply(state, customer_return("r1", "s1", "10"))) == []


def test_a_hold_captured_over_http_before_its_sale_links_to_that_sale_only() -> None:
    state = loaded(hold(100, RedemptionStatus.CAPTURED))
    apply(state, paid_with_points("s1", "10"))
    second = apply(state, paid_with_points("s2", "10"))

    assert state.redemptions[(BUSINESS, HOLD_ID)].sale_reference == "s1"
    assert state.purchases[(BUSINESS, Source.SALE, "s2")].spend is None
    assert second.redemptions == {}
    changes = apply(state, customer_return("r1", "s1", "5"), customer_return("r2", "s2", "10"))
    assert given_back(changes) == [50]
    [entry] = [e for e in changes.entries if e.kind is EntryKind.SPEND_RETURN]
    assert entry.related_entry_id == UUID(int=99)


def test_a_closed_account_gets_nothing_back() -> None:
    state = loaded(hold(100))
    apply(state, paid_with_points("s1", "10"))
    state.accounts[C1] = replace(state.accounts[C1], status=AccountStatus.CLOSED)

    assert given_back(apply(state, customer_return("r1", "s1", "10"))) == []


def test_a_suspended_account_gets_its_spent_points_back_like_a_reversal_applies() -> None:
    state = loaded(hold(100))
    apply(state, paid_with_points("s1", "10"))
    state.accounts[C1] = replace(state.accounts[C1], status=AccountStatus.SUSPENDED)

    assert given_back(apply(state, customer_return("r1", "s1", "10", occurred_at=at(2)))) == [100]
