"""PrometheusServiceMetrics: the service's metrics in a Prometheus registry."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram

from adapters.prometheus_service import OutboxLag, register_service_gauges


class PrometheusServiceMetrics:
    """Lags are computed when scraped: a relay or consumer stuck in an outage shows a lag that
    grows (outbox) or a last-batch time that ages (consumer), not a figure frozen before it."""

    def __init__(
        self, registry: CollectorRegistry = REGISTRY, now: Callable[[], float] = time.time
    ) -> None:
        self._now = now
        register_service_gauges(registry)
        self._events = Counter(
            "loyalty_events_total",
            "Inbound events by topic and outcome (applied, skipped, parked, duplicate, "
            "dead_lettered).",
            ["topic", "outcome"],
            registry=registry,
        )
        self._batch_size = Histogram(
            "loyalty_batch_events",
            "Messages per applied batch.",
            buckets=(1, 5, 10, 50, 100, 250, 500, 1000, 5000),
            registry=registry,
        )
        self._batch_seconds = Histogram(
            "loyalty_batch_duration_seconds", "Time to apply one batch.", registry=registry
        )
        self._retries = Counter(
            "loyalty_retries_total", "Transient failures retried.", ["stage"], registry=registry
        )
        self._lag = Gauge(
            "loyalty_consumer_lag_messages",
            "Messages behind the end of each partition after the last batch (read with "
            "loyalty_consumer_last_batch_timestamp_seconds: no batch, no update).",
            ["topic", "partition"],
            registry=registry,
        )
        self._last_batch = Gauge(
            "loyalty_consumer_last_batch_timestamp_seconds",
            "When the consumer last finished a batch (Unix time).",
            registry=registry,
        )
        self._published = Counter(
            "loyalty_outbox_published_total", "Ledger entries published.", registry=registry
        )
        self._outbox_lag = OutboxLag(now)
        Gauge(
            "loyalty_outbox_lag_seconds",
            "Age of the oldest ledger entry not yet published, as of the scrape: it grows "
            "while claimed entries wait on a failing publish.",
            registry=registry,
        ).set_function(self._outbox_lag.seconds)
        self._outbox_success = Gauge(
            "loyalty_outbox_last_success_timestamp_seconds",
            "When a relay pass last ended without error (Unix time); it ages when the "
            "relay cannot even reach the outbox.",
            registry=registry,
        )
        self._systemic = Counter(
            "loyalty_systemic_failures_total",
            "Failures that would fail every event (missing table, read-only database, no "
            "privilege...): the work waits and retries, nothing is dead-lettered.",
            ["stage", "error"],
            registry=registry,
        )
        self._task_failures = Counter(
            "loyalty_background_task_failures_total",
            "Background loops (consumer, outbox relay, expiry sweep) that died and were restarted.",
            ["task"],
            registry=registry,
        )
        self._refused_captures = Counter(
            "loyalty_hold_captures_refused_total",
            "Captures of held points refused: the hold had expired (by the service's clock) or "
            "was cancelled, or the sale was another customer's or named no known hold.",
            ["reason", "via"],
            registry=registry,
        )
        self._expiry_failures = Counter(
            "loyalty_expiry_failures_total",
            "Accounts the expiry sweep could not expire (each logged with its account id); "
            "the sweep moves on and tries them again next time.",
            registry=registry,
        )
        self._sweeps = Counter(
            "loyalty_expiry_sweeps_total",
            "Expiry sweeps by outcome (completed, failed: the database went away).",
            ["outcome"],
            registry=registry,
        )
        self._swept_accounts = Counter(
            "loyalty_expiry_accounts_total",
            "Accounts whose points the expiry sweep expired.",
            registry=registry,
        )
        self._points = {
            movement: Counter(
                f"loyalty_points_{movement}",
                f"Points {movement}, counted when the posting commits.",
                registry=registry,
            )
            for movement in ("earned", "redeemed", "expired", "reversed")
        }

    def events(self, topic: str, outcome: str, count: int = 1) -> None:
        self._events.labels(topic, outcome).inc(count)

    def batch(self, size: int, seconds: float) -> None:
        self._batch_size.observe(size)
        self._batch_seconds.observe(seconds)
        self._last_batch.set(self._now())

    def retry(self, stage: str) -> None:
        self._retries.labels(stage).inc()

    def consumer_lag(self, topic: str, partition: int, lag: int) -> None:
        self._lag.labels(topic, str(partition)).set(lag)

    def outbox(self, published: int, oldest_pending_seconds: float) -> None:
        self._published.inc(published)
        self._outbox_lag.passed(oldest_pending_seconds)
        self._outbox_success.set(self._now())

    def outbox_pending(self, since: datetime) -> None:
        self._outbox_lag.pending(since.timestamp())

    def sweep(self, outcome: str, accounts: int) -> None:
        self._sweeps.labels(outcome).inc()
        self._swept_accounts.inc(accounts)

    def points(self, movement: str, points: int) -> None:
        self._points[movement].inc(points)

    def expiry_failures(self, count: int) -> None:
        self._expiry_failures.inc(count)

    def capture_refused(self, reason: str, via: str) -> None:
        self._refused_captures.labels(reason, via).inc()

    def systemic_failure(self, stage: str, error: str) -> None:
        self._systemic.labels(stage, error).inc()

    def task_failure(self, task: str) -> None:
        self._task_failures.labels(task).inc()


class NoMetrics:
    """For tools and tests that record nothing."""

    def events(self, topic: str, outcome: str, count: int = 1) -> None: ...

    def batch(self, size: int, seconds: float) -> None: ...

    def retry(self, stage: str) -> None: ...

    def consumer_lag(self, topic: str, partition: int, lag: int) -> None: ...

    def outbox(self, published: int, oldest_pending_seconds: float) -> None: ...

    def outbox_pending(self, since: datetime) -> None: ...

    def sweep(self, outcome: str, accounts: int) -> None: ...

    def points(self, movement: str, points: int) -> None: ...

    def expiry_failures(self, count: int) -> None: ...

    def capture_refused(self, reason: str, via: str) -> None: ...

    def systemic_failure(self, stage: str, error: str) -> None: ...

    def task_failure(self, task: str) -> None: ...
