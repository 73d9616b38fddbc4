"""Rewards redeemed on real PostgreSQL: a hold captured by the sale event, the last unit of
stock raced for by many tills, and stock given back once by the database when a redemption
is cancelled or its hold expires."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from uuid import UUID

import asyncpg
import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.commands import AdjustPoints, CancelRedemption, EnrolCustomer
from domain.errors import ConcurrentUpdate, RedemptionBlocked
from domain.events import EventKind
from domain.ledger import Attribution, EntryKind, Source
from domain.postings import policies_of, post_entry, settle
from domain.redemption import RedemptionStatus
from domain.reward_commands import RedeemReward, SetReward
from domain.stamps import StampCard
from service.use_cases.accounts import Accounts
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.redemptions import Redemptions
from service.use_cases.reward_redemptions import RewardRedemptions
from service.use_cases.rewards import RewardCatalogue
from service.use_cases.verification import verify_ledger
from tests.fakes.clock import FakeClock
from tests.integration.conftest import given_programme
from tests.integration.ledger_queries import balance, entry_sum
from tests.support.events import parsed, sale

pytestmark = pytest.mark.integration

SHOP = "cafe"


class Till:
    def __init__(self, uow_factory: PostgresUnitOfWorkFactory, clock: FakeClock) -> None:
        self.uows, self.clock = uow_factory, clock
        self.accounts = Accounts(uow_factory, clock)
        self.catalogue = RewardCatalogue(uow_factory, clock)
        self.rewards = RewardRedemptions(uow_factory, clock)
        self.redemptions = Redemptions(uow_factory, clock)

    async def customer(self, customer_id: str, points: int = 0, stamps: int = 0) -> UUID:
        view = await self.accounts.enrol(EnrolCustomer(SHOP, customer_id))
        account_id = view.account.account_id
        if points:
            await self.accounts.adjust(AdjustPoints(SHOP, account_id, points, "opening"))
        if stamps:
            await self._stamps(account_id, stamps)
        return account_id

    async def _stamps(self, account_id: UUID, stamps: int) -> None:
        async with self.uows() as uow:
            account = await uow.accounts.lock(SHOP, account_id)
            assert account is not None
            account, entry = post_entry(
                account,
                kind=EntryKind.STAMP_ADJUSTMENT,
                points=0,
                stamps=stamps,
                source=Source.ADMIN,
                source_ref="opening",
                origin=f"opening-stamps:{account_id}",
                at=self.clock.now(),
                attribution=Attribution(actor="test"),
                reason="opening stamps",
            )
            programme = await uow.programmes.get(SHOP)
            await uow.ledger.post(settle([account], [entry], policies_of(programme)))
            await uow.commit()

    async def stock(self, reward_id: str) -> int | None:
        return (await self.catalogue.get(SHOP, reward_id)).stock


def redeem(account_id: UUID, reward_id: str | None, key: str, hold: bool = False) -> RedeemReward:
    return RedeemReward(SHOP, account_id, reward_id, key, f"fp:{key}:{reward_id}:{hold}", hold=hold)


@pytest.fixture
async def till(uow_factory: PostgresUnitOfWorkFactory) -> Till:
    card = StampCard(target=10, reward_id="free-coffee")
    await given_programme(uow_factory, SHOP, stamp_card=card)
    shop = Till(uow_factory, FakeClock())
    await shop.catalogue.set(SetReward(SHOP, "free-coffee", "A free coffee", stamps_cost=10))
    await shop.catalogue.set(SetReward(SHOP, "mug", "A mug", points_cost=500, stock=1))
    return shop


async def test_a_stamp_card_held_at_the_till_is_captured_by_the_sale_that_names_it(
    pool: asyncpg.Pool, till: Till, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    account_id = await till.customer("zoe", stamps=10)
    held = await till.rewards.redeem(redeem(account_id, None, "card-1", hold=True))
    rid = held.redemption.redemption_id
    payload = sale(
        SHOP,
        "zoe",
        "3.50",
        loyalty_redemption_id=str(rid),
        occurred_at=datetime.now(UTC).isoformat(),
    )
    event = parsed(EventKind.SALE_COMPLETED, payload)

    await ApplyEventBatch(uow_factory, till.clock)([event])
    await ApplyEventBatch(uow_factory, till.clock)([event])  # redelivered: nothing more

    assert (await till.redemptions.get(SHOP, rid)).status is RedemptionStatus.CAPTURED
    rows = await pool.fetch(
        "SELECT kind, points, stamps, reward_id, reward_description, event_id"
        " FROM ledger_entries WHERE business_id = $1 AND kind = 'stamp_redemption'",
        SHOP,
    )
    assert [tuple(r) for r in rows] == [
        ("stamp_redemption", 0, -10, "free-coffee", "A free coffee", event.event_id)
    ]
    stamps = await pool.fetchval(
        "SELECT stamps - (SELECT coalesce(sum(stamps), 0) FROM ledger_entries"
        " WHERE business_id = $1 AND account_id = $2) FROM accounts"
        " WHERE business_id = $1 AND account_id = $2",
        SHOP,
        account_id,
    )
    assert stamps == 0, "the account's stamps are its entries'"
    report = await verify_ledger(uow_factory, SHOP, outbox_max_age_seconds=10**9)
    assert report.breaches == []


async def test_a_points_reward_held_is_captured_by_its_sale_and_cancelled_once(
    pool: asyncpg.Pool, till: Till, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    account_id = await till.customer("zoe", points=800)
    held = await till.rewards.redeem(redeem(account_id, "mug", "m1", hold=True))
    rid = held.redemption.redemption_id
    payload = sale(
        SHOP,
        "zoe",
        "10.00",
        loyalty_redemption_id=str(rid),
        occurred_at=datetime.now(UTC).isoformat(),
    )
    await ApplyEventBatch(uow_factory, till.clock)([parsed(EventKind.SALE_COMPLETED, payload)])
    assert await balance(pool, SHOP, "zoe") == 800 - 500 + 10

    for _ in range(2):
        await till.redemptions.cancel(CancelRedemption(SHOP, rid, supervisor=True))

    assert await balance(pool, SHOP, "zoe") == 810 == await entry_sum(pool, SHOP, "zoe")
    assert await till.stock("mug") == 1, "given back once"
    report = await verify_ledger(uow_factory, SHOP, outbox_max_age_seconds=10**9)
    assert report.breaches == []


async def test_concurrent_redemptions_of_the_last_unit_of_stock_let_exactly_one_win(
    pool: asyncpg.Pool, till: Till
) -> None:
    accounts = [await till.customer(f"c{i}", points=600) for i in range(8)]

    async def attempt(i: int, account_id: UUID) -> str:
        try:
            await till.rewards.redeem(redeem(account_id, "mug", f"race-{i}", hold=i % 2 == 0))
            return "ok"
        except RedemptionBlocked as error:
            return error.code
        except ConcurrentUpdate:
            return "conflict"

    outcomes = await asyncio.gather(*(attempt(i, a) for i, a in enumerate(accounts)))

    assert outcomes.count("ok") == 1
    assert set(outcomes) - {"ok"} <= {"out_of_stock", "conflict"}
    assert await till.stock("mug") == 0
    taken = await pool.fetchval(
        "SELECT count(*) FROM redemptions WHERE business_id = $1 AND reward_id = 'mug'", SHOP
    )
    assert taken == 1


async def test_an_expired_hold_gives_its_unit_back_once_whichever_path_marks_it(
    pool: asyncpg.Pool, till: Till, uow_factory: PostgresUnitOfWorkFactory
) -> None:
    first = await till.customer("zoe", points=600)
    second = await till.customer("ann", points=600)
    held = await till.rewards.redeem(redeem(first, "mug", "h1", hold=True))
    with pytest.raises(RedemptionBlocked, match="out of stock"):
        await till.rewards.redeem(redeem(second, "mug", "h2"))

    till.clock.advance(minutes=31)
    assert (await till.rewards.preview(SHOP, second, "mug")).blocked is None

    await till.rewards.redeem(redeem(second, "mug", "h3"))  # releases the overdue hold
    await till.redemptions.cancel(  # expired: nothing to give back a second time
        CancelRedemption(SHOP, held.redemption.redemption_id, supervisor=True)
    )

    assert (await till.redemptions.get(SHOP, held.redemption.redemption_id)).status is (
        RedemptionStatus.EXPIRED
    )
    assert await till.stock("mug") == 0
    report = await verify_ledger(uow_factory, SHOP, outbox_max_age_seconds=10**9)
    assert report.breaches == []


async def test_an_overdue_hold_whose_account_is_busy_keeps_its_unit_until_later(
    pool: asyncpg.Pool, till: Till
) -> None:
    first = await till.customer("zoe", points=600)
    second = await till.customer("ann", points=600)
    await till.rewards.redeem(redeem(first, "mug", "h1", hold=True))
    till.clock.advance(minutes=31)

    async with pool.acquire() as busy, busy.transaction():  # e.g. a sale capturing it
        await busy.execute(
            "SELECT 1 FROM accounts WHERE business_id = $1 AND account_id = $2 FOR UPDATE",
            SHOP,
            first,
        )
        with pytest.raises(RedemptionBlocked, match="out of stock"):
            await till.rewards.redeem(redeem(second, "mug", "h2"))

    await till.rewards.redeem(redeem(second, "mug", "h3"))
    assert await till.stock("mug") == 0
