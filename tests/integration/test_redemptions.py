from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import asyncpg
import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.commands import (
    AdjustPoints,
    CancelRedemption,
    CaptureRedemption,
    EnrolCustomer,
    PreviewRedemption,
    Redeem,
)
from domain.errors import (
    ConcurrentUpdate,
    IdempotencyKeyReused,
    RedemptionBlocked,
    RedemptionExpired,
)
from domain.events import EventKind
from domain.redemption import RedemptionStatus
from service.use_cases.accounts import Accounts
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.operations import LoyaltyService
from service.use_cases.programmes import Programmes
from service.use_cases.redemptions import Redemptions
from tests.fakes.clock import FakeClock
from tests.integration.conftest import given_programme
from tests.integration.ledger_queries import balance, entry_sum
from tests.support.events import parsed, sale

pytestmark = pytest.mark.integration


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service(uow_factory: PostgresUnitOfWorkFactory, clock: FakeClock) -> LoyaltyService:
    return LoyaltyService(
        Programmes(uow_factory, clock),
        Accounts(uow_factory, clock),
        Redemptions(uow_factory, clock),
    )


async def funded_account(
    service: LoyaltyService,
    uow_factory: PostgresUnitOfWorkFactory,
    points: int,
    **programme: Any,
) -> UUID:
    await given_programme(uow_factory, "cafe", max_discount=Decimal("5"), **programme)
    view = await service.enrol(EnrolCustomer("cafe", "zoe"))
    await service.adjust(AdjustPoints("cafe", view.account.account_id, points, "opening balance"))
    return view.account.account_id


def redeem(account_id: UUID, points: int, key: str, hold: bool = False) -> Redeem:
    return Redeem("cafe", account_id, points, key, f"fp-{key}-{points}-{hold}", hold=hold)


async def test_a_capped_redemption_takes_only_the_points_the_capped_discount_needs(
    pool: asyncpg.Pool, service: LoyaltyService, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    account_id = await funded_account(service, uow_factory, 1000)  # 100 points per unit, cap 5

    quote = await service.preview(PreviewRedemption("cafe", account_id, 800))
    assert (quote.discount, quote.points_to_take, quote.capped) == (Decimal(5), 500, True)
    assert await balance(pool, "cafe", "zoe") == 1000, "a preview has no side effects"

    result = await service.redeem(redeem(account_id, 800, "k1"))

    assert result.redemption.status is RedemptionStatus.CAPTURED
    assert await balance(pool, "cafe", "zoe") == 500 == await entry_sum(pool, "cafe", "zoe")


async def test_a_retried_request_redeems_once_and_a_reused_key_is_refused(
    pool: asyncpg.Pool, service: LoyaltyService, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    account_id = await funded_account(service, uow_factory, 1000)
    first = await service.redeem(redeem(account_id, 100, "till-7-0001"))
    again = await service.redeem(redeem(account_id, 100, "till-7-0001"))

    assert again.replayed and again.redemption.redemption_id == first.redemption.redemption_id
    assert await balance(pool, "cafe", "zoe") == 900
    with pytest.raises(IdempotencyKeyReused):
        await service.redeem(redeem(account_id, 200, "till-7-0001"))


async def test_held_points_cannot_be_spent_twice_and_expire_back(
    pool: asyncpg.Pool,
    service: LoyaltyService,
    uow_factory: PostgresUnitOfWorkFactory,
    clock: FakeClock,
) -> None:
    account_id = await funded_account(service, uow_factory, 300)
    held = await service.redeem(redeem(account_id, 300, "h1", hold=True))
    with pytest.raises(RedemptionBlocked) as blocked:
        await service.redeem(redeem(account_id, 100, "h2"))
    assert blocked.value.code == "insufficient_points"

    clock.advance(minutes=31)

    with pytest.raises(RedemptionExpired):
        await service.capture(CaptureRedemption("cafe", held.redemption.redemption_id))
    assert (await service.account("cafe", account_id)).available == 300
    await service.redeem(redeem(account_id, 100, "h3"))
    assert await balance(pool, "cafe", "zoe") == 200


async def test_cancelling_a_captured_redemption_gives_the_points_back_once(
    pool: asyncpg.Pool, service: LoyaltyService, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    account_id = await funded_account(service, uow_factory, 300)
    held = await service.redeem(redeem(account_id, 200, "c1", hold=True))
    rid = held.redemption.redemption_id
    await service.capture(CaptureRedemption("cafe", rid))
    await service.capture(CaptureRedemption("cafe", rid))
    assert await balance(pool, "cafe", "zoe") == 100

    await service.cancel(CancelRedemption("cafe", rid, supervisor=True))
    await service.cancel(CancelRedemption("cafe", rid, supervisor=True))

    assert await balance(pool, "cafe", "zoe") == 300 == await entry_sum(pool, "cafe", "zoe")


async def test_a_sale_carrying_the_redemption_id_captures_the_hold(
    pool: asyncpg.Pool, service: LoyaltyService, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    account_id = await funded_account(service, uow_factory, 300, earn_rate="1")
    held = await service.redeem(redeem(account_id, 200, "s1", hold=True))
    rid = held.redemption.redemption_id
    payload = sale(
        "cafe",
        "zoe",
        "10.00",
        loyalty_redemption_id=str(rid),
        occurred_at=datetime.now(UTC).isoformat(),
    )

    await ApplyEventBatch(uow_factory, FakeClock())([parsed(EventKind.SALE_COMPLETED, payload)])

    assert (await service.redemption("cafe", rid)).status is RedemptionStatus.CAPTURED
    assert await balance(pool, "cafe", "zoe") == 300 - 200 + 10
    await service.capture(CaptureRedemption("cafe", rid))  # a late capture changes nothing
    assert await balance(pool, "cafe", "zoe") == 110 == await entry_sum(pool, "cafe", "zoe")


async def test_concurrent_redemptions_never_spend_more_than_the_balance(
    pool: asyncpg.Pool, service: LoyaltyService, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    account_id = await funded_account(service, uow_factory, 500)

    async def attempt(i: int) -> str:
        try:
            await service.redeem(redeem(account_id, 10, f"race-{i}"))
            return "ok"
        except RedemptionBlocked as error:
            return error.code
        except ConcurrentUpdate:
            return "conflict"

    outcomes = await asyncio.gather(*(attempt(i) for i in range(200)))

    assert outcomes.count("ok") == 50
    assert set(outcomes) <= {"ok", "insufficient_points", "conflict"}
    assert await balance(pool, "cafe", "zoe") == 0 == await entry_sum(pool, "cafe", "zoe")


async def test_a_lagging_sale_cannot_capture_a_hold_whose_points_were_spent_again(
    pool: asyncpg.Pool,
    service: LoyaltyService,
    uow_factory: PostgresUnitOfWorkFactory,
    clock: FakeClock,
) -> None:
    account_id = await funded_account(service, uow_factory, 500, earn_rate="1")
    held = await service.redeem(redeem(account_id, 500, "lag-1", hold=True))
    rid = held.redemption.redemption_id
    payload = sale(
        "cafe", "zoe", "0.50", loyalty_redemption_id=str(rid), occurred_at=clock.now().isoformat()
    )

    clock.advance(minutes=45)  # the consumer lags past the 30-minute hold
    await service.redeem(redeem(account_id, 500, "lag-2"))
    assert (await service.redemption("cafe", rid)).status is RedemptionStatus.EXPIRED
    await ApplyEventBatch(uow_factory, clock)([parsed(EventKind.SALE_COMPLETED, payload)])

    assert await balance(pool, "cafe", "zoe") == 0 == await entry_sum(pool, "cafe", "zoe")
    row = await pool.fetchrow(
        "SELECT reason, redemption_id, account_id, points, refused_at"
        " FROM hold_capture_refusals WHERE business_id = 'cafe' AND event_id = $1",
        payload["event_id"],
    )
    assert row is not None
    assert dict(row) == {
        "reason": "expired",
        "redemption_id": rid,
        "account_id": account_id,
        "points": 500,
        "refused_at": clock.moment,
    }


async def test_another_customer_s_sale_naming_a_hold_is_refused_and_recorded(
    pool: asyncpg.Pool, service: LoyaltyService, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    account_id = await funded_account(service, uow_factory, 300, earn_rate="1")
    await service.enrol(EnrolCustomer("cafe", "yan"))
    held = await service.redeem(redeem(account_id, 200, "own-1", hold=True))
    rid = held.redemption.redemption_id
    payload = sale("cafe", "yan", "0.50", loyalty_redemption_id=str(rid))

    await ApplyEventBatch(uow_factory, FakeClock())([parsed(EventKind.SALE_COMPLETED, payload)])

    assert (await service.redemption("cafe", rid)).status is RedemptionStatus.HELD
    assert await balance(pool, "cafe", "zoe") == 300
    reason = await pool.fetchval(
        "SELECT reason FROM hold_capture_refusals WHERE business_id = 'cafe' AND event_id = $1",
        payload["event_id"],
    )
    assert reason == "not_owner"
