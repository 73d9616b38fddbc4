"""The real service as a child process: earning, replay by a second group, then latency."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from pathlib import Path

import asyncpg
from aiokafka import AIOKafkaConsumer, TopicPartition

from bench.sampling import CpuShare, peak_rss, percentile, wait_for, wait_measuring_cpu
from bench.support import ServiceProcess
from bench.workload import produce_paced, sales
from service.entrypoints.settings import Settings


@dataclass
class ServiceFigures:
    earn_events_per_s: float
    earn_peak_rss_mb: float
    earn_cpu_us_per_event: float
    earn_cores_busy: float
    replay_events_per_s: float
    replay_peak_rss_mb: float
    latency_p50_ms: float
    latency_p99_ms: float
    latency_events: int
    latency_rate: float


async def _inbox_count(db: asyncpg.Pool) -> int:
    return int(await db.fetchval("SELECT count(*) FROM inbox"))


async def earn(
    settings: Settings, db: asyncpg.Pool, events: int, log: Path
) -> tuple[float, float, CpuShare]:
    """Events/s from the first inbox row to the last, the child's peak RSS in MB, and its CPU
    while it earned (how busy the service itself was, against waiting on the database)."""
    service = ServiceProcess(settings, log, role="consumer")
    service.start()
    try:
        assert service.process is not None
        async with peak_rss(service.process.pid) as peak:
            cpu = await wait_measuring_cpu(
                service.process.pid,
                lambda: _inbox_count(db),
                events,
                timeout=max(600, events / 50),
            )
    finally:
        service.stop()
    span = await db.fetchval(
        "SELECT extract(epoch FROM max(processed_at) - min(processed_at)) FROM inbox"
    )
    return events / max(float(span), 1e-3), peak.megabytes, cpu


async def _committed(consumer: AIOKafkaConsumer, partitions: list[TopicPartition]) -> int:
    offsets = await asyncio.gather(*(consumer.committed(tp) for tp in partitions))
    return sum(o or 0 for o in offsets)


async def replay(
    settings: Settings, topic: str, ends: dict[int, int], log: Path
) -> tuple[float, float, ServiceProcess]:
    """A new consumer group over applied events: events/s by its committed offsets.

    Timed from the first commit seen to the last, counting what was committed in between. The
    process is left running for the latency phase."""
    group = settings.consumer_group + "-replay"
    replayer = ServiceProcess(settings.model_copy(update={"consumer_group": group}), log)
    watcher = AIOKafkaConsumer(
        bootstrap_servers=settings.kafka_bootstrap_servers,
        group_id=group,
        enable_auto_commit=False,
    )
    await watcher.start()
    total = sum(ends.values())
    partitions = [TopicPartition(topic, p) for p in ends]
    try:
        launched = time.perf_counter()
        replayer.start()
        assert replayer.process is not None
        async with peak_rss(replayer.process.pid) as peak:
            first: tuple[float, int] | None = None
            deadline = time.monotonic() + max(600, total / 50)
            while True:
                done = await _committed(watcher, partitions)
                now = time.perf_counter()
                if first is None and done > 0:
                    first = (now, done)
                if done >= total:
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError(f"replay committed {done} of {total}")
                await asyncio.sleep(0.05)
    finally:
        await watcher.stop()
    assert first is not None
    started, already = first if first[1] < total else (launched, 0)
    return (total - already) / max(now - started, 1e-3), peak.megabytes, replayer


async def latency(
    settings: Settings, db: asyncpg.Pool, customers: int, rate: float, seconds: float
) -> tuple[float, float, int]:
    """Publish-to-commit (inbox.processed_at) latency of events produced at a steady rate."""
    payloads = sales(int(rate * seconds), customers, tag="lat", seed=23)
    before = await _inbox_count(db)
    sent = await produce_paced(
        settings.kafka_bootstrap_servers, settings.topic_sale_completed, payloads, rate
    )
    await wait_for(lambda: _inbox_count(db), before + len(payloads), timeout=300)
    rows = await db.fetch(
        "SELECT event_id, extract(epoch FROM processed_at)::float8 AS at FROM inbox"
        " WHERE event_id = ANY($1::text[])",
        list(sent),
    )
    waits = [(r["at"] - sent[r["event_id"]]) * 1000 for r in rows]
    return percentile(waits, 0.5), percentile(waits, 0.99), len(waits)


@dataclass
class EarnFigures:
    events_per_s: float
    peak_rss_mb: float
    cpu_us_per_event: float
    cores_busy: float


async def earning_only(settings: Settings, events: int, work: Path, log: str) -> EarnFigures:
    """The earning phase alone, over a topic already holding ``events`` events."""
    db = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=2)
    try:
        rate, rss, cpu = await earn(settings, db, events, work / log)
    finally:
        await db.close()
    return EarnFigures(rate, rss, cpu.us_per_event, cpu.cores_busy)


async def run_service(
    settings: Settings, events: int, customers: int, ends: dict[int, int], work: Path
) -> ServiceFigures:
    db = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=2)
    try:
        earn_rate, earn_rss, cpu = await earn(settings, db, events, work / "earn.log")
        topic = settings.topic_sale_completed
        replay_rate, replay_rss, running = await replay(settings, topic, ends, work / "replay.log")
        try:
            rate = min(1000.0, max(50.0, earn_rate / 4))
            p50, p99, count = await latency(settings, db, customers, rate, seconds=10)
        finally:
            running.stop()
        return ServiceFigures(
            earn_rate,
            earn_rss,
            cpu.us_per_event,
            cpu.cores_busy,
            replay_rate,
            replay_rss,
            p50,
            p99,
            count,
            rate,
        )
    finally:
        await db.close()
