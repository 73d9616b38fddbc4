"""A referral's bonuses go back by event time alone: the returns of the paying sale dated
inside the window decide, whatever order they are delivered in (found by the model test)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.commands import EnrolCustomer, SetProgramme
from domain.events import EventKind, InboundEvent
from domain.ledger import EntryKind
from domain.referrals import ReferralPolicy
from service.use_cases.accounts import Accounts
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.programmes import Programmes
from tests.fakes.clock import FakeClock
from tests.fakes.unit_of_work import FakeUnitOfWorkFactory
from tests.support.events import customer_return, parsed, sale, sale_cancelled

pytestmark = pytest.mark.unit

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)


def on(days: float) -> str:
    return (T0 + timedelta(days=days)).isoformat()


async def reversals_after(deliveries: list[list[InboundEvent]]) -> int:
    uows, clock = FakeUnitOfWorkFactory(), FakeClock(T0 - timedelta(days=1))
    await Programmes(uows, clock).set(
        SetProgramme(
            "shop",
            Decimal(1),
            Decimal(100),
            effective_from=T0 - timedelta(days=1),
            referral=ReferralPolicy(50, 20, return_window_days=1),
        )
    )
    accounts = Accounts(uows, clock)
    ann = await accounts.enrol(EnrolCustomer("shop", "ann"))
    code = ann.referral_code
    await accounts.enrol(EnrolCustomer("shop", "bob", referral_code=code))
    apply = ApplyEventBatch(uows, clock)
    for batch in deliveries:
        await apply(batch)
    return sum(1 for e in uows.store.entries if e.kind is EntryKind.REFERRAL_REVERSAL)


@pytest.mark.parametrize("late_first", [False, True])
def test_a_full_return_completed_after_the_window_takes_nothing_back_in_either_order(
    late_first: bool,
) -> None:
    bought = sale("shop", "bob", "100", occurred_at=on(0))
    early = customer_return("shop", bought["sale_id"], "10", occurred_at=on(0.5))
    late = customer_return("shop", bought["sale_id"], "100", occurred_at=on(2))
    returns = [late, early] if late_first else [early, late]
    deliveries = [[parsed(EventKind.SALE_COMPLETED, bought)]] + [
        [parsed(EventKind.CUSTOMER_RETURN_CREATED, r)] for r in returns
    ]
    assert asyncio.run(reversals_after(deliveries)) == 0


@pytest.mark.parametrize("cancel_first", [False, True])
def test_a_cancellation_inside_the_window_takes_both_back_whatever_came_after_it(
    cancel_first: bool,
) -> None:
    bought = sale("shop", "bob", "100", occurred_at=on(0))
    cancelled = sale_cancelled("shop", bought["sale_id"], occurred_at=on(0.5))
    late = customer_return("shop", bought["sale_id"], "40", occurred_at=on(3))
    events = [
        parsed(EventKind.SALE_CANCELLED, cancelled),
        parsed(EventKind.CUSTOMER_RETURN_CREATED, late),
    ]
    ordered = events if cancel_first else events[::-1]
    deliveries = [[parsed(EventKind.SALE_COMPLETED, bought)]] + [[e] for e in ordered]
    assert asyncio.run(reversals_after(deliveries)) == 2  # both sides, once
