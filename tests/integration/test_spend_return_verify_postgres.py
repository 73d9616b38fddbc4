"""Regression (found by the model test), on PostgreSQL: a return that reverses no points but
gives back the points its sale was paid with is applied, and ``verify``'s refund check
accepts it (its one entry is a spend return)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.commands import AdjustPoints, EnrolCustomer, Redeem
from domain.events import EventKind
from service.use_cases.accounts import Accounts
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.redemptions import Redemptions
from service.use_cases.verification import verify_ledger
from tests.fakes.clock import FakeClock
from tests.integration.conftest import given_programme
from tests.support.events import at, customer_return, parsed, sale

pytestmark = pytest.mark.integration


async def test_a_return_that_only_gives_back_spent_points_passes_verify(
    uow_factory: PostgresUnitOfWorkFactory,
) -> None:
    clock = FakeClock(datetime.fromisoformat(at()).astimezone(UTC))
    await given_programme(uow_factory, "shop")
    view = await Accounts(uow_factory, clock).enrol(EnrolCustomer("shop", "ann"))
    account_id = view.account.account_id
    await Accounts(uow_factory, clock).adjust(AdjustPoints("shop", account_id, 100, "opening"))
    held = await Redemptions(uow_factory, clock).redeem(
        Redeem("shop", account_id, 50, "k1", "k1", hold=True)
    )
    hold_id = str(held.redemption.redemption_id)
    paid = sale("shop", "ann", "0.50", loyalty_redemption_id=hold_id)  # earns 0 points
    apply = ApplyEventBatch(uow_factory, clock)
    await apply([parsed(EventKind.SALE_COMPLETED, paid)])

    changes = await apply(
        [
            parsed(
                EventKind.CUSTOMER_RETURN_CREATED, customer_return("shop", paid["sale_id"], "0.50")
            )
        ]
    )

    assert [o.status.value for o in changes.outcomes().values()] == ["applied"]
    assert (await Accounts(uow_factory, clock).account("shop", account_id)).account.balance == 100
    report = await verify_ledger(uow_factory, None, 10**9)
    assert report.ok, report.breaches
