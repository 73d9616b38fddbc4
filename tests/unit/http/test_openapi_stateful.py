"""Schemathesis' stateful phase over the document's links (enrolment -> account operations,
redemption -> read, capture, cancel): every answer as documented, none a 5xx, derandomized."""

from __future__ import annotations

from typing import Any

import hypothesis
import pytest
import schemathesis

from adapters.http.auth import Role

from .conftest import bearer, two_shops
from .openapi_app import full_app

pytestmark = pytest.mark.unit

schema = schemathesis.openapi.from_asgi("/openapi.json", full_app(two_shops()))
# A rule the schema cannot say (a window's order, a cursor only the API makes, a refusal that
# depends on the balance) rightly answers 4xx to a schema-valid request.
schema.config.checks.update(excluded_check_names=["positive_data_acceptance"])


class ApiWorkflow(schema.as_state_machine()):  # type: ignore[misc]
    def get_call_kwargs(self, case: schemathesis.Case[Any]) -> dict[str, Any]:
        return {"headers": bearer(Role.ADMIN)}


def test_following_the_links_never_breaks_an_answer_the_document_promises() -> None:
    ApiWorkflow.run(
        settings=hypothesis.settings(
            max_examples=40,
            stateful_step_count=6,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
    )
