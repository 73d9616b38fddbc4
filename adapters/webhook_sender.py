"""HttpxWebhookSender: posts a signed delivery with httpx, within a timeout."""

from __future__ import annotations

import httpx

from domain.webhooks import Outcome

MAX_ERROR = 500


class HttpxWebhookSender:
    """One client (connection pool) for every endpoint; redirects are not followed, so a
    delivery goes only where the manager registered it."""

    def __init__(self, timeout_seconds: float = 10.0) -> None:
        self._client = httpx.AsyncClient(timeout=timeout_seconds, follow_redirects=False)

    async def send(self, url: str, headers: dict[str, str], body: bytes) -> Outcome:
        try:
            answer = await self._client.post(url, content=body, headers=headers)
        except httpx.HTTPError as error:
            return Outcome(status=None, error=f"{type(error).__name__}: {error}"[:MAX_ERROR])
        if 200 <= answer.status_code < 300:
            return Outcome(status=answer.status_code)
        return Outcome(status=answer.status_code, error=answer.text[:MAX_ERROR] or None)

    async def close(self) -> None:
        await self._client.aclose()
