"""Running a what-if simulation: two shadow containers, the topic reader, the use case."""

from __future__ import annotations

import contextlib
import re
import secrets
from collections.abc import AsyncIterator, Callable
from datetime import datetime

from dependency_injector import providers

from adapters.kafka.topic_reader import KafkaTopicReader, TopicRange
from adapters.postgres.shadow import PostgresShadowLedgers
from domain.commands import SetProgramme
from domain.simulation_report import SimulationReport
from service.entrypoints.resources import Database, opened
from service.entrypoints.settings import Settings
from service.use_cases.simulation import Shadow, SimulatedClock, Simulation, simulate


def shadow_name(settings: Settings, prefix: str | None) -> str:
    """``<live db>_sim_<random id>`` unless a prefix is given."""
    if prefix:
        return prefix
    live = settings.database_url.rsplit("/", 1)[-1].split("?", 1)[0] or "loyalty"
    plain = re.sub(r"[^a-z0-9_]", "_", live.lower())[:40]
    return f"{plain}_sim_{secrets.token_hex(4)}"


def shadow_opener(
    settings: Settings, start: datetime
) -> Callable[[str], contextlib.AbstractAsyncContextManager[Shadow]]:
    """Each shadow's use cases: the service's own container, on the shadow's database and a
    clock the simulation moves through history."""

    # The container wires SimulationRunner for the API: imported here, not at the top.
    from service.entrypoints.containers import container_for

    @contextlib.asynccontextmanager
    async def open_shadow(url: str) -> AsyncIterator[Shadow]:
        container = container_for(settings.model_copy(update={"database_url": url}))
        clock = SimulatedClock(start)
        container.clock.override(providers.Object(clock))
        async with opened(container, Database):
            yield Shadow(
                clock,
                await container.apply_events.async_(),
                await container.accounts.async_(),
                await container.programmes.async_(),
                await container.expire_points.async_(),
                await container.review_levels.async_(),
            )

    return open_shadow


async def run_simulation(
    settings: Settings,
    business_id: str,
    proposal: SetProgramme,
    start: datetime,
    end: datetime,
    *,
    name: str | None = None,
    keep: bool = False,
    top: int = 10,
    template: str | None = None,
    progress: Callable[[int, int | None], None] = lambda n, total: None,
) -> SimulationReport:
    """Read every inbound topic from ``start`` on (outside any consumer group: nothing is
    committed) and simulate the window [start, end); shadows copy ``template`` when given,
    an already migrated database, instead of migrating."""
    inbound = settings.inbound_topics()
    readers = [
        KafkaTopicReader(
            settings.kafka_bootstrap_servers, settings.batch_max_records, settings.kafka_security()
        )
        for _ in inbound
    ]
    # Reading to the topics' end: an event that occurred in the window may arrive late.
    topics = [
        reader.events(TopicRange(topic, from_time=start), kind)
        for reader, (topic, kind) in zip(readers, inbound.items(), strict=True)
    ]

    request = Simulation(
        business_id,
        proposal,
        start,
        end,
        shadow_name(settings, name),
        keep,
        settings.batch_max_records,
        top,
    )
    return await simulate(
        request,
        PostgresShadowLedgers(settings.database_url, template),
        shadow_opener(settings, start),
        topics,
        lambda n: progress(n, sum(r.estimated_total or 0 for r in readers) or None),
    )


class SimulationRunner:
    """``ports.simulation.Simulations`` for the HTTP API: a run as ``loyalty simulate`` makes."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def __call__(
        self, business_id: str, proposal: SetProgramme, start: datetime, end: datetime, top: int
    ) -> SimulationReport:
        return await run_simulation(self._settings, business_id, proposal, start, end, top=top)
