"""The use cases against in-memory fakes of the ports: orchestration, commits, retries."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

import pytest

from domain.batch import BatchChanges
from domain.commands import EnrolCustomer, SetProgramme
from domain.customer_updates import IntakeEvent, ledger_events
from domain.errors import AlreadyEnrolled
from domain.events import InboundEvent
from domain.ledger import EntryKind
from domain.outcomes import Outcome
from service.use_cases.accounts import Accounts
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.outbox_relay import OutboxRelay
from service.use_cases.programmes import Programmes
from service.use_cases.retrying import RetryingEventHandler, RetryPolicy
from service.use_cases.verification import verify_ledger
from tests.fakes import (
    FakeClock,
    FakeLedgerPublisher,
    FakeMetrics,
    FakeStore,
    FakeUnitOfWorkFactory,
)
from tests.fakes.outbox import encoded

from .builders import BUSINESS, RECORDED_AT, account, account_id_of, at, customer_return, sale
from .builders import programme as make_programme

pytestmark = pytest.mark.unit

C1 = (BUSINESS, account_id_of("c1"))


def shop(*customers: str, welcome_bonus: int = 0) -> FakeUnitOfWorkFactory:
    store = FakeStore(programmes={BUSINESS: make_programme(welcome_bonus=welcome_bonus)})
    store.accounts = {(a.business_id, a.account_id): a for a in map(account, customers)}
    return FakeUnitOfWorkFactory(store)


async def test_a_unit_of_work_left_without_commit_changes_nothing() -> None:
    uows = shop()

    with pytest.raises(RuntimeError):
        async with uows() as uow:
            await uow.accounts.add(account("c1"))
            assert await uow.accounts.by_customer(BUSINESS, "c1") == account("c1")
            raise RuntimeError("before commit")
    async with uows() as uow:
        await uow.accounts.add(account("c2"))

    assert uows.store.accounts == {}


async def test_committed_changes_are_seen_by_the_next_unit_of_work_only() -> None:
    uows = shop()

    async with uows() as writer, uows() as reader:
        await writer.accounts.add(account("c1"))
        await writer.commit()
        assert await reader.accounts.by_customer(BUSINESS, "c1") is None
    async with uows() as later:
        assert await later.accounts.by_customer(BUSINESS, "c1") == account("c1")


async def test_a_sale_earns_points_and_is_committed_with_its_inbox_and_outbox_rows() -> None:
    uows = shop("c1")
    event = sale("s1", "120.50")

    changes = await ApplyEventBatch(uows, FakeClock(RECORDED_AT))([event])

    [entry] = changes.entries
    assert (entry.kind, entry.points, entry.recorded_at) == (EntryKind.EARN, 120, RECORDED_AT)
    assert uows.store.accounts[C1].balance == 120
    assert uows.store.entries == uows.store.pending() == [entry]
    assert uows.store.inbox[(BUSINESS, event.event_id)].outcome == Outcome.applied()
    assert uows.made[0].committed


async def test_a_repeated_batch_changes_nothing() -> None:
    uows = shop("c1")
    apply = ApplyEventBatch(uows, FakeClock(RECORDED_AT))
    events: list[InboundEvent] = [sale("s1", "100"), customer_return("r1", "s1", "40")]
    await apply(events)
    before = copy.deepcopy(uows.store)

    again = await apply(events)

    assert (again.entries, again.inbox, again.duplicates) == ([], [], events)
    assert uows.store == before


async def test_events_applied_before_are_not_loaded_or_locked_again() -> None:
    uows = shop("c1", "c2")
    apply = ApplyEventBatch(uows, FakeClock(RECORDED_AT))
    await apply([sale("s1", "100", customer_id="c1")])

    changes = await apply([sale("s1", "100", customer_id="c1"), sale("s2", "50", customer_id="c2")])

    assert [e.reference for e in ledger_events(changes.duplicates)] == ["s1"]
    assert [e.source_ref for e in changes.entries] == ["s2"]
    loaded = uows.made[-1].loaded
    assert len(loaded) == 1
    assert {key[2] for key in loaded[0].purchases} == {"s2"}
    assert loaded[0].customers == frozenset({(BUSINESS, "c2")})

    await apply([sale("s1", "100", customer_id="c1"), sale("s2", "50", customer_id="c2")])

    assert uows.made[-1].loaded == []  # a replay of applied events locks nothing


async def test_a_return_parked_in_one_batch_is_applied_when_its_sale_arrives_in_another() -> None:
    uows = shop("c1")
    apply = ApplyEventBatch(uows, FakeClock(RECORDED_AT))
    early_return = customer_return("r1", "s1", "25", occurred_at=at(hours=1))

    await apply([early_return])
    await apply([sale("s1", "100")])

    assert [e.points for e in uows.store.entries] == [100, -25]
    assert uows.store.inbox[(BUSINESS, early_return.event_id)].outcome == Outcome.applied()
    assert uows.store.accounts[C1].balance == 75


def transient(error: BaseException) -> bool:
    return isinstance(error, ConnectionError)


class ScriptedHandler:
    """Raises the given errors in turn, then returns an empty change set."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0
        self.result = BatchChanges()

    async def __call__(self, events: Sequence[IntakeEvent]) -> BatchChanges:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return self.result


def retrying(
    inner: ScriptedHandler, budget_seconds: float = 5.0, metrics: FakeMetrics | None = None
) -> RetryingEventHandler:
    policy = RetryPolicy(initial_seconds=0.001, max_seconds=0.002, budget_seconds=budget_seconds)
    return RetryingEventHandler(inner, transient, policy, metrics)


async def test_transient_failures_are_retried_until_the_batch_applies_once() -> None:
    inner = ScriptedHandler(ConnectionError("db down"), ConnectionError("db down"))
    metrics = FakeMetrics()

    result = await retrying(inner, metrics=metrics)([sale("s1", "10")])

    assert result is inner.result
    assert inner.calls == 3
    assert metrics.calls == [("retry", ("consumer",))] * 2


async def test_a_non_transient_failure_is_never_retried_but_isolated_event_by_event() -> None:
    events: list[InboundEvent] = [sale("s1", "10"), sale("s2", "20")]
    inner = ScriptedHandler(*(ValueError(f"bug {i}") for i in range(3)))

    changes = await retrying(inner)(events)

    assert inner.calls == 3  # the batch once, then each event once
    assert changes.failed == [(events[0], "ValueError: bug 1"), (events[1], "ValueError: bug 2")]


async def test_a_transient_failure_outlasting_the_budget_propagates() -> None:
    inner = ScriptedHandler(*(ConnectionError(f"down {i}") for i in range(10_000)))

    with pytest.raises(ConnectionError):
        await retrying(inner, budget_seconds=0.05)([sale("s1", "10")])
    assert 1 < inner.calls < 10_000


async def three_sales_relayed_to(
    sink: FakeLedgerPublisher, metrics: FakeMetrics | None = None
) -> tuple[FakeStore, OutboxRelay]:
    uows, clock = shop("c1", "c2"), FakeClock(RECORDED_AT)
    events = [sale("s1", "10"), sale("s2", "20", customer_id="c2"), sale("s3", "30")]
    await ApplyEventBatch(uows, clock)(events)
    clock.advance(seconds=5)
    relay = OutboxRelay(uows, sink, 10, 0.0, transient, clock, metrics or FakeMetrics())
    return uows.store, relay


async def test_the_relay_publishes_pending_entries_in_order_then_marks_them_published() -> None:
    sink, metrics = FakeLedgerPublisher(), FakeMetrics()
    store, relay = await three_sales_relayed_to(sink, metrics)
    committed = list(store.entries)

    assert await relay.relay_once() == 3
    assert await relay.relay_once() == 0

    assert [m.entry_id for m in sink.published] == [e.entry_id for e in committed]
    assert [e.points for e in committed] == [10, 20, 30]
    assert sink.published == [encoded(e) for e in committed]
    assert store.pending() == []
    passes = [call for call in metrics.calls if call[0] == "outbox"]
    assert passes == [("outbox", (3, 5.0)), ("outbox", (0, 0.0))]


async def test_a_failed_publish_leaves_the_entries_pending_for_the_next_attempt() -> None:
    sink = FakeLedgerPublisher(failures=1)
    store, relay = await three_sales_relayed_to(sink)

    with pytest.raises(ConnectionError):
        await relay.relay_once()
    assert (sink.published, len(store.pending())) == ([], 3)

    assert await relay.relay_once() == 3
    assert sink.published == [encoded(e) for e in store.entries]


async def test_a_lost_acknowledgement_publishes_again_duplicates_but_no_gaps() -> None:
    sink = FakeLedgerPublisher(failures=1, lose_acks=True)
    store, relay = await three_sales_relayed_to(sink)

    with pytest.raises(ConnectionError):
        await relay.relay_once()
    await relay.relay_once()

    assert sink.published == [encoded(e) for e in store.entries] * 2
    assert store.pending() == []


async def test_enrolling_opens_an_account_with_the_welcome_bonus() -> None:
    uows = shop(welcome_bonus=50)

    opened = await Accounts(uows, FakeClock(RECORDED_AT)).enrol(EnrolCustomer(BUSINESS, "c9"))

    [created, bonus] = uows.store.entries
    assert (created.kind, created.points, created.seq) == (EntryKind.CARD_CREATED, 0, 1)
    assert (bonus.kind, bonus.points, bonus.balance_after) == (EntryKind.WELCOME_BONUS, 50, 50)
    assert uows.store.accounts[(BUSINESS, opened.account.account_id)] == opened.account
    assert (opened.account.balance, opened.account.last_seq, opened.available) == (50, 2, 50)
    assert uows.store.pending() == [created, bonus]


async def test_enrolling_twice_raises_already_enrolled_and_changes_nothing() -> None:
    uows = shop(welcome_bonus=50)
    accounts = Accounts(uows, FakeClock(RECORDED_AT))
    first = await accounts.enrol(EnrolCustomer(BUSINESS, "c9"))
    before = copy.deepcopy(uows.store)

    with pytest.raises(AlreadyEnrolled) as raised:
        await accounts.enrol(EnrolCustomer(BUSINESS, "c9"))

    assert raised.value.account_id == first.account.account_id
    assert uows.store == before


async def test_a_statement_shows_the_balance_and_the_newest_entries_first() -> None:
    uows, clock = shop(welcome_bonus=50), FakeClock(RECORDED_AT)
    accounts = Accounts(uows, clock)
    await accounts.enrol(EnrolCustomer(BUSINESS, "c1"))
    await ApplyEventBatch(uows, clock)([sale("s1", "30"), sale("s2", "20")])

    statement = await accounts.statement(BUSINESS, "c1", limit=2)

    assert statement is not None
    assert statement.account.balance == 100
    assert [e.points for e in statement.recent_entries] == [20, 30]
    assert await accounts.statement(BUSINESS, "nobody") is None


async def test_setting_a_programme_adds_a_rule_version_and_keeps_the_old_ones() -> None:
    uows, clock = FakeUnitOfWorkFactory(), FakeClock(RECORDED_AT)
    programmes = Programmes(uows, clock)
    first = SetProgramme(BUSINESS, Decimal("1"), Decimal("100"), name="Points", welcome_bonus=5)

    created = await programmes.set(first)
    clock.advance(days=1)
    changed = await programmes.set(replace(first, earn_rate=Decimal("2"), name=None))

    [v1] = created.rules
    assert (v1.version, v1.effective_from, v1.earn_rate) == (1, RECORDED_AT, Decimal("1"))
    assert [r.version for r in changed.rules] == [1, 2]
    assert changed.rules[0] == v1
    assert changed.rules[1].effective_from == clock.now()
    assert (changed.name, changed.welcome_bonus) == ("Points", 5)
    assert uows.store.programmes[BUSINESS] == changed


async def test_a_ledger_written_by_the_use_cases_passes_verification() -> None:
    uows, clock = shop("c1", welcome_bonus=50), FakeClock(RECORDED_AT)
    await Accounts(uows, clock).enrol(EnrolCustomer(BUSINESS, "c2"))
    await ApplyEventBatch(uows, clock)([sale("s1", "100"), customer_return("r1", "s1", "100")])

    report = await verify_ledger(uows, None, outbox_max_age_seconds=10**9)

    assert report.breaches == []
    assert (report.entries_checked, report.accounts_checked) == (4, 2)  # c2's card_created
    uows.store.accounts[C1] = replace(uows.store.accounts[C1], balance=1)
    tampered = (await verify_ledger(uows, None, 10**9)).breaches
    assert len(tampered) == 2  # the balance matches neither its entries nor its lots
    assert all(str(C1[1]) in breach for breach in tampered)
