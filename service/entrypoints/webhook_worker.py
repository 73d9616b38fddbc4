"""The webhook worker: collects deliveries from the ledger after each endpoint's cursor, and
sends the due head of each (endpoint, account) queue, signed, recording every outcome.

It runs under the supervisor in the consumer role, apart from the ledger's transactions: a
slow or dead receiver delays only its own deliveries.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

import structlog

from domain.webhooks import SIGNATURE_HEADER, Delivery, RetrySchedule, after_attempt, signature
from ports.backoff import sleep_unless
from ports.clock import Clock
from ports.webhooks import WebhookSender, WebhookStore

log = structlog.get_logger("loyalty.webhooks")


class WebhookWorker:
    def __init__(
        self,
        store: WebhookStore,
        sender: WebhookSender,
        clock: Clock,
        schedule: RetrySchedule,
        *,
        idle_seconds: float = 1.0,
        settle_seconds: float = 30.0,
        send_timeout_seconds: float = 10.0,
        batch_size: int = 100,
    ) -> None:
        self._store = store
        self._sender = sender
        self._clock = clock
        self._schedule = schedule
        self._idle = idle_seconds
        self._settle = settle_seconds
        # A claimed delivery stays leased (not due) while it is sent: past the sender's
        # timeout, so a second worker never sends it at the same time.
        self._lease = send_timeout_seconds * 2 + 5
        self._batch = batch_size

    async def run(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            if await self.once() == 0:
                await sleep_unless(stopping, self._idle)

    async def once(self) -> int:
        """One pass: collect, then send what is due; how many attempts were made."""
        now = self._clock.now()
        await self._store.collect(now, self._settle, self._batch * 10)
        claimed = await self._store.claim(now, self._lease, self._batch)
        if not claimed:
            return 0
        # Each claimed delivery heads its own account's queue: they may go at once.
        done = await asyncio.gather(*(self._attempt(delivery) for delivery in claimed))
        await self._store.record(done)
        failed = [d for d in done if d.state != "delivered"]
        if failed:
            log.warning(
                "webhook deliveries not accepted",
                count=len(failed),
                first_error=failed[0].last_error,
                first_status=failed[0].last_status,
            )
        return len(claimed)

    async def _attempt(self, delivery: Delivery) -> Delivery:
        request = await self._store.request(delivery)
        if request is None:
            return replace(delivery, state="failed", last_error="endpoint removed")
        url, secret, body = request
        sent_at = int(self._clock.now().timestamp())
        headers = {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: signature(secret, sent_at, body),
            "Loyalty-Delivery": str(delivery.delivery_id),
            "Loyalty-Event": delivery.kind,
        }
        outcome = await self._sender.send(url, headers, body)
        return after_attempt(delivery, outcome, self._clock.now(), self._schedule)
