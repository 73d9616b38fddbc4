"""``loyalty export ledger|balances``: a business's ledger or balances as CSV, JSON lines or
Parquet, streamed from one snapshot: memory stays one batch however many rows there are."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import typer

from adapters.export_formats import Format, write
from adapters.postgres.exports import PostgresExports
from ports.exports import Dataset, ExportQuery
from service.entrypoints import cli_progress
from service.entrypoints.cli_json import AsJson
from service.entrypoints.cli_moments import described, moment
from service.entrypoints.resources import Database, opened
from service.entrypoints.serving import from_environment

export_app = typer.Typer(
    help="A business's ledger or balances as csv, jsonl or parquet (stdout unless --output;"
    " parquet needs --output). Progress on stderr.",
    no_args_is_help=True,
)

Business = Annotated[str, typer.Option("--business", help="The business to export.")]
FormatOption = Annotated[Format, typer.Option("--format", help="csv, jsonl or parquet.")]
Output = Annotated[
    Path | None, typer.Option("--output", "-o", help="The file to write (default: stdout).")
]
Since = Annotated[
    datetime | None,
    typer.Option("--from", parser=moment, help=described("Recorded at or after this time.")),
]
Until = Annotated[
    datetime | None,
    typer.Option("--to", parser=moment, help=described("Recorded before this time.")),
]


async def _counted(
    batches: AsyncIterator[Sequence[Sequence[Any]]], what: str, as_json: bool
) -> AsyncIterator[Sequence[Sequence[Any]]]:
    with cli_progress.counter(as_json) as progress:
        task = progress.add_task(what, total=None)
        async for batch in batches:
            yield batch
            progress.advance(task, len(batch))


async def _export(query: ExportQuery, form: Format, sink: BinaryIO, as_json: bool) -> int:
    rows = 0
    async with opened(from_environment(), Database) as container:
        exports = PostgresExports(await container.pool.async_())
        batches = _counted(exports.batches(query, form.rendering), query.dataset.value, as_json)

        async def tally() -> AsyncIterator[Sequence[Sequence[Any]]]:
            nonlocal rows
            async for batch in batches:
                rows += len(batch)
                yield batch

        await write(tally(), exports.columns(query.dataset), form, sink)
    return rows


def _run(query: ExportQuery, form: Format, output: Path | None, as_json: bool) -> None:
    if as_json and output is None:
        # stdout carries the rows; --json's one document there would corrupt them.
        raise typer.BadParameter(
            "--json prints the export's summary on stdout: give --output for the rows",
            param_hint="--json",
        )
    if query.since and query.until and query.since >= query.until:
        raise typer.BadParameter("--from must be before --to", param_hint="--from/--to")
    if output is None and not form.streams:
        raise typer.BadParameter(
            "parquet is written to a file: give --output", param_hint="--output"
        )
    if output is None:
        try:
            rows = asyncio.run(_export(query, form, sys.stdout.buffer, as_json))
            sys.stdout.buffer.flush()
        except BrokenPipeError:  # the reader had enough (``| head``): not a failure
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(0) from None
    else:
        # Written aside and renamed at the end: a failed export leaves no half file behind.
        partial = output.with_name(output.name + ".part")
        try:
            sink = partial.open("wb")
        except OSError as error:
            raise typer.BadParameter(str(error), param_hint="--output") from error
        try:
            with sink:
                rows = asyncio.run(_export(query, form, sink, as_json))
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(output)
    where = "stdout" if output is None else str(output)
    if as_json:
        summary = {"dataset": query.dataset.value, "business_id": query.business_id, "rows": rows}
        typer.echo(json.dumps({**summary, "format": form.value, "output": where}))
        return
    typer.echo(f"exported {rows} {query.dataset.value} rows to {where}", err=True)


@export_app.command("ledger")
def ledger(
    business: Business,
    form: FormatOption,
    since: Since = None,
    until: Until = None,
    output: Output = None,
    as_json: AsJson = False,
) -> None:
    """Ledger entries recorded in [--from, --to), by account and seq: the loyalty.ledger
    message fields (no IP address or user agent)."""
    _run(ExportQuery(Dataset.LEDGER, business, since, until), form, output, as_json)


@export_app.command("balances")
def balances(
    business: Business,
    form: FormatOption,
    since: Since = None,
    until: Until = None,
    output: Output = None,
    as_json: AsJson = False,
) -> None:
    """One row per account (account_id, customer_id, status, balance, pending, stamps, level,
    last_activity_at), by account; --from/--to keep accounts last active in that window."""
    _run(ExportQuery(Dataset.BALANCES, business, since, until), form, output, as_json)
