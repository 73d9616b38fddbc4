"""A rule version's item rules and stamp card are kept with it in PostgreSQL and read back
as they were set, beside versions that have none."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from domain.item_rules import ItemRules
from domain.levels import Level, LevelBasis, TierPolicy
from domain.programme import EventTimeSettings, Programme, RuleVersion, in_force
from domain.redeem_limits import LimitPeriod, RedeemLimit
from domain.referrals import ReferralPolicy
from domain.stamps import StampBasis, StampCard

pytestmark = pytest.mark.integration

START = datetime(2026, 1, 1, tzinfo=UTC)


async def test_item_rules_and_a_stamp_card_read_back_with_their_version(
    uow_factory: PostgresUnitOfWorkFactory,
) -> None:
    settings = EventTimeSettings(True, None, 0)
    plain = RuleVersion(1, START, Decimal(1), Decimal(100), settings=settings)
    card = RuleVersion(
        2,
        START.replace(month=3),
        Decimal(1),
        Decimal(100),
        settings=settings,
        item_rules=ItemRules(
            category_multipliers=(("bakery", Decimal(2)),),
            sku_multipliers=(("baguette", Decimal("1.5")),),
            excluded_categories=frozenset({"tobacco"}),
            excluded_skus=frozenset({"gift-card"}),
            min_spend=Decimal("5.00"),
        ),
        stamp_card=StampCard(
            target=10,
            basis=StampBasis.ITEM,
            categories=frozenset({"coffee"}),
            min_spend=Decimal("2.5"),
            reward_id="free-coffee",
        ),
    )
    programme = Programme(business_id="card-shop", name="Points", rules=(plain, card))
    async with uow_factory() as uow:
        await uow.programmes.save(programme)
        for rule in programme.rules:
            await uow.programmes.add_rule(programme.business_id, rule)
        await uow.commit()

    async with uow_factory() as uow:
        stored = await uow.programmes.get("card-shop")

    assert stored is not None
    assert stored.rules == (plain, card)
    assert in_force(stored.rules, START.replace(month=2)) == plain
    assert in_force(stored.rules, START.replace(month=4)) == card


async def test_levels_referral_bonuses_and_a_redeem_limit_read_back_as_set(
    uow_factory: PostgresUnitOfWorkFactory,
) -> None:
    settings = EventTimeSettings(True, None, 0)
    tiers = TierPolicy(
        levels=(
            Level("Silver", Decimal(500), Decimal("1.25")),
            Level("Gold", Decimal("1500.50"), Decimal(2), benefits="Free delivery"),
        ),
        basis=LevelBasis.SPEND,
        window_days=None,
    )
    rule = RuleVersion(
        1,
        START,
        Decimal(1),
        Decimal(100),
        settings=settings,
        tiers=tiers,
        referral=ReferralPolicy(referrer_points=200, referred_points=100, return_window_days=14),
    )
    programme = Programme(
        business_id="tier-shop",
        name="Points",
        rules=(rule,),
        redeem_limit=RedeemLimit(1000, LimitPeriod.WEEK),
    )
    async with uow_factory() as uow:
        await uow.programmes.save(programme)
        await uow.programmes.add_rule(programme.business_id, rule)
        await uow.commit()

    async with uow_factory() as uow:
        stored = await uow.programmes.get("tier-shop")

    assert stored == programme
