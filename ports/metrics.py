from __future__ import annotations

from typing import Protocol


class ServiceMetrics(Protocol):
    """Counts and times what the service does, for dashboards and alerts."""

    def events(self, topic: str, outcome: str, count: int = 1) -> None: ...

    def batch(self, size: int, seconds: float) -> None: ...

    def retry(self, stage: str) -> None: ...

    def consumer_lag(self, topic: str, partition: int, lag: int) -> None: ...

    def outbox(self, published: int, oldest_pending_seconds: float) -> None: ...

    def capture_refused(self, reason: str, via: str) -> None:
        """A capture of a hold that was refused (reason: expired, cancelled, not_owner,
        unknown_hold), ``via`` a sale event or HTTP: a discount the points did not pay for."""
        ...

    def systemic_failure(self, stage: str, error: str) -> None:
        """A failure no event caused (schema, permissions, read-only...): retried, never
        dead-lettered."""

    def task_failure(self, task: str) -> None:
        """A background loop died and is being restarted."""


class SweepMetrics(Protocol):
    """Counts what the expiry sweep could not do."""

    def expiry_failures(self, count: int) -> None:
        """Accounts the sweep could not expire (each logged), left for the next sweep."""
