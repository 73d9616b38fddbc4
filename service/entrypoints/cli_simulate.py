"""``loyalty simulate``: what a proposed programme would have done over a window of history."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from adapters.simulation_chart import chart_svg
from adapters.simulation_proposal import read_proposal
from domain.simulation_report import SimulationReport
from service.entrypoints import cli_moments as moments
from service.entrypoints import cli_progress
from service.entrypoints.cli_json import AsJson
from service.entrypoints.settings import Settings
from service.entrypoints.simulations import run_simulation

QUARTER = timedelta(days=91)
SHADOW_PREFIX = re.compile(r"[a-z0-9_]{1,50}")


def simulate(
    business: Annotated[str, typer.Option(help="The business whose history to replay.")],
    programme: Annotated[
        Path, typer.Option(help="The proposal: a JSON file as PUT /v1/program takes.")
    ],
    from_time: Annotated[
        datetime | None,
        typer.Option(
            "--from",
            parser=moments.moment,
            metavar="TIME",
            help=moments.described("Window start (default: 91 days before --to)."),
        ),
    ] = None,
    to_time: Annotated[
        datetime | None,
        typer.Option(
            "--to",
            parser=moments.moment,
            metavar="TIME",
            help=moments.described("Window end (default: now)."),
        ),
    ] = None,
    chart: Annotated[
        Path | None, typer.Option(help="Also write an SVG chart of points by day here.")
    ] = None,
    keep: Annotated[bool, typer.Option("--keep", help="Keep the shadow databases.")] = False,
    database: Annotated[
        str | None,
        typer.Option(help="Name prefix of the shadow databases (default <db>_sim_<id>)."),
    ] = None,
    top: Annotated[int, typer.Option(min=0, help="How many most-moved members to list.")] = 10,
    as_json: AsJson = False,
) -> None:
    """Replay the inbound topics over a window into two shadow ledgers, under the programme as
    it was and under a proposal, and report them side by side. The live ledger, the
    consumer group's offsets and the topics are never touched."""
    end = to_time or datetime.now(UTC)
    start = from_time or end - QUARTER
    if start >= end:
        typer.echo("--from must be before --to", err=True)
        raise typer.Exit(2)
    try:
        proposal = read_proposal(json.loads(programme.read_text()), business)
    except (OSError, ValueError, ValidationError) as error:
        typer.echo(f"{programme}: not a programme document: {error}", err=True)
        raise typer.Exit(2) from error
    if database is not None and not SHADOW_PREFIX.fullmatch(database):
        typer.echo("--database: lower-case letters, digits and _ only (at most 50)", err=True)
        raise typer.Exit(2)
    settings = Settings()
    with cli_progress.counter(as_json) as bar:
        task = bar.add_task("simulate: reading events", total=None)

        def advance(n: int, total: int | None) -> None:
            bar.update(task, advance=n, total=total)

        report = asyncio.run(
            run_simulation(
                settings,
                business,
                proposal,
                start,
                end,
                name=database,
                keep=keep,
                top=top,
                progress=advance,
            )
        )
    if chart is not None:
        chart.write_text(chart_svg(report, f"{business}: current against proposed"))
    if as_json:
        typer.echo(json.dumps(report.as_dict(), indent=2))
        return
    Console().print(report_table(report, start, end))


def report_table(report: SimulationReport, start: datetime, end: datetime) -> Table:
    window = " to ".join(f"{t.astimezone(UTC):%Y-%m-%d %H:%M}" for t in (start, end))
    table = Table(title=f"What if: {window} UTC")
    for column in ("", "current", "proposed", "difference"):
        table.add_column(column, justify="left" if not column else "right")
    section = None
    for line in report.lines:
        if line.section != section:
            section = line.section
            table.add_section()
            table.add_row(f"[bold]{section.replace('_', ' ')}", "", "", "")
        diff = line.difference
        table.add_row(
            f"  {line.key}",
            f"{line.current:,}",
            f"{line.proposed:,}",
            f"{diff:+,}" if diff else "0",
        )
    if report.movers:
        table.add_section()
        table.add_row("[bold]members moved most", "", "", "")
        for m in report.movers:
            table.add_row(
                f"  {m.customer_id}", f"{m.current:,}", f"{m.proposed:,}", f"{m.difference:+,}"
            )
    return table
