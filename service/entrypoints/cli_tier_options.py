"""``loyalty program set`` options for the levels: ``--tiers JSON`` (or ``--tiers FILE``
holding it) sets them, in the API's shape (``{"levels": [{"name": "Gold", "threshold": "500",
"multiplier": "2", "benefits": "..."}], "basis": "points", "window_days": 365}``, window_days
null for the calendar year); ``--no-tiers`` removes them; neither keeps them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from adapters.http.schemas.tiers import TiersIn
from domain.commands import UNCHANGED, Unchanged
from domain.levels import TierPolicy


def parse_tiers(text: str) -> TierPolicy:
    """The levels from JSON text, or from the file ``text`` names when it is one."""
    source = text
    if not text.lstrip().startswith("{"):
        try:
            source = Path(text).read_text(encoding="utf-8")
        except OSError as error:
            raise typer.BadParameter(f"{text!r} is neither JSON nor a readable file") from error
    try:
        return TiersIn.model_validate_json(source).policy()
    except ValidationError as error:
        problems = "; ".join(str(e["msg"]) for e in error.errors())
        raise typer.BadParameter(f"tiers: {problems}") from error


TiersOption = Annotated[
    TierPolicy | None,
    typer.Option(
        parser=parse_tiers,
        metavar="JSON|FILE",
        help='Levels, e.g. {"levels": [{"name": "Silver", "threshold": "100", "multiplier":'
        ' "1.5"}], "basis": "points", "window_days": 365} (null window: the calendar year).',
    ),
]
NoTiers = Annotated[bool, typer.Option("--no-tiers", help="Remove the levels.")]


def tiers_from(policy: TierPolicy | None, remove: bool) -> TierPolicy | Unchanged | None:
    if remove and policy is not None:
        raise typer.BadParameter("--no-tiers cannot go with --tiers")
    if remove:
        return None
    return UNCHANGED if policy is None else policy
