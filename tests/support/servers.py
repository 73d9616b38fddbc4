"""Real servers for the integration and contract tiers: embedded by default, or from env.

- LOYALTY_TEST_DATABASE_URL: a PostgreSQL server URL (its user may create databases).
- LOYALTY_TEST_KAFKA_BOOTSTRAP_SERVERS: a Kafka-protocol broker.
- LOYALTY_TEST_KAFKA=testcontainers: Apache Kafka in Docker via testcontainers.

A server that cannot be started fails the tests loudly; nothing is skipped.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from adapters.embedded.postgres import EmbeddedPostgres, free_port
from adapters.embedded.tansu import EmbeddedTansu


@contextmanager
def postgres_admin_url() -> Iterator[str]:
    configured = os.environ.get("LOYALTY_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    with tempfile.TemporaryDirectory(prefix="loyalty-pg-") as tmp:
        server = EmbeddedPostgres(Path(tmp) / "data", free_port())
        server.start()
        try:
            yield server.url
        finally:
            server.stop("immediate")


@contextmanager
def kafka_bootstrap_servers() -> Iterator[str]:
    configured = os.environ.get("LOYALTY_TEST_KAFKA_BOOTSTRAP_SERVERS")
    if configured:
        yield configured
        return
    if os.environ.get("LOYALTY_TEST_KAFKA") == "testcontainers":
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer() as kafka:
            yield kafka.get_bootstrap_server()
        return
    with tempfile.TemporaryDirectory(prefix="loyalty-kafka-") as tmp:
        broker = EmbeddedTansu(free_port(), log_file=Path(tmp) / "tansu.log")
        broker.start()
        try:
            yield broker.bootstrap_servers
        finally:
            broker.stop()
