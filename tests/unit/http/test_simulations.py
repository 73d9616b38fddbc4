"""POST /v1/simulations: a manager's what-if, answered with the report when the run is done."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import httpx
import pytest

from adapters.http.app import create_http_app
from adapters.http.auth import AuthSettings, Role
from domain.commands import SetProgramme
from domain.simulation_report import LedgerTotals, SimulationReport, compare
from ports.operations import LoyaltyOperations
from tests.fakes.health import FakeHealth
from tests.unit.http.conftest import SECRET, SHOP, bearer

pytestmark = pytest.mark.unit

BODY = {
    "programme": {"earn_rate": "2", "redemption_rate": "100"},
    "from": "2026-03-01T00:00:00Z",
    "to": "2026-06-01T00:00:00Z",
}


class FakeRunner:
    def __init__(self) -> None:
        self.asked: list[tuple[str, SetProgramme, datetime, datetime, int]] = []

    async def __call__(
        self, business_id: str, proposal: SetProgramme, start: datetime, end: datetime, top: int
    ) -> SimulationReport:
        self.asked.append((business_id, proposal, start, end, top))
        return compare(LedgerTotals(issued=10), LedgerTotals(issued=20))


async def post(runner: FakeRunner, body: dict[str, Any], role: Role) -> httpx.Response:
    app = create_http_app(
        cast(LoyaltyOperations, object()),
        FakeHealth(),
        AuthSettings(hs256_secret=SECRET),
        simulations=runner,
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        return await client.post("/v1/simulations", json=body, headers=bearer(role))


async def test_a_manager_gets_the_report_for_the_business_of_the_token() -> None:
    runner = FakeRunner()
    answer = await post(runner, {**BODY, "top": 3}, Role.MANAGER)
    assert answer.status_code == 200, answer.text
    assert answer.json()["totals"]["issued"] == {
        "current": 10,
        "proposed": 20,
        "difference": 10,
    }
    business, proposal, start, end, top = runner.asked[0]
    assert (business, proposal.business_id, str(proposal.earn_rate), top) == (SHOP, SHOP, "2", 3)
    assert start < end


async def test_a_cashier_cannot_start_a_simulation() -> None:
    runner = FakeRunner()
    assert (await post(runner, BODY, Role.CASHIER)).status_code == 403
    assert not runner.asked


@pytest.mark.parametrize(
    "window",
    [
        {"from": "2026-06-01T00:00:00Z", "to": "2026-03-01T00:00:00Z"},
        {"from": "2024-01-01T00:00:00Z", "to": "2026-03-01T00:00:00Z"},
        {"from": "2026-03-01T00:00:00Z", "to": "2999-03-01T00:00:00Z"},
        {"from": "2026-03-01T00:00:00", "to": "2026-06-01T00:00:00Z"},
    ],
)
async def test_a_window_backwards_too_long_in_the_future_or_without_offset_is_refused(
    window: dict[str, str],
) -> None:
    runner = FakeRunner()
    assert (await post(runner, {**BODY, **window}, Role.MANAGER)).status_code == 422
    assert not runner.asked
