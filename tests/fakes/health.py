"""A health check answering what the test says is up, or failing as told."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FakeHealth:
    checks: dict[str, bool] = field(default_factory=lambda: {"database": True, "broker": True})
    fail_with: Exception | None = None

    async def __call__(self) -> dict[str, bool]:
        if self.fail_with is not None:
            raise self.fail_with
        return dict(self.checks)
