"""Metrics that stay true in an outage: lags computed when scraped, points counted once they
are committed, the build and the pool on every scrape."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from uuid import uuid4

import pytest
from prometheus_client import CollectorRegistry

from adapters.prometheus_metrics import PrometheusServiceMetrics
from adapters.prometheus_service import watch_pool
from domain.postings import Posting
from ports.publishing import LedgerMessage
from service.use_cases.counted_postings import CountedPostings
from service.use_cases.event_intake import ApplyEventBatch
from service.use_cases.outbox_relay import OutboxRelay
from tests.fakes import FakeClock, FakeLedgerPublisher, FakeStore, FakeUnitOfWorkFactory

from .builders import BUSINESS, RECORDED_AT, account, programme, sale

pytestmark = pytest.mark.unit


class FailingPublisher:
    def __init__(self) -> None:
        self.down = True
        self.inner = FakeLedgerPublisher()

    async def publish(self, messages: Sequence[LedgerMessage]) -> None:
        if self.down:
            raise ConnectionError("broker unreachable")
        await self.inner.publish(messages)


def scraped(registry: CollectorRegistry, name: str, **labels: str) -> float | None:
    return registry.get_sample_value(name, labels or None)


async def sales_waiting(clock: FakeClock, metrics: PrometheusServiceMetrics) -> FakeStore:
    store = FakeStore(programmes={BUSINESS: programme()})
    store.accounts = {(a.business_id, a.account_id): a for a in [account("c1")]}
    uows = CountedPostings(FakeUnitOfWorkFactory(store), metrics)
    await ApplyEventBatch(uows, clock)([sale("s1", "10"), sale("s2", "20")])
    return store


def relay_over(
    store: FakeStore,
    publisher: FailingPublisher,
    clock: FakeClock,
    metrics: PrometheusServiceMetrics,
) -> OutboxRelay:
    return OutboxRelay(
        FakeUnitOfWorkFactory(store), publisher, 100, 0.0, lambda e: True, clock, metrics
    )


async def test_the_scraped_outbox_lag_grows_while_the_publisher_fails_and_falls_after() -> None:
    registry, clock = CollectorRegistry(), FakeClock(RECORDED_AT)
    metrics = PrometheusServiceMetrics(registry, now=lambda: clock.now().timestamp())
    store = await sales_waiting(clock, metrics)
    publisher = FailingPublisher()
    relay = relay_over(store, publisher, clock, metrics)

    lags = []
    for _ in range(3):
        clock.advance(seconds=30)
        with pytest.raises(ConnectionError):
            await relay.relay_once()
        lags.append(scraped(registry, "loyalty_outbox_lag_seconds"))
    clock.advance(seconds=30)
    lags.append(scraped(registry, "loyalty_outbox_lag_seconds"))  # no pass at all: still grows
    assert lags == [30.0, 60.0, 90.0, 120.0]
    assert scraped(registry, "loyalty_outbox_last_success_timestamp_seconds") == 0.0

    publisher.down = False
    assert await relay.relay_once() == 2
    assert await relay.relay_once() == 0
    assert scraped(registry, "loyalty_outbox_lag_seconds") == 0.0
    assert scraped(registry, "loyalty_outbox_last_success_timestamp_seconds") == (
        clock.now().timestamp()
    )


async def test_points_are_counted_when_the_posting_commits_and_never_when_it_rolls_back() -> None:
    registry, clock = CollectorRegistry(), FakeClock(RECORDED_AT)
    metrics = PrometheusServiceMetrics(registry)
    store = await sales_waiting(clock, metrics)
    earned = sum(e.points for e in store.entries)
    assert earned > 0
    assert scraped(registry, "loyalty_points_earned_total") == earned

    uows = CountedPostings(FakeUnitOfWorkFactory(store), metrics)
    async with uows() as uow:  # posted, never committed
        await uow.ledger.post(Posting((), (replace(store.entries[0], entry_id=uuid4()),)))
    assert scraped(registry, "loyalty_points_earned_total") == earned
    assert scraped(registry, "loyalty_points_redeemed_total") == 0.0


def test_the_consumer_reports_when_it_last_finished_a_batch_so_a_stalled_one_shows() -> None:
    registry = CollectorRegistry()
    metrics = PrometheusServiceMetrics(registry, now=lambda: 1_700_000_000.0)
    assert scraped(registry, "loyalty_consumer_last_batch_timestamp_seconds") == 0.0
    metrics.batch(3, 0.01)
    metrics.consumer_lag("sale.completed", 0, 7)
    assert scraped(registry, "loyalty_consumer_last_batch_timestamp_seconds") == 1_700_000_000.0
    assert scraped(registry, "loyalty_batch_events_count") == 1.0
    assert (
        scraped(registry, "loyalty_consumer_lag_messages", topic="sale.completed", partition="0")
        == 7.0
    )


def test_the_build_is_on_every_scrape_as_a_one_with_its_version_and_revision() -> None:
    registry = CollectorRegistry()
    PrometheusServiceMetrics(registry)
    families = {m.name: m for m in registry.collect()}
    (sample,) = families["loyalty_build_info"].samples
    assert sample.value == 1.0 and set(sample.labels) == {"version", "revision"}


@dataclass
class SizedPool:
    size: int
    idle: int
    ceiling: int

    def get_size(self) -> int:
        return self.size

    def get_idle_size(self) -> int:
        return self.idle

    def get_max_size(self) -> int:
        return self.ceiling


def test_the_pool_gauges_read_the_pool_at_each_scrape_and_leave_with_it() -> None:
    registry, pool = CollectorRegistry(), SizedPool(size=4, idle=1, ceiling=10)
    watching = watch_pool(pool, registry)
    next(watching)
    assert scraped(registry, "loyalty_db_pool_connections", state="in_use") == 3.0
    pool.idle = 4
    assert scraped(registry, "loyalty_db_pool_connections", state="in_use") == 0.0
    assert scraped(registry, "loyalty_db_pool_max_connections") == 10.0
    watching.close()
    assert scraped(registry, "loyalty_db_pool_max_connections") is None


def test_a_sweep_counts_its_outcome_and_the_accounts_it_expired() -> None:
    registry = CollectorRegistry()
    metrics = PrometheusServiceMetrics(registry)
    metrics.sweep("completed", 3)
    metrics.sweep("failed", 0)
    assert scraped(registry, "loyalty_expiry_sweeps_total", outcome="completed") == 1.0
    assert scraped(registry, "loyalty_expiry_sweeps_total", outcome="failed") == 1.0
    assert scraped(registry, "loyalty_expiry_accounts_total") == 3.0
