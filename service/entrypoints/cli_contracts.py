"""``loyalty contracts validate``: the service's own parser, offline, over message files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from adapters.kafka.parsing import Rejection, parse_intake
from adapters.phone_numbers import known_region
from domain.events import EventKind
from service.entrypoints.cli_operator import contracts_app
from service.entrypoints.settings import Settings


def _messages(path: Path) -> list[tuple[int, bytes]]:
    """One message if the file is one JSON value, else one per non-blank line (JSON lines)."""
    raw = path.read_bytes()
    try:
        json.loads(raw)
    except ValueError:
        lines = raw.splitlines()
        return [(n, line) for n, line in enumerate(lines, 1) if line.strip()] or [(1, raw)]
    return [(1, raw)]


@contracts_app.command("validate")
def contracts_validate(
    topic: Annotated[str, typer.Argument(help="An inbound topic: " + ", ".join(EventKind))],
    files: Annotated[list[Path], typer.Argument(help="JSON files, or JSON lines files.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON document.")] = False,
    phone_region: Annotated[
        str | None,
        typer.Option(
            help="Country of phone numbers without +prefix (default LOYALTY_PHONE_REGION, as"
            " the consumer reads them)."
        ),
    ] = None,
) -> None:
    """Run the service's parser on each message: accepted, or why not. Exit 0 when all are
    accepted, 1 when some are rejected, 2 on usage (unknown topic, unreadable file, a region
    without phone numbers)."""
    if topic not in set(EventKind):
        typer.echo(f"{topic} is not an inbound topic: {', '.join(EventKind)}", err=True)
        raise typer.Exit(2)
    try:
        region = known_region(phone_region or Settings().phone_region)
    except ValueError as error:
        typer.echo(str(error), err=True)
        raise typer.Exit(2) from None
    results: list[dict[str, Any]] = []
    for path in files:
        try:
            messages = _messages(path)
        except OSError as error:
            typer.echo(f"{path}: {error.strerror or error}", err=True)
            raise typer.Exit(2) from None
        for line, raw in messages:
            outcome = parse_intake(EventKind(topic), raw, region)
            refused = outcome if isinstance(outcome, Rejection) else None
            results.append(
                {
                    "file": str(path),
                    "line": line,
                    "accepted": refused is None,
                    "code": refused.code if refused else None,
                    "detail": refused.detail if refused else None,
                }
            )
    rejected = sum(not r["accepted"] for r in results)
    if as_json:
        summary = {"topic": topic, "accepted": len(results) - rejected, "rejected": rejected}
        typer.echo(json.dumps({**summary, "messages": results}))
    else:
        for r in results:
            verdict = "accepted" if r["accepted"] else f"rejected: {r['code']}: {r['detail']}"
            typer.echo(f"{r['file']}:{r['line']}: {verdict}")
    raise typer.Exit(1 if rejected else 0)
