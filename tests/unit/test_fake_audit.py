"""The fakes' audit really checks: the breaches the PostgreSQL tests plant with SQL, planted
in a fake store, are named by ``verify_ledger`` on the fakes; a clean one gives nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from domain.commands import CancelRedemption, Redeem
from domain.ledger import Attribution, EntryKind
from domain.outcomes import Outcome, OutcomeStatus, SkipReason
from domain.redemption import RedemptionStatus
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.redemptions import Redemptions
from service.use_cases.verification import verify_ledger
from tests.fakes import FakeClock, FakeStore, FakeUnitOfWorkFactory

from .builders import BUSINESS, RECORDED_AT, account, customer_return, sale
from .builders import programme as make_programme

pytestmark = pytest.mark.unit

FOREVER = 1e9
TILL = Attribution(store_id="store-1", terminal_id="till-1")  # may give back what it took


@dataclass(frozen=True)
class World:
    uows: FakeUnitOfWorkFactory
    captured: UUID
    held: UUID
    given_back: UUID
    released: UUID

    @property
    def store(self) -> FakeStore:
        return self.uows.store


async def a_world() -> World:
    """c1 earns 100 and returns 30 worth; c2 earns 50; c1 redeems four ways; a return
    waits for a sale not seen yet."""
    store = FakeStore(programmes={BUSINESS: make_programme()})
    store.accounts = {(a.business_id, a.account_id): a for a in map(account, ("c1", "c2"))}
    uows, clock = FakeUnitOfWorkFactory(store), FakeClock(RECORDED_AT)
    await ApplyEventBatch(uows, clock)(
        [
            sale("s1", "100"),
            sale("s2", "50", customer_id="c2"),
            customer_return("r1", "s1", "30"),
            customer_return("r2", "unseen", "5"),
        ]
    )
    c1 = store.accounts[next(k for k, a in store.accounts.items() if a.customer_id == "c1")]
    redemptions = Redemptions(uows, clock)

    async def redeem(points: int, hold: bool) -> UUID:
        command = Redeem(
            BUSINESS, c1.account_id, points, f"k{points}", f"f{points}", hold=hold, attribution=TILL
        )
        return (await redemptions.redeem(command)).redemption.redemption_id

    captured, held = await redeem(20, False), await redeem(10, True)
    given_back, released = await redeem(15, False), await redeem(5, True)
    for cancelled in (given_back, released):
        await redemptions.cancel(CancelRedemption(BUSINESS, cancelled, TILL))
    return World(uows, captured, held, given_back, released)


def entry_of(store: FakeStore, redemption_id: UUID, kind: EntryKind) -> int:
    return next(
        i
        for i, e in enumerate(store.entries)
        if e.kind is kind and e.source_ref == str(redemption_id)
    )


def _redemption(w: World, which: UUID, **changes: object) -> None:
    key = (BUSINESS, which)
    w.store.redemptions[key] = replace(w.store.redemptions[key], **changes)  # type: ignore[arg-type]


def _purchase(w: World, ref: str, **changes: object) -> None:
    key = next(k for k in w.store.purchases if k[2] == ref)
    w.store.purchases[key] = replace(w.store.purchases[key], **changes)  # type: ignore[arg-type]


def _applied_refund(w: World, **changes: object) -> None:
    key = next(k for k, f in w.store.refunds.items() if f.outcome.status is OutcomeStatus.APPLIED)
    w.store.refunds[key] = replace(w.store.refunds[key], **changes)  # type: ignore[arg-type]


def _copy_entry(w: World, of: UUID, kind: EntryKind, **changes: object) -> None:
    original = w.store.entries[entry_of(w.store, of, kind)]
    w.store.entries.append(replace(original, entry_id=uuid4(), seq=original.seq + 1000, **changes))  # type: ignore[arg-type]


def _take(w: World, **changes: object) -> None:
    capture = w.store.entries[entry_of(w.store, w.captured, EntryKind.REDEMPTION)]
    i = next(i for i, t in enumerate(w.store.lot_takes) if t.entry_id == capture.entry_id)
    w.store.lot_takes[i] = replace(w.store.lot_takes[i], **changes)  # type: ignore[arg-type]


def _other_accounts_lot(w: World) -> UUID:
    c2 = next(a for a in w.store.accounts.values() if a.customer_id == "c2")
    return next(lot.lot_id for lot in w.store.lots.values() if lot.account_id == c2.account_id)


def _drop_applied_refund(w: World) -> None:
    key = next(k for k, f in w.store.refunds.items() if f.outcome.status is OutcomeStatus.APPLIED)
    del w.store.refunds[key]


def _expire_hold_with_a_capture_entry(w: World) -> None:
    _redemption(w, w.held, status=RedemptionStatus.EXPIRED)
    _copy_entry(w, w.captured, EntryKind.REDEMPTION, source_ref=str(w.held), points=-10)


PLANTS: dict[str, tuple[Callable[[World], object], str]] = {
    "a purchase earning other than its earn entry": (
        lambda w: _purchase(w, "s2", points_earned=55),
        "earned 55, not its earn entry",
    ),
    "an earn entry no purchase claims": (
        lambda w: _purchase(w, "s2", points_earned=0, earn_entry_id=None),
        "belongs to no purchase",
    ),
    "a purchase reversing other than its reversal entries": (
        lambda w: _purchase(w, "s1", points_reversed=29),
        "reversed 29, its entries 30",
    ),
    "a refund reversing other than its reversal entry": (
        lambda w: _applied_refund(w, points_reversed=31),
        "(applied) reversed 31",
    ),
    "an applied refund recorded as skipped": (
        lambda w: _applied_refund(
            w, outcome=Outcome.skipped(SkipReason.NOTHING_TO_REVERSE_YET), points_reversed=0
        ),
        "(skipped) reversed 0",
    ),
    "a reversal entry no refund claims": (
        _drop_applied_refund,
        "belongs to no refund",
    ),
    "a captured redemption of more points than its capture entry took": (
        lambda w: _redemption(w, w.captured, points=21),
        "does not match its capture entry",
    ),
    "a hold recorded as captured with no capture entry": (
        lambda w: _redemption(w, w.held, status=RedemptionStatus.CAPTURED),
        "has no capture entry",
    ),
    "a captured redemption recorded as expired": (
        lambda w: _redemption(w, w.captured, status=RedemptionStatus.EXPIRED, entry_id=None),
        "was never captured but has a capture entry",
    ),
    "a redemption captured twice": (
        lambda w: _copy_entry(w, w.captured, EntryKind.REDEMPTION),
        "is captured by 2 entries",
    ),
    "an expired hold with a capture entry": (
        _expire_hold_with_a_capture_entry,
        "was never captured but has a capture entry",
    ),
    "a captured redemption cancelled without its cancel entry": (
        lambda w: _redemption(w, w.given_back, cancel_entry_id=None),
        "does not match its cancel entry",
    ),
    "a cancel entry for a hold released before capture": (
        lambda w: _copy_entry(
            w, w.given_back, EntryKind.REDEMPTION_CANCELLED, source_ref=str(w.released)
        ),
        "was not cancelled after capture but has a cancel entry",
    ),
    "a capture entry naming no redemption": (
        lambda w: _copy_entry(w, w.captured, EntryKind.REDEMPTION, source_ref=str(uuid4())),
        "names no redemption",
    ),
    "lot takes short of their entry": (
        lambda w: _take(w, points=19),
        "took 19, not 20",
    ),
    "lot takes of every entry deleted": (
        lambda w: w.store.lot_takes.clear(),
        "took 0, not 20",
    ),
    "a lot given back its taken points": (
        lambda w: w.store.lots.update(
            {k: replace(lot, remaining=lot.points) for k, lot in w.store.lots.items()}
        ),
        "over-taken",
    ),
    "a take from another account's lot": (
        lambda w: _take(w, lot_id=_other_accounts_lot(w)),
        "is from a lot of another account",
    ),
}


async def test_a_clean_fake_ledger_gives_no_breach_and_no_notice() -> None:
    world = await a_world()

    report = await verify_ledger(world.uows, None, FOREVER, FOREVER)

    assert (report.breaches, report.notices) == ([], [])
    assert (report.entries_checked, report.accounts_checked) == (6, 2)


@pytest.mark.parametrize("plant", PLANTS, ids=lambda name: name.replace(" ", "_"))
async def test_the_fake_audit_names_each_planted_breach(plant: str) -> None:
    world = await a_world()
    change, expected = PLANTS[plant]
    change(world)

    report = await verify_ledger(world.uows, None, FOREVER, FOREVER)

    assert any(expected in breach for breach in report.breaches), report.breaches


async def test_over_refunds_and_long_parked_returns_are_notices_in_the_fakes_too() -> None:
    world = await a_world()
    _purchase(world, "s2", refunded_amount=Decimal("80"))

    report = await verify_ledger(world.uows, None, FOREVER, parked_max_age_seconds=0)

    assert report.ok, report.breaches
    assert sorted(n.split(" ")[0] for n in report.notices) == ["purchase", "refund"]
