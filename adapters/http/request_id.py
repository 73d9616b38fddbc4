"""A request id on every request and one structured access line per request.

The id comes from ``X-Request-ID`` when the caller sends a usable one (so a gateway's id
follows the request through), else it is generated; it is echoed back in the response and
bound to every log line written while the request is handled.
"""

from __future__ import annotations

import re
import time
import uuid

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.http.metrics import route_template

HEADER = "x-request-id"
# A caller's id lands in our logs and our response headers: only short, plain tokens are
# taken, so no one can forge log lines or split headers with it.
_USABLE = re.compile(r"[A-Za-z0-9._:\-]{1,128}")

access_log = structlog.get_logger("loyalty.http.access")


def request_id_from(scope: Scope) -> str:
    """The caller's ``X-Request-ID`` if usable (the first one), else a new id."""
    for name, value in scope.get("headers", ()):
        if name.lower() == HEADER.encode():
            text: str = value.decode("latin-1")
            if _USABLE.fullmatch(text):
                return text
            break
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_from(scope)
        status = 500  # what the caller gets if the app raises before answering
        started = time.perf_counter()

        async def echoing_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != HEADER.encode()
                ]
                headers.append((HEADER.encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, echoing_send)
            finally:
                access_log.info(
                    "request",
                    method=scope["method"],
                    path=route_template(scope),
                    status=status,
                    duration_ms=round((time.perf_counter() - started) * 1000, 3),
                )
