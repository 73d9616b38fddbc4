"""Properties of redeeming rewards, over random histories of redemptions (held or not, keys
reused), captures by the till and by sales, cancellations and time passing: a key redeems
once, stock is never negative and is exactly what no live redemption holds, and neither
points nor stamps are ever spent twice; the ledger verifies."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from domain.commands import CancelRedemption, CaptureRedemption
from domain.errors import LoyaltyError
from domain.ledger import EntryKind
from domain.redemption import Redemption, RedemptionStatus
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.verification import verify_ledger
from tests.unit.builders import BUSINESS, sale
from tests.unit.reward_world import MUG, RewardShop, redeem

pytestmark = pytest.mark.unit

CUSTOMERS = ("c1", "c2")
POINTS, STAMPS = 700, 15
REWARDS = ("mug", "free-coffee", None)  # None: the stamp card's reward

redeems = st.tuples(
    st.just("redeem"),
    st.integers(0, 1),  # customer
    st.sampled_from(REWARDS),
    st.integers(0, 5),  # key: few, so retries and reuse happen
    st.booleans(),  # hold
)
steps = st.lists(
    st.one_of(
        redeems,
        redeems,  # twice as likely: spending is what can go wrong
        st.tuples(st.just("capture"), st.integers(0, 20)),
        st.tuples(st.just("sale"), st.integers(0, 20)),
        st.tuples(st.just("cancel"), st.integers(0, 20)),
        st.tuples(st.just("wait"), st.integers(1, 40)),  # minutes; holds last 30
    ),
    min_size=2,
    max_size=30,
)


def live(r: Redemption) -> bool:
    return r.stock_taken and r.status in (RedemptionStatus.HELD, RedemptionStatus.CAPTURED)


@settings(max_examples=150)
@given(steps, st.integers(0, 3))
@example([("redeem", 0, "free-coffee", 0, True), ("redeem", 0, None, 1, True)], 3)
@example([("redeem", 1, "mug", 0, True), ("redeem", 1, "mug", 1, True)], 3)
@example([("redeem", 0, "mug", 0, True), ("wait", 31), ("redeem", 1, "mug", 1, False)], 1)
async def test_rewards_are_never_redeemed_twice_nor_overdrawn(
    history: list[tuple[object, ...]], stock: int
) -> None:
    shop = RewardShop()
    shop.store.rewards[(BUSINESS, "mug")] = replace(MUG, stock=stock)
    accounts = [await shop.customer(c, points=POINTS, stamps=STAMPS) for c in CUSTOMERS]
    made: list[Redemption] = []
    sales = 0

    for step in history:
        try:
            if step[0] == "redeem":
                _, who, reward_id, key, hold = step
                command = redeem(accounts[who], reward_id, f"k{key}", hold=bool(hold))  # type: ignore[arg-type,call-overload]
                made.append((await shop.till.redeem(command)).redemption)
            elif step[0] in ("capture", "sale", "cancel") and made:
                target = made[int(step[1]) % len(made)]  # type: ignore[call-overload]
                rid = target.redemption_id
                if step[0] == "capture":
                    await shop.redemptions.capture(CaptureRedemption(BUSINESS, rid))
                elif step[0] == "cancel":
                    await shop.redemptions.cancel(CancelRedemption(BUSINESS, rid, supervisor=True))
                else:
                    sales += 1
                    customer = shop.store.accounts[(BUSINESS, target.account_id)].customer_id
                    event = sale(
                        f"s{sales}", "2.00", customer_id=customer, occurred_at=shop.clock.now()
                    )
                    await ApplyEventBatch(shop.uows, shop.clock)(
                        [replace(event, redemption_id=rid)]
                    )
            elif step[0] == "wait":
                shop.clock.advance(minutes=int(step[1]))  # type: ignore[call-overload]
        except LoyaltyError:
            pass  # refused: what matters is that nothing was half done

    redemptions = list(shop.store.redemptions.values())
    keys_used = {k for (_, k) in shop.store.idempotency_keys}
    assert len(redemptions) <= len(keys_used), "a key redeems at most once"
    assert len({r.redemption_id for r in made}) == len(redemptions)

    mug = shop.reward("mug")
    assert mug.stock is not None and mug.stock >= 0
    taken = sum(1 for r in redemptions if r.reward_id == "mug" and live(r))
    assert mug.stock + taken == stock, "every unit is on the shelf or with one redemption"

    now = shop.clock.now()
    for account_id in accounts:
        holder = shop.account(account_id)
        mine = [r for r in redemptions if r.account_id == account_id]
        captured = [r for r in mine if r.status is RedemptionStatus.CAPTURED]
        held = [r for r in mine if r.status_at(now) is RedemptionStatus.HELD]
        entries = [e for e in shop.store.entries if e.account_id == account_id]
        earned = sum(e.stamps for e in entries if e.kind is EntryKind.STAMP_EARN)
        earned_points = sum(e.points for e in entries if e.kind is EntryKind.EARN)
        assert holder.balance == POINTS + earned_points - sum(r.points for r in captured)
        assert holder.stamps == STAMPS + earned - sum(r.stamps for r in captured)
        # Never promised twice: what is held fits in what is left.
        assert sum(r.points for r in held) <= holder.balance
        assert sum(r.stamps for r in held) <= holder.stamps
    report = await verify_ledger(shop.uows, None, outbox_max_age_seconds=10**9)
    assert report.breaches == []
