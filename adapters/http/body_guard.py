"""The API's gate, before any route: the bearer token first, then a body of bounded size.

FastAPI reads and parses a whole body before it runs the dependency that checks the token,
so a caller without a token could make the process hold any body it liked (a body cost more than
its size before the 401). This pure ASGI middleware answers 401 before a byte of the body is
received, and reads an authenticated body only up to ``max_body_bytes`` (413 beyond it).
The route's own dependency still checks the role; the token is verified once (remembered).
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from adapters.http.auth import AuthSettings, unauthenticated, verify_token
from adapters.http.problems import ProblemError, problem_response

PROTECTED_PREFIX = "/v1/"
BODILESS_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
DEFAULT_MAX_BODY_BYTES = 64 * 1024


def _too_large(limit: int) -> ProblemError:
    return ProblemError(
        413,
        "body_too_large",
        f"The request body is larger than this API accepts ({limit} bytes).",
    )


def _declared_length(headers: Headers) -> int | None:
    try:
        return int(headers["content-length"])
    except (KeyError, ValueError):
        return None


def _guarded(scope: Scope) -> bool:
    """A request to the API that may carry a body. The others are left to the routes, so an
    unknown address still answers 404 and a GET's token is checked by its route alone."""
    return (
        scope["type"] == "http"
        and scope["method"] not in BODILESS_METHODS
        and str(scope["path"]).startswith(PROTECTED_PREFIX)
    )


class BodyGuard:
    """Refuses, on the API's paths, a request without a valid bearer token (401) before
    its body is read, and a body longer than ``max_body_bytes`` (413)."""

    def __init__(
        self,
        app: ASGIApp,
        auth: AuthSettings,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    ) -> None:
        self.app = app
        self._auth = auth
        self._limit = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not _guarded(scope):
            await self.app(scope, receive, send)
            return
        try:
            self._authenticate(Headers(scope=scope))
            replay = await self._read_body(Headers(scope=scope), receive)
        except ProblemError as refusal:
            response = problem_response(
                refusal.status,
                refusal.code,
                refusal.detail,
                instance=scope["path"],
                headers=refusal.headers,
            )
            await response(scope, receive, send)
            return
        await self.app(scope, replay, send)

    def _authenticate(self, headers: Headers) -> None:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise unauthenticated("authentication_required", "Please sign in to continue.")
        verify_token(token.strip(), self._auth)

    async def _read_body(self, headers: Headers, receive: Receive) -> Receive:
        """The body, read whole (it is small) and handed to the app as one message."""
        declared = _declared_length(headers)
        if declared is not None and declared > self._limit:
            raise _too_large(self._limit)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return _replaying(message, receive)  # the client went away
            chunk: bytes = message.get("body", b"")
            size += len(chunk)
            if size > self._limit:
                raise _too_large(self._limit)
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        whole: Message = {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        return _replaying(whole, receive)


def _replaying(first: Message, receive: Receive) -> Receive:
    """``first``, then whatever ``receive`` says next (a disconnect)."""
    pending = [first]

    async def replay() -> Message:
        return pending.pop() if pending else await receive()

    return replay
