"""The whole service as one process (HTTP API, consumers, relay) over real servers:
a POS flow end to end, metrics (every request and every event in one scrape), and
schemathesis fuzzing /openapi.json for 5xx answers."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
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
    update = {"http_port": free_port(), "jwt_secret": SECRET}
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
        assert service.stop() == 0, log.read_text()[-3000:]


def test_the_process_serves_the_api_alone_with_no_worker_processes(running: str) -> None:
    # LOYALTY_HTTP_WORKERS is gone: more API processes are more replicas (README "Scaling").
    [service] = _services
    assert service.process is not None
    pid = service.process.pid
    assert Path(f"/proc/{pid}/task/{pid}/children").read_text().split() == []
    assert "http_workers" not in Settings.model_fields


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
    # One process answers /metrics on every connection: the consumer's figures and the
    # requests it served are in every scrape.
    applied = f'loyalty_events_total{{outcome="applied",topic="{s.topic_sale_completed}"}}'
    for _ in range(3):
        async with httpx.AsyncClient(base_url=client.base_url, timeout=10) as fresh:
            metrics = (await fresh.get("/metrics")).text
        assert applied in metrics and "loyalty_outbox_lag_seconds" in metrics
        assert "loyalty_http_requests_total" in metrics


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
