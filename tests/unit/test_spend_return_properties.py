"""Properties of spent points coming back: whatever the partial returns and whether a
cancellation comes, never more than was spent comes back, a full refund or a cancellation
brings back exactly all of it, and the lots handed back add up to what the capture took."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.events import EventKind, InboundEvent
from domain.ledger import EntryKind, Source
from domain.lots import Lot
from domain.redemption import Redemption, RedemptionStatus
from domain.spend_lots import given_back_order, slice_given_back
from domain.spend_returns import SaleSpend

from .builders import BUSINESS, RECORDED_AT, account, account_id_of, apply, customer_return, sale
from .builders import state as batch_state

pytestmark = pytest.mark.unit

HOLD_ID = UUID(int=7)
cents = st.integers(min_value=1, max_value=100_000).map(lambda c: Decimal(c) / 100)


@given(
    spent=st.integers(min_value=1, max_value=10_000),
    total=cents,
    refunds=st.lists(cents, max_size=6),
    cancelled=st.booleans(),
    one_batch=st.booleans(),
)
def test_returns_never_give_back_more_than_was_spent_and_a_full_one_gives_back_all(
    spent: int, total: Decimal, refunds: list[Decimal], cancelled: bool, one_batch: bool
) -> None:
    state = batch_state(None, account("c1", balance=spent))
    state.redemptions[(BUSINESS, HOLD_ID)] = Redemption(
        business_id=BUSINESS,
        redemption_id=HOLD_ID,
        account_id=account_id_of("c1"),
        points=spent,
        discount=Decimal(1),
        capped=False,
        status=RedemptionStatus.HELD,
        created_at=RECORDED_AT,
        expires_at=RECORDED_AT + timedelta(minutes=30),
    )
    events = [customer_return(f"r{i}", "s1", amount) for i, amount in enumerate(refunds)]
    if cancelled:
        k = customer_return("k", "s1", "0", event_id="ev-cancel")
        events.append(replace(k, kind=EventKind.SALE_CANCELLED, source=Source.CANCELLATION))
    paid = replace(sale("s1", total), redemption_id=HOLD_ID)
    batches: list[list[InboundEvent]] = [[paid, *events]]
    if not one_batch:
        batches = [[paid]]
        batches += [[event] for event in events]
    back = []
    for batch in batches:
        changes = apply(state, *batch)
        back += [e.points for e in changes.entries if e.kind is EntryKind.SPEND_RETURN]

    assert all(points > 0 for points in back)
    assert sum(back) <= spent
    if cancelled or sum(refunds) >= total:
        assert sum(back) == spent
    spend = state.purchases[(BUSINESS, Source.SALE, "s1")].spend
    assert spend is not None and spend.returned == sum(back)


@given(
    spent=st.integers(min_value=1, max_value=1_000),
    total=cents,
    refunded=st.lists(cents, max_size=8),
)
def test_what_stands_given_back_only_grows_and_stays_within_the_spend(
    spent: int, total: Decimal, refunded: list[Decimal]
) -> None:
    spend = SaleSpend(UUID(int=1), UUID(int=2), UUID(int=3), spent)
    so_far = Decimal(0)
    for amount in refunded:
        so_far += amount
        before = spend.returned
        spend, points = spend.after_refund(total, so_far)
        assert points >= 0 and spend.returned == before + points <= spent


T = datetime(2026, 1, 1, tzinfo=UTC)


def lot(n: int, expires_in_days: int | None) -> Lot:
    return Lot(
        business_id=BUSINESS,
        account_id=UUID(int=1),
        lot_id=UUID(int=n),
        entry_id=UUID(int=100 + n),
        earned_at=T,
        available_at=T,
        expires_at=None if expires_in_days is None else T + timedelta(days=expires_in_days),
        points=1_000,
        remaining=0,
    )


taken_lots = st.lists(
    st.tuples(st.one_of(st.none(), st.integers(1, 400)), st.integers(1, 500)), max_size=6
)


@given(taken=taken_lots, steps=st.lists(st.integers(0, 600), max_size=6))
def test_the_lots_given_back_step_by_step_add_up_to_a_prefix_of_what_the_capture_took(
    taken: list[tuple[int | None, int]], steps: list[int]
) -> None:
    took = [(lot(i, days), points) for i, (days, points) in enumerate(taken)]
    total = sum(points for _, points in took)
    per_lot: dict[UUID, int] = {}
    already = 0
    for wanted in steps:
        wanted = min(wanted, total - already)
        sliced = slice_given_back(took, already, wanted)
        assert sum(points for _, points in sliced) == wanted
        for given_lot, points in sliced:
            per_lot[given_lot.lot_id] = per_lot.get(given_lot.lot_id, 0) + points
        already += wanted
    # Never more of a lot than the capture took of it; the latest-expiring filled first.
    order = given_back_order(took)
    left = already
    for given_lot, points in order:
        assert per_lot.get(given_lot.lot_id, 0) == min(points, left)
        left -= min(points, left)


def test_points_that_never_expire_come_back_first_then_the_latest_expiring() -> None:
    took = [(lot(1, 10), 5), (lot(2, None), 5), (lot(3, 300), 5)]

    sliced = slice_given_back(took, 3, 6)

    assert [(given.lot_id.int, points) for given, points in sliced] == [(2, 2), (3, 4)]
