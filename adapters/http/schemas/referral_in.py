"""The programme's referral bonuses, in and out (part of a rule version)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from adapters.http.schemas.requests import RequestBody, WholeInt
from domain.referrals import ReferralPolicy

MOST_POINTS = 1_000_000
MOST_DAYS = 3650


class ReferralIn(RequestBody):
    """What the referred customer's first sale earning points gives both sides."""

    referrer_points: WholeInt = Field(
        ge=0, le=MOST_POINTS, description="To the account whose code was named."
    )
    referred_points: WholeInt = Field(ge=0, le=MOST_POINTS, description="To the new customer.")
    return_window_days: WholeInt = Field(
        default=30,
        ge=0,
        le=MOST_DAYS,
        description="A full return of that first sale within this many days takes both back.",
    )

    def policy(self) -> ReferralPolicy:
        return ReferralPolicy(self.referrer_points, self.referred_points, self.return_window_days)


class ReferralOut(BaseModel):
    referrer_points: int
    referred_points: int
    return_window_days: int


def referral_out(policy: ReferralPolicy | None) -> ReferralOut | None:
    if policy is None:
        return None
    return ReferralOut(
        referrer_points=policy.referrer_points,
        referred_points=policy.referred_points,
        return_window_days=policy.return_window_days,
    )
