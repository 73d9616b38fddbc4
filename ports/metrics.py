from __future__ import annotations

from datetime import datetime
from typing import Protocol


class ServiceMetrics(Protocol):
    """Counts and times what the service does, for dashboards and alerts."""

    def events(self, topic: str, outcome: str, count: int = 1) -> None: ...

    def batch(self, size: int, seconds: float) -> None: ...

    def retry(self, stage: str) -> None: ...

    def consumer_lag(self, topic: str, partition: int, lag: int) -> None: ...

    def outbox(self, published: int, oldest_pending_seconds: float) -> None:
        """A relay pass ended: ``published`` entries, the oldest of them that old (0: none)."""

    def outbox_pending(self, since: datetime) -> None:
        """Entries recorded at ``since`` are claimed but not yet published: the lag grows from
        it, scrape by scrape, until ``outbox`` reports a pass that ended."""

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

    def sweep(self, outcome: str, accounts: int) -> None:
        """A sweep ended (``completed``, or ``failed``: the database went away mid-sweep),
        having expired points on ``accounts`` accounts."""


class PointsMetrics(Protocol):
    """Counts points as committed postings move them."""

    def points(self, movement: str, points: int) -> None:
        """``points`` were ``earned``, ``redeemed``, ``expired`` or ``reversed``."""
