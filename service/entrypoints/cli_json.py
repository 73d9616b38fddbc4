"""``--json`` means the same on every command: one machine-readable document on stdout and
nothing else there (messages and progress go to stderr)."""

from __future__ import annotations

from typing import Annotated

import typer

AsJson = Annotated[
    bool, typer.Option("--json", help="Machine-readable output (one JSON document on stdout).")
]
AlwaysJson = Annotated[
    bool, typer.Option("--json", help="Accepted for scripts: the output is JSON already.")
]
