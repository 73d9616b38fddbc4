"""POST /v1/simulations is served only where LOYALTY_SIMULATIONS_API turns it on: each request
makes two databases, so a deployment (and the API's fuzz test) never starts one unasked."""

from __future__ import annotations

import httpx
import pytest
from dependency_injector import providers

from adapters.http.auth import Role as TokenRole
from service.entrypoints.containers import container_for
from service.entrypoints.resources import opened
from service.entrypoints.runtime import Role
from service.entrypoints.settings import Settings
from service.entrypoints.simulations import SimulationRunner
from tests.unit.http.conftest import SECRET, bearer
from tests.unit.http.test_simulations import BODY, FakeRunner

pytestmark = pytest.mark.unit


async def answer_of(runner: FakeRunner, *, simulations_api: bool = False) -> httpx.Response:
    # mypy sees only the fields in Settings' signature, not pydantic-settings' _env_file
    chosen = Settings(  # type: ignore[call-arg]
        _env_file=None, jwt_secret=SECRET, simulations_api=simulations_api
    )
    container = container_for(chosen, Role.API)
    container.pool.override(providers.Object(object()))  # nothing here queries it
    container.simulation_runner.override(providers.Object(runner))
    async with opened(container):
        transport = httpx.ASGITransport(app=container.http_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.post(
                "/v1/simulations", json=BODY, headers=bearer(TokenRole.MANAGER)
            )


async def test_with_the_setting_on_a_manager_gets_the_runners_report() -> None:
    runner = FakeRunner()
    answer = await answer_of(runner, simulations_api=True)
    assert answer.status_code == 200, answer.text
    assert answer.json()["totals"]["issued"]["difference"] == 10
    assert len(runner.asked) == 1


async def test_by_default_the_route_is_not_there_and_nothing_is_run() -> None:
    runner = FakeRunner()
    assert (await answer_of(runner)).status_code == 404
    assert not runner.asked


def test_the_setting_builds_the_real_runner_only_when_on() -> None:
    on = container_for(Settings(_env_file=None, simulations_api=True))  # type: ignore[call-arg]
    off = container_for(Settings(_env_file=None))  # type: ignore[call-arg]
    assert isinstance(on.simulations(), SimulationRunner)
    assert off.simulations() is None
