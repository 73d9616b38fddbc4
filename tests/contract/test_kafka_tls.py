"""Kafka over TLS for real: a TLS terminator (mutual TLS, certificates made by the test) in
front of a Tansu broker that advertises the terminator, and the service speaking only TLS to
it. A sale goes in over TLS, the consumer process applies it, its ledger entry is published
and read back over TLS; clients without the CA or without TLS get nothing."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from aiokafka.errors import KafkaConnectionError

from adapters.embedded.postgres import free_port
from adapters.embedded.tansu import EmbeddedTansu
from adapters.kafka.raw_producer import publish_raw
from adapters.kafka.security import PLAINTEXT, KafkaSecurity
from adapters.kafka.topic_reader import KafkaTopicReader, TopicRange
from adapters.kafka.topics import ensure_topics
from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from service.entrypoints.settings import Settings
from tests.integration.conftest import given_customer, given_programme
from tests.integration.ledger_queries import balance
from tests.support.certificates import KEY_PASSWORD, Certificates, make_certificates
from tests.support.events import encode, sale
from tests.support.kafka import eventually
from tests.support.process import ServiceProcess
from tests.support.settings import isolated_settings
from tests.support.tls_terminator import TlsTerminator

pytestmark = [pytest.mark.contract, pytest.mark.timeout(300)]

SHOP = "tls-shop"


@pytest.fixture(scope="module")
def certs(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def terminator(
    certs: Certificates, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TlsTerminator]:
    """Tansu behind the terminator: metadata names the terminator, so no client ever learns
    the plaintext address."""
    tls_port, broker_port = free_port(), free_port()
    log = tmp_path_factory.mktemp("tansu") / "tansu.log"
    broker = EmbeddedTansu(broker_port, log_file=log, advertised_url=f"tcp://127.0.0.1:{tls_port}")
    broker.start()
    terminator = TlsTerminator(tls_port, broker_port, certs.server_cert, certs.server_key, certs.ca)
    terminator.start()
    try:
        yield terminator
    finally:
        terminator.stop()
        broker.stop()


@pytest.fixture(scope="module")
def tls_bootstrap(terminator: TlsTerminator) -> str:
    return f"127.0.0.1:{terminator.port}"


def tls_settings(database_url: str, bootstrap: str, certs: Certificates) -> Settings:
    return isolated_settings(
        "tls-",
        database_url,
        bootstrap,
        kafka_security_protocol="SSL",
        kafka_ssl_ca_file=str(certs.ca),
        kafka_ssl_cert_file=str(certs.client_cert),
        kafka_ssl_key_file=str(certs.client_key),
        kafka_ssl_key_password=KEY_PASSWORD,
        management_port=free_port(),
        outbox_idle_seconds=0.05,
        log_format="console",
    )


async def test_a_sale_flows_through_the_service_over_tls_from_topic_to_ledger_topic(
    database_url: str,
    pool: asyncpg.Pool,
    terminator: TlsTerminator,
    tls_bootstrap: str,
    certs: Certificates,
    tmp_path: Path,
) -> None:
    settings = tls_settings(database_url, tls_bootstrap, certs)
    security = settings.kafka_security()
    await ensure_topics(tls_bootstrap, settings.all_topics(), 1, security)  # admin over TLS
    uow_factory = PostgresUnitOfWorkFactory(pool)
    await given_programme(uow_factory, SHOP, earn_rate="1")
    await given_customer(uow_factory, SHOP, "ann")
    log = tmp_path / "consumer.log"
    consumer = ServiceProcess(settings, log, role="consumer")  # TLS settings from its env
    consumer.start()
    try:
        _wait_ready(f"http://127.0.0.1:{settings.management_port}/readyz", consumer, log)

        bought = sale(SHOP, "ann", "42.00")
        await publish_raw(
            tls_bootstrap, settings.topic_sale_completed, [encode(bought)], security=security
        )
        await eventually(lambda: balance(pool, SHOP, "ann"), lambda b: b == 42)

        published = await _ledger_messages(tls_bootstrap, settings.topic_ledger, security)
        earns = [m for m in published if m["kind"] == "earn"]
        assert [(m["points"], m["source_ref"]) for m in earns] == [(42, bought["sale_id"])]
        # Here, not in the fixture's teardown: xdist may give another worker only the tests
        # of clients refused, whose module fixture then never sees the service.
        assert "loyalty-service" in terminator.client_names, "no client came through over TLS"
    finally:
        assert consumer.stop() == 0, log.read_text()[-3000:]


@pytest.mark.parametrize(
    "client",
    [PLAINTEXT, KafkaSecurity(protocol="SSL")],
    ids=["plaintext", "tls-without-the-ca"],
)
async def test_a_client_without_tls_or_without_the_ca_gets_nothing_from_the_listener(
    tls_bootstrap: str, client: KafkaSecurity
) -> None:
    with pytest.raises(KafkaConnectionError):
        await publish_raw(tls_bootstrap, "tls-refused", [b"{}"], security=client)


async def _ledger_messages(
    bootstrap: str, topic: str, security: KafkaSecurity
) -> list[dict[str, object]]:
    reader = KafkaTopicReader(bootstrap, security=security)
    found: list[dict[str, object]] = []
    async for batch in reader.batches(TopicRange(topic)):
        found.extend(json.loads(record.value) for record in batch)
    return found


def _wait_ready(url: str, process: ServiceProcess, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert process.alive, f"the consumer exited:\n{log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"never ready over TLS:\n{log.read_text()[-3000:]}"
        time.sleep(0.2)
