"""Schemathesis over /openapi.json: no 5xx, and every answer as documented.

The schema is loaded at import with ``schema.parametrize()``: this schemathesis'
``from_fixture`` reads a pytest internal (``node._nodeid``) that pytest 9 no longer has.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import schemathesis
from schemathesis import APIOperation, Case

from adapters.http.auth import Role

from .conftest import SHOP, bearer, two_shops
from .openapi_checks import every_check

pytestmark = pytest.mark.unit


shop = two_shops()
account = asyncio.run(shop.seed(SHOP, "c-1", 1_000_000))
app = shop.app()

schema = schemathesis.openapi.from_asgi("/openapi.json", app)
# An existing account, so the fuzzer gets past 404 into previews, redemptions and history.
schema.config.update(parameters={"account_id": str(account)})
schema.config.generation.update(max_examples=20, database="none")
# Every check, positive_data_acceptance too: a schema-valid request may be refused by a rule of
# the domain (a window's order, too few points), never as invalid (see openapi_checks).
every_check(schema)


@schema.parametrize()
def test_no_operation_answers_with_a_server_error(
    case: Case[APIOperation[Any, Any, Any, Any]],
) -> None:
    case.call_and_validate(headers=bearer(Role.ADMIN))
