"""Webhook deliveries on real PostgreSQL to a local receiver: signed, retried while the
receiver is down, then every entry arrives once, in ledger order per account."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from aiohttp import web

from adapters.postgres.unit_of_work import PostgresUnitOfWorkFactory
from adapters.postgres.webhooks import PostgresWebhooks
from adapters.system_clock import SystemClock
from adapters.webhook_sender import HttpxWebhookSender
from domain.commands import AdjustPoints, EnrolCustomer
from domain.webhooks import SIGNATURE_HEADER, Endpoint, RetrySchedule, new_secret, verify
from service.entrypoints.webhook_worker import WebhookWorker
from service.use_cases.accounts import Accounts
from tests.integration.conftest import given_programme

pytestmark = pytest.mark.integration

BUSINESS = "hooks"


class Receiver:
    """A tool's webhook endpoint: answers 503 while ``up`` is false."""

    def __init__(self) -> None:
        self.up = False
        self.received: list[tuple[bytes, str, str]] = []
        self.refused = 0

    async def handle(self, request: web.Request) -> web.Response:
        if not self.up:
            self.refused += 1
            return web.Response(status=503)
        body = await request.read()
        self.received.append(
            (body, request.headers[SIGNATURE_HEADER], request.headers["Loyalty-Delivery"])
        )
        return web.Response(status=204)


async def started(receiver: Receiver) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_post("/hook", receiver.handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}/hook"


async def endpoint(store: PostgresWebhooks, url: str, kinds: frozenset[str]) -> Endpoint:
    added = Endpoint(
        business_id=BUSINESS,
        endpoint_id=uuid.uuid4(),
        url=url,
        kinds=kinds,
        created_at=datetime.now(UTC) - timedelta(seconds=1),
        created_by="manager",
        secret=new_secret(),
    )
    await store.add(added)
    return added


async def test_deliveries_survive_the_receiver_being_down_and_arrive_once_in_order(
    pool: asyncpg.Pool,
) -> None:
    import orjson

    uow_factory = PostgresUnitOfWorkFactory(pool)
    await given_programme(uow_factory, BUSINESS)
    store = PostgresWebhooks(pool)
    receiver = Receiver()
    runner, url = await started(receiver)
    sender = HttpxWebhookSender(timeout_seconds=2, allow_private=True)  # a local receiver
    wanted = await endpoint(store, url, frozenset({"adjustment"}))
    unwanted = await endpoint(store, url, frozenset({"earn"}))
    accounts = Accounts(uow_factory, SystemClock())
    account_ids = [
        (await accounts.enrol(EnrolCustomer(BUSINESS, f"c{n}"))).account.account_id
        for n in range(3)
    ]
    for round_ in range(4):
        for account_id in account_ids:
            await accounts.adjust(AdjustPoints(BUSINESS, account_id, 10 + round_, "goodwill"))
    # The "minute" down, as a setting: retries start at 0.2 s and double.
    schedule = RetrySchedule(base_seconds=0.2, cap_seconds=1.0, max_attempts=100)
    worker = WebhookWorker(store, sender, SystemClock(), schedule, settle_seconds=5)
    try:
        came_up = time.monotonic() + 2.0
        deadline = time.monotonic() + 20
        while len(receiver.received) < 12 and time.monotonic() < deadline:
            receiver.up = time.monotonic() >= came_up
            if await worker.once() == 0:
                await asyncio.sleep(0.05)
        for _ in range(3):  # nothing more comes: none twice
            await worker.once()
    finally:
        await sender.close()
        await runner.cleanup()

    assert receiver.refused > 0
    now = int(time.time())
    assert all(verify(wanted.secret, header, body, now) for body, header, _ in receiver.received)
    assert not any(verify(unwanted.secret, h, b, now) for b, h, _ in receiver.received)
    messages = [orjson.loads(body) for body, _, _ in receiver.received]
    assert len({m["entry_id"] for m in messages}) == len(messages) == 12
    for account_id in account_ids:
        seqs = [m["seq"] for m in messages if m["account_id"] == str(account_id)]
        assert seqs == sorted(seqs) and len(seqs) == 4
    recorded = await store.deliveries(BUSINESS, wanted.endpoint_id, 100)
    assert {d.state for d in recorded} == {"delivered"}
    assert any(d.attempts > 1 for d in recorded)
    assert await store.deliveries(BUSINESS, unwanted.endpoint_id, 100) == []


async def test_a_host_of_this_machine_or_its_network_is_never_posted_to_unless_allowed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Server-side request forgery: a registered name that resolves (now) to this machine, the
    private network or the cloud metadata address is refused before any request, so none of
    their answers lands in a delivery's recorded error."""
    receiver = Receiver()
    receiver.up = True
    runner, url = await started(receiver)
    port = int(url.rsplit(":", 1)[1].split("/", 1)[0])
    loop = asyncio.get_running_loop()
    resolve = loop.getaddrinfo
    pointing = {"crm.example.com": "127.0.0.1", "meta.example.com": "169.254.169.254"}

    async def names_point_inside(host: str, *args: object, **kwargs: object) -> object:
        return await resolve(pointing.get(host, host), *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(loop, "getaddrinfo", names_point_inside)
    sender = HttpxWebhookSender(timeout_seconds=2)
    try:
        outcomes = [
            await sender.send(hook, {}, b"{}")
            for hook in (
                f"http://crm.example.com:{port}/hook",
                "https://meta.example.com/latest",
                url,  # the address itself
                f"http://localhost:{port}/hook",
            )
        ]
        allowed = HttpxWebhookSender(timeout_seconds=2, allow_private=True)
        headers = {SIGNATURE_HEADER: "t=1,v1=x", "Loyalty-Delivery": "1"}
        delivered = await allowed.send(url, headers, b"{}")
        await allowed.close()
    finally:
        await sender.close()
        await runner.cleanup()

    assert [o.status for o in outcomes] == [None] * 4
    assert all("not a public address" in str(o.error) for o in outcomes), outcomes
    assert "127.0.0.1" in str(outcomes[0].error) and "169.254.169.254" in str(outcomes[1].error)
    assert delivered.status == 204
    assert len(receiver.received) == 1  # the allowed one only: the four never left
