"""PrometheusServiceMetrics: the service's metrics in a Prometheus registry."""

from __future__ import annotations

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram


class PrometheusServiceMetrics:
    def __init__(self, registry: CollectorRegistry = REGISTRY) -> None:
        self._events = Counter(
            "loyalty_events_total",
            "Inbound events by topic and outcome (applied, skipped, parked, duplicate, "
            "dead_lettered).",
            ["topic", "outcome"],
            registry=registry,
        )
        self._batch_size = Histogram(
            "loyalty_batch_size",
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
            "loyalty_consumer_lag",
            "Messages behind the end of each partition after the last batch.",
            ["topic", "partition"],
            registry=registry,
        )
        self._published = Counter(
            "loyalty_outbox_published_total", "Ledger entries published.", registry=registry
        )
        self._outbox_lag = Gauge(
            "loyalty_outbox_lag_seconds",
            "Age of the oldest ledger entry not yet published.",
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

    def events(self, topic: str, outcome: str, count: int = 1) -> None:
        self._events.labels(topic, outcome).inc(count)

    def batch(self, size: int, seconds: float) -> None:
        self._batch_size.observe(size)
        self._batch_seconds.observe(seconds)

    def retry(self, stage: str) -> None:
        self._retries.labels(stage).inc()

    def consumer_lag(self, topic: str, partition: int, lag: int) -> None:
        self._lag.labels(topic, str(partition)).set(lag)

    def outbox(self, published: int, oldest_pending_seconds: float) -> None:
        self._published.inc(published)
        self._outbox_lag.set(oldest_pending_seconds)

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

    def expiry_failures(self, count: int) -> None: ...

    def capture_refused(self, reason: str, via: str) -> None: ...

    def systemic_failure(self, stage: str, error: str) -> None: ...

    def task_failure(self, task: str) -> None: ...
