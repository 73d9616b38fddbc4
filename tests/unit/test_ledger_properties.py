"""Ledger invariants under random events: exact balances, bounded reversals, harmless replays.

The events go through ``ApplyEventBatch`` on the in-memory unit of work, as the consumer sends
them, so what is held here is the use case with its loads, saves and postings, not a copy of it.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from decimal import Decimal
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.batch import BatchChanges
from domain.events import InboundEvent
from domain.ledger import EntryKind, LedgerEntry, Source
from domain.outcomes import OutcomeStatus
from domain.purchases import Purchase
from service.use_cases.event_intake import ApplyEventBatch
from tests.fakes import FakeClock, FakeStore, FakeUnitOfWorkFactory

from .builders import BUSINESS, RECORDED_AT, T0, account, at, customer_return, programme, rule, sale

pytestmark = pytest.mark.unit

ACCOUNT_HOLDERS = ["c1", "c2", "c3"]
CUSTOMERS = [*ACCOUNT_HOLDERS, "walk-in-without-account", None]
PROGRAMME = programme(
    rule(
        1, earn_rate="1.5", multiplier="2", multiplier_from=at(days=2), multiplier_until=at(days=4)
    ),
    rule(2, effective_from=at(days=5), earn_rate="0.7"),
)

cents = st.integers(min_value=1, max_value=500_000).map(lambda c: Decimal(c).scaleb(-2))
hours = st.integers(min_value=-12, max_value=200)


@st.composite
def arrivals(draw: st.DrawFn) -> tuple[list[InboundEvent], list[int]]:
    """Sales and returns over a few customers, some redelivered, in any order and batching."""
    sales = [
        sale(
            f"s{i}",
            draw(cents),
            customer_id=draw(st.sampled_from(CUSTOMERS)),
            occurred_at=at(hours=draw(hours)),
        )
        for i in range(draw(st.integers(1, 6)))
    ]
    returns = [
        customer_return(
            f"r{i}",
            draw(st.sampled_from([*(s.reference for s in sales), "never-sold"])),
            draw(cents),
            occurred_at=at(hours=draw(hours)),
        )
        for i in range(draw(st.integers(0, 8)))
    ]
    events: list[InboundEvent] = [*sales, *returns]
    events += draw(st.lists(st.sampled_from(events), max_size=3))  # redeliveries
    events = draw(st.permutations(events))
    return events, draw(st.lists(st.integers(0, len(events)), max_size=4))


def shop() -> FakeUnitOfWorkFactory:
    """The programme, and accounts for the first three customers (not the walk-ins)."""
    store = FakeStore(programmes={BUSINESS: PROGRAMME})
    store.accounts = {(a.business_id, a.account_id): a for a in map(account, ACCOUNT_HOLDERS)}
    return FakeUnitOfWorkFactory(store)


async def run(
    uows: FakeUnitOfWorkFactory, events: list[InboundEvent], cuts: list[int]
) -> list[BatchChanges]:
    """Apply ``events`` in batches split at ``cuts``, one unit of work each."""
    apply = ApplyEventBatch(uows, FakeClock(RECORDED_AT))
    bounds = [0, *sorted(cuts), len(events)]
    return [await apply(events[start:end]) for start, end in itertools.pairwise(bounds)]


def purchase(earned: int, total: Decimal) -> Purchase:
    return Purchase(
        BUSINESS, Source.SALE, "s1", "ev-sale-s1", T0, total, "EUR", points_earned=earned
    )


def refunds_covering(total_cents: int) -> st.SearchStrategy[list[int]]:
    """Refund amounts (in cents) that add up exactly to ``total_cents``."""
    cuts = st.lists(st.integers(1, total_cents), max_size=5, unique=True)
    return cuts.map(
        lambda c: [b - a for a, b in itertools.pairwise([0, *sorted(c), total_cents]) if b > a]
    )


@given(earned=st.integers(0, 100_000), total=cents, refunds=st.lists(cents, max_size=8))
def test_reversals_never_exceed_what_was_earned(
    earned: int, total: Decimal, refunds: list[Decimal]
) -> None:
    p = purchase(earned, total)
    reversals: list[int] = []
    for amount in refunds:
        p, to_reverse = p.after_refund(amount)
        reversals.append(to_reverse)

    assert all(r >= 0 for r in reversals)
    assert sum(reversals) <= earned
    if sum(refunds) >= total:
        assert sum(reversals) == earned


@given(earned=st.integers(0, 100_000), data=st.data())
def test_refunds_adding_up_to_the_total_reverse_exactly_what_was_earned(
    earned: int, data: st.DataObject
) -> None:
    total_cents = data.draw(st.integers(1, 500_000))
    parts = data.draw(refunds_covering(total_cents))
    p = purchase(earned, Decimal(total_cents).scaleb(-2))
    reversed_total = 0
    for part in parts:
        p, to_reverse = p.after_refund(Decimal(part).scaleb(-2))
        reversed_total += to_reverse

    assert reversed_total == earned


@settings(max_examples=200, deadline=None)
@given(scenario=arrivals(), replay_cuts=st.lists(st.integers(0, 20), max_size=4))
async def test_balances_equal_their_entries_and_replaying_everything_changes_nothing(
    scenario: tuple[list[InboundEvent], list[int]], replay_cuts: list[int]
) -> None:
    events, cuts = scenario
    uows = shop()
    store = uows.store
    await run(uows, events, cuts)

    by_account: defaultdict[tuple[str, UUID], list[LedgerEntry]] = defaultdict(list)
    for entry in store.entries:
        by_account[(entry.business_id, entry.account_id)].append(entry)
    for key, acct in store.accounts.items():
        entries = by_account[key]
        assert acct.balance == sum(e.points for e in entries)
        assert [e.seq for e in entries] == list(range(1, acct.last_seq + 1))
        running = [sum(e.points for e in entries[: i + 1]) for i in range(len(entries))]
        assert [e.balance_after for e in entries] == running
    for p in store.purchases.values():
        reversed_points = -sum(
            e.points
            for e in store.entries
            if e.related_entry_id == p.earn_entry_id and e.kind is EntryKind.REVERSAL
        )
        assert 0 <= reversed_points == p.points_reversed <= p.points_earned
    for record in store.refunds.values():
        parked = record.outcome.status is OutcomeStatus.PARKED
        assert parked == (record.event.purchase_key not in store.purchases)
        event_key = (record.event.business_id, record.event.event_id)
        assert store.inbox[event_key].outcome == record.outcome
    assert len(store.inbox) == len({e.event_id for e in events})

    snapshot = (
        dict(store.accounts),
        dict(store.purchases),
        dict(store.refunds),
        dict(store.inbox),
        list(store.entries),
        dict(store.lots),
    )
    replay = await run(uows, events, [c for c in replay_cuts if c <= len(events)])

    assert all(c.entries == [] and c.inbox == [] and c.conflicts == [] for c in replay)
    assert sum(len(c.duplicates) for c in replay) == len(events)
    after = (store.accounts, store.purchases, store.refunds, store.inbox, store.entries, store.lots)
    assert after == snapshot


@settings(deadline=None)
@given(
    amount=cents,
    returned=st.lists(cents, min_size=1, max_size=4),
    same_batch=st.booleans(),
)
async def test_a_return_arriving_before_its_sale_reverses_the_same_points_as_after(
    amount: Decimal, returned: list[Decimal], same_batch: bool
) -> None:
    the_sale = sale("s1", amount, customer_id="c1", occurred_at=at(days=3))
    returns = [
        customer_return(f"r{i}", "s1", a, occurred_at=at(days=4, hours=i))
        for i, a in enumerate(returned)
    ]

    async def reversed_points(events: list[InboundEvent]) -> int:
        uows = shop()
        await run(uows, events, [] if same_batch else list(range(1, len(events))))
        refunds = uows.store.refunds.values()
        assert all(r.outcome.status is not OutcomeStatus.PARKED for r in refunds)
        return -sum(e.points for e in uows.store.entries if e.kind is EntryKind.REVERSAL)

    assert await reversed_points([the_sale, *returns]) == await reversed_points(
        [*returns, the_sale]
    )
