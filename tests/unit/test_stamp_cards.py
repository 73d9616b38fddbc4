"""Stamp cards: what a sale earns, what a return voids, and the promises around them
(never more voided than earned, replay changes nothing, negative only by a return)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.accounts import AccountStatus
from domain.adjustments import adjust
from domain.commands import AdjustPoints
from domain.errors import InvalidRequest
from domain.events import InboundEvent, LineItem, PurchaseCompleted, RefundIssued, ReturnedItem
from domain.ledger import EntryKind
from domain.outcomes import Outcome
from domain.programme import EventTimeSettings
from domain.stamp_voids import PurchaseStamps
from domain.stamps import StampBasis, StampCard, StampLine, stamps_for_sale
from service.use_cases.accounts import Accounts
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.verification import verify_ledger
from tests.fakes import FakeClock, FakeStore, FakeUnitOfWorkFactory

from .builders import BUSINESS, RECORDED_AT, account, account_id_of, customer_return, sale
from .builders import programme as programme_of
from .builders import rule as rule_of

pytestmark = pytest.mark.unit

COFFEE_CARD = StampCard(target=10, categories=frozenset({"coffee"}))
PER_CUP = StampCard(target=10, basis=StampBasis.ITEM, categories=frozenset({"coffee"}))
C1 = (BUSINESS, account_id_of("c1"))


def line(sku: str, category: str | None, quantity: str, amount: str) -> LineItem:
    q, a = Decimal(quantity), Decimal(amount)
    return LineItem(sku, category, q, a / q if q else a, Decimal(0), a)


def basket(reference: str, *lines: LineItem, **kw: object) -> PurchaseCompleted:
    total = sum((x.amount for x in lines), Decimal(0))
    return replace(sale(reference, total, **kw), items=lines)  # type: ignore[arg-type]


def returning(reference: str, of_sale: str, amount: str, *items: ReturnedItem) -> RefundIssued:
    return replace(customer_return(reference, of_sale, amount), items=items)


def shop(card: StampCard | None, *, active: bool = True) -> FakeUnitOfWorkFactory:
    settings_ = EventTimeSettings(active=active)
    rule = replace(rule_of(), stamp_card=card, settings=settings_)
    store = FakeStore(programmes={BUSINESS: programme_of(rule)})
    store.accounts = {(a.business_id, a.account_id): a for a in (account("c1"), account("c2"))}
    return FakeUnitOfWorkFactory(store)


async def run(uows: FakeUnitOfWorkFactory, *events: InboundEvent) -> list[Outcome | None]:
    changes = await ApplyEventBatch(uows, FakeClock(RECORDED_AT))(list(events))
    return [changes.outcome_of(e) for e in events]


def stamps(uows: FakeUnitOfWorkFactory, customer: str = "c1") -> int:
    return uows.store.accounts[(BUSINESS, account_id_of(customer))].stamps


async def verified(uows: FakeUnitOfWorkFactory) -> list[str]:
    report = await verify_ledger(uows, None, outbox_max_age_seconds=10**9)
    return report.breaches


# What a sale earns


def test_a_card_naming_nothing_stamps_any_sale_even_one_without_items() -> None:
    card = StampCard(target=10, stamps_per_award=2)
    assert stamps_for_sale(card, Decimal("3.10"), ()) == (2, ())


def test_a_card_naming_categories_stamps_only_a_sale_with_one_of_their_lines() -> None:
    coffee, cake = line("esp", "coffee", "1", "2.50"), line("tart", "bakery", "1", "3")
    assert stamps_for_sale(COFFEE_CARD, Decimal("5.50"), (coffee, cake))[0] == 1
    assert stamps_for_sale(COFFEE_CARD, Decimal(3), (cake,))[0] == 0
    assert stamps_for_sale(COFFEE_CARD, Decimal(3), ())[0] == 0


def test_an_item_card_stamps_each_whole_unit_of_each_qualifying_line() -> None:
    card = replace(PER_CUP, skus=frozenset({"beans"}), stamps_per_award=2)
    lines = (
        line("esp", "coffee", "3", "7.50"),
        line("beans", "grocery", "2.5", "10"),
        line("tart", "bakery", "4", "12"),
    )
    earned, by_sku = stamps_for_sale(card, Decimal("29.50"), lines)
    assert earned == 2 * 3 + 2 * 2
    assert [(x.sku, x.stamps) for x in by_sku] == [("esp", 6), ("beans", 4)]


def test_below_the_minimum_spend_or_on_free_goods_nothing_is_stamped() -> None:
    card = replace(COFFEE_CARD, min_spend=Decimal(5))
    free = line("esp", "coffee", "1", "0")
    assert stamps_for_sale(card, Decimal("4.99"), (line("esp", "coffee", "2", "4.99"),))[0] == 0
    assert (
        stamps_for_sale(COFFEE_CARD, Decimal(3), (free, line("tart", "bakery", "1", "3")))[0] == 0
    )
    assert stamps_for_sale(StampCard(target=5), Decimal(0), ())[0] == 0


async def test_a_sale_earns_its_stamps_beside_its_points_and_a_replay_changes_nothing() -> None:
    uows = shop(PER_CUP)
    event = basket("s1", line("esp", "coffee", "2", "5"), line("tart", "bakery", "1", "3"))

    assert await run(uows, event) == [Outcome.applied()]
    assert await run(uows, event, replace(event, event_id="other-id")) != []
    kinds = [(e.kind, e.points, e.stamps, e.stamps_balance_after) for e in uows.store.entries]
    assert kinds == [(EntryKind.EARN, 8, 0, 0), (EntryKind.STAMP_EARN, 0, 2, 2)]
    assert stamps(uows) == 2
    assert await verified(uows) == []


async def test_a_card_fills_across_several_sales() -> None:
    uows = shop(COFFEE_CARD)
    for i in range(10):
        await run(uows, basket(f"s{i}", line("esp", "coffee", "1", "2.40")))
    assert stamps(uows) == COFFEE_CARD.target
    assert await verified(uows) == []


async def test_a_sale_earning_stamps_but_no_points_is_applied() -> None:
    uows = shop(StampCard(target=5))
    assert await run(uows, sale("s1", "0.50")) == [Outcome.applied()]
    assert [e.kind for e in uows.store.entries] == [EntryKind.STAMP_EARN]
    assert await verified(uows) == []


@pytest.mark.parametrize("status", [AccountStatus.SUSPENDED, AccountStatus.CLOSED])
async def test_a_suspended_or_closed_account_earns_no_stamps(status: AccountStatus) -> None:
    uows = shop(StampCard(target=5))
    uows.store.accounts[C1] = replace(uows.store.accounts[C1], status=status)
    await run(uows, sale("s1", "10"))
    assert uows.store.entries == []


async def test_an_inactive_programme_stamps_nothing() -> None:
    uows = shop(StampCard(target=5), active=False)
    await run(uows, sale("s1", "10"))
    assert uows.store.entries == []


async def test_a_programme_without_a_card_earns_as_before() -> None:
    uows = shop(None)
    await run(uows, sale("s1", "10"), customer_return("r1", "s1", "10"))
    assert [e.kind for e in uows.store.entries] == [EntryKind.EARN, EntryKind.REVERSAL]
    assert all(p.stamps.earned == 0 for p in uows.store.purchases.values())


# What a return voids


async def test_a_partial_return_voids_in_proportion_and_the_rest_voids_the_remainder() -> None:
    uows = shop(StampCard(target=10, stamps_per_award=5))
    await run(uows, sale("s1", "10"))
    await run(uows, customer_return("r1", "s1", "4.50"))
    assert stamps(uows) == 5 - 2  # floor(5 * 4.5 / 10)
    await run(uows, customer_return("r2", "s1", "5.50"))
    assert stamps(uows) == 0
    voids = [e for e in uows.store.entries if e.kind is EntryKind.STAMP_VOID]
    assert [e.stamps for e in voids] == [-2, -3]
    assert await verified(uows) == []


async def test_a_return_naming_items_voids_what_those_items_earned() -> None:
    uows = shop(PER_CUP)
    await run(
        uows,
        basket("s1", line("esp", "coffee", "3", "7.50"), line("cig", "tobacco", "1", "9")),
    )
    assert stamps(uows) == 3
    await run(uows, returning("r1", "s1", "9", ReturnedItem("cig", quantity=Decimal(1))))
    assert stamps(uows) == 3  # the tobacco earned no stamps
    await run(uows, returning("r2", "s1", "2.50", ReturnedItem("esp", quantity=Decimal(1))))
    assert stamps(uows) == 2
    await run(uows, returning("r3", "s1", "5", ReturnedItem("esp", amount=Decimal(5))))
    assert stamps(uows) == 0
    assert await verified(uows) == []


async def test_a_return_of_stamps_already_spent_leaves_the_card_owing() -> None:
    """The one way stamps go below zero: the card was used (here a manager takes the stamps,
    standing in for the redemption of a full card), then the goods that earned them came
    back. By hand they could not have gone below zero."""
    uows = shop(StampCard(target=3, stamps_per_award=3))
    await run(uows, sale("s1", "10"))
    accounts = Accounts(uows, FakeClock(RECORDED_AT))
    await accounts.adjust(AdjustPoints(BUSINESS, C1[1], 0, "card used", stamps=-3))
    with pytest.raises(InvalidRequest):
        await accounts.adjust(AdjustPoints(BUSINESS, C1[1], 0, "more", stamps=-1))

    await run(uows, customer_return("r1", "s1", "10"))

    assert stamps(uows) == -3
    assert await verified(uows) == []


async def test_a_return_before_its_sale_voids_once_the_sale_arrives() -> None:
    uows = shop(StampCard(target=10, stamps_per_award=4))
    assert await run(uows, customer_return("r1", "s1", "5")) == [Outcome.parked()]
    await run(uows, sale("s1", "10"))
    assert stamps(uows) == 2
    assert await verified(uows) == []


# Properties

cents = st.integers(1, 100_000).map(lambda c: Decimal(c).scaleb(-2))


@given(
    earned=st.integers(1, 50),
    total=cents,
    refunds=st.lists(st.tuples(cents, st.booleans(), st.integers(0, 4)), max_size=8),
)
def test_voids_never_exceed_what_was_earned_and_a_full_return_voids_it_all(
    earned: int, total: Decimal, refunds: list[tuple[Decimal, bool, int]]
) -> None:
    lines = (StampLine("a", Decimal(3), total, earned),)
    s = PurchaseStamps(earned=earned, lines=lines)
    voids, by_amount = [], Decimal(0)
    for amount, named, units in refunds:
        items = (ReturnedItem("a", quantity=Decimal(units)),) if named else ()
        s, to_void = s.after_refund(returning("r", "s1", str(amount), *items), total)
        by_amount += Decimal(0) if named else amount
        voids.append(to_void)
    assert all(v >= 0 for v in voids)
    assert sum(voids) == s.voided <= earned
    if by_amount >= total:
        assert s.voided == earned


events_strategy = st.lists(
    st.one_of(
        st.builds(
            lambda i, cups, other: basket(
                f"s{i}", line("esp", "coffee", str(cups), "2.5"), line("x", None, "1", other)
            ),
            st.integers(0, 4),
            st.integers(1, 3),
            st.sampled_from(["0", "1", "7.25"]),
        ),
        st.builds(
            lambda i, j, amount, cups: returning(
                f"r{j}",
                f"s{i}",
                amount,
                *((ReturnedItem("esp", quantity=Decimal(cups)),) if cups else ()),
            ),
            st.integers(0, 4),
            st.integers(0, 9),
            st.sampled_from(["1", "2.5", "5", "9.75"]),
            st.integers(0, 3),
        ),
    ),
    max_size=14,
)


@settings(max_examples=150, deadline=None)
@given(events=events_strategy, cuts=st.lists(st.integers(0, 14), max_size=3))
async def test_stamps_stay_exact_and_never_negative_without_a_redemption_and_replays_change_nothing(
    events: list[InboundEvent], cuts: list[int]
) -> None:
    for card in (PER_CUP, replace(COFFEE_CARD, stamps_per_award=3)):
        uows = shop(card)
        apply = ApplyEventBatch(uows, FakeClock(RECORDED_AT))
        bounds = [0, *sorted(min(c, len(events)) for c in cuts), len(events)]
        for start, end in itertools.pairwise(bounds):
            await apply(events[start:end])
        before = (list(uows.store.entries), dict(uows.store.accounts))
        await apply(events)

        assert (uows.store.entries, uows.store.accounts) == (before[0], before[1])
        assert stamps(uows) >= 0  # nothing redeemed: voids take back only what was earned
        for p in uows.store.purchases.values():
            assert 0 <= p.stamps.voided <= p.stamps.earned
        assert await verified(uows) == []


def test_stamps_held_for_a_reward_are_not_taken_by_hand() -> None:
    holder = replace(account("c1"), stamps=5)
    command = AdjustPoints(BUSINESS, holder.account_id, 0, "card count", stamps=-3)
    with pytest.raises(InvalidRequest):
        adjust(holder, command, "adjustment:k-1", 3, None, {}, RECORDED_AT)

    fewer = replace(command, stamps=-2)
    posting = adjust(holder, fewer, "adjustment:k-1", 3, None, {}, RECORDED_AT)

    [after] = posting.accounts
    assert (after.stamps, after.balance) == (3, 0)
    assert [(e.kind, e.stamps) for e in posting.entries] == [(EntryKind.STAMP_ADJUSTMENT, -2)]
