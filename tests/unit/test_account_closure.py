"""Closing an account, searched for its counter-examples: whatever the order of closes,
earns, returns, redemptions (held or not), captures and adjustments, a closed account holds
0 points and 0 stamps, has exactly one closure entry, and nothing is posted after it."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.closure import AccountClosed, CloseAccount
from domain.commands import AdjustPoints, CaptureRedemption, Redeem
from domain.errors import LoyaltyError
from domain.ledger import EntryKind
from service.use_cases.accounts import Accounts
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.redemptions import Redemptions
from tests.fakes import FakeStore, FakeUnitOfWorkFactory
from tests.fakes.clock import FakeClock
from tests.unit.builders import BUSINESS, RECORDED_AT, account, customer_return, programme, sale

pytestmark = pytest.mark.unit

Step = tuple[str, int]
steps = st.lists(
    st.tuples(
        st.sampled_from(["earn", "return", "redeem", "hold", "capture", "adjust", "close"]),
        st.integers(min_value=1, max_value=300),
    ),
    max_size=14,
)


async def run(history: list[Step]) -> FakeStore:
    holder = account("c1")
    store = FakeStore(programmes={BUSINESS: programme()})
    store.accounts[(BUSINESS, holder.account_id)] = holder
    uows, clock = FakeUnitOfWorkFactory(store), FakeClock(RECORDED_AT)
    accounts, till, events = (
        Accounts(uows, clock),
        Redemptions(uows, clock),
        ApplyEventBatch(uows, clock),
    )
    holds = []
    for i, (kind, amount) in enumerate(history):
        clock.advance(minutes=1)
        try:
            if kind == "earn":
                await events([sale(f"s{i}", str(amount))])
            elif kind == "return":
                await events([customer_return(f"r{i}", "s0", str(amount))])
            elif kind in ("redeem", "hold"):
                done = await till.redeem(
                    Redeem(
                        BUSINESS, holder.account_id, amount, f"k{i}", f"f{i}", hold=kind == "hold"
                    )
                )
                holds.append(done.redemption.redemption_id)
            elif kind == "capture" and holds:
                await till.capture(CaptureRedemption(BUSINESS, holds[amount % len(holds)]))
            elif kind == "adjust":
                await accounts.adjust(
                    AdjustPoints(
                        BUSINESS, holder.account_id, amount, "x", idempotency_key=str(uuid4())
                    )
                )
            elif kind == "close":
                await accounts.close(CloseAccount(BUSINESS, holder.account_id, "asked"))
        except LoyaltyError:
            pass  # a refusal (blocked, closed, not held...) is an allowed answer
    return store


@settings(max_examples=150, deadline=None)
@given(steps)
def test_a_closed_account_stays_at_zero_and_nothing_is_posted_after_its_closure(
    history: list[Step],
) -> None:
    store = asyncio.run(run(history))

    entries = [e for e in store.entries if e.business_id == BUSINESS]
    closures = [i for i, e in enumerate(entries) if e.kind is EntryKind.CLOSURE]
    [holder] = store.accounts.values()
    assert holder.balance == sum(e.points for e in entries)
    assert sum(lot.remaining for lot in store.lots.values()) == max(holder.balance, 0)
    if "close" not in {kind for kind, _ in history}:
        assert closures == []
        return
    assert len(closures) == 1
    assert closures[0] == len(entries) - 1  # nothing after it
    assert (holder.balance, holder.stamps, holder.status.value) == (0, 0, "closed")
    assert entries[-1].balance_after == entries[-1].stamps_balance_after == 0
    assert all(
        r.status.value != "held" for r in store.redemptions.values()
    )  # no hold survives a closure to be captured later


def test_closing_twice_posts_one_closure_entry() -> None:
    store = asyncio.run(run([("earn", 100), ("close", 1), ("close", 1)]))

    kinds = [e.kind for e in store.entries]
    assert kinds == [EntryKind.EARN, EntryKind.CLOSURE]


def test_adjusting_a_closed_account_is_refused_as_account_closed() -> None:
    async def attempt() -> None:
        store = await run([("earn", 100), ("close", 1)])
        [holder] = store.accounts.values()
        uows, clock = FakeUnitOfWorkFactory(store), FakeClock(RECORDED_AT)
        await Accounts(uows, clock).adjust(AdjustPoints(BUSINESS, holder.account_id, 5, "x"))

    with pytest.raises(AccountClosed):
        asyncio.run(attempt())
