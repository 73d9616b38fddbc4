"""Progress of the long commands on stderr: shown on a terminal, off under ``--json`` and when
stderr is a pipe or a file (cron's mail, a log), where a redrawn bar is only noise."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)


def shown(as_json: bool) -> bool:
    return not as_json and sys.stderr.isatty()


def bar(as_json: bool, *columns: ProgressColumn) -> Progress:
    """A rich progress display on stderr (never stdout: that is the command's answer)."""
    return Progress(
        *columns,
        console=Console(stderr=True),
        disable=not shown(as_json),
        transient=True,
    )


@contextmanager
def spinner(description: str, as_json: bool) -> Iterator[None]:
    """For work that cannot say how far it got: that it runs, and for how long."""
    with bar(as_json, SpinnerColumn(), TextColumn(description), TimeElapsedColumn()) as shown_:
        shown_.add_task(description, total=None)
        yield


def counter(as_json: bool) -> Progress:
    """A count of things read so far, of an estimated total when there is one."""
    return bar(
        as_json,
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
