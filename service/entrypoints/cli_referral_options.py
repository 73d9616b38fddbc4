"""``loyalty program set`` options for the referral bonuses: ``--referral JSON`` sets them
(``{"referrer_points": 50, "referred_points": 20, "return_window_days": 30}``),
``--no-referral`` removes them, neither keeps them; and ``enroll --referral-code``."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from domain.commands import UNCHANGED, Unchanged
from domain.referrals import ReferralPolicy

FIELDS = ("referrer_points", "referred_points", "return_window_days")


def parse_referral(text: str) -> ReferralPolicy:
    try:
        given = json.loads(text)
        if not isinstance(given, dict) or set(given) - set(FIELDS):
            raise ValueError(f"only {', '.join(FIELDS)}")
        values = [given.get(name, 30 if name == "return_window_days" else None) for name in FIELDS]
        numbers = [v for v in values if isinstance(v, int) and not isinstance(v, bool) and v >= 0]
        if len(numbers) != len(FIELDS):
            raise ValueError("whole numbers, not below 0; both points are needed")
    except ValueError as error:
        raise typer.BadParameter(f"{text!r}: {error}") from error
    return ReferralPolicy(*numbers)


ReferralOption = Annotated[
    ReferralPolicy | None,
    typer.Option(
        parser=parse_referral,
        metavar="JSON",
        help='Referral bonuses, e.g. {"referrer_points": 50, "referred_points": 20,'
        ' "return_window_days": 30}.',
    ),
]
NoReferral = Annotated[bool, typer.Option("--no-referral", help="Remove the referral bonuses.")]
ReferralCode = Annotated[
    str | None, typer.Option("--referral-code", help="The referrer's code, if any.")
]


def referral_from(policy: ReferralPolicy | None, remove: bool) -> ReferralPolicy | Unchanged | None:
    if remove and policy is not None:
        raise typer.BadParameter("--no-referral cannot go with --referral")
    if remove:
        return None
    return UNCHANGED if policy is None else policy
