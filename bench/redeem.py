"""The redeem API under load: 32 clients over 1,000 accounts, redemptions arriving at a
steady rate (what a till waits at), and 64 clients on one account.

The load comes from aiohttp: with httpx the load generator itself took most of a core on a
2-core machine, and the figure measured the client as much as the API (docs/performance.md).
"""

from __future__ import annotations

import asyncio
import itertools
import random
import time
import uuid
from pathlib import Path

import aiohttp
import asyncpg
import jwt

from adapters.embedded.postgres import free_port
from bench.sampling import percentile
from bench.support import ServiceProcess
from bench.workload import BUSINESS, enrol
from service.entrypoints.settings import Settings

ACCOUNTS = 1_000
HOT_BALANCE = 1_000
HOT_POINTS = 10
PACED_RATE = 200.0  # redemptions/s: a busy Saturday for a few hundred tills


def token(secret: str) -> str:
    claims = {"sub": "bench", "business_id": BUSINESS, "role": "manager"}
    return jwt.encode({**claims, "exp": int(time.time()) + 3600}, secret, algorithm="HS256")


async def _ready(client: aiohttp.ClientSession, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            async with client.get("/readyz") as reply:
                if reply.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.2)
    raise TimeoutError("the API did not become ready")


async def _grant(client: aiohttp.ClientSession, accounts: list[str], points: list[int]) -> None:
    gate = asyncio.Semaphore(16)

    async def one(account: str, amount: int) -> None:
        async with gate:
            body = {"points": amount, "reason": "bench set-up"}
            key = {"Idempotency-Key": f"bench-{account}"}
            path = f"/v1/accounts/{account}/adjustments"
            async with client.post(path, json=body, headers=key) as reply:
                reply.raise_for_status()

    await asyncio.gather(*(one(a, p) for a, p in zip(accounts, points, strict=True)))


async def _redeem(client: aiohttp.ClientSession, account: str, points: int) -> tuple[int, float]:
    """The answer's status (0 when the connection failed) and how long it took, in ms."""
    started = time.perf_counter()
    try:
        async with client.post(
            f"/v1/accounts/{account}/redemptions",
            json={"points": points},
            headers={"Idempotency-Key": str(uuid.uuid4())},
        ) as reply:
            await reply.read()
            status = reply.status
    except aiohttp.ClientError:
        status = 0
    return status, (time.perf_counter() - started) * 1000


async def spread(
    client: aiohttp.ClientSession, accounts: list[str], clients: int, seconds: float
) -> dict[str, float]:
    waits: list[float] = []
    failures = itertools.count()
    stop = time.monotonic() + seconds

    async def worker(seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < stop:
            status, wait = await _redeem(client, rng.choice(accounts), 1)
            waits.append(wait)
            if status != 201:
                next(failures)

    started = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(clients)))
    elapsed = time.perf_counter() - started
    return {
        "redeem_requests_per_s": len(waits) / elapsed,
        "redeem_p50_ms": percentile(waits, 0.5),
        "redeem_p99_ms": percentile(waits, 0.99),
        "redeem_errors": float(next(failures)),
    }


async def paced(
    client: aiohttp.ClientSession, accounts: list[str], rate: float, seconds: float
) -> dict[str, float]:
    """Redemptions arriving at a steady ``rate`` (tills do not wait for each other): each
    is timed from when it was due, so a stalled server counts its backlog."""
    rng = random.Random(5)
    waits: list[float] = []
    failures = itertools.count()

    async def one(due: float) -> None:
        status, _ = await _redeem(client, rng.choice(accounts), 1)
        waits.append((time.perf_counter() - due) * 1000)
        if status != 201:
            next(failures)

    started = time.perf_counter()
    tasks = []
    for n in range(int(rate * seconds)):
        due = started + n / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(one(due)))
    await asyncio.gather(*tasks)
    return {
        "paced_redeem_rate": rate,
        "paced_redeem_p50_ms": percentile(waits, 0.5),
        "paced_redeem_p99_ms": percentile(waits, 0.99),
        "paced_redeem_errors": float(next(failures)),
    }


async def hot(client: aiohttp.ClientSession, account: str, clients: int) -> dict[str, float]:
    """Every client redeems until refused; more than the balance taken is overspend."""
    statuses: list[int] = []

    async def worker() -> None:
        for _ in range(HOT_BALANCE // HOT_POINTS + 1):
            status, _ = await _redeem(client, account, HOT_POINTS)
            statuses.append(status)
            if status != 201:
                return

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    taken = statuses.count(201) * HOT_POINTS
    return {
        "hot_requests_per_s": len(statuses) / elapsed,
        "hot_points_taken": float(taken),
        "hot_overspend_points": float(max(0, taken - HOT_BALANCE)),
    }


async def run_redeem(settings: Settings, work: Path, seconds: float = 20) -> dict[str, float]:
    settings = settings.model_copy(update={"http_port": free_port()})
    assert settings.jwt_secret is not None
    await enrol(settings.database_url, ACCOUNTS + 1)
    conn = await asyncpg.connect(settings.database_url)
    try:
        rows = await conn.fetch("SELECT account_id FROM accounts ORDER BY customer_id")
    finally:
        await conn.close()
    accounts = [str(r["account_id"]) for r in rows]
    spread_accounts, hot_account = accounts[:ACCOUNTS], accounts[ACCOUNTS]
    api = ServiceProcess(settings, work / "api.log", role="api")
    api.start()
    base = f"http://{settings.http_host}:{settings.http_port}"
    headers = {"Authorization": f"Bearer {token(settings.jwt_secret)}"}
    try:
        async with aiohttp.ClientSession(
            base_url=base,
            headers=headers,
            connector=aiohttp.TCPConnector(limit=64),
            timeout=aiohttp.ClientTimeout(total=30),
        ) as client:
            await _ready(client)
            await _grant(client, accounts, [1_000_000] * ACCOUNTS + [HOT_BALANCE])
            figures = await spread(client, spread_accounts, 32, seconds)
            figures.update(await paced(client, spread_accounts, PACED_RATE, seconds / 2))
            figures.update(await hot(client, hot_account, 64))
    finally:
        api.stop()
    conn = await asyncpg.connect(settings.database_url)
    try:
        balance = await conn.fetchval(
            "SELECT balance FROM accounts WHERE account_id = $1", uuid.UUID(hot_account)
        )
    finally:
        await conn.close()
    figures["hot_final_balance"] = float(balance)
    return figures
