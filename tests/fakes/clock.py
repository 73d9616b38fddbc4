"""The one test clock: it stands still until a test sets or advances it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta


@dataclass
class FakeClock:
    """A ``Clock`` reading ``moment``; by default the wall-clock time when it was made, so
    what it stamps sits near what the database itself calls now."""

    moment: datetime = field(default_factory=lambda: datetime.now(UTC))

    def now(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        """Move on by ``timedelta(**delta)``, e.g. ``advance(minutes=31)``."""
        self.moment += timedelta(**delta)
