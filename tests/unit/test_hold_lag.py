"""Holds and consumer lag, through the use cases on fakes: once held points are released by
the service's clock they are never captured again, and every refused capture is recorded and
counted."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

import pytest

from domain.commands import CancelRedemption, CaptureRedemption, Redeem
from domain.errors import RedemptionExpired
from domain.events import PurchaseCompleted
from domain.holds import CaptureVerdict
from domain.ledger import EntryKind
from domain.redemption import RedemptionStatus
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.redemptions import Redemptions
from tests.fakes import FakeClock, FakeMetrics, FakeStore, FakeUnitOfWorkFactory

from .builders import BUSINESS, account, account_id_of, at, sale
from .builders import programme as make_programme

pytestmark = pytest.mark.unit

C1 = account_id_of("c1")


class Shop:
    """c1 and c2 with 500 points each (earned by sales), a 30-minute hold time."""

    def __init__(self) -> None:
        c1, c2 = account("c1"), account("c2")
        self.uows = FakeUnitOfWorkFactory(
            FakeStore(
                programmes={BUSINESS: make_programme()},
                accounts={(BUSINESS, a.account_id): a for a in (c1, c2)},
            )
        )
        self.clock = FakeClock(at())
        self.metrics = FakeMetrics()
        self.redemptions = Redemptions(self.uows, self.clock, self.metrics)
        self.apply = ApplyEventBatch(self.uows, self.clock, self.metrics)

    async def fund(self) -> None:
        await self.apply([sale("f1", "500", customer_id="c1"), sale("f2", "500", customer_id="c2")])

    async def hold(self, points: int, key: str = "h1") -> UUID:
        result = await self.redemptions.redeem(
            Redeem(BUSINESS, C1, points, key, f"fp-{key}", hold=True)
        )
        return result.redemption.redemption_id

    def balance(self, customer: str = "c1") -> int:
        return self.uows.store.accounts[(BUSINESS, account_id_of(customer))].balance

    def refused(self) -> list[tuple[str, tuple[object, ...]]]:
        return [call for call in self.metrics.calls if call[0] == "capture_refused"]


def capturing(event: PurchaseCompleted, redemption_id: UUID) -> PurchaseCompleted:
    return replace(event, redemption_id=redemption_id)


async def test_a_lagging_sale_cannot_capture_points_released_and_spent_again() -> None:
    shop = Shop()
    await shop.fund()
    held = await shop.hold(500)
    till_sale = capturing(sale("s1", "0.50", occurred_at=at(hours=0.02)), held)

    shop.clock.advance(minutes=45)  # the consumer lags past the hold's 30 minutes
    await shop.redemptions.redeem(Redeem(BUSINESS, C1, 500, "again", "fp-again"))
    await shop.apply([till_sale])

    assert shop.balance() == 0, "the 500 points were spent once, not twice (-500)"
    refusal = shop.uows.store.capture_refusals[(BUSINESS, till_sale.event_id)]
    assert (refusal.reason, refusal.redemption_id, refusal.points) == (
        CaptureVerdict.EXPIRED,
        held,
        500,
    )
    assert shop.uows.store.redemptions[(BUSINESS, held)].status is RedemptionStatus.EXPIRED
    assert shop.refused() == [("capture_refused", ("expired", "sale"))]
    mine = [e.points for e in shop.uows.store.entries if e.account_id == C1]
    assert (
        sum(mine) == shop.balance() and min(e.balance_after for e in shop.uows.store.entries) >= 0
    )


async def test_a_redemption_marks_the_overdue_holds_it_treats_as_released() -> None:
    shop = Shop()
    await shop.fund()
    held = await shop.hold(300)
    shop.clock.advance(minutes=31)

    await shop.redemptions.redeem(Redeem(BUSINESS, C1, 400, "again", "fp-again"))

    # Recorded as released, so a process whose clock runs behind cannot revive it.
    assert shop.uows.store.redemptions[(BUSINESS, held)].status is RedemptionStatus.EXPIRED


async def test_a_sale_naming_a_hold_captured_over_http_takes_nothing_more() -> None:
    shop = Shop()
    await shop.fund()
    held = await shop.hold(200)
    await shop.redemptions.capture(CaptureRedemption(BUSINESS, held))

    await shop.apply([capturing(sale("s1", "0.50"), held)])

    taken = [e for e in shop.uows.store.entries if e.kind is EntryKind.REDEMPTION]
    assert [e.points for e in taken] == [-200]
    assert shop.balance() == 300
    assert shop.uows.store.capture_refusals == {}


async def test_another_customer_s_sale_cannot_capture_the_hold() -> None:
    shop = Shop()
    await shop.fund()
    held = await shop.hold(200)

    other = capturing(sale("s1", "0.50", customer_id="c2"), held)
    await shop.apply([other])

    assert (shop.balance("c1"), shop.balance("c2")) == (500, 500)
    assert shop.uows.store.redemptions[(BUSINESS, held)].status is RedemptionStatus.HELD
    refusal = shop.uows.store.capture_refusals[(BUSINESS, other.event_id)]
    assert (refusal.reason, refusal.customer_id) == (CaptureVerdict.NOT_OWNER, "c2")
    assert shop.refused() == [("capture_refused", ("not_owner", "sale"))]


async def test_a_sale_after_the_hold_was_cancelled_is_recorded_not_dropped() -> None:
    shop = Shop()
    await shop.fund()
    held = await shop.hold(200)
    await shop.redemptions.cancel(CancelRedemption(BUSINESS, held))

    late = capturing(sale("s1", "0.50"), held)
    await shop.apply([late])
    await shop.apply([late])  # redelivered: a duplicate, recorded and counted once

    assert shop.balance() == 500
    assert shop.uows.store.capture_refusals[(BUSINESS, late.event_id)].reason == "cancelled"
    assert shop.refused() == [("capture_refused", ("cancelled", "sale"))]


async def test_an_http_capture_after_expiry_is_refused_and_counted() -> None:
    shop = Shop()
    await shop.fund()
    held = await shop.hold(200)
    shop.clock.advance(minutes=30)  # expires_at itself is past: the hold is over

    with pytest.raises(RedemptionExpired):
        await shop.redemptions.capture(CaptureRedemption(BUSINESS, held))
    with pytest.raises(RedemptionExpired):  # each attempt is counted
        await shop.redemptions.capture(CaptureRedemption(BUSINESS, held))

    assert shop.balance() == 500
    assert shop.refused() == [
        ("capture_refused", ("expired", "http")),
        ("capture_refused", ("expired", "http")),
    ]
