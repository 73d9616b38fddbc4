"""``loyalty import accounts|balances FILE``: the old programme's members and balances, a batch
of rows per transaction. Each row is checked at the edge; the rows refused are reported with
their line and reason (stderr, or ``--rejects FILE``) and the rest go in. A rerun skips what
went in before, so a run cut short is finished by running it again."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Annotated, Any, Protocol

import typer

from adapters.import_files import FileRowError, count_rows, e164, format_of, read_rows
from adapters.import_files import Format as FileFormat
from adapters.postgres.imports import PostgresImportUnitOfWork
from domain.errors import ConcurrentUpdate
from domain.import_streams import split_by_account
from domain.imports import BalanceRow, RowRefused, account_row, balance_row
from service.entrypoints import cli_progress
from service.entrypoints.cli_exits import FINDING, USAGE
from service.entrypoints.cli_json import AsJson
from service.entrypoints.containers import Container
from service.entrypoints.resources import Database, opened
from service.entrypoints.serving import from_environment
from service.entrypoints.settings import Settings
from service.use_cases.imports import BatchOutcome, ImportBatches

import_app = typer.Typer(
    help="Bring over the old programme's accounts and balances.", no_args_is_help=True
)

File = Annotated[
    Path, typer.Argument(exists=True, dir_okay=False, help="CSV with a header, or JSON lines.")
]
Format = Annotated[
    str | None, typer.Option("--format", help="csv or jsonl (default: the file's extension).")
]
DryRun = Annotated[
    bool, typer.Option("--dry-run", help="Check every row against the database; write nothing.")
]
Rejects = Annotated[
    Path | None, typer.Option("--rejects", help="Write refused rows here (JSON lines).")
]
BatchSize = Annotated[int, typer.Option(min=1, max=20000, help="Rows per transaction.")]
Region = Annotated[
    str | None,
    typer.Option(
        help="Country of phone numbers without +prefix (ISO 3166; default LOYALTY_PHONE_REGION,"
        " as at the till)."
    ),
]
# Opening balances are written set-based, a batch per statement: larger batches spread its
# fixed costs (a few round trips and a commit) over more rows; accounts go row by row.
BALANCE_BATCH = 5000
# Streams of a batch written at once, each on its own connection (``in_streams``). Two take
# this 2-core machine from 8,200 to about 10,000 rows/s (three or four gain nothing more); a
# database host with more cores takes more (LOYALTY_DATABASE_POOL_MAX must allow them).
BALANCE_STREAMS = 2
Jobs = Annotated[
    int,
    typer.Option(
        min=1, max=16, help="Transactions written at once, an account's rows in one of them."
    ),
]
RETRIES = 3  # a batch meeting a concurrent change to its accounts is tried again


def _checked(
    path: Path, chosen: FileFormat, check: Callable[[Mapping[str, object]], Any]
) -> Iterator[tuple[int, Any]]:
    """(line, row) for every row of the file: a checked row, or the reason it is refused."""
    for line, fields in read_rows(path, chosen):
        if isinstance(fields, FileRowError):
            yield line, str(fields)
            continue
        try:
            yield line, check(fields)
        except RowRefused as refused:
            yield line, str(refused)


async def _batch(run: Callable[[], Any]) -> BatchOutcome:
    for attempt in range(RETRIES):
        try:
            return await run()  # type: ignore[no-any-return]
        except ConcurrentUpdate:
            if attempt == RETRIES - 1:
                raise
    raise AssertionError("no attempt made")


def in_streams(
    step: Callable[[Sequence[tuple[int, BalanceRow]], bool], Awaitable[BatchOutcome]],
    streams: int,
    dry_run: bool,
) -> Callable[[list[tuple[int, BalanceRow]]], Awaitable[BatchOutcome]]:
    """Writes a batch of opening balances as ``streams`` transactions at once, on as many
    connections, the rows of an account in one of them (``split_by_account``): the database
    host's cores share the work. Each stream is retried on its own; every stream ends (commits
    or rolls back) before the first failure, if any, is raised."""

    async def write(rows: list[tuple[int, BalanceRow]]) -> BatchOutcome:
        parts = split_by_account(rows, streams)
        ended = await asyncio.gather(
            *(_batch(partial(step, part, dry_run)) for part in parts),
            return_exceptions=True,
        )
        for outcome in ended:
            if isinstance(outcome, BaseException):
                raise outcome
        return BatchOutcome.combined(ended)  # type: ignore[arg-type]  # none failed

    return write


async def overlapped(
    chunks: Iterator[list[tuple[int, Any]]],
    write: Callable[[list[tuple[int, Any]]], Awaitable[BatchOutcome]],
) -> AsyncIterator[tuple[list[tuple[int, Any]], BatchOutcome]]:
    """Each chunk with the outcome of writing it, in the file's order; the next chunk is read
    and checked (in a thread) while the database writes this one, as the two cost about the
    same. Batches are still written one after the other."""
    chunk = await asyncio.to_thread(next, chunks, None)
    while chunk is not None:
        writing = asyncio.ensure_future(write(chunk))
        try:
            following = await asyncio.to_thread(next, chunks, None)
        finally:
            outcome = await writing  # a file that fails to read still ends this batch first
        yield chunk, outcome
        chunk = following


def _import(
    kind: str,
    path: Path,
    rows: Iterator[tuple[int, Any]],
    dry_run: bool,
    batch_size: int,
    rejects: _Writer,
    as_json: bool,
    streams: int,
) -> None:
    total = BatchOutcome()

    async def work(c: Container) -> None:
        pool, clock = await c.pool.async_(), c.clock()
        batches = ImportBatches(lambda: PostgresImportUnitOfWork(pool), clock)
        step: Callable[[list[tuple[int, Any]]], Awaitable[BatchOutcome]]
        if kind == "balances":
            step = in_streams(batches.balances, streams, dry_run)
        else:
            step = lambda good: _batch(partial(batches.accounts, good, dry_run))  # noqa: E731
        with cli_progress.counter(as_json) as progress:
            task = progress.add_task(f"importing {kind}", total=count_rows(path))
            chunks = iter(lambda: list(islice(rows, batch_size)), [])

            async def write(chunk: list[tuple[int, Any]]) -> BatchOutcome:
                return await step([(line, row) for line, row in chunk if not isinstance(row, str)])

            async for chunk, outcome in overlapped(chunks, write):
                refused = [(line, row) for line, row in chunk if isinstance(row, str)]
                for line, reason in sorted(refused + outcome.rejected):
                    rejects.write(json.dumps({"line": line, "reason": reason}) + "\n")
                total.imported += outcome.imported
                total.skipped += outcome.skipped
                total.rejected.extend(refused + outcome.rejected)
                progress.advance(task, len(chunk))

    async def run() -> None:
        async with opened(from_environment(), Database) as container:
            await work(container)

    asyncio.run(run())
    summary = {
        "kind": kind,
        "dry_run": dry_run,
        "imported": total.imported,
        "skipped": total.skipped,
        "rejected": len(total.rejected),
    }
    if as_json:
        typer.echo(json.dumps(summary))
    else:
        would = "would import" if dry_run else "imported"
        typer.echo(
            f"{kind}: {would} {total.imported}, already there {total.skipped},"
            f" rejected {len(total.rejected)}"
        )
    if total.rejected:
        raise typer.Exit(FINDING)


def _run(
    kind: str,
    path: Path,
    file_format: str | None,
    check: Callable[[Mapping[str, object]], Any],
    dry_run: bool,
    batch_size: int,
    rejects_file: Path | None,
    as_json: bool,
    streams: int = 1,
) -> None:
    try:
        chosen = format_of(path, file_format)
    except ValueError as error:
        typer.echo(f"loyalty: {error}", err=True)
        raise typer.Exit(USAGE) from None
    everything = _checked(path, chosen, check)
    if rejects_file is None:
        _import(kind, path, everything, dry_run, batch_size, _Stderr(), as_json, streams)
        return
    with rejects_file.open("w", encoding="utf-8") as rejects:
        _import(kind, path, everything, dry_run, batch_size, rejects, as_json, streams)


class _Writer(Protocol):
    def write(self, text: str, /) -> int: ...


class _Stderr:
    """Rejects on stderr, one JSON line each."""

    def write(self, text: str) -> int:
        typer.echo(text.rstrip("\n"), err=True)
        return len(text)


@import_app.command("accounts")
def accounts(
    file: File,
    file_format: Format = None,
    dry_run: DryRun = False,
    rejects: Rejects = None,
    batch_size: BatchSize = 500,
    phone_region: Region = None,
    as_json: AsJson = False,
) -> None:
    """Accounts: business_id, customer_id, and optionally name, phone, email, card,
    enrolled_at. Exit 1 when a row was rejected."""
    phone_of, now = e164(phone_region or Settings().phone_region), datetime.now(UTC)
    check = lambda fields: account_row(fields, phone_of, now)  # noqa: E731
    _run("accounts", file, file_format, check, dry_run, batch_size, rejects, as_json)


@import_app.command("balances")
def balances(
    file: File,
    file_format: Format = None,
    dry_run: DryRun = False,
    rejects: Rejects = None,
    batch_size: BatchSize = BALANCE_BATCH,
    jobs: Jobs = BALANCE_STREAMS,
    as_json: AsJson = False,
) -> None:
    """Opening balances, one lot a row: business_id, customer_id, row_key, points, and
    optionally earned_at, expires_at, pending_until. Exit 1 when a row was rejected."""
    now = datetime.now(UTC)
    check = lambda fields: balance_row(fields, now)  # noqa: E731
    _run("balances", file, file_format, check, dry_run, batch_size, rejects, as_json, jobs)
