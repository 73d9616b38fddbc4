"""Applying batches: ledger entries, proportional reversal, parked returns, negative balances."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from domain.accounts import AccountStatus
from domain.batch import BatchChanges, BatchState
from domain.events import PurchaseCompleted, RefundIssued
from domain.ledger import EntryKind, Source
from domain.outcomes import Outcome, SkipReason

from .builders import (
    ATTRIBUTION,
    BUSINESS,
    account,
    account_id_of,
    apply,
    at,
    customer_return,
    programme,
    rule,
    sale,
    state,
)

pytestmark = pytest.mark.unit

C1 = (BUSINESS, account_id_of("c1"))


def points_of(changes: BatchChanges) -> list[int]:
    return [e.points for e in changes.entries]


def test_entries_number_each_account_in_turn_with_the_balance_after_each() -> None:
    batch_state = state(programme(), account("c1", balance=5, last_seq=3), account("c2"))

    changes = apply(
        batch_state,
        sale("s1", "100", customer_id="c1"),
        sale("s2", "40", customer_id="c2"),
        sale("s3", "20", customer_id="c1"),
    )

    assert [(e.customer_id, e.seq, e.points, e.balance_after) for e in changes.entries] == [
        ("c1", 4, 100, 105),
        ("c2", 1, 40, 40),
        ("c1", 5, 20, 125),
    ]
    assert (changes.accounts[C1].balance, changes.accounts[C1].last_seq) == (125, 5)


def test_an_earn_entry_records_the_sale_that_caused_it() -> None:
    event = sale("s1", "12.50", occurred_at=at(days=2))

    [entry] = apply(state(programme(), account()), event).entries

    assert (entry.kind, entry.source, entry.source_ref, entry.event_id) == (
        EntryKind.EARN,
        Source.SALE,
        "s1",
        event.event_id,
    )
    assert (entry.amount, entry.currency, entry.occurred_at) == (
        Decimal("12.50"),
        "EUR",
        at(days=2),
    )
    assert (entry.attribution, entry.related_entry_id) == (ATTRIBUTION, None)


def test_the_same_events_always_yield_the_same_entry_ids() -> None:
    events: list[PurchaseCompleted | RefundIssued] = [
        sale("s1", "100"),
        customer_return("r1", "s1", "50"),
    ]

    first = apply(state(programme(), account()), *events)
    again = apply(state(programme(), account()), *events)

    assert [e.entry_id for e in first.entries] == [e.entry_id for e in again.entries]
    assert len({e.entry_id for e in first.entries}) == 2


def test_a_reversal_points_at_its_earn_entry_and_keeps_the_earn_rates() -> None:
    promo = rule(1, multiplier="2", multiplier_until=at(days=1))
    later = rule(2, effective_from=at(days=5), earn_rate="7")
    batch_state = state(programme(promo, later), account())

    changes = apply(
        batch_state, sale("s1", "10"), customer_return("r1", "s1", "10", occurred_at=at(days=9))
    )

    earn, reversal = changes.entries
    assert (earn.points, reversal.points, reversal.balance_after) == (20, -20, 0)
    assert (reversal.kind, reversal.source, reversal.source_ref) == (
        EntryKind.REVERSAL,
        Source.RETURN,
        "r1",
    )
    assert reversal.related_entry_id == earn.entry_id
    assert reversal.rates == earn.rates
    assert earn.rates is not None
    assert (earn.rates.rule_version, earn.rates.multiplier) == (1, Decimal(2))


def test_partial_returns_then_the_rest_reverse_exactly_what_was_earned() -> None:
    batch_state = state(programme(rule(earn_rate="0.5")), account())

    changes = apply(
        batch_state,
        sale("s1", "21"),
        *(customer_return(f"r{i}", "s1", "7") for i in range(3)),
    )

    assert points_of(changes) == [10, -3, -3, -4]
    assert changes.accounts[C1].balance == 0


def test_partial_returns_never_reverse_more_than_was_earned() -> None:
    extra = customer_return("r3", "s1", "5")
    batch_state = state(programme(), account())

    changes = apply(
        batch_state,
        sale("s1", "10"),
        customer_return("r1", "s1", "6"),
        customer_return("r2", "s1", "6"),
        extra,
    )

    assert points_of(changes) == [10, -6, -4]
    assert changes.outcome_of(extra) == Outcome.skipped(SkipReason.NOTHING_TO_REVERSE_YET)
    assert changes.purchases[(BUSINESS, Source.SALE, "s1")].points_reversed == 10


def test_a_return_before_its_sale_in_the_same_batch_is_applied_when_the_sale_arrives() -> None:
    early = customer_return("r1", "s1", "25", occurred_at=at(hours=-1))

    changes = apply(state(programme(), account()), early, sale("s1", "100"))

    assert points_of(changes) == [100, -25]
    assert changes.outcome_of(early) == Outcome.applied()
    assert [r.outcome for r in changes.inbox] == [Outcome.applied(), Outcome.applied()]
    assert changes.resolved_inbox == {}
    assert changes.refunds[early.refund_key].points_reversed == 25


def test_a_return_parked_in_an_earlier_batch_is_applied_when_its_sale_arrives() -> None:
    early = customer_return("r1", "s1", "25")
    first = apply(state(programme(), account()), early)
    assert first.outcome_of(early) == Outcome.parked()
    assert first.entries == []
    parked = first.refunds[early.refund_key]

    later = BatchState(
        seen_events={(BUSINESS, early.event_id): early.payload_hash},
        programmes={BUSINESS: programme()},
        accounts={C1: account()},
        refunds={early.refund_key: parked},
    )
    changes = apply(later, sale("s1", "100"))

    assert points_of(changes) == [100, -25]
    assert changes.resolved_inbox == {(BUSINESS, early.event_id): Outcome.applied()}
    assert changes.refunds[early.refund_key].outcome == Outcome.applied()


def test_a_reversal_may_take_the_balance_below_zero() -> None:
    batch_state = state(programme(), account())
    apply(batch_state, sale("s1", "100"))
    # since then the customer spent 90 of the 100 points
    batch_state.accounts[C1] = replace(batch_state.accounts[C1], balance=10, last_seq=2)

    [reversal] = apply(batch_state, customer_return("r1", "s1", "100")).entries

    assert (reversal.points, reversal.balance_after, reversal.seq) == (-100, -90, 3)


def test_a_return_still_reverses_points_on_a_suspended_account() -> None:
    batch_state = state(programme(), account())
    apply(batch_state, sale("s1", "100"))
    batch_state.accounts[C1] = replace(batch_state.accounts[C1], status=AccountStatus.SUSPENDED)

    assert points_of(apply(batch_state, customer_return("r1", "s1", "40"))) == [-40]
