"""Redeem limits per period through the use cases on fakes: what counts against a period (held
and captured redemptions, where they were made), what frees it (a cancellation, an expiry), and
that the preview blocks as the redemption does."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

import pytest

from domain.commands import CancelRedemption, CaptureRedemption, PreviewRedemption, Redeem
from domain.redeem_limits import LimitPeriod, PeriodLimitReached, RedeemLimit
from domain.redemption import BlockReason, RedemptionStatus
from tests.unit.builders import BUSINESS, sale
from tests.unit.reward_world import COFFEE, MUG, RewardShop
from tests.unit.reward_world import redeem as reward_redemption
from tests.unit.test_hold_lag import C1, Shop

pytestmark = pytest.mark.unit

SUNDAY_NIGHT = datetime(2025, 3, 2, 23, 50, tzinfo=UTC)  # 2025-03-03 is a Monday


async def limited(points: int, period: LimitPeriod = LimitPeriod.DAY) -> Shop:
    """c1 and c2 with 500 points each, the programme limiting redemptions to ``points``."""
    shop = Shop()
    await shop.fund()
    store = shop.uows.store
    store.programmes[BUSINESS] = replace(
        store.programmes[BUSINESS], redeem_limit=RedeemLimit(points, period)
    )
    return shop


async def redeem(shop: Shop, points: int, key: str, *, hold: bool = False) -> UUID:
    result = await shop.redemptions.redeem(
        Redeem(BUSINESS, C1, points, key, f"fp-{key}", hold=hold)
    )
    return result.redemption.redemption_id


async def left(shop: Shop, points: int = 1) -> int | None:
    quote = await shop.redemptions.preview(PreviewRedemption(BUSINESS, C1, points))
    return quote.limit_left


async def test_a_redemption_past_the_periods_limit_is_refused_naming_what_is_left() -> None:
    shop = await limited(300)
    await redeem(shop, 200, "r1")

    with pytest.raises(PeriodLimitReached, match="300 points a day; 100 left until") as refused:
        await redeem(shop, 150, "r2")

    assert (refused.value.code, refused.value.use.left) == ("period_limit", 100)
    await redeem(shop, 100, "r3")  # exactly what is left
    assert shop.balance() == 200
    assert await left(shop) == 0


async def test_the_preview_shows_what_is_left_and_blocks_as_the_redemption_would() -> None:
    shop = await limited(300)
    await redeem(shop, 200, "r1")

    fits = await shop.redemptions.preview(PreviewRedemption(BUSINESS, C1, 100))
    too_many = await shop.redemptions.preview(PreviewRedemption(BUSINESS, C1, 101))

    assert (fits.limit_left, fits.blocked) == (100, None)
    assert (too_many.limit_left, too_many.blocked) == (100, BlockReason.PERIOD_LIMIT)
    assert too_many.detail is not None and "100 left" in too_many.detail


async def test_without_a_limit_the_quote_has_no_limit_left() -> None:
    shop = Shop()
    await shop.fund()

    assert await left(shop) is None


async def test_the_limit_applies_to_the_points_taken_after_the_discount_cap() -> None:
    """Asking for more than the cap needs is no reason to refuse, under a limit too."""
    shop = await limited(200)
    store = shop.uows.store
    prog = store.programmes[BUSINESS]
    store.programmes[BUSINESS] = replace(
        prog, rules=(replace(prog.rules[0], max_discount=Decimal(2)),)
    )

    redemption = await shop.redemptions.redeem(Redeem(BUSINESS, C1, 450, "r1", "fp-r1"))

    assert (redemption.redemption.points, redemption.redemption.capped) == (200, True)


async def test_a_hold_reserves_its_points_against_the_limit() -> None:
    shop = await limited(300)
    await redeem(shop, 200, "h1", hold=True)

    with pytest.raises(PeriodLimitReached):
        await redeem(shop, 150, "r1")
    assert await left(shop) == 100


async def test_releasing_a_hold_or_its_expiry_frees_the_points_it_reserved() -> None:
    shop = await limited(300)
    held = await redeem(shop, 300, "h1", hold=True)
    await shop.redemptions.cancel(CancelRedemption(BUSINESS, held))
    assert await left(shop) == 300

    await redeem(shop, 300, "h2", hold=True)
    shop.clock.advance(minutes=31)  # past the 30-minute hold

    assert await left(shop) == 300
    await redeem(shop, 300, "r1")


async def test_cancelling_a_captured_redemption_gives_its_points_back_to_the_period() -> None:
    shop = await limited(300)
    taken = await redeem(shop, 300, "r1")
    await shop.redemptions.cancel(CancelRedemption(BUSINESS, taken, supervisor=True))

    assert await left(shop) == 300
    await redeem(shop, 300, "r2")


async def test_capturing_a_hold_counts_it_once_where_it_was_placed() -> None:
    shop = await limited(300)
    held = await redeem(shop, 250, "h1", hold=True)
    await shop.redemptions.capture(CaptureRedemption(BUSINESS, held))

    assert await left(shop) == 50


async def test_a_hold_placed_before_midnight_and_captured_after_counts_on_its_own_day() -> None:
    """Counting the capture on the new day would let that day redeem 300 + 300."""
    shop = await limited(300)
    await shop.apply([sale("f3", "1000", customer_id="c1")])
    shop.clock.moment = SUNDAY_NIGHT
    held = await redeem(shop, 300, "h1", hold=True)

    shop.clock.advance(minutes=15)  # Monday 00:05
    await redeem(shop, 200, "r1")
    await shop.redemptions.capture(CaptureRedemption(BUSINESS, held))

    assert await left(shop) == 100
    with pytest.raises(PeriodLimitReached):
        await redeem(shop, 101, "r2")


async def test_a_new_period_starts_afresh_and_a_cancellation_of_the_last_frees_nothing_now() -> (
    None
):
    shop = await limited(300, LimitPeriod.WEEK)
    shop.clock.moment = SUNDAY_NIGHT
    last_week = await redeem(shop, 300, "r1")

    shop.clock.advance(minutes=10)  # Monday 00:00: a new week
    await redeem(shop, 100, "r2")
    await shop.redemptions.cancel(CancelRedemption(BUSINESS, last_week, supervisor=True))

    assert await left(shop) == 200
    assert shop.balance() == 400


async def test_a_limit_lowered_below_what_was_used_leaves_nothing_not_less() -> None:
    shop = await limited(300)
    await redeem(shop, 250, "r1")
    store = shop.uows.store
    store.programmes[BUSINESS] = replace(
        store.programmes[BUSINESS], redeem_limit=RedeemLimit(100, LimitPeriod.DAY)
    )

    assert await left(shop) == 0
    with pytest.raises(PeriodLimitReached):
        await redeem(shop, 1, "r2")


async def test_a_sale_capturing_a_hold_is_not_refused_by_the_limit() -> None:
    shop = await limited(300)
    held = await redeem(shop, 300, "h1", hold=True)
    store = shop.uows.store
    store.programmes[BUSINESS] = replace(  # lowered after the hold was placed
        store.programmes[BUSINESS], redeem_limit=RedeemLimit(100, LimitPeriod.DAY)
    )

    await shop.apply([replace(sale("s1", "10"), redemption_id=held)])

    captured = store.redemptions[(BUSINESS, held)]
    assert captured.status is RedemptionStatus.CAPTURED
    assert shop.balance() == 500 - 300 + 10


async def test_each_account_has_its_own_limit() -> None:
    shop = await limited(300)
    await redeem(shop, 300, "r1")
    c2 = next(a for a in shop.uows.store.accounts.values() if a.customer_id == "c2").account_id

    await shop.redemptions.redeem(Redeem(BUSINESS, c2, 300, "c2-r1", "fp-c2"))


def reward_shop(points: int) -> RewardShop:
    shop = RewardShop()
    shop.store.programmes[BUSINESS] = replace(
        shop.store.programmes[BUSINESS], redeem_limit=RedeemLimit(points, LimitPeriod.WEEK)
    )
    return shop


async def test_a_reward_for_points_counts_against_the_limit_and_is_refused_past_it() -> None:
    shop = reward_shop(400)
    customer = await shop.customer("r1", points=1000)

    quote = await shop.till.preview(BUSINESS, customer, MUG.reward_id)
    with pytest.raises(PeriodLimitReached, match="400 left"):
        await shop.till.redeem(reward_redemption(customer, MUG.reward_id, "k1"))

    assert (quote.blocked, quote.limit_left) == (BlockReason.PERIOD_LIMIT, 400)
    assert shop.reward(MUG.reward_id).stock == 3, "a refused reward takes no stock"


async def test_a_reward_for_stamps_neither_counts_nor_is_refused_by_the_points_limit() -> None:
    shop = reward_shop(1)
    customer = await shop.customer("r1", points=10, stamps=10)

    await shop.till.redeem(reward_redemption(customer, COFFEE.reward_id, "k1"))
    quote = await shop.redemptions.preview(PreviewRedemption(BUSINESS, customer, 1))

    assert (quote.limit_left, quote.blocked) == (1, None)
