"""Two counter-examples the stateful model test found on closed accounts, kept as examples:
a captured redemption cancelled after the closure gave its points back to the closed card,
and a return of an earlier sale after the closure counted a reversal on its purchase that no
entry posted (verify then reported the purchase)."""

from __future__ import annotations

import asyncio

import pytest

from domain.closure import AccountClosed, CloseAccount
from domain.commands import CancelRedemption, Redeem
from domain.ledger import EntryKind
from service.use_cases.accounts import Accounts
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.redemptions import Redemptions
from service.use_cases.verification import verify_ledger
from tests.fakes import FakeStore, FakeUnitOfWorkFactory
from tests.fakes.clock import FakeClock
from tests.unit.builders import BUSINESS, RECORDED_AT, account, customer_return, programme, sale

pytestmark = pytest.mark.unit


def _world() -> tuple[FakeStore, FakeUnitOfWorkFactory, FakeClock]:
    holder = account("c1")
    store = FakeStore(programmes={BUSINESS: programme()})
    store.accounts[(BUSINESS, holder.account_id)] = holder
    return store, FakeUnitOfWorkFactory(store), FakeClock(RECORDED_AT)


def test_a_redemption_captured_before_the_closure_cannot_be_cancelled_after_it() -> None:
    store, uows, clock = _world()
    [holder] = store.accounts.values()

    async def history() -> None:
        await ApplyEventBatch(uows, clock)([sale("s1", "100")])
        done = await Redemptions(uows, clock).redeem(
            Redeem(BUSINESS, holder.account_id, 1, "k1", "f1")
        )
        await Accounts(uows, clock).close(CloseAccount(BUSINESS, holder.account_id, "asked"))
        cancel = CancelRedemption(BUSINESS, done.redemption.redemption_id, supervisor=True)
        with pytest.raises(AccountClosed):
            await Redemptions(uows, clock).cancel(cancel)

    asyncio.run(history())

    assert store.entries[-1].kind is EntryKind.CLOSURE
    [closed] = store.accounts.values()
    assert (closed.balance, closed.stamps) == (0, 0)


def test_a_return_after_the_closure_is_skipped_and_its_purchase_counts_no_reversal() -> None:
    store, uows, clock = _world()
    [holder] = store.accounts.values()

    async def history() -> None:
        await ApplyEventBatch(uows, clock)([sale("s1", "3.00")])
        await Accounts(uows, clock).close(CloseAccount(BUSINESS, holder.account_id, "asked"))
        clock.advance(minutes=1)
        await ApplyEventBatch(uows, clock)([customer_return("r1", "s1", "1.50")])

    asyncio.run(history())

    [purchase] = store.purchases.values()
    assert purchase.points_reversed == 0
    record = next(r for key, r in store.inbox.items() if key[1] == "ev-return-r1")
    assert str(record.outcome.reason) == "account_closed"
    report = asyncio.run(verify_ledger(uows, None, 10**9))
    assert report.ok, report.breaches
