"""Running the service: serve (by role), dev (everything on embedded servers), migrate, and
two tools for trying it: token and publish."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer

from adapters.http.auth import Role as TokenRole
from service.entrypoints.cli_json import AsJson
from service.entrypoints.containers import container_for
from service.entrypoints.logging import configure_logging
from service.entrypoints.runtime import Role
from service.entrypoints.serving import from_environment, serve_until_signalled
from service.entrypoints.settings import Settings


def dev(
    kafka_port: Annotated[int, typer.Option(help="Port of the embedded broker.")] = 9092,
    postgres_port: Annotated[int, typer.Option(help="Port of the embedded PostgreSQL.")] = 55432,
    http_port: Annotated[int, typer.Option(help="Port of the HTTP API.")] = 8080,
) -> None:
    """Start embedded PostgreSQL and Kafka (unless configured), migrate, and serve."""
    from service.entrypoints.dev import DevOptions, embedded_services, how_to_try_it, prepare

    options = DevOptions(kafka_port=kafka_port, postgres_port=postgres_port, http_port=http_port)
    with embedded_services(options) as settings:
        configure_logging(settings.log_format, settings.log_level, role=Role.ALL.value)
        prepare(settings)
        typer.echo(how_to_try_it(settings))
        asyncio.run(serve_until_signalled(container_for(settings, Role.ALL)))


def serve(
    role: Annotated[Role, typer.Option(help="What this process runs.")] = Role.ALL,
) -> None:
    """Run the consumers, outbox relay and HTTP API (by role) until SIGINT or SIGTERM."""
    asyncio.run(serve_until_signalled(from_environment(role)))


def token(
    business: Annotated[str, typer.Option(help="The business the token acts for.")],
    role: Annotated[TokenRole, typer.Option(help="What the bearer may do.")] = TokenRole.CASHIER,
    terminal: Annotated[str | None, typer.Option(help="A paired POS terminal.")] = None,
    store: Annotated[str | None, typer.Option(help="The store of the terminal.")] = None,
    subject: Annotated[str, typer.Option(help="Who acts (the sub claim).")] = "dev-user",
    ttl: Annotated[
        int | None,
        typer.Option(help="Seconds the token is valid (default 8 h, or the maximum lifetime)."),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Mint an HS256 bearer token with LOYALTY_JWT_SECRET (development), with the audience,
    issuer and lifetime the API is configured to demand."""
    from adapters.http.auth import mint_token

    settings = Settings()
    if not settings.jwt_secret:
        typer.echo("LOYALTY_JWT_SECRET is not set (loyalty dev sets it for you)", err=True)
        raise typer.Exit(1)
    longest = settings.jwt_max_lifetime_seconds
    if ttl is not None and longest is not None and ttl > longest:
        typer.echo(f"--ttl {ttl} exceeds LOYALTY_JWT_MAX_LIFETIME_SECONDS ({longest})", err=True)
        raise typer.Exit(2)
    seconds = ttl if ttl is not None else min(8 * 3600, longest or 8 * 3600)
    token = mint_token(
        settings.jwt_secret,
        business,
        role,
        subject,
        terminal,
        store,
        seconds,
        audience=settings.jwt_audience,
        issuer=settings.jwt_issuer,
    )
    typer.echo(json.dumps({"token": token, "expires_in": seconds}) if as_json else token)


def migrate(as_json: AsJson = False) -> None:
    """Apply pending database migrations."""
    from adapters.postgres.migrations import apply_migrations

    applied = apply_migrations(Settings().database_url)
    if as_json:
        typer.echo(json.dumps({"applied": list(applied)}))
        return
    typer.echo(f"applied: {', '.join(applied)}" if applied else "database is up to date")


def publish(
    topic: str,
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False)],
    key: Annotated[str | None, typer.Option(help="Message key.")] = None,
    as_json: AsJson = False,
) -> None:
    """Publish a file to a topic: as is, or each element when it holds a JSON array."""
    from adapters.kafka.raw_producer import publish_raw

    raw = file.read_bytes()
    try:
        document = json.loads(raw, parse_float=Decimal)
    except ValueError:
        document = None  # not JSON: sent as is, to see the dead-letter topic at work
    if isinstance(document, list):
        payloads = [json.dumps(item, default=str).encode() for item in document]
    else:
        payloads = [raw.strip()]
    settings = Settings()
    servers, security = settings.kafka_bootstrap_servers, settings.kafka_security()
    asyncio.run(publish_raw(servers, topic, payloads, key, security))
    if as_json:
        typer.echo(json.dumps({"published": len(payloads), "topic": topic}))
    else:
        typer.echo(f"published {len(payloads)} message(s) to {topic}")
