"""Regression (found by the model test): a return of a sale that earned nothing but was paid
with points gives those points back and is applied; ``verify`` must not call it a refund
applied without a reversal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.commands import AdjustPoints, EnrolCustomer, Redeem, SetProgramme
from domain.events import EventKind, PurchaseCompleted, RefundIssued
from domain.ledger import Attribution, Source
from service.use_cases.accounts import Accounts
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.programmes import Programmes
from service.use_cases.redemptions import Redemptions
from service.use_cases.verification import verify_ledger
from tests.fakes import FakeClock, FakeStore, FakeUnitOfWorkFactory

pytestmark = pytest.mark.unit

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TILL = Attribution(store_id="s1")


async def test_a_return_that_only_gives_back_spent_points_passes_verify() -> None:
    uows, clock = FakeUnitOfWorkFactory(FakeStore()), FakeClock(NOW)
    await Programmes(uows, clock).set(
        SetProgramme("shop", Decimal(1), Decimal(10), effective_from=NOW - timedelta(days=1))
    )
    view = await Accounts(uows, clock).enrol(EnrolCustomer("shop", "ann"))
    account_id = view.account.account_id
    await Accounts(uows, clock).adjust(AdjustPoints("shop", account_id, 100, "opening", TILL))
    held = await Redemptions(uows, clock).redeem(
        Redeem("shop", account_id, 50, "k1", "k1", hold=True, attribution=TILL)
    )
    bought = PurchaseCompleted(
        kind=EventKind.SALE_COMPLETED,
        event_id="ev-1",
        payload_hash="h1",
        business_id="shop",
        occurred_at=NOW,
        source=Source.SALE,
        reference="s1",
        customer_id="ann",
        amount=Decimal("0.50"),  # earns floor(0.5) = 0 points
        currency="EUR",
        attribution=TILL,
        redemption_id=held.redemption.redemption_id,
    )
    returned = RefundIssued(
        kind=EventKind.CUSTOMER_RETURN_CREATED,
        event_id="ev-2",
        payload_hash="h2",
        business_id="shop",
        occurred_at=NOW,
        source=Source.RETURN,
        reference="r1",
        purchase_source=Source.SALE,
        purchase_reference="s1",
        amount=Decimal("0.50"),
        currency="EUR",
        customer_id="ann",
        attribution=TILL,
    )

    await ApplyEventBatch(uows, clock)([bought])
    changes = await ApplyEventBatch(uows, clock)([returned])

    assert [o.status.value for o in changes.outcomes().values()] == ["applied"]
    assert (await Accounts(uows, clock).account("shop", account_id)).account.balance == 100
    report = await verify_ledger(uows, None, 10**9)
    assert report.ok, report.breaches
