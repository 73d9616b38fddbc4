"""The expiry sweep: distinct expiries get distinct entries, held and pending points stay,
and one account the sweep cannot expire never stops it for the others."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import timedelta

import pytest

from domain.commands import AdjustPoints, CaptureRedemption, Redeem
from domain.ledger import EntryKind, LedgerEntry
from domain.lots import AccountKey
from domain.postings import Posting
from ports.repositories import LedgerRepository
from service.use_cases.accounts import Accounts
from service.use_cases.expiry import ExpirePoints
from service.use_cases.redemptions import Redemptions
from service.use_cases.verification import verify_ledger
from tests.fakes import FakeClock, FakeStore, FakeUnitOfWork, FakeUnitOfWorkFactory
from tests.fakes.lots import database_order

from .builders import BUSINESS, account, at, sale
from .builders import programme as make_programme
from .test_point_lots import C1, apply, assert_lots_hold_the_balance, balance, shop

pytestmark = pytest.mark.unit


def expiries(uows: FakeUnitOfWorkFactory) -> list[LedgerEntry]:
    return [e for e in uows.store.entries if e.kind is EntryKind.EXPIRY]


def hold(points: int, key: str) -> Redeem:
    return Redeem(BUSINESS, C1, points, idempotency_key=key, request_fingerprint=key, hold=True)


async def adjust(uows: FakeUnitOfWorkFactory, clock: FakeClock, points: int) -> None:
    await Accounts(uows, clock).adjust(AdjustPoints(BUSINESS, C1, points, reason="goodwill"))


async def test_a_goodwill_adjustment_after_an_inactivity_expiry_expires_under_its_own_entry() -> (
    None
):
    uows, clock = shop(inactivity=90), FakeClock(at(days=1))
    await apply(uows, clock, sale("s1", "100", occurred_at=at()))
    first = await ExpirePoints(uows, clock)(at(days=91))
    clock.moment = at(days=92)
    await adjust(uows, clock, 30)  # not activity: the account is still quiet

    second = await ExpirePoints(uows, clock)(at(days=93))
    again = await ExpirePoints(uows, clock)(at(days=93))

    assert (first.points, second.points, again.points) == (100, 30, 0)
    ids = [e.entry_id for e in expiries(uows)]
    assert len(ids) == len(set(ids)) == 2
    assert balance(uows) == 0
    assert (await verify_ledger(uows, BUSINESS, 1e9)).breaches == []


async def test_the_sweep_leaves_the_points_of_a_live_hold_so_its_capture_never_goes_negative() -> (
    None
):
    uows, clock = shop(validity=30), FakeClock(at(days=1))
    await apply(uows, clock, sale("s1", "100", occurred_at=at()))
    clock.moment = at(days=30) - timedelta(minutes=10)
    held = await Redemptions(uows, clock).redeem(hold(80, "k1"))  # a 30-minute hold

    clock.moment = at(days=30) + timedelta(minutes=5)  # the lot has expired, the hold has not
    swept = await ExpirePoints(uows, clock)()
    await Redemptions(uows, clock).capture(
        CaptureRedemption(BUSINESS, held.redemption.redemption_id)
    )

    assert swept.points == 20
    assert balance(uows) == 0
    assert_lots_hold_the_balance(uows)
    assert (await verify_ledger(uows, BUSINESS, 1e9)).breaches == []


async def test_points_kept_for_a_hold_expire_once_the_hold_has_ended() -> None:
    uows, clock = shop(validity=30), FakeClock(at(days=30) - timedelta(minutes=10))
    await apply(uows, clock, sale("s1", "100", occurred_at=at()))
    await Redemptions(uows, clock).redeem(hold(80, "k1"))
    clock.moment = at(days=30) + timedelta(minutes=5)
    kept_back = await ExpirePoints(uows, clock)()

    clock.moment = at(days=30) + timedelta(hours=1)  # the hold lapsed, never captured
    rest = await ExpirePoints(uows, clock)()

    assert (kept_back.points, rest.points) == (20, 80)
    assert len({e.entry_id for e in expiries(uows)}) == 2
    assert balance(uows) == 0
    assert_lots_hold_the_balance(uows)


async def test_inactivity_expiry_leaves_pending_points_until_their_return_window_ends() -> None:
    uows, clock = shop(pending=14, inactivity=10), FakeClock(at())
    await apply(uows, clock, sale("s1", "100", occurred_at=at()))  # pending until day 14
    clock.moment = at(days=1)
    await adjust(uows, clock, 30)  # spendable at once

    while_pending = await ExpirePoints(uows, clock)(at(days=11))
    assert (while_pending.points, balance(uows)) == (30, 100)
    assert_lots_hold_the_balance(uows)

    once_available = await ExpirePoints(uows, clock)(at(days=15))

    assert once_available.points == 100
    assert [(e.points, e.reason) for e in expiries(uows)] == [
        (-30, "inactivity"),
        (-100, "inactivity"),
    ]
    assert balance(uows) == 0
    assert (await verify_ledger(uows, BUSINESS, 1e9)).breaches == []


# Businesses whose order differs between Python (code points: upper case first) and a
# linguistic collation such as en_US (letters first, case second).
SHOPS = ("B-shop", "a-shop", "c-shop")


def many_shops(customers: int = 2) -> FakeUnitOfWorkFactory:
    store = FakeStore()
    for business in SHOPS:
        store.programmes[business] = replace(
            make_programme(business_id=business), points_validity_days=30
        )
        for n in range(customers):
            acct = account(f"c{n}", business_id=business)
            store.accounts[(business, acct.account_id)] = acct
    return FakeUnitOfWorkFactory(store)


async def earn_everywhere(uows: FakeUnitOfWorkFactory, clock: FakeClock) -> None:
    for business in SHOPS:
        for key, acct in list(uows.store.accounts.items()):
            if key[0] == business:
                c = acct.customer_id
                event = sale(f"s-{c}", "40", customer_id=c, occurred_at=at(), business_id=business)
                await apply(uows, clock, event)


async def test_the_sweep_locks_accounts_in_the_databases_order_as_event_batches_do() -> None:
    uows, clock = many_shops(), FakeClock(at(days=1))
    await earn_everywhere(uows, clock)

    await ExpirePoints(uows, clock)(at(days=31))

    swept = [(e.business_id, e.account_id) for e in expiries(uows)]
    assert len(swept) == 6
    assert swept == sorted(swept, key=database_order)


@dataclass
class RefusingLedger:
    """A ledger that refuses every posting touching one account, as a bad row would."""

    inner: LedgerRepository
    refused: AccountKey

    async def post(self, posting: Posting) -> None:
        if any((e.business_id, e.account_id) == self.refused for e in posting.entries):
            raise ValueError("check constraint violated")
        await self.inner.post(posting)

    async def recent(self, business_id: str, account_id: object, limit: int) -> list[LedgerEntry]:
        raise NotImplementedError

    async def page(self, *args: object) -> list[LedgerEntry]:
        raise NotImplementedError


@dataclass
class OneBadAccount:
    """Units of work over ``inner`` whose ledger refuses postings to ``refused``."""

    inner: FakeUnitOfWorkFactory
    refused: AccountKey

    def __call__(self) -> FakeUnitOfWork:
        uow = self.inner()
        uow.ledger = RefusingLedger(uow.ledger, self.refused)  # type: ignore[assignment]
        return uow


@dataclass
class SweepFailures:
    failures: list[int] = field(default_factory=list)

    def expiry_failures(self, count: int) -> None:
        self.failures.append(count)

    def sweep(self, outcome: str, accounts: int) -> None: ...


@pytest.mark.parametrize("chunk", [1, 2, 500])
async def test_one_account_the_sweep_cannot_expire_does_not_stop_it_for_the_others(
    chunk: int,
) -> None:
    uows, clock = many_shops(), FakeClock(at(days=1))
    await earn_everywhere(uows, clock)
    first = sorted(uows.store.accounts, key=database_order)[0]
    metrics = SweepFailures()
    sweeper = ExpirePoints(OneBadAccount(uows, first), clock, chunk=chunk, metrics=metrics)

    report = await sweeper(at(days=31))
    again = await sweeper(at(days=31))

    assert (report.accounts, report.points, report.failed) == (5, 200, 1)
    assert (again.points, again.failed) == (0, 1)  # tried again next time, the rest untouched
    assert metrics.failures == [1, 1]
    assert {key for key, a in uows.store.accounts.items() if a.balance} == {first}


async def test_accounts_with_nothing_to_expire_now_do_not_stop_the_sweep_at_them() -> None:
    uows, clock = many_shops(customers=1), FakeClock(at(days=30) - timedelta(minutes=10))
    await earn_everywhere(uows, clock)
    first = sorted(uows.store.accounts, key=database_order)[0]
    await Redemptions(uows, clock).redeem(  # all of the first account's points held
        Redeem(*first, 40, idempotency_key="k1", request_fingerprint="k1", hold=True)
    )
    clock.moment = at(days=30) + timedelta(minutes=5)

    report = await ExpirePoints(uows, clock, chunk=1)()

    assert (report.accounts, report.points) == (2, 80)
    assert uows.store.accounts[first].balance == 40
