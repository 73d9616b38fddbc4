"""Limits per period on what an account redeems (like a credit tracker's limit per period)."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class LimitPeriod(enum.StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


@dataclass(frozen=True)
class RedeemLimit:
    points: int
    """The most points one account may redeem in one period."""
    period: LimitPeriod
