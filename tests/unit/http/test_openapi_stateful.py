"""Schemathesis' stateful phase over the document's links (enrolment -> account operations,
redemption -> read, capture, cancel), with every check: no answer breaks what the document
promises, and the run really reaches the redemption logic through the links: it makes
redemptions on accounts it enrolled. Whether it then follows a redemption's links to capture
and cancel it depends on more than the seed: alone in a pytest process it reaches both every
time, inside the whole suite or a bare interpreter it reached no capture, so that is not
asserted here (issue 17 stays open on it).

Each scenario starts from a fresh in-memory world whose programmes enrol inline and give a
large welcome bonus, so an enrolment the machine makes can redeem at once. The machine runs
the account and redemption operations only: with all 35 operations its steps were spent on
devices and rewards and no capture or cancel was ever reached (the stateless fuzz test covers
every operation).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from adapters.http.auth import Role
from domain.programme_limits import MAX_POINTS
from tests.fakes import FakeStore

from .conftest import OTHER_SHOP, SHOP, Shop, a_programme, bearer
from .openapi_app import full_app
from .openapi_checks import every_check

pytestmark = pytest.mark.unit

LINKED = [
    "enrolCustomer",
    "readAccount",
    "suspendAccount",
    "previewRedemption",
    "redeemPoints",
    "readRedemption",
    "captureRedemption",
    "cancelRedemption",
    "listTransactions",
    "adjustAccount",
]


def a_world() -> Shop:
    programmes = {
        business: a_programme(business, inline_enrolment=True, welcome_bonus=MAX_POINTS)
        for business in (SHOP, OTHER_SHOP)
    }
    return Shop(FakeStore(programmes=programmes))


class FreshWorld:
    """The ASGI app schemathesis calls; ``renew`` swaps in a new world for each scenario,
    so one scenario's enrolments never make the next one's 409s (and flaky draws)."""

    def __init__(self) -> None:
        self.renew()

    def renew(self) -> None:
        self.shop = a_world()
        self.app: FastAPI = full_app(self.shop)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


world = FreshWorld()
schema = schemathesis.openapi.from_asgi("/openapi.json", world).include(operation_id=LINKED)
every_check(schema)
answered: Counter[tuple[str, int]] = Counter()


class ApiWorkflow(schema.as_state_machine()):  # type: ignore[misc]
    def setup(self) -> None:
        world.renew()

    def get_call_kwargs(self, case: schemathesis.Case[Any]) -> dict[str, Any]:
        return {"headers": bearer(Role.ADMIN)}

    def after_call(self, response: Any, case: schemathesis.Case[Any]) -> None:
        answered[(str(case.operation.definition.raw["operationId"]), response.status_code)] += 1


def test_following_the_links_keeps_every_promise_and_makes_redemptions() -> None:
    answered.clear()
    ApiWorkflow.run(
        settings=hypothesis.settings(
            max_examples=60,
            stateful_step_count=10,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )
    # Every world starts without accounts: a redemption made is on one the run enrolled.
    assert answered[("enrolCustomer", 201)] > 0
    assert answered[("redeemPoints", 201)] > 0
