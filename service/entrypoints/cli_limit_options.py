"""``loyalty program set`` options for the redeem limit per period: ``--redeem-limit 500/week``
sets it, ``--no-redeem-limit`` removes it, neither keeps it."""

from __future__ import annotations

from typing import Annotated

import typer

from domain.commands import UNCHANGED, Unchanged
from domain.errors import InvalidRequest
from domain.redeem_limits import LimitPeriod, RedeemLimit

PERIODS = ", ".join(p.value for p in LimitPeriod)


def parse_redeem_limit(text: str) -> RedeemLimit:
    """``POINTS/PERIOD``, e.g. ``500/week``."""
    points, _, period = text.partition("/")
    try:
        return RedeemLimit(int(points.strip()), LimitPeriod(period.strip().lower()))
    except ValueError as error:
        raise typer.BadParameter(f"{text!r}: give POINTS/PERIOD, the period {PERIODS}") from error
    except InvalidRequest as error:
        raise typer.BadParameter(error.detail) from error


RedeemLimitOption = Annotated[
    RedeemLimit | None,
    typer.Option(
        parser=parse_redeem_limit,
        metavar="POINTS/PERIOD",
        help=f"The most an account may redeem per period ({PERIODS}, in UTC), e.g. 500/week.",
    ),
]
NoRedeemLimit = Annotated[
    bool, typer.Option("--no-redeem-limit", help="Remove the redeem limit per period.")
]


def redeem_limit_from(limit: RedeemLimit | None, remove: bool) -> RedeemLimit | Unchanged | None:
    if remove and limit is not None:
        raise typer.BadParameter("--no-redeem-limit cannot go with --redeem-limit")
    if remove:
        return None
    return UNCHANGED if limit is None else limit
