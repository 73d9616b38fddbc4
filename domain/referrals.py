"""Referrals: what a programme gives when a referred customer's first qualifying sale is
applied."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReferralPolicy:
    referrer_points: int
    """Given to the account whose code the new customer named."""
    referred_points: int
    """Given to the referred customer."""
    return_window_days: int = 30
    """A full return of that first sale within this many days of it takes both back."""
