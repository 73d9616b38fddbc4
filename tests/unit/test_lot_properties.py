"""Property: whatever earns, returns, redemptions, cancellations and sweeps happen, an
account's lots hold exactly its non-negative balance, and the ledger verifies."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.commands import CancelRedemption, Redeem
from domain.errors import LoyaltyError
from domain.events import InboundEvent
from service.event_intake import ApplyEventBatch
from service.expiry import ExpirePoints
from service.redemptions import Redemptions
from service.verification import verify_ledger

from .builders import BUSINESS, account_id_of, at, customer_return, sale
from .fake_ports import FakeClock
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
