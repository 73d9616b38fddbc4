"""An API process (``loyalty serve --role api``) with no Kafka broker reachable at all: it
starts, is ready (PostgreSQL answers) and redeems, so a broker outage never takes redemption
out of rotation."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from adapters.embedded.postgres import free_port
from adapters.http.auth import mint_token
from service.entrypoints.settings import Settings
from tests.support.process import ServiceProcess

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

SECRET = "api-role-secret-that-is-long-enough-32"


def bearer(role: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint_token(SECRET, 'kafka-less-shop', role, role, 't')}"}


def test_an_api_process_with_no_broker_reachable_is_ready_and_redeems(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        database_url=database_url,
        kafka_bootstrap_servers=f"127.0.0.1:{free_port()}",  # nothing listens there
        http_port=free_port(),
        management_port=0,
        jwt_secret=SECRET,
    )
    log = tmp_path / "api.log"
    service = ServiceProcess(settings, log, role="api")
    service.start()
    base = f"http://127.0.0.1:{settings.http_port}"
    try:
        ready = _first_answer(f"{base}/readyz", service, log)
        assert (ready.status_code, ready.json()) == (
            200,
            {"status": "ready", "checks": {"database": True}},
        )
        with httpx.Client(base_url=base, timeout=10) as api:
            programme = {"earn_rate": "1", "redemption_rate": "100", "welcome_bonus": 500}
            assert api.put("/v1/program", json=programme, headers=bearer("admin")).is_success
            enrolled = api.post(
                "/v1/accounts", json={"customer_id": "kim"}, headers=bearer("cashier")
            )
            account = enrolled.json()["account_id"]
            redeemed = api.post(
                f"/v1/accounts/{account}/redemptions",
                json={"points": 200},
                headers={**bearer("cashier"), "Idempotency-Key": "no-kafka-1"},
            )
            assert redeemed.status_code == 201, redeemed.text
            assert (
                api.get(f"/v1/accounts/{account}", headers=bearer("cashier")).json()["balance"]
                == 300
            )
    finally:
        assert service.stop() == 0, log.read_text()[-3000:]


def _first_answer(url: str, service: ServiceProcess, log: Path) -> httpx.Response:
    deadline = time.monotonic() + 60
    while True:
        try:
            return httpx.get(url, timeout=2)
        except httpx.HTTPError:
            pass
        assert service.alive, f"the API process exited:\n{log.read_text()[-3000:]}"
        assert time.monotonic() < deadline, f"never answered:\n{log.read_text()[-3000:]}"
        time.sleep(0.2)
