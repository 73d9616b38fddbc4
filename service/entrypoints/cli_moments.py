"""Times on the command line: ISO 8601 with an offset, one parser and one help text for
every option that takes one."""

from __future__ import annotations

from datetime import UTC, datetime

import typer

FORMAT = "ISO 8601 with an offset, e.g. 2026-03-01T00:00:00+00:00 or 2026-03-01T00:00:00Z"
HELP = f"{FORMAT}; without an offset, UTC"


def moment(text: str) -> datetime:
    """An aware time; a time without an offset is taken as UTC, as before offsets were
    documented, so scripts written then keep their meaning."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise typer.BadParameter(f"{text!r} is not a time: give {FORMAT}") from error
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def described(help_: str) -> str:
    """``help_`` with the time format said the same way everywhere."""
    return f"{help_} {HELP}."
