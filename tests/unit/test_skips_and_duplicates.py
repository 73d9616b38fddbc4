"""Events that change nothing: skipped with a reason, repeated, or in conflict."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from decimal import Decimal

import pytest

from domain.accounts import AccountStatus
from domain.batch import BatchChanges, BatchState
from domain.events import InboundEvent
from domain.outcomes import Outcome, OutcomeStatus, SkipReason

from .builders import (
    BUSINESS,
    account,
    account_id_of,
    apply,
    customer_return,
    programme,
    sale,
    state,
)

pytestmark = pytest.mark.unit

C1 = (BUSINESS, account_id_of("c1"))


def points_of(changes: BatchChanges) -> list[int]:
    return [e.points for e in changes.entries]


@pytest.mark.parametrize(
    ("make_state", "customer_id", "reason"),
    [
        (lambda: state(programme(), account()), None, SkipReason.NO_CUSTOMER),
        (lambda: state(programme(), account()), "c1", None),
        (lambda: state(programme(active=False), account()), "c1", SkipReason.PROGRAMME_INACTIVE),
        (lambda: state(programme(), account("someone-else")), "c1", SkipReason.NO_ACCOUNT),
        (
            lambda: state(programme(), account(status=AccountStatus.SUSPENDED)),
            "c1",
            SkipReason.ACCOUNT_SUSPENDED,
        ),
        (
            lambda: state(programme(), account(status=AccountStatus.CLOSED)),
            "c1",
            SkipReason.ACCOUNT_CLOSED,
        ),
    ],
    ids=["no-customer", "eligible", "inactive", "no-account", "suspended", "closed"],
)
def test_a_sale_that_cannot_earn_is_skipped_with_its_reason(
    make_state: Callable[[], BatchState], customer_id: str | None, reason: SkipReason | None
) -> None:
    event = sale("s1", "100", customer_id=customer_id)

    changes = apply(make_state(), event)

    if reason is None:
        assert changes.outcome_of(event) == Outcome.applied()
        assert [e.points for e in changes.entries] == [100]
    else:
        assert changes.outcome_of(event) == Outcome.skipped(reason)
        assert changes.entries == []
        assert changes.accounts == {}


def test_a_sale_for_a_business_without_a_programme_is_skipped_with_no_programme() -> None:
    event = sale("s1", "100", business_id="unknown-shop")

    changes = apply(state(programme(), account()), event)

    assert changes.outcome_of(event) == Outcome.skipped(SkipReason.NO_PROGRAMME)
    assert changes.entries == []


def test_a_sale_too_small_to_earn_a_point_is_skipped_with_no_points_earned() -> None:
    event = sale("s1", "0.99")

    changes = apply(state(programme(), account()), event)

    assert changes.outcome_of(event) == Outcome.skipped(SkipReason.NO_POINTS_EARNED)
    assert changes.entries == []


@pytest.mark.parametrize(
    ("events", "reason"),
    [
        ([sale("s1", "10"), sale("s1", "99", event_id="other")], SkipReason.DUPLICATE_PURCHASE),
        (
            [
                sale("s1", "10"),
                customer_return("r1", "s1", "4"),
                customer_return("r1", "s1", "5", event_id="other"),
            ],
            SkipReason.DUPLICATE_REFUND,
        ),
        (
            [sale("s1", "10"), customer_return("r1", "s1", "4", currency="USD")],
            SkipReason.CURRENCY_MISMATCH,
        ),
        (
            [sale("s1", "0.50"), customer_return("r1", "s1", "0.50")],
            SkipReason.PURCHASE_EARNED_NOTHING,
        ),
        (
            [sale("s1", "10", customer_id="stranger"), customer_return("r1", "s1", "10")],
            SkipReason.PURCHASE_EARNED_NOTHING,
        ),
    ],
    ids=["duplicate-sale-ref", "duplicate-return-ref", "currency", "earned-nothing", "no-account"],
)
def test_the_last_event_is_skipped_with_its_reason_and_changes_no_balance(
    events: list[InboundEvent], reason: SkipReason
) -> None:
    batch_state = state(programme(), account())
    before = apply(batch_state, *events[:-1])

    changes = apply(batch_state, events[-1])

    assert changes.outcome_of(events[-1]) == Outcome.skipped(reason)
    assert changes.entries == []
    assert changes.accounts == {}
    assert batch_state.accounts[C1].balance == sum(e.points for e in before.entries)


def test_a_repeated_event_id_with_the_same_payload_is_a_duplicate_that_changes_nothing() -> None:
    event = sale("s1", "100")
    batch_state = state(programme(), account())

    changes = apply(batch_state, event, event)
    replayed = apply(batch_state, event)

    assert (changes.duplicates, points_of(changes), len(changes.inbox)) == ([event], [100], 1)
    assert (replayed.duplicates, replayed.entries, replayed.inbox) == ([event], [], [])
    assert batch_state.accounts[C1].balance == 100


def test_a_repeated_event_id_with_a_different_payload_is_a_conflict() -> None:
    event = sale("s1", "100")
    tampered = replace(event, amount=Decimal("900"), payload_hash="something else")

    changes = apply(state(programme(), account()), event, tampered)

    assert (changes.conflicts, changes.duplicates, points_of(changes)) == ([tampered], [], [100])
    assert [r.outcome.status for r in changes.inbox] == [OutcomeStatus.APPLIED]
