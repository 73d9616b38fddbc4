"""RFC 9457 problem details: the one shape every error answer of the API takes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from http import HTTPStatus
from typing import Any
from uuid import UUID

from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_SCHEMA_REF = "#/components/schemas/Problem"


def problem_type(code: str) -> str:
    """A tag URI (RFC 4151) names the problem type; it is an identifier, not a page to fetch."""
    return f"tag:loyalty-points,2025:problems/{code}"


class FieldError(BaseModel):
    field: str = Field(description="Where the problem is, e.g. `points` or `Idempotency-Key`.")
    message: str
    type: str


class Problem(BaseModel):
    """An error answer (RFC 9457). Act on `code`; show `detail` to the person at the till."""

    model_config = ConfigDict(extra="allow")

    type: str
    title: str
    status: int
    detail: str
    code: str = Field(description="Stable machine-readable reason, e.g. insufficient_points.")
    instance: str | None = Field(default=None, description="The request path that failed.")
    errors: list[FieldError] | None = Field(default=None, description="Each invalid field.")
    account_id: UUID | None = Field(default=None, description="The existing account (409).")
    retry_after: int | None = Field(default=None, description="Seconds to wait before retrying.")
    checks: dict[str, bool] | None = Field(default=None, description="Readiness of each part.")


class ProblemError(Exception):
    """Raised at the edge (auth, cursors) to answer with a problem; the handler renders it."""

    def __init__(
        self,
        status: int,
        code: str,
        detail: str,
        *,
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.title = title
        self.headers = dict(headers or {})
        self.extra = extra


def problem_response(
    status: int,
    code: str,
    detail: str,
    *,
    instance: str | None = None,
    title: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": problem_type(code),
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": instance,
    }
    body.update({key: value for key, value in extra.items() if value is not None})
    return JSONResponse(
        Problem.model_validate(body).model_dump(mode="json", exclude_none=True),
        status_code=status,
        headers=dict(headers or {}),
        media_type=PROBLEM_MEDIA_TYPE,
    )


_DESCRIPTIONS = {
    400: "Malformed request: a body that is not JSON, a missing Idempotency-Key, a bad cursor.",
    401: "No token, or a bad or expired one.",
    403: "Your role may not do this.",
    404: "No such resource for your business.",
    409: "Conflicts with the current state; retry after `Retry-After` when given.",
    410: "Gone.",
    413: "The body is larger than the API accepts (LOYALTY_HTTP_MAX_BODY_BYTES).",
    422: "The request is well-formed but cannot be carried out.",
    503: "A dependency is unavailable.",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` declaring problem+json answers, so clients and fuzzers know them.

    400 (a body that cannot be read), 413 (a body too large) and 500 can answer any operation,
    so they are always there.
    """
    content = {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": PROBLEM_SCHEMA_REF}}}
    declared: dict[int | str, dict[str, Any]] = {
        status: {"description": _DESCRIPTIONS.get(status, HTTPStatus(status).phrase)}
        | {"content": content}
        for status in statuses
    }
    for always in (400, 413):
        declared.setdefault(always, {"description": _DESCRIPTIONS[always], "content": content})
    declared[500] = {"description": "Unexpected failure.", "content": content}
    return declared


def problem_schemas(ref_prefix: str = "#/components/schemas/") -> Iterable[tuple[str, Any]]:
    """The Problem model and its parts, as OpenAPI component schemas."""
    schema = Problem.model_json_schema(ref_template=ref_prefix + "{model}", mode="serialization")
    definitions = schema.pop("$defs", {})
    yield "Problem", schema
    yield from definitions.items()
