"""Exception handlers: every error, expected or not, leaves the API as problem+json."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.http.problems import ProblemError, problem_response
from domain import errors
from domain.closure import AccountClosed
from domain.devices import StaffPinLocked, StaffPinRefused
from domain.identifiers import IdentifierTaken
from domain.redeem_limits import PeriodLimitReached

log = structlog.get_logger("loyalty.http")

RETRY_AFTER_SECONDS = 1

# First match wins. A held redemption that ran out is a conflict with the redemption's
# state (409), not 410: the redemption is still there to read, only no longer capturable.
_DOMAIN_ERRORS: Sequence[tuple[type[errors.LoyaltyError], int, str]] = (
    (errors.NotFound, 404, "Not found"),
    (errors.AlreadyEnrolled, 409, "Already enrolled"),
    (IdentifierTaken, 409, "Identifier held by another account"),
    (StaffPinRefused, 403, "Staff PIN refused"),
    (StaffPinLocked, 429, "Staff PIN locked"),
    (errors.InlineEnrolmentDisabled, 422, "Enrolment at the till is off"),
    (errors.RedemptionBlocked, 422, "Redemption not possible"),
    (errors.RedemptionExpired, 409, "Redemption expired"),
    (errors.RedemptionNotHeld, 409, "Redemption not held"),
    (errors.CancelNotAllowed, 403, "Cancel not allowed"),
    (errors.IdempotencyKeyReused, 422, "Idempotency key reused"),
    (errors.ConcurrentUpdate, 409, "Busy, try again"),
    (errors.InvalidRequest, 422, "Invalid request"),
)

INTERNAL_DETAIL = "Something went wrong on our side. Please try again in a moment."


def _instance(request: Request) -> str:
    return request.url.path


async def _problem_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return problem_response(
        exc.status,
        exc.code,
        exc.detail,
        instance=_instance(request),
        title=exc.title,
        headers=exc.headers,
        **exc.extra,
    )


async def _domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, errors.LoyaltyError)
    status, title = next(
        ((status, title) for kind, status, title in _DOMAIN_ERRORS if isinstance(exc, kind)),
        (422, "Request refused"),
    )
    if exc.code == AccountClosed.code:  # a closed account refuses whatever is asked of it
        status, title = 409, "Account closed"
    extra: dict[str, Any] = {}
    headers: dict[str, str] = {}
    if isinstance(exc, errors.AlreadyEnrolled):
        extra["account_id"] = exc.account_id
        headers["Location"] = f"/v1/accounts/{exc.account_id}"
    if isinstance(exc, PeriodLimitReached):
        extra.update(limit_left=exc.use.left, resets_at=exc.use.end.isoformat())
    field = getattr(exc, "field", None)  # a refusal about one field names it, as validation does
    if field is not None:
        extra["errors"] = [{"field": field, "message": exc.detail, "type": exc.code}]
    if isinstance(exc, errors.ConcurrentUpdate):
        extra["retry_after"] = RETRY_AFTER_SECONDS
        headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return problem_response(
        status,
        exc.code,
        exc.detail,
        instance=_instance(request),
        title=title,
        headers=headers,
        **extra,
    )


def _field(location: Sequence[Any]) -> str:
    parts = [str(part) for part in location]
    if parts and parts[0] in {"body", "query", "path", "header"}:
        parts = parts[1:] or parts
    return ".".join(parts)


def _is_missing_idempotency_key(error: dict[str, Any]) -> bool:
    location = [str(part).lower() for part in error.get("loc", ())]
    return error.get("type") == "missing" and location == ["header", "idempotency-key"]


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    found = list(exc.errors())
    if any(_is_missing_idempotency_key(error) for error in found):
        # The idempotency-key draft (IETF httpapi) answers a missing key with 400.
        return problem_response(
            400,
            "idempotency_key_missing",
            "This request needs an Idempotency-Key header so a retry never takes effect twice.",
            instance=_instance(request),
        )
    fields = [
        {"field": "body", "message": "The body is not valid JSON", "type": error["type"]}
        if error["type"] == "json_invalid"
        else {"field": _field(error["loc"]), "message": error["msg"], "type": error["type"]}
        for error in found
    ]
    listed = "; ".join(f"{f['field']}: {f['message']}" for f in fields) or "the request"
    return problem_response(
        422,
        "validation_failed",
        f"Please check {listed}.",
        instance=_instance(request),
        title="Invalid input",
        errors=fields,
    )


def _allowed_methods(request: Request) -> str | None:
    """Every documented method at this path: the router names only its first matching route's."""
    methods: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern, _, _ = compile_path(template)
        if pattern.match(request.scope["path"]):
            methods |= {method.upper() for method in operations}
    return ", ".join(sorted(methods)) or None


_HTTP_ERRORS = {
    400: ("malformed_request", "The request could not be read; send a JSON body."),
    404: ("not_found", "There is nothing at this address."),
    405: ("method_not_allowed", "This address does not accept that method."),
}


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code, detail = _HTTP_ERRORS.get(exc.status_code, ("http_error", str(exc.detail)))
    headers = dict(exc.headers or {})
    allowed = _allowed_methods(request) if exc.status_code == 405 else None
    if allowed:
        headers["Allow"] = allowed
    return problem_response(
        exc.status_code, code, detail, instance=_instance(request), headers=headers
    )


class InternalErrorMiddleware:
    """Turns an unhandled exception into a 500 problem, logging it but never showing it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception:
            log.exception("http.unhandled_error", method=scope["method"], path=scope["path"])
            if started:
                raise
            response = problem_response(
                500, "internal_error", INTERNAL_DETAIL, instance=scope["path"]
            )
            await response(scope, receive, send)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _problem_error)
    app.add_exception_handler(errors.LoyaltyError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_middleware(InternalErrorMiddleware)
