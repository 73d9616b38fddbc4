"""Spent points coming back on real PostgreSQL: the sale keeps the points it was paid with
(purchases' spend columns), returns and a cancellation give back their share into lots with
the expiry the points had, a return parked before its sale gives back once the sale and its
capture are applied, and ``verify`` still holds."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.commands import CancelRedemption, EnrolCustomer, Redeem
from domain.errors import RedemptionNotHeld
from domain.events import EventKind
from service.use_cases.accounts import Accounts
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.redemptions import Redemptions
from service.use_cases.verification import verify_ledger
from tests.fakes.clock import FakeClock
from tests.integration.conftest import given_programme
from tests.support.events import customer_return, parsed, sale, sale_cancelled

pytestmark = pytest.mark.integration

T0 = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)

LOT_INVARIANT_BREACHES = """
SELECT a.customer_id FROM accounts a
LEFT JOIN point_lots l ON l.business_id = a.business_id AND l.account_id = a.account_id
GROUP BY a.business_id, a.account_id
HAVING coalesce(sum(l.remaining), 0) <> greatest(a.balance, 0)
"""

GIVEN_BACK_LOTS = """
SELECT l.expires_at, l.points FROM point_lots l
JOIN ledger_entries e ON e.business_id = l.business_id AND e.entry_id = l.entry_id
WHERE e.kind = 'spend_return' AND e.source_ref = $1
ORDER BY l.expires_at DESC
"""


def on(n: float) -> str:
    return (T0 + timedelta(days=n)).isoformat()


async def hold(uows: PostgresUnitOfWorkFactory, clock: FakeClock, account: Any, n: int) -> str:
    result = await Redemptions(uows, clock).redeem(
        Redeem("shop", account, n, f"k{n}", f"k{n}", hold=True)
    )
    return str(result.redemption.redemption_id)


async def test_returns_and_a_cancellation_give_back_the_spent_points_with_their_expiry(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    clock = FakeClock(T0 + timedelta(days=11))
    await given_programme(uow_factory, "shop", points_validity_days=30)
    view = await Accounts(uow_factory, clock).enrol(EnrolCustomer("shop", "ann"))
    apply = ApplyEventBatch(uow_factory, clock)
    older = sale("shop", "ann", "100", occurred_at=on(0))  # its lot expires on day 30
    newer = sale("shop", "ann", "50", occurred_at=on(10))  # on day 40
    await apply([parsed(EventKind.SALE_COMPLETED, e) for e in (older, newer)])
    held = await hold(uow_factory, clock, view.account.account_id, 120)  # 100 + 20 by FEFO
    paid = sale("shop", "ann", "20", occurred_at=on(11), loyalty_redemption_id=held)
    await apply([parsed(EventKind.SALE_COMPLETED, paid)])

    half = customer_return("shop", paid["sale_id"], "10", occurred_at=on(12))
    await apply([parsed(EventKind.CUSTOMER_RETURN_CREATED, half)])
    cancelled = sale_cancelled("shop", paid["sale_id"], occurred_at=on(13))
    await apply([parsed(EventKind.SALE_CANCELLED, cancelled)] * 2)  # once in effect

    row = await pool.fetchrow("SELECT * FROM purchases WHERE reference = $1", paid["sale_id"])
    capture = await pool.fetchval(
        "SELECT entry_id FROM ledger_entries WHERE kind = 'redemption' AND business_id = 'shop'"
    )
    assert (row["points_spent"], row["points_spent_returned"]) == (120, 120)
    assert (row["spend_entry_id"], str(row["spend_redemption_id"])) == (capture, held)
    assert (row["points_reversed"], row["refunded_amount"]) == (20, 20)
    day30, day40 = T0 + timedelta(days=30), T0 + timedelta(days=40)
    # Latest-expiring first: the half gives back the 20 of day 40 and 40 of day 30.
    returned = [tuple(r) for r in await pool.fetch(GIVEN_BACK_LOTS, half["return_id"])]
    assert returned == [(day40, 20), (day30, 40)]
    rest = [tuple(r) for r in await pool.fetch(GIVEN_BACK_LOTS, cancelled["cancellation_id"])]
    assert rest == [(day30, 60)]
    balance = await pool.fetchval("SELECT balance FROM accounts WHERE customer_id = 'ann'")
    assert balance == 150
    assert await pool.fetch(LOT_INVARIANT_BREACHES) == []
    assert (await verify_ledger(uow_factory, "shop", 1e9)).ok
    with pytest.raises(asyncpg.CheckViolationError):
        await pool.execute("UPDATE purchases SET points_spent_returned = points_spent + 1")
    await pool.execute("UPDATE purchases SET points_spent_returned = 100 WHERE points_spent > 0")
    report = await verify_ledger(uow_factory, "shop", 1e9)
    assert [b for b in report.breaches if "given back" in b] == [
        f"capture shop/{capture} ({paid['sale_id']}): 100 spent or counted back, 120 given back"
    ]


async def test_a_return_parked_before_its_sale_gives_back_once_the_sale_captures(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    clock = FakeClock(T0 + timedelta(days=1))
    await given_programme(uow_factory, "shop", points_validity_days=30)
    view = await Accounts(uow_factory, clock).enrol(EnrolCustomer("shop", "ann"))
    apply = ApplyEventBatch(uow_factory, clock)
    await apply([parsed(EventKind.SALE_COMPLETED, sale("shop", "ann", "100", occurred_at=on(0)))])
    held = await hold(uow_factory, clock, view.account.account_id, 80)
    sale_id = f"sale-{uuid.uuid4()}"
    early = customer_return("shop", sale_id, "10", occurred_at=on(1))
    await apply([parsed(EventKind.CUSTOMER_RETURN_CREATED, early)])
    assert await pool.fetchval("SELECT status FROM refunds") == "parked"

    paid = sale("shop", "ann", "40", sale_id=sale_id, occurred_at=on(1), loyalty_redemption_id=held)
    await apply([parsed(EventKind.SALE_COMPLETED, paid)])

    # The capture and the give-back land in one posting: the lots still keep their expiry.
    returned = [tuple(r) for r in await pool.fetch(GIVEN_BACK_LOTS, early["return_id"])]
    assert returned == [(T0 + timedelta(days=30), 20)]
    assert await pool.fetchval("SELECT status FROM refunds") == "applied"
    assert await pool.fetch(LOT_INVARIANT_BREACHES) == []
    assert (await verify_ledger(uow_factory, "shop", 1e9)).ok


async def test_a_redemption_cancelled_after_its_sale_was_half_returned_gives_back_only_the_rest(
    pool: asyncpg.Pool, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    """The two ways spent points come back (the sale's returns, the redemption's cancel) add
    up to what the capture took, whichever comes first, and never more."""
    clock = FakeClock(T0 + timedelta(days=11))
    await given_programme(uow_factory, "shop", points_validity_days=30)
    view = await Accounts(uow_factory, clock).enrol(EnrolCustomer("shop", "ann"))
    apply = ApplyEventBatch(uow_factory, clock)
    await apply([parsed(EventKind.SALE_COMPLETED, sale("shop", "ann", "300", occurred_at=on(0)))])
    redemptions = Redemptions(uow_factory, clock)
    manager = CancelRedemption  # a supervisor may give back a captured redemption at any time

    first = await hold(uow_factory, clock, view.account.account_id, 120)
    paid = sale("shop", "ann", "20", occurred_at=on(11), loyalty_redemption_id=first)
    await apply([parsed(EventKind.SALE_COMPLETED, paid)])
    half = customer_return("shop", paid["sale_id"], "10", occurred_at=on(12))
    await apply([parsed(EventKind.CUSTOMER_RETURN_CREATED, half)])
    await redemptions.cancel(manager("shop", uuid.UUID(first), supervisor=True))

    second = await hold(uow_factory, clock, view.account.account_id, 50)
    other = sale("shop", "ann", "20", occurred_at=on(11), loyalty_redemption_id=second)
    await apply([parsed(EventKind.SALE_COMPLETED, other)])
    await redemptions.cancel(manager("shop", uuid.UUID(second), supervisor=True))
    whole = sale_cancelled("shop", other["sale_id"], occurred_at=on(13))
    await apply([parsed(EventKind.SALE_CANCELLED, whole)])

    third = await hold(uow_factory, clock, view.account.account_id, 30)
    last = sale("shop", "ann", "20", occurred_at=on(11), loyalty_redemption_id=third)
    await apply([parsed(EventKind.SALE_COMPLETED, last)])
    await apply([parsed(EventKind.SALE_CANCELLED, sale_cancelled("shop", last["sale_id"]))])
    with pytest.raises(RedemptionNotHeld):
        await redemptions.cancel(manager("shop", uuid.UUID(third), supervisor=True))

    back = await pool.fetch(
        "SELECT e.kind, e.points, e.related_entry_id, e.source_ref FROM ledger_entries e"
        " WHERE e.kind IN ('spend_return', 'redemption_cancelled') ORDER BY e.recorded_at, e.seq"
    )
    by_kind = [(r["kind"], r["points"]) for r in back]
    assert by_kind == [
        ("spend_return", 60),  # half of the first sale's 120
        ("redemption_cancelled", 60),  # the rest of it, not 120
        ("redemption_cancelled", 50),  # the second, cancelled before its sale was
        ("spend_return", 30),  # the third sale cancelled: all it spent
    ]
    balance = await pool.fetchval("SELECT balance FROM accounts WHERE customer_id = 'ann'")
    earned = await pool.fetchval(
        "SELECT sum(points) FROM ledger_entries WHERE kind IN ('earn', 'reversal')"
    )
    assert balance == earned  # every point spent came back exactly once
    assert await pool.fetch(LOT_INVARIANT_BREACHES) == []
    assert (await verify_ledger(uow_factory, "shop", 1e9)).ok
