"""Webhooks: where endpoints and deliveries are kept, and how a delivery is sent."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol
from uuid import UUID

from domain.webhooks import Delivery, Endpoint, Outcome


class WebhookStore(Protocol):
    """A business's endpoints and their deliveries. Each call is a short transaction of its
    own, apart from the ledger's: webhooks never hold a ledger lock."""

    async def add(self, endpoint: Endpoint) -> None: ...

    async def endpoints(self, business_id: str) -> list[Endpoint]: ...

    async def remove(self, business_id: str, endpoint_id: UUID, at: datetime) -> bool:
        """Stop delivering to the endpoint (its deliveries stay on record); False when the
        business has no such endpoint."""
        ...

    async def deliveries(
        self, business_id: str, endpoint_id: UUID, limit: int
    ) -> list[Delivery]: ...

    async def redeliver(
        self, business_id: str, endpoint_id: UUID, delivery_id: int, at: datetime
    ) -> Delivery | None:
        """The delivery, pending again and due at ``at``; None when there is no such one."""
        ...

    async def collect(self, at: datetime, settle_seconds: float, limit: int) -> int:
        """Create the deliveries of ledger entries recorded since each endpoint's cursor
        (looking ``settle_seconds`` back for entries whose transaction committed late);
        how many were created. Never creates one twice."""
        ...

    async def claim(self, at: datetime, lease_seconds: float, limit: int) -> list[Delivery]:
        """Due deliveries that are each the earliest pending one of their account and
        endpoint (``domain.webhooks.sendable``), leased to this caller until
        ``at + lease_seconds``."""
        ...

    async def request(self, delivery: Delivery) -> tuple[str, str, bytes] | None:
        """The endpoint's URL and secret and the body to send; None once the endpoint
        is removed."""
        ...

    async def record(self, deliveries: Sequence[Delivery]) -> None:
        """Keep each delivery's outcome (state, attempts, status, error, next attempt)."""
        ...


class WebhookSender(Protocol):
    """Sends one signed body; never raises for a refused or unreachable endpoint."""

    async def send(self, url: str, headers: dict[str, str], body: bytes) -> Outcome: ...
