"""Point lots, pending points and expiry, through the use cases on fakes with a set clock."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.commands import AdjustPoints, CancelRedemption, Redeem
from domain.errors import RedemptionBlocked
from domain.events import InboundEvent
from domain.ledger import EntryKind
from domain.lots import Lot
from service.use_cases.accounts import Accounts
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.expiry import ExpirePoints
from service.use_cases.redemptions import Redemptions
from tests.fakes import FakeClock, FakeStore, FakeUnitOfWorkFactory

from .builders import BUSINESS, account, account_id_of, at, customer_return, sale
from .builders import programme as make_programme

pytestmark = pytest.mark.unit

C1 = account_id_of("c1")


def shop(
    validity: int | None = None, pending: int = 0, inactivity: int | None = None
) -> FakeUnitOfWorkFactory:
    """One customer, c1, of a programme with these lot settings."""
    prog = replace(
        make_programme(),
        points_validity_days=validity,
        pending_days=pending,
        inactivity_days=inactivity,
    )
    c1 = account("c1")
    return FakeUnitOfWorkFactory(
        FakeStore(programmes={BUSINESS: prog}, accounts={(BUSINESS, c1.account_id): c1})
    )


async def apply(uows: FakeUnitOfWorkFactory, clock: FakeClock, *events: InboundEvent) -> None:
    await ApplyEventBatch(uows, clock)(list(events))


def lots_of(uows: FakeUnitOfWorkFactory) -> list[Lot]:
    return sorted(uows.store.lots.values(), key=lambda lot: lot.earned_at)


def balance(uows: FakeUnitOfWorkFactory) -> int:
    return uows.store.accounts[(BUSINESS, C1)].balance


def assert_lots_hold_the_balance(uows: FakeUnitOfWorkFactory) -> None:
    for key, acct in uows.store.accounts.items():
        held = sum(lot.remaining for lot in uows.store.lots.values() if lot.account_key == key)
        assert held == max(acct.balance, 0), f"lots of {key} hold {held}, balance {acct.balance}"


def redeem(points: int, key: str) -> Redeem:
    return Redeem(BUSINESS, C1, points, idempotency_key=key, request_fingerprint=key)


async def test_each_earn_is_a_lot_expiring_validity_days_after_the_sale() -> None:
    uows, clock = shop(validity=365), FakeClock(at(days=1))

    await apply(uows, clock, sale("s1", "100", occurred_at=at()))

    [lot] = lots_of(uows)
    assert (lot.points, lot.remaining) == (100, 100)
    assert lot.expires_at == at(days=365)
    assert lot.available_at == at()


async def test_redemptions_take_the_soonest_expiring_lots_first() -> None:
    uows, clock = shop(validity=30), FakeClock(at(days=10))
    await apply(
        uows,
        clock,
        sale("old", "100", occurred_at=at(days=0)),
        sale("new", "100", occurred_at=at(days=5)),
    )

    await Redemptions(uows, clock).redeem(redeem(150, "k1"))

    old, new = lots_of(uows)
    assert (old.remaining, new.remaining) == (0, 50)
    assert_lots_hold_the_balance(uows)


async def test_the_sweep_expires_what_is_left_of_expired_lots_and_a_rerun_expires_nothing() -> None:
    uows, clock = shop(validity=30), FakeClock(at(days=10))
    await apply(
        uows,
        clock,
        sale("old", "100", occurred_at=at(days=0)),
        sale("new", "100", occurred_at=at(days=20)),
    )
    await Redemptions(uows, clock).redeem(redeem(40, "k1"))  # from the old lot: 60 left

    first = await ExpirePoints(uows, clock)(at(days=31))
    second = await ExpirePoints(uows, clock)(at(days=31))

    assert (first.points, first.entries, second.points, second.entries) == (60, 1, 0, 0)
    [expiry] = [e for e in uows.store.entries if e.kind is EntryKind.EXPIRY]
    assert (expiry.points, expiry.occurred_at, expiry.reason) == (-60, at(days=30), "lot_expired")
    assert balance(uows) == 100
    assert_lots_hold_the_balance(uows)


async def test_nothing_expires_before_its_time_or_when_the_programme_has_no_validity() -> None:
    timed, endless = shop(validity=30), shop(validity=None)
    clock = FakeClock(at(days=1))
    for uows in (timed, endless):
        await apply(uows, clock, sale("s1", "100", occurred_at=at()))

    early = await ExpirePoints(timed, clock)(at(days=29))
    never = await ExpirePoints(endless, clock)(at(days=10_000))

    assert (early.points, never.points) == (0, 0)
    assert balance(timed) == balance(endless) == 100


async def test_earned_points_stay_pending_through_the_return_window() -> None:
    uows, clock = shop(pending=14), FakeClock(at(days=1))
    await apply(uows, clock, sale("s1", "100", occurred_at=at()))
    redemptions, accounts = Redemptions(uows, clock), Accounts(uows, clock)

    view = await accounts.account(BUSINESS, C1)
    assert (view.account.balance, view.available, view.pending) == (100, 0, 100)
    with pytest.raises(RedemptionBlocked) as blocked:
        await redemptions.redeem(redeem(10, "k1"))
    assert blocked.value.code == "insufficient_points"

    clock.moment = at(days=14)
    view = await accounts.account(BUSINESS, C1)
    assert (view.available, view.pending) == (100, 0)
    await redemptions.redeem(redeem(10, "k2"))
    assert balance(uows) == 90


async def test_a_return_inside_the_window_takes_its_sales_pending_points_first() -> None:
    uows, clock = shop(pending=14), FakeClock(at(days=30))
    await apply(
        uows,
        clock,
        sale("old", "100", occurred_at=at(days=0)),  # long available
        sale("new", "80", occurred_at=at(days=25)),  # pending until day 39
        customer_return("r1", "new", "40", occurred_at=at(days=26)),
    )

    old, new = lots_of(uows)
    assert (old.remaining, new.remaining) == (100, 40)
    view = await Accounts(uows, clock).account(BUSINESS, C1)
    assert (view.account.balance, view.available, view.pending) == (140, 100, 40)
    assert_lots_hold_the_balance(uows)


async def test_a_return_of_spent_points_goes_negative_and_the_next_earn_pays_the_debt() -> None:
    uows, clock = shop(), FakeClock(at(days=2))
    await apply(uows, clock, sale("s1", "100", occurred_at=at()))
    await Redemptions(uows, clock).redeem(redeem(100, "k1"))
    await apply(uows, clock, customer_return("r1", "s1", "100", occurred_at=at(days=1)))
    assert balance(uows) == -100
    assert_lots_hold_the_balance(uows)

    await apply(uows, clock, sale("s2", "150", occurred_at=at(days=2)))

    assert balance(uows) == 50
    assert lots_of(uows)[-1].remaining == 50
    assert_lots_hold_the_balance(uows)


async def test_a_cancelled_redemption_gives_points_back_with_the_expiry_they_had() -> None:
    uows, clock = shop(validity=30), FakeClock(at(days=1))
    await apply(uows, clock, sale("s1", "100", occurred_at=at()))
    redemptions = Redemptions(uows, clock)
    result = await redemptions.redeem(redeem(100, "k1"))

    await redemptions.cancel(
        CancelRedemption(BUSINESS, result.redemption.redemption_id, supervisor=True)
    )

    back = [lot for lot in lots_of(uows) if lot.remaining > 0]
    assert [(lot.remaining, lot.expires_at) for lot in back] == [(100, at(days=30))]
    swept = await ExpirePoints(uows, clock)(at(days=30))
    assert swept.points == 100
    assert balance(uows) == 0
    assert_lots_hold_the_balance(uows)


async def test_all_points_expire_after_the_inactivity_limit_and_activity_restarts_the_clock() -> (
    None
):
    uows, clock = shop(inactivity=90), FakeClock(at(days=1))
    await apply(uows, clock, sale("s1", "100", occurred_at=at()))
    await apply(uows, clock, sale("s2", "50", occurred_at=at(days=60)))

    quiet_too_soon = await ExpirePoints(uows, clock)(at(days=120))
    swept = await ExpirePoints(uows, clock)(at(days=150))
    again = await ExpirePoints(uows, clock)(at(days=150))

    assert (quiet_too_soon.points, swept.points, again.points) == (0, 150, 0)
    [expiry] = [e for e in uows.store.entries if e.kind is EntryKind.EXPIRY]
    assert (expiry.reason, expiry.occurred_at) == ("inactivity", at(days=150))
    assert balance(uows) == 0
    assert_lots_hold_the_balance(uows)


async def test_adjustments_open_lots_too() -> None:
    uows, clock = shop(validity=10), FakeClock(at())

    entry = await Accounts(uows, clock).adjust(AdjustPoints(BUSINESS, C1, 30, reason="goodwill"))

    lot = uows.store.lots[(BUSINESS, entry.entry_id)]
    assert (lot.remaining, lot.expires_at) == (30, at(days=10))
    assert_lots_hold_the_balance(uows)
