"""Service metrics that record each call, for tests to read back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class FakeMetrics:
    """Records each call as (name, arguments)."""

    calls: list[tuple[str, tuple[object, ...]]] = field(default_factory=list)

    def events(self, topic: str, outcome: str, count: int = 1) -> None:
        self.calls.append(("events", (topic, outcome, count)))

    def batch(self, size: int, seconds: float) -> None:
        self.calls.append(("batch", (size, seconds)))

    def retry(self, stage: str) -> None:
        self.calls.append(("retry", (stage,)))

    def consumer_lag(self, topic: str, partition: int, lag: int) -> None:
        self.calls.append(("consumer_lag", (topic, partition, lag)))

    def outbox(self, published: int, oldest_pending_seconds: float) -> None:
        self.calls.append(("outbox", (published, oldest_pending_seconds)))

    def outbox_pending(self, since: datetime) -> None:
        self.calls.append(("outbox_pending", (since,)))

    def sweep(self, outcome: str, accounts: int) -> None:
        self.calls.append(("sweep", (outcome, accounts)))

    def points(self, movement: str, points: int) -> None:
        self.calls.append(("points", (movement, points)))

    def capture_refused(self, reason: str, via: str) -> None:
        self.calls.append(("capture_refused", (reason, via)))

    def systemic_failure(self, stage: str, error: str) -> None:
        self.calls.append(("systemic_failure", (stage, error)))

    def task_failure(self, task: str) -> None:
        self.calls.append(("task_failure", (task,)))
