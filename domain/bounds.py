"""Bounds a manager's setting must keep, each able to say what it allows in words a client
can act on (the same words over HTTP, on the command line and in the use case)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class DecimalLimit:
    """A positive, finite decimal up to ``most`` with at most ``places`` decimal places."""

    most: Decimal
    places: int

    def describe(self) -> str:
        return (
            f"a number greater than 0 and at most {self.most},"
            f" with at most {self.places} decimal places"
        )

    def problem(self, name: str, value: Decimal | None) -> str | None:
        if value is None or (
            value.is_finite() and 0 < value <= self.most and _places(value) <= self.places
        ):
            return None
        return f"{name} must be {self.describe()} (got {value})"


@dataclass(frozen=True)
class IntLimit:
    """A whole number from ``least`` to ``most``."""

    least: int
    most: int

    def describe(self) -> str:
        return f"a whole number from {self.least} to {self.most}"

    def problem(self, name: str, value: int | None) -> str | None:
        if value is None or self.least <= value <= self.most:
            return None
        return f"{name} must be {self.describe()} (got {value})"


def _places(value: Decimal) -> int:
    """Decimal places written, trailing zeros aside ("2.50" has one); without normalize(),
    which would round to the context's 28 digits first."""
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite: checked by the caller first
    trailing = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -exponent - trailing) if any(digits) else 0
