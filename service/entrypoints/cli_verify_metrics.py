"""``loyalty verify --metrics-file PATH``: the run's outcome for node_exporter's textfile
collector, written whether the run found the ledger sound, found a breach or never reached
the database."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer

from adapters.prometheus_verify import VerifyOutcome, write_verify_metrics
from service.entrypoints.cli_exits import unreachable
from service.use_cases.verification import VerificationReport

MetricsFile = Annotated[
    Path | None,
    typer.Option(
        "--metrics-file",
        help="Write the run's outcome as Prometheus text to PATH (replaced at once), for "
        "node_exporter's textfile collector: a name ending .prom in its directory.",
        dir_okay=False,
    ),
]


@contextmanager
def recorded(
    path: Path | None, clock: Callable[[], float] = time.time
) -> Iterator[Callable[[VerificationReport], None]]:
    """Yields what to call with the report; a run that raises is recorded as unreachable (the
    database could not be reached) or error, and the exception goes on to the exit code."""
    started = clock()

    def done(report: VerificationReport) -> None:
        if path is not None:
            outcome = VerifyOutcome(
                "ok" if report.ok else "breach",
                started,
                clock(),
                report.accounts_checked,
                report.entries_checked,
                report.breach_kinds,
                report.notice_kinds,
            )
            write_verify_metrics(path, outcome)

    try:
        yield done
    except Exception as error:
        if path is not None:
            result = "unreachable" if unreachable(error) is not None else "error"
            write_verify_metrics(path, VerifyOutcome(result, started, clock()))
        raise
