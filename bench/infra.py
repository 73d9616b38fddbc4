"""The database and broker a run measures against: embedded ones, or the environment's."""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from adapters.embedded.postgres import EmbeddedPostgres, free_port
from adapters.embedded.tansu import EmbeddedTansu
from adapters.kafka.topics import ensure_topics
from adapters.postgres.migrations import apply_migrations
from bench.support import isolated_settings
from service.entrypoints.settings import Settings

PARTITIONS = 6
_numbers = itertools.count()


def _with_database(url: str, database: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{database}"))


@dataclass(frozen=True)
class Servers:
    admin_url: str
    bootstrap: str
    work_dir: Path
    run_id: str


@contextmanager
def servers() -> Iterator[Servers]:
    """Embedded PostgreSQL and Tansu on free ports unless LOYALTY_BENCH_* name real ones."""
    db_url = os.environ.get("LOYALTY_BENCH_DATABASE_URL")
    bootstrap = os.environ.get("LOYALTY_BENCH_KAFKA_BOOTSTRAP_SERVERS")
    run_id = f"{os.getpid()}"
    with tempfile.TemporaryDirectory(prefix="loyalty-bench-") as tmp:
        work = Path(tmp)
        pg = None if db_url else EmbeddedPostgres(work / "pgdata", free_port())
        broker = None if bootstrap else EmbeddedTansu(free_port(), log_file=work / "tansu.log")
        try:
            if pg is not None:
                pg.start()
                db_url = pg.url
            if broker is not None:
                broker.start()
                bootstrap = broker.bootstrap_servers
            assert db_url and bootstrap
            yield Servers(db_url, bootstrap, work, run_id)
        finally:
            if broker is not None:
                broker.stop()
            if pg is not None:
                pg.stop("immediate")


async def fresh_settings(servers: Servers, label: str, **overrides: object) -> Settings:
    """A new migrated database and a new set of topics (6 partitions) for one measurement."""
    n = next(_numbers)
    name = f"bench_{servers.run_id}_{label}_{n}"
    admin = await asyncpg.connect(servers.admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = _with_database(servers.admin_url, name)
    apply_migrations(url)
    prefix = f"b{servers.run_id}-{label}-{n}-"
    settings = isolated_settings(
        prefix,
        url,
        servers.bootstrap,
        topic_partitions=PARTITIONS,
        outbox_idle_seconds=0.05,
        log_format="json",
        log_level="WARNING",
        **overrides,
    )
    await ensure_topics(servers.bootstrap, settings.all_topics(), PARTITIONS)
    return settings
