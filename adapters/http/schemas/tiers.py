"""A programme's levels (tiers), as a manager sets them and the API shows them
(``domain.levels``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field, StrictInt, model_validator

from adapters.http.schemas.requests import DecimalText, RequestBody, Text, whole_number
from adapters.http.schemas.responses import DecimalString
from domain.levels import Level, LevelBasis, TierPolicy

MOST_WINDOW_DAYS = 3660
WindowDays = Annotated[StrictInt, Field(ge=1, le=MOST_WINDOW_DAYS), BeforeValidator(whole_number)]


def tiers_problems(policy: TierPolicy) -> list[str]:
    """What no event could earn a level with: unnamed or repeated levels, thresholds not
    strictly rising or not above zero, multipliers not above zero, a window under a day."""
    numbers = [n for level in policy.levels for n in (level.threshold, level.multiplier)]
    if not all(n.is_finite() for n in numbers):
        return ["tiers: thresholds and multipliers must be finite numbers"]
    problems = []
    names = [level.name for level in policy.levels]
    if not names:
        problems.append("tiers: give at least one level (null removes them)")
    if len(set(names)) != len(names):
        problems.append("tiers: level names must differ")
    thresholds = [level.threshold for level in policy.levels]
    if any(t <= 0 for t in thresholds) or thresholds != sorted(set(thresholds)):
        problems.append("tiers: thresholds must be above 0 and strictly rising, lowest first")
    if any(level.multiplier <= 0 or level.multiplier > 100 for level in policy.levels):
        problems.append("tiers: each multiplier must be above 0 and at most 100")
    return problems


class LevelIn(RequestBody):
    name: Text = Field(description="What members and tills call the level (e.g. Gold).")
    threshold: DecimalText = Field(
        description="Qualifying points (or money, basis spend) over the window reaching it."
    )
    multiplier: DecimalText = Field(
        default=Decimal(1),
        description="Multiplies what a sale earns at this level (exact, before the floor).",
    )
    benefits: Text | None = Field(default=None, description="Free text shown with the level.")


class TiersIn(RequestBody):
    """Levels, lowest threshold first. A sale earns at the level in force at its time; a
    sale lifting the qualifying total over a threshold moves the member up at once; the
    review at each period end (00:00 UTC daily for rolling windows, Jan 1 for calendar
    years) moves members down."""

    levels: list[LevelIn] = Field(min_length=1, description="At least one; null tiers: none.")
    basis: LevelBasis = Field(
        default=LevelBasis.POINTS,
        description="points: points earned less reversed; spend: money of earning sales "
        "less refunds.",
    )
    window_days: WindowDays | None = Field(
        default=365,
        description="Rolling window in days; null: the calendar year (UTC), a level then "
        "holding through the next year.",
    )

    def policy(self) -> TierPolicy:
        return TierPolicy(
            tuple(
                Level(level.name, level.threshold, level.multiplier, level.benefits)
                for level in self.levels
            ),
            self.basis,
            self.window_days,
        )

    @model_validator(mode="after")
    def _levels_make_sense(self) -> TiersIn:
        problems = tiers_problems(self.policy())
        if problems:
            raise ValueError("; ".join(problems) + ".")
        return self


class LevelOut(BaseModel):
    name: str
    threshold: DecimalString
    multiplier: DecimalString
    benefits: str | None


class TiersOut(BaseModel):
    levels: list[LevelOut]
    basis: LevelBasis
    window_days: int | None = Field(description="null: the calendar year (UTC).")


def tiers_out(policy: TierPolicy | None) -> TiersOut | None:
    if policy is None:
        return None
    return TiersOut(
        levels=[
            LevelOut(
                name=level.name,
                threshold=level.threshold,
                multiplier=level.multiplier,
                benefits=level.benefits,
            )
            for level in policy.levels
        ],
        basis=policy.basis,
        window_days=policy.window_days,
    )
