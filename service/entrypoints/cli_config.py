"""``loyalty config``: the effective settings, secrets redacted, and where each came from."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit, urlunsplit

import typer
from dotenv import dotenv_values
from pydantic import SecretStr

from service.entrypoints.settings import DEV_ENV_FILE, Settings

REDACTED = "**********"
# Not SecretStr (the service reads them as plain text) but secrets all the same.
PLAIN_SECRETS = frozenset({"jwt_secret"})


def _url_without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    user = f"{parts.username}:{REDACTED}@" if parts.username else f":{REDACTED}@"
    port = f":{parts.port}" if parts.port else ""
    return urlunsplit(parts._replace(netloc=f"{user}{host}{port}"))


def shown_value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, SecretStr) or name in PLAIN_SECRETS:
        return REDACTED
    if name == "database_url":
        return _url_without_password(str(value))
    return value if isinstance(value, bool | int | float | str) else str(value)


def sources(env_file: Path) -> dict[str, str]:
    """Where each setting came from, as pydantic-settings ranks them: the environment over
    the .env file over the default (names are case-insensitive, as it reads them)."""
    environment = {k.lower() for k in os.environ}
    in_file = {k.lower() for k in dotenv_values(env_file)} if env_file.is_file() else set()
    found = {}
    for name in Settings.model_fields:
        key = f"loyalty_{name}"
        found[name] = (
            "environment"
            if key in environment
            else f".env file ({env_file})"
            if key in in_file
            else "default"
        )
    return found


def config(
    as_json: Annotated[
        bool, typer.Option("--json", help='One JSON object: {"NAME": {"value", "source", "env"}}.')
    ] = False,
) -> None:
    """The effective settings (secrets redacted) and where each came from: default,
    environment or the .env file."""
    settings = Settings()
    origin = sources(Path(DEV_ENV_FILE))
    rows = {
        name: {
            "value": shown_value(name, getattr(settings, name)),
            "source": origin[name],
            "env": f"LOYALTY_{name.upper()}",
        }
        for name in Settings.model_fields
    }
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    width = max(len(row["env"]) for row in rows.values())
    for row in rows.values():
        value = "-" if row["value"] is None else row["value"]
        typer.echo(f"{row['env']:<{width}}  {value}  ({row['source']})")
