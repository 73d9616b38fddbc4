"""The token is checked before a body is read, and a body has a size limit."""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from adapters.http.auth import Role
from service.entrypoints.settings import Settings

from .conftest import SHOP, Shop, bearer

pytestmark = pytest.mark.unit

CHUNK = 1024 * 1024
LIMIT = 64 * 1024


class Upload:
    """An ASGI ``receive`` that sends ``chunks`` megabytes on demand and counts what was read."""

    def __init__(self, chunks: int, chunk: bytes = b" " * CHUNK) -> None:
        self.chunks = chunks
        self.chunk = chunk
        self.read = 0

    async def __call__(self) -> dict[str, Any]:
        if self.read == self.chunks:
            return {"type": "http.disconnect"}
        self.read += 1
        return {"type": "http.request", "body": self.chunk, "more_body": self.read < self.chunks}


async def call(
    app: FastAPI, path: str, headers: dict[str, str], upload: Upload, *, length: int | None
) -> tuple[int, dict[str, Any]]:
    raw = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    raw.append((b"content-type", b"application/json"))
    if length is not None:
        raw.append((b"content-length", str(length).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": raw,
        "client": ("203.0.113.9", 51000),
        "server": ("pos.test", 80),
    }
    sent: list[MutableMapping[str, Any]] = []

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    await app(scope, upload, send)
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, json.loads(body)


@pytest.fixture
def app(shop: Shop) -> FastAPI:
    return shop.app(max_body_bytes=LIMIT)


async def redeem_path(shop: Shop) -> str:
    return f"/v1/accounts/{await shop.seed(SHOP, 'c-1', 100)}/redemptions"


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
@pytest.mark.parametrize(
    "authorization", [None, "Bearer not-a-jwt", "Basic YWxhZGRpbjpvcGVu"], ids=str
)
async def test_a_large_body_without_a_valid_token_is_refused_401_before_it_is_read(
    app: FastAPI, shop: Shop, authorization: str | None, declared: bool
) -> None:
    upload = Upload(chunks=20)
    headers = {"Authorization": authorization} if authorization else {}

    status, problem = await call(
        app, await redeem_path(shop), headers, upload, length=20 * CHUNK if declared else None
    )

    assert (status, upload.read) == (401, 0)
    assert problem["code"] in {"authentication_required", "invalid_token"}
    assert shop.uows.made == []


async def test_an_over_limit_body_with_a_token_is_413_and_read_no_further_than_the_limit(
    app: FastAPI, shop: Shop
) -> None:
    upload = Upload(chunks=20, chunk=b" " * (LIMIT // 4))

    status, problem = await call(app, await redeem_path(shop), bearer(), upload, length=None)

    assert status == 413
    assert problem["code"] == "body_too_large"
    assert upload.read == 5  # the chunk that crossed the limit, and nothing after it
    assert shop.uows.made == []


async def test_a_declared_over_limit_body_is_413_before_a_byte_is_read(
    app: FastAPI, shop: Shop
) -> None:
    upload = Upload(chunks=20)

    status, problem = await call(app, await redeem_path(shop), bearer(), upload, length=20 * CHUNK)

    assert (status, upload.read, problem["status"]) == (413, 0, 413)


async def test_a_body_within_the_limit_in_several_chunks_reaches_the_route_whole(
    app: FastAPI, shop: Shop
) -> None:
    account = await shop.seed(SHOP, "c-1", 100)
    body = json.dumps({"points": 10, "reason": "goodwill" + " " * 3000}).encode()
    transport = httpx.ASGITransport(app=app)

    async def pieces() -> Any:
        for start in range(0, len(body), 1000):
            yield body[start : start + 1000]

    async with httpx.AsyncClient(transport=transport, base_url="http://pos.test") as client:
        response = await client.post(
            f"/v1/accounts/{account}/adjustments",
            content=pieces(),
            headers={
                **bearer(Role.MANAGER),
                "Idempotency-Key": "k-1",
                "Content-Type": "application/json",
            },
        )

    assert response.status_code == 201, response.text
    assert response.json()["points"] == 10


async def test_the_probes_need_no_token_and_are_not_guarded(app: FastAPI) -> None:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://pos.test") as client:
        assert (await client.get("/healthz")).status_code == 200


def test_the_body_limit_is_a_setting_of_64_kib_by_default() -> None:
    assert Settings().http_max_body_bytes == 64 * 1024
    assert Settings(http_max_body_bytes=1024).http_max_body_bytes == 1024
