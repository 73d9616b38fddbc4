"""Levels (tiers): what a programme's levels are. A member reaches a level by qualifying
points or spend over a window, and earns at its multiplier."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal


class LevelBasis(enum.StrEnum):
    POINTS = "points"
    """Points earned (net of reversals) qualify."""
    SPEND = "spend"
    """Money spent on earning sales and bills (net of refunds) qualifies."""


@dataclass(frozen=True)
class Level:
    name: str
    threshold: Decimal
    """The qualifying points (or money) over the window that reach this level."""
    multiplier: Decimal = Decimal(1)
    """Applied to what a sale earns at this level."""
    benefits: str | None = None


@dataclass(frozen=True)
class TierPolicy:
    """A programme's levels, lowest threshold first; below the lowest is the base level (no
    name, multiplier 1). ``window_days`` None: the calendar year (UTC)."""

    levels: tuple[Level, ...]
    basis: LevelBasis = LevelBasis.POINTS
    window_days: int | None = 365
