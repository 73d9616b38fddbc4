"""The whole service as one process (HTTP API, consumers, relay) over real servers:
a POS flow end to end, metrics, and schemathesis fuzzing /openapi.json for 5xx answers."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.core.result import Err

from adapters.embedded.postgres import free_port
from adapters.http.auth import mint_token
from service.entrypoints.settings import Settings
from tests.support.events import encode, sale
from tests.support.kafka import eventually, produce
from tests.support.process import ServiceProcess

pytestmark = [pytest.mark.contract, pytest.mark.timeout(600)]

SECRET = "contract-secret-that-is-long-enough-32"
SHOP = "process-shop"


def headers(role: str = "cashier") -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(SECRET, SHOP, role, f'{role}-1', 'till-9')}"}


@pytest.fixture(scope="module")
def api_settings(contract_settings: Settings) -> Settings:
    # Two API processes on one port: every test here goes through both.
    update = {"http_port": free_port(), "jwt_secret": SECRET, "http_workers": 2}
    return contract_settings.model_copy(update=update)


_services: list[ServiceProcess] = []


@pytest.fixture(scope="module")
def running(api_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log: Path = tmp_path_factory.mktemp("api") / "service.log"
    service = ServiceProcess(api_settings, log, role="all")
    service.start()
    _services.append(service)
    base = f"http://127.0.0.1:{api_settings.http_port}"
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if not service.alive:
                raise AssertionError(f"the service exited:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        else:
            raise AssertionError("the service never became ready")
        yield base
    finally:
        workers = _children(service)
        assert service.stop() == 0, log.read_text()[-3000:]
        for child in workers:
            assert not Path(f"/proc/{child}").exists(), "an API worker outlived its parent"


def _children(service: ServiceProcess) -> list[int]:
    assert service.process is not None
    pid = service.process.pid
    listed = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in listed.read_text().split()] if listed.exists() else []


def _alive(pid: int) -> bool:
    try:
        # psutil ships no type hints here: its answer is Any until made a bool
        return bool(psutil.Process(pid).status() != psutil.STATUS_ZOMBIE)
    except psutil.NoSuchProcess:
        return False


def _listens_on(pid: int, port: int) -> bool:
    try:
        connections = psutil.Process(pid).net_connections(kind="tcp")
    except psutil.NoSuchProcess:  # a zombie too
        return False
    return any(c.status == psutil.CONN_LISTEN and c.laddr.port == port for c in connections)


def test_the_process_runs_a_second_api_worker_on_the_same_port(
    running: str, api_settings: Settings
) -> None:
    [service] = _services
    [child] = _children(service)
    command = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
    assert command[-4:-1] == [b"serve", b"--role", b"api"]
    # The worker is listening itself (not only started): it once died binding the port.
    deadline = time.monotonic() + 60
    while not _listens_on(child, api_settings.http_port):
        assert _alive(child), "the API worker exited"
        assert time.monotonic() < deadline, "the API worker never listened on the port"
        time.sleep(0.2)
    assert _listens_on(service.process.pid, api_settings.http_port)  # type: ignore[union-attr]
    answers = {httpx.get(f"{running}/healthz", timeout=5).status_code for _ in range(20)}
    assert answers == {200}
    assert _alive(child), "the API worker is still running"


@pytest.fixture(scope="module")
async def client(running: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=running, timeout=10) as http:
        yield http


async def test_a_till_redeems_a_hold_that_a_published_sale_then_captures(
    client: httpx.AsyncClient, api_settings: Settings
) -> None:
    s = api_settings
    programme = {"earn_rate": "1", "redemption_rate": "100"}
    assert (await client.put("/v1/program", json=programme, headers=headers("admin"))).is_success
    made = await client.post("/v1/accounts", json={"customer_id": "kim"}, headers=headers())
    account = made.json()["account_id"]
    await produce(
        s.kafka_bootstrap_servers,
        s.topic_sale_completed,
        [encode(sale(SHOP, "kim", "500.00", occurred_at=_now()))],
    )

    async def balance() -> Any:
        return (await client.get(f"/v1/accounts/{account}", headers=headers())).json()["balance"]

    await eventually(balance, lambda b: b == 500)
    held = await client.post(
        f"/v1/accounts/{account}/redemptions",
        json={"points": 300, "hold": True},
        headers={**headers(), "Idempotency-Key": "till-9-1"},
    )
    redemption = held.json()["redemption_id"]
    settled = sale(SHOP, "kim", "20.00", occurred_at=_now(), loyalty_redemption_id=redemption)
    await produce(s.kafka_bootstrap_servers, s.topic_sale_completed, [encode(settled)])

    await eventually(balance, lambda b: b == 500 - 300 + 20)
    status = (await client.get(f"/v1/redemptions/{redemption}", headers=headers())).json()
    assert status["status"] == "captured"
    # Each API worker answers /metrics for itself (see the README's Scaling): the consumer's
    # figures come from the process that runs the consumers, reached on a fresh connection.
    applied = f'loyalty_events_total{{outcome="applied",topic="{s.topic_sale_completed}"}}'
    seen = [await _metrics_on_a_new_connection(client) for _ in range(40)]
    [metrics, *_] = [m for m in seen if applied in m]
    assert "loyalty_outbox_lag_seconds" in metrics and "loyalty_batch_duration_seconds" in metrics
    assert any(applied not in m for m in seen), "the API worker answers too"


async def _metrics_on_a_new_connection(client: httpx.AsyncClient) -> str:
    async with httpx.AsyncClient(base_url=client.base_url, timeout=10) as fresh:
        return (await fresh.get("/metrics")).text


def _now() -> str:
    from datetime import UTC, datetime

    return datetime.now(UTC).isoformat()


def test_fuzzing_every_operation_against_the_real_service_never_gets_a_server_error(
    running: str,
) -> None:
    admin = headers("admin")
    httpx.put(
        f"{running}/v1/program",
        json={"earn_rate": "1", "redemption_rate": "100"},
        headers=admin,
        timeout=10,
    )
    seeded = httpx.post(
        f"{running}/v1/accounts", json={"customer_id": "fuzz-target"}, headers=admin, timeout=10
    )
    account = seeded.json().get("account_id") or seeded.json()["account_id"]
    schema = schemathesis.openapi.from_url(f"{running}/openapi.json")
    schema.config.update(parameters={"account_id": account})
    server_errors: list[str] = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):
            raise result.err()
        operation = result.ok()

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=25,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: schemathesis.Case[Any]) -> None:
            response = case.call(base_url=running, headers=admin, timeout=10)
            if response.status_code >= 500:
                server_errors.append(f"{case.method} {case.path}: {response.text}")

        call()
    assert server_errors == []
