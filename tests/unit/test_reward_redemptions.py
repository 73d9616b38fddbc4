"""Redeeming catalogue rewards at the till, over the real use cases on the in-memory unit of
work: what each takes and records, what refuses it, stock, holds and retries."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from domain.accounts import AccountStatus
from domain.commands import CancelRedemption, CaptureRedemption
from domain.errors import IdempotencyKeyReused, InvalidRequest, RedemptionBlocked
from domain.ledger import EntryKind
from domain.redemption import RedemptionStatus
from domain.reward_commands import SetReward
from domain.rewards import Reward
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.verification import verify_ledger
from tests.unit.builders import BUSINESS, sale
from tests.unit.reward_world import COFFEE, MUG, NOW, RewardShop, card_programme, redeem

pytestmark = pytest.mark.unit


async def blocked_code(shop: RewardShop, *args: object, **kwargs: object) -> str:
    with pytest.raises(RedemptionBlocked) as refused:
        await shop.till.redeem(redeem(*args, **kwargs))  # type: ignore[arg-type]
    return refused.value.code


async def clean(shop: RewardShop) -> None:
    report = await verify_ledger(shop.uows, None, outbox_max_age_seconds=10**9)
    assert report.breaches == []


async def test_a_points_reward_posts_a_redemption_of_its_cost_naming_the_reward() -> None:
    shop = RewardShop()
    account_id = await shop.customer("c1", points=800)

    result = await shop.till.redeem(redeem(account_id, "mug", "k1"))

    entry = shop.store.entries[-1]
    assert (entry.kind, entry.points, entry.stamps) == (EntryKind.REDEMPTION, -500, 0)
    assert (entry.reward_id, entry.reward_description) == ("mug", "A branded mug")
    assert result.redemption.status is RedemptionStatus.CAPTURED
    assert shop.account(account_id).balance == 300
    assert shop.reward("mug").stock == 2
    await clean(shop)


async def test_a_stamp_reward_posts_a_stamp_redemption_of_no_points() -> None:
    shop = RewardShop()
    account_id = await shop.customer("c1", points=50, stamps=12)

    await shop.till.redeem(redeem(account_id, "free-coffee", "k1"))

    entry = shop.store.entries[-1]
    assert (entry.kind, entry.points, entry.stamps) == (EntryKind.STAMP_REDEMPTION, 0, -10)
    assert (entry.stamps_balance_after, entry.reward_id) == (2, "free-coffee")
    assert (shop.account(account_id).balance, shop.account(account_id).stamps) == (50, 2)
    await clean(shop)


async def test_a_full_stamp_card_redeems_the_reward_the_card_in_force_names() -> None:
    shop = RewardShop()
    account_id = await shop.customer("c1", stamps=10)

    quote = await shop.till.preview(BUSINESS, account_id, None)
    result = await shop.till.redeem(redeem(account_id, None, "card-1"))

    assert (quote.reward.reward_id, quote.stamps_to_take, quote.blocked) == (
        "free-coffee",
        10,
        None,
    )
    assert result.redemption.reward_id == "free-coffee"
    assert shop.account(account_id).stamps == 0


async def test_a_programme_without_a_stamp_card_refuses_to_redeem_one() -> None:
    shop = RewardShop()
    shop.store.programmes[BUSINESS] = replace(
        card_programme(), rules=(replace(card_programme().rules[0], stamp_card=None),)
    )
    account_id = await shop.customer("c1", stamps=10)

    assert await blocked_code(shop, account_id, None, "card-1") == "no_stamp_card"


async def test_a_preview_changes_nothing() -> None:
    shop = RewardShop()
    account_id = await shop.customer("c1", points=800)
    before = (list(shop.store.entries), dict(shop.store.rewards), dict(shop.store.redemptions))

    quote = await shop.till.preview(BUSINESS, account_id, "mug")

    assert (quote.points_to_take, quote.available_points, quote.blocked) == (500, 800, None)
    after = (shop.store.entries, shop.store.rewards, shop.store.redemptions)
    assert after == before


@pytest.mark.parametrize(
    ("reward", "code"),
    [
        (replace(MUG, active=False), "reward_retired"),
        (replace(MUG, active_from=NOW + timedelta(hours=1)), "reward_not_available"),
        (replace(MUG, active_until=NOW), "reward_not_available"),
        (replace(MUG, stock=0), "out_of_stock"),
        (replace(MUG, points_cost=801), "insufficient_points"),
    ],
)
async def test_a_reward_that_cannot_be_had_is_refused_and_nothing_moves(
    reward: Reward, code: str
) -> None:
    shop = RewardShop()
    account_id = await shop.customer("c1", points=800)
    shop.store.rewards[(BUSINESS, "mug")] = reward

    assert await blocked_code(shop, account_id, "mug", "k1") == code
    assert shop.account(account_id).balance == 800
    assert shop.reward("mug") == reward
    assert shop.store.redemptions == {}


async def test_the_points_blocks_apply_to_points_rewards_but_not_to_stamp_rewards() -> None:
    shop = RewardShop()
    shop.store.programmes[BUSINESS] = card_programme(min_balance=1000)
    account_id = await shop.customer("c1", points=800, stamps=10)

    assert await blocked_code(shop, account_id, "mug", "k1") == "below_minimum_balance"
    await shop.till.redeem(redeem(account_id, "free-coffee", "k2"))
    assert shop.account(account_id).stamps == 0


async def test_a_suspended_account_redeems_no_reward_of_either_kind() -> None:
    shop = RewardShop()
    account_id = await shop.customer("c1", points=800, stamps=10)
    key = (BUSINESS, account_id)
    shop.store.accounts[key] = replace(shop.store.accounts[key], status=AccountStatus.SUSPENDED)

    assert await blocked_code(shop, account_id, "mug", "k1") == "account_suspended"
    assert await blocked_code(shop, account_id, "free-coffee", "k2") == "account_suspended"


async def test_held_stamps_are_not_spendable_twice_and_come_back_when_the_hold_expires() -> None:
    shop = RewardShop()
    account_id = await shop.customer("c1", stamps=15)
    await shop.till.redeem(redeem(account_id, "free-coffee", "h1", hold=True))

    assert await blocked_code(shop, account_id, "free-coffee", "h2") == "insufficient_stamps"
    shop.clock.advance(minutes=31)
    await shop.till.redeem(redeem(account_id, "free-coffee", "h3"))

    assert shop.account(account_id).stamps == 5
    await clean(shop)


async def test_a_retry_redeems_once_and_the_key_with_another_request_is_refused() -> None:
    shop = RewardShop()
    account_id = await shop.customer("c1", points=2000)

    first = await shop.till.redeem(redeem(account_id, "mug", "k1"))
    again = await shop.till.redeem(redeem(account_id, "mug", "k1"))
    with pytest.raises(IdempotencyKeyReused):
        await shop.till.redeem(redeem(account_id, "mug", "k1", hold=True))

    assert again.replayed and again.redemption == first.redemption
    assert (shop.account(account_id).balance, shop.reward("mug").stock) == (1500, 2)


async def test_stock_comes_back_once_on_cancel_and_once_on_expiry() -> None:
    shop = RewardShop()
    account_id = await shop.customer("c1", points=5000)
    taken = await shop.till.redeem(redeem(account_id, "mug", "k1"))
    held = await shop.till.redeem(redeem(account_id, "mug", "k2", hold=True))
    assert shop.reward("mug").stock == 1

    for _ in range(2):
        await shop.redemptions.cancel(
            CancelRedemption(BUSINESS, taken.redemption.redemption_id, supervisor=True)
        )
    assert (shop.reward("mug").stock, shop.account(account_id).balance) == (2, 5000)

    shop.clock.advance(minutes=31)
    await shop.redemptions.cancel(  # too late: expired, nothing to give back twice
        CancelRedemption(BUSINESS, held.redemption.redemption_id, supervisor=True)
    )
    await shop.till.redeem(redeem(account_id, "mug", "k3"))  # releases the overdue hold
    assert shop.reward("mug").stock == 3 - 1
    assert shop.store.redemptions[(BUSINESS, held.redemption.redemption_id)].status is (
        RedemptionStatus.EXPIRED
    )


async def test_a_held_stamp_reward_is_captured_by_the_sale_that_names_it() -> None:
    shop = RewardShop()
    account_id = await shop.customer("c1", stamps=10)
    held = await shop.till.redeem(redeem(account_id, "free-coffee", "h1", hold=True))
    purchase = replace(
        sale("r-1", "3.50", occurred_at=NOW), redemption_id=held.redemption.redemption_id
    )

    await ApplyEventBatch(shop.uows, shop.clock)([purchase])
    await ApplyEventBatch(shop.uows, shop.clock)([purchase])  # redelivered

    captures = [e for e in shop.store.entries if e.kind is EntryKind.STAMP_REDEMPTION]
    assert [(e.stamps, e.event_id, e.reward_id) for e in captures] == [
        (-10, purchase.event_id, "free-coffee")
    ]
    earned = sum(e.stamps for e in shop.store.entries if e.kind is EntryKind.STAMP_EARN)
    assert shop.account(account_id).stamps == 10 - 10 + earned  # the sale may earn a stamp
    await clean(shop)


async def test_a_captured_stamp_reward_cancelled_gives_the_stamps_back_once() -> None:
    shop = RewardShop()
    account_id = await shop.customer("c1", stamps=10)
    held = await shop.till.redeem(redeem(account_id, "free-coffee", "h1", hold=True))
    await shop.redemptions.capture(CaptureRedemption(BUSINESS, held.redemption.redemption_id))

    for _ in range(2):
        await shop.redemptions.cancel(
            CancelRedemption(BUSINESS, held.redemption.redemption_id, supervisor=True)
        )

    back = shop.store.entries[-1]
    assert (back.kind, back.points, back.stamps) == (EntryKind.REDEMPTION_CANCELLED, 0, 10)
    assert shop.account(account_id).stamps == 10
    await clean(shop)


async def test_the_catalogue_keeps_retired_rewards_and_checks_its_terms() -> None:
    shop = RewardShop()
    cake = SetReward(BUSINESS, "cake", "A slice of cake", points_cost=300, stock=5)

    await shop.catalogue.set(cake)
    retired = await shop.catalogue.retire(BUSINESS, "cake")
    kept_retired = await shop.catalogue.set(replace(cake, description="Cake"))

    assert not retired.active and not kept_retired.active
    assert [r.reward_id for r in await shop.catalogue.listed(BUSINESS)] == [
        "cake",
        "free-coffee",
        "mug",
    ]
    for wrong in (
        replace(cake, stamps_cost=3),
        replace(cake, points_cost=None),
        replace(cake, reward_id="Not A Slug"),
        replace(cake, active_from=NOW, active_until=NOW),
    ):
        with pytest.raises(InvalidRequest):
            await shop.catalogue.set(wrong)
    assert shop.reward("free-coffee") == COFFEE
