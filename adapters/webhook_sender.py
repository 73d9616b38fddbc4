"""HttpxWebhookSender: posts a signed delivery with httpx, within a timeout."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from urllib.parse import urlsplit

import httpx

from domain.webhooks import Outcome, public_address, public_host

MAX_ERROR = 500


class HttpxWebhookSender:
    """One client (connection pool) for every endpoint; redirects are not followed, so a
    delivery goes only where the manager registered it, and (unless ``allow_private``) only
    when that host's name resolves to public addresses: no answer of this machine or its
    private network ever lands in a delivery's recorded error."""

    def __init__(self, timeout_seconds: float = 10.0, allow_private: bool = False) -> None:
        self._client = httpx.AsyncClient(timeout=timeout_seconds, follow_redirects=False)
        self._allow_private = allow_private

    async def send(self, url: str, headers: dict[str, str], body: bytes) -> Outcome:
        if not self._allow_private and (refused := await _not_public(url)) is not None:
            return Outcome(status=None, error=refused)
        try:
            answer = await self._client.post(url, content=body, headers=headers)
        except httpx.HTTPError as error:
            return Outcome(status=None, error=f"{type(error).__name__}: {error}"[:MAX_ERROR])
        if 200 <= answer.status_code < 300:
            return Outcome(status=answer.status_code)
        return Outcome(status=answer.status_code, error=answer.text[:MAX_ERROR] or None)

    async def close(self) -> None:
        await self._client.aclose()


async def _not_public(url: str) -> str | None:
    """Why ``url``'s host may not be posted to (None: it may), from its addresses now. The
    name is resolved again by the client: a name made to change between the two (DNS
    rebinding) is not stopped here."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if not public_host(host):
        return f"refused: {host} is not a public address"
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as error:
        return f"ConnectError: {host} does not resolve: {error}"[:MAX_ERROR]
    for *_, address in found:
        ip = ipaddress.ip_address(str(address[0]).split("%", 1)[0])
        if not public_address(ip):
            return f"refused: {host} resolves to {ip}, not a public address"
    return None
