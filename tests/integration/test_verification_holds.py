"""``loyalty verify`` on holds: a capture made after its hold expired is a breach; a sale
that named a hold it could not capture is a notice (a discount no points paid for), so a late
capture is never silent."""

from __future__ import annotations

from datetime import timedelta

import asyncpg
import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from adapters.system_clock import SystemClock
from domain.commands import Redeem
from domain.events import EventKind
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.redemptions import Redemptions
from service.use_cases.verification import verify_ledger
from tests.integration.conftest import given_customer, given_programme
from tests.support.events import parsed, sale

pytestmark = pytest.mark.integration

SHOP = "hold-shop"


async def test_a_late_capture_is_a_notice_and_a_capture_after_expiry_a_breach(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory, apply_events: ApplyEventBatch
) -> None:
    await given_programme(uow_factory, SHOP)
    await given_customer(uow_factory, SHOP, "amy")
    await apply_events([parsed(EventKind.SALE_COMPLETED, sale(SHOP, "amy", "100.00"))])
    amy = await pool.fetchval("SELECT account_id FROM accounts WHERE customer_id = 'amy'")
    redemptions = Redemptions(uow_factory, SystemClock())
    held = await redemptions.redeem(Redeem(SHOP, amy, 30, "k-1", "fp-1", hold=True))
    hold_id = held.redemption.redemption_id
    await pool.execute(
        "UPDATE redemptions SET expires_at = now() - interval '1 minute' WHERE redemption_id = $1",
        hold_id,
    )
    late = sale(SHOP, "amy", "10.00") | {"loyalty_redemption_id": str(hold_id)}
    await apply_events([parsed(EventKind.SALE_COMPLETED, late)])

    clean = await verify_ledger(uow_factory, SHOP, 3600)
    assert clean.ok, clean.breaches
    [notice] = [n for n in clean.notices if str(hold_id) in n]
    assert "could not capture it (expired" in notice

    await pool.execute(  # as a capture judged by the producer's clock would have left it
        "UPDATE redemptions SET status = 'captured', captured_at = expires_at"
        " + $2::interval WHERE redemption_id = $1",
        hold_id,
        timedelta(seconds=30),
    )
    breached = await verify_ledger(uow_factory, SHOP, 3600)
    assert any(str(hold_id) in b and "after its hold expired" in b for b in breached.breaches), (
        breached.breaches
    )
