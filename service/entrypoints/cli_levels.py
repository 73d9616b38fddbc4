"""``loyalty levels review``: the period-end level review, as the service's sweep runs it."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Annotated

import typer

from service.entrypoints import cli_moments as moments
from service.entrypoints import presenters
from service.entrypoints.cli_json import AsJson
from service.entrypoints.containers import container_for
from service.entrypoints.resources import Database, opened
from service.entrypoints.settings import Settings
from service.use_cases.level_review import LevelReviewReport

levels_app = typer.Typer(help="Member levels (tiers).", no_args_is_help=True)


@levels_app.command("review")
def review(
    business: Annotated[
        str | None, typer.Option(help="Review this business only (default: every one).")
    ] = None,
    at: Annotated[
        datetime | None,
        typer.Option(
            parser=moments.moment,
            metavar="TIME",
            help=moments.described(
                "Review at the latest review moment up to this time (default: now)."
            ),
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Move members down whose qualifying total no longer holds their level, at the latest
    review moment (00:00 UTC for rolling windows, Jan 1 for calendar years). Running it again
    changes nothing."""
    as_of = presenters.aware(at)
    if as_of is not None and as_of > datetime.now(UTC):
        # A review in the future would judge windows whose sales have not happened yet.
        typer.echo(f"--at {as_of.isoformat()} is in the future; give a time up to now.", err=True)
        raise typer.Exit(2)
    container = container_for(Settings())

    async def run() -> LevelReviewReport:
        async with opened(container, Database):
            return await (await container.review_levels.async_())(as_of, business)

    report = asyncio.run(run())
    if as_json:
        typer.echo(json.dumps(asdict(report), indent=2))
    else:
        typer.echo(
            f"reviewed {report.accounts} accounts above the base level;"
            f" {report.downgraded} moved down"
        )
    if report.failed:
        typer.echo(
            f"{report.failed} chunks failed (see the log); the next review tries again", err=True
        )
        raise typer.Exit(1)
