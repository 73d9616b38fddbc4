"""A ``loyalty serve --role consumer`` process, as Kubernetes and compose run it: no API, but
/healthz, /readyz and /metrics on its management port, ready once PostgreSQL and the broker
answer and its consumer has started."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from adapters.embedded.postgres import free_port
from service.entrypoints.settings import Settings
from tests.support.process import ServiceProcess

pytestmark = [pytest.mark.contract, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def consumer_settings(contract_settings: Settings) -> Settings:
    update = {"management_port": free_port(), "http_port": free_port()}
    return contract_settings.model_copy(update=update)


@pytest.fixture(scope="module")
def management(
    consumer_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    log: Path = tmp_path_factory.mktemp("consumer") / "service.log"
    service = ServiceProcess(consumer_settings, log, role="consumer")
    service.start()
    base = f"http://127.0.0.1:{consumer_settings.management_port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert service.alive, f"the consumer exited:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"never ready:\n{log.read_text()[-3000:]}"
            time.sleep(0.2)
        yield base
    finally:
        assert service.stop() == 0, log.read_text()[-3000:]


def test_the_consumer_process_is_alive_on_its_management_port(management: str) -> None:
    alive = httpx.get(f"{management}/healthz", timeout=5)
    assert alive.status_code == 200
    assert alive.json()["checks"] == {
        "outbox-relay": True,
        "expiry-sweep": True,
        "level-review": True,
        "webhook-worker": True,
    }


def test_the_consumer_process_is_ready_when_postgresql_the_broker_and_its_loops_are(
    management: str,
) -> None:
    ready = httpx.get(f"{management}/readyz", timeout=5)
    assert ready.json() == {
        "status": "ready",
        "checks": {
            "database": True,
            "broker": True,
            "consumer": True,
            "outbox-relay": True,
            "expiry-sweep": True,
            "level-review": True,
            "webhook-worker": True,
        },
    }


def test_the_consumer_process_serves_its_metrics_on_the_management_port(management: str) -> None:
    metrics = httpx.get(f"{management}/metrics", timeout=5)
    assert metrics.status_code == 200
    assert "# TYPE loyalty_events_total counter" in metrics.text
    assert "loyalty_batch_duration_seconds" in metrics.text
    assert "process_cpu_seconds_total" in metrics.text


def test_the_consumer_process_serves_no_api(management: str, consumer_settings: Settings) -> None:
    with (
        pytest.raises(OSError),
        socket.create_connection(("127.0.0.1", consumer_settings.http_port), timeout=2),
    ):
        pass
    assert httpx.get(f"{management}/v1/program", timeout=5).status_code == 404
