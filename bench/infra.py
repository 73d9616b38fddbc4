"""The database and broker a run measures against: embedded ones, or the environment's."""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from adapters.embedded.postgres import EmbeddedPostgres, free_port
from adapters.embedded.tansu import EmbeddedTansu
from adapters.kafka.topics import ensure_topics
from service.entrypoints.settings import Settings
from tests.support.settings import fresh_database, isolated_settings

PARTITIONS = 6
_numbers = itertools.count()


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


def database_name(servers: Servers, label: str) -> str:
    """A name no other measurement of this bench uses."""
    return f"bench_{servers.run_id}_{label}_{next(_numbers)}"


async def fresh_settings(
    servers: Servers, label: str, template: str | None = None, **overrides: object
) -> Settings:
    """A new migrated database (a copy of ``template`` when given) and a new set of topics
    (6 partitions) for one measurement."""
    name = database_name(servers, label)
    url = await fresh_database(servers.admin_url, name, template)
    prefix = f"b{name.removeprefix('bench_').replace('_', '-')}-"
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
