"""Property: whatever earns, returns, redemptions, cancellations and sweeps happen, an
account's lots hold exactly its non-negative balance, and the ledger verifies."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.commands import AdjustPoints, CancelRedemption, CaptureRedemption, Redeem
from domain.errors import LoyaltyError
from domain.events import InboundEvent
from service.use_cases.accounts import Accounts
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.expiry import ExpirePoints
from service.use_cases.redemptions import Redemptions
from service.use_cases.verification import verify_ledger
from tests.fakes import FakeClock

from .builders import BUSINESS, account_id_of, at, customer_return, sale
from .test_point_lots import shop

pytestmark = pytest.mark.unit

C1 = account_id_of("c1")

operations = st.lists(
    st.one_of(
        st.tuples(st.just("sale"), st.integers(1, 400)),
        st.tuples(st.just("return"), st.integers(1, 100)),  # percent of the newest sale
        st.tuples(st.just("redeem"), st.integers(1, 300)),
        st.tuples(st.just("cancel"), st.just(0)),
        st.tuples(st.just("wait"), st.integers(1, 40)),  # days, then a sweep
    ),
    max_size=25,
)


@given(
    operations,
    st.sampled_from([None, 30]),
    st.sampled_from([0, 7]),
    st.sampled_from([None, 60]),
)
async def test_lots_always_hold_the_balance(
    ops: list[tuple[str, int]], validity: int | None, pending: int, inactivity: int | None
) -> None:
    uows = shop(validity, pending, inactivity)
    clock = FakeClock(at())
    redemptions = Redemptions(uows, clock)
    sales: list[tuple[str, int]] = []
    redeemed = []

    async def apply(event: InboundEvent) -> None:
        await ApplyEventBatch(uows, clock)([event])

    for n, (kind, value) in enumerate(ops):
        if kind == "sale":
            await apply(sale(f"s{n}", Decimal(value), occurred_at=clock.moment))
            sales.append((f"s{n}", value))
        elif kind == "return" and sales:
            reference, total = sales[-1]
            amount = (Decimal(total) * value / 100).quantize(Decimal("0.01"))
            await apply(customer_return(f"r{n}", reference, amount, occurred_at=clock.moment))
        elif kind == "redeem":
            try:
                result = await redemptions.redeem(Redeem(BUSINESS, C1, value, f"k{n}", f"k{n}"))
                redeemed.append(result.redemption.redemption_id)
            except LoyaltyError:
                pass  # blocked: not enough spendable points
        elif kind == "cancel" and redeemed:
            await redemptions.cancel(CancelRedemption(BUSINESS, redeemed.pop(), supervisor=True))
        elif kind == "wait":
            clock.moment += timedelta(days=value)
            await ExpirePoints(uows, clock)()
        report = await verify_ledger(uows, BUSINESS, 1e9)
        assert report.breaches == [], (kind, value, report.breaches)


WAITS = [
    timedelta(0),
    timedelta(minutes=10),
    timedelta(minutes=25),
    timedelta(days=1),
    timedelta(days=12),
    timedelta(days=25),
]  # around hold times, validity, inactivity

steps_with_holds = st.lists(
    st.tuples(
        st.sampled_from(["sale", "hold", "capture", "adjust"]),
        st.integers(1, 300),
        st.sampled_from(WAITS),  # then a sweep
    ),
    max_size=12,
)


@given(
    steps_with_holds,
    st.sampled_from([None, 30]),
    st.sampled_from([0, 7]),
    st.sampled_from([None, 20]),
)
async def test_sweeps_never_fail_and_never_take_points_a_live_hold_needs(
    steps: list[tuple[str, int, timedelta]],
    validity: int | None,
    pending: int,
    inactivity: int | None,
) -> None:
    """Earns, adjustments (not activity), holds and their captures, each followed by a
    sweep: every sweep succeeds, the ledger verifies, and no capture ever finds its points
    expired (without returns, nothing may drive the balance below zero)."""
    uows = shop(validity, pending, inactivity)
    clock = FakeClock(at())
    redemptions = Redemptions(uows, clock)
    holds: list[UUID] = []

    for n, (kind, value, wait) in enumerate(steps):
        if kind == "sale":
            event = sale(f"s{n}", Decimal(value), occurred_at=clock.moment)
            await ApplyEventBatch(uows, clock)([event])
        elif kind == "hold":
            with contextlib.suppress(LoyaltyError):  # blocked: not enough spendable points
                result = await redemptions.redeem(
                    Redeem(BUSINESS, C1, value, f"k{n}", f"k{n}", hold=True)
                )
                holds.append(result.redemption.redemption_id)
        elif kind == "capture" and holds:
            with contextlib.suppress(LoyaltyError):  # the hold lapsed
                await redemptions.capture(CaptureRedemption(BUSINESS, holds.pop()))
        elif kind == "adjust":
            await Accounts(uows, clock).adjust(AdjustPoints(BUSINESS, C1, value, "goodwill"))
        clock.moment += wait
        await ExpirePoints(uows, clock)()
        report = await verify_ledger(uows, BUSINESS, 1e9)
        assert report.breaches == [], (kind, value, report.breaches)
        assert uows.store.accounts[(BUSINESS, C1)].balance >= 0, (kind, value)
