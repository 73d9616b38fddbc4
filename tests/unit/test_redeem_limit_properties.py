"""Searching for a history that redeems more than the limit in some period: random redeems,
holds, captures, cancellations and hours passing, through the use cases on fakes."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import replace
from datetime import datetime
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.commands import CancelRedemption, CaptureRedemption, PreviewRedemption, Redeem
from domain.errors import LoyaltyError
from domain.redeem_limits import LimitPeriod, PeriodLimitReached, RedeemLimit, period_bounds
from domain.redemption import RedemptionStatus
from tests.unit.builders import BUSINESS, sale
from tests.unit.test_hold_lag import C1, Shop

pytestmark = pytest.mark.unit

LIMIT = 500

steps = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["redeem", "hold"]), st.integers(1, 400)),
        st.tuples(st.sampled_from(["capture", "cancel"]), st.integers(0, 20)),
        st.tuples(st.just("wait"), st.integers(1, 60 * 30)),  # minutes
    ),
    max_size=30,
)


def used_by_period(shop: Shop, period: LimitPeriod, now: datetime) -> dict[datetime, int]:
    """What counts, by period: captured redemptions, and holds still live at ``now``."""
    used: dict[datetime, int] = defaultdict(int)
    for r in shop.uows.store.redemptions.values():
        live = r.status is RedemptionStatus.HELD and r.expires_at and r.expires_at > now
        if r.status is RedemptionStatus.CAPTURED or live:
            used[period_bounds(period, r.created_at)[0]] += r.points
    return used


async def run(period: LimitPeriod, history: list[tuple[str, int]]) -> None:
    shop = Shop()
    await shop.fund()
    await shop.apply([sale("rich", "100000", customer_id="c1")])
    store = shop.uows.store
    store.programmes[BUSINESS] = replace(
        store.programmes[BUSINESS], redeem_limit=RedeemLimit(LIMIT, period)
    )
    made: list[UUID] = []
    for n, (kind, amount) in enumerate(history):
        now = shop.clock.now()
        before = used_by_period(shop, period, now)[period_bounds(period, now)[0]]
        try:
            if kind in ("redeem", "hold"):
                command = Redeem(BUSINESS, C1, amount, f"k{n}", f"fp{n}", hold=kind == "hold")
                made.append((await shop.redemptions.redeem(command)).redemption.redemption_id)
            elif kind == "capture" and made:
                target = made[amount % len(made)]
                await shop.redemptions.capture(CaptureRedemption(BUSINESS, target))
            elif kind == "cancel" and made:
                target = made[amount % len(made)]
                await shop.redemptions.cancel(CancelRedemption(BUSINESS, target, supervisor=True))
            elif kind == "wait":
                shop.clock.advance(minutes=amount)
        except PeriodLimitReached as refused:
            assert before + amount > LIMIT, "refused although the points fitted"
            assert refused.use.left == max(0, LIMIT - before)
        except LoyaltyError:
            pass  # an expired hold, a redemption not held: refusals of their own
        now = shop.clock.now()
        used = used_by_period(shop, period, now)
        assert all(points <= LIMIT for points in used.values()), dict(used)
        quote = await shop.redemptions.preview(PreviewRedemption(BUSINESS, C1, 1))
        assert quote.limit_left == max(0, LIMIT - used[period_bounds(period, now)[0]])


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(list(LimitPeriod)), steps)
def test_no_history_of_till_actions_redeems_more_than_the_limit_in_any_period(
    period: LimitPeriod, history: list[tuple[str, int]]
) -> None:
    asyncio.run(run(period, history))
