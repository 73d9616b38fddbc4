"""What the model test found between holds and the back office: a manager's adjustment never
takes points held for a till, and the expiry sweep records the holds whose points it frees."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.commands import AdjustPoints, CaptureRedemption
from domain.errors import InvalidRequest, RedemptionExpired
from domain.redemption import RedemptionStatus
from service.use_cases.accounts import Accounts
from service.use_cases.expiry import ExpirePoints

from .builders import BUSINESS, account_id_of, at
from .test_hold_lag import C1, Shop

pytestmark = pytest.mark.unit


async def test_an_adjustment_cannot_take_points_held_for_a_till() -> None:
    """Taking them let the capture that followed drive the balance to -25."""
    shop = Shop()
    await shop.fund()
    redemption_id = await shop.hold(480)
    accounts = Accounts(shop.uows, shop.clock)

    with pytest.raises(InvalidRequest, match="at most 20 points"):
        await accounts.adjust(AdjustPoints(BUSINESS, C1, -21, "fraud check"))
    await accounts.adjust(AdjustPoints(BUSINESS, C1, -20, "fraud check"))
    await shop.redemptions.capture(CaptureRedemption(BUSINESS, redemption_id))

    assert shop.balance() == 0


async def test_an_adjustment_never_takes_a_balance_below_zero() -> None:
    shop = Shop()
    await shop.fund()
    accounts = Accounts(shop.uows, shop.clock)

    with pytest.raises(InvalidRequest, match="at most 500 points"):
        await accounts.adjust(AdjustPoints(BUSINESS, account_id_of("c2"), -501, "typo"))
    assert shop.balance("c2") == 500


async def test_the_sweep_marks_expired_the_overdue_holds_whose_points_it_may_expire() -> None:
    """Expired by the sweep's clock, the hold is recorded expired, so no till whose clock runs
    behind can capture the points the sweep took."""
    shop = Shop()
    store = shop.uows.store
    store.programmes[BUSINESS] = replace(store.programmes[BUSINESS], points_validity_days=1)
    await shop.fund()
    redemption_id = await shop.hold(100)
    shop.clock.advance(days=2)

    await ExpirePoints(shop.uows, shop.clock)()

    held = shop.uows.store.redemptions[(BUSINESS, redemption_id)]
    assert held.status is RedemptionStatus.EXPIRED
    shop.clock.moment = at(hours=0.2)  # a till whose clock is far behind
    with pytest.raises(RedemptionExpired):
        await shop.redemptions.capture(CaptureRedemption(BUSINESS, redemption_id))
