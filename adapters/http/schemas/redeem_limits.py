"""The programme's redeem limit per period, as a manager sets it and the API shows it."""

from __future__ import annotations

from pydantic import BaseModel, Field

from adapters.http.schemas.requests import RequestBody, WholeInt
from domain.redeem_limits import MOST_POINTS, LimitPeriod, RedeemLimit

PERIODS = "calendar periods in UTC: the day, the ISO week from Monday 00:00, the month"


class RedeemLimitIn(RequestBody):
    """The most points one account may redeem per period (held and captured redemptions
    count where they were made; cancelled and expired ones do not)."""

    points: WholeInt = Field(ge=1, le=MOST_POINTS, description="Points per period.")
    period: LimitPeriod = Field(description=f"day, week or month: {PERIODS}.")

    def limit(self) -> RedeemLimit:
        return RedeemLimit(self.points, self.period)


class RedeemLimitOut(BaseModel):
    points: int
    period: LimitPeriod


def redeem_limit_out(limit: RedeemLimit | None) -> RedeemLimitOut | None:
    return RedeemLimitOut(points=limit.points, period=limit.period) if limit else None
