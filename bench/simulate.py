"""``python -m bench.simulate [--events N]``: a what-if simulation of N sales against a replay
of the same N (``loyalty replay``'s use case, outside the consumer group), in events/s.

The simulation does twice the ledger work (two shadows) plus its setup (two migrated
databases, the accounts copied); the issue asks it to run at the replay rate or better.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import time
from datetime import UTC, datetime, timedelta

from adapters.kafka.topic_reader import KafkaTopicReader, TopicRange
from adapters.simulation_proposal import read_proposal
from bench.infra import Servers, fresh_settings, servers
from bench.workload import BUSINESS, enrol, produce_all, sales
from domain.events import EventKind
from service.entrypoints.containers import container_for
from service.entrypoints.resources import Database, opened
from service.entrypoints.settings import Settings
from service.entrypoints.simulations import run_simulation
from service.use_cases.replay import replay_topic

START = datetime(2026, 6, 1, tzinfo=UTC)
# Double the bench programme's earn rate (1.5): every line of the report moves.
PROPOSAL = {"earn_rate": "3", "redemption_rate": "100"}


async def replay_seconds(live: Settings, target_url: str) -> float:
    """``loyalty replay`` of the sales topic into another database of the same accounts."""
    settings = live.model_copy(update={"database_url": target_url})
    reader = KafkaTopicReader(settings.kafka_bootstrap_servers, settings.batch_max_records)
    async with opened(container_for(settings), Database) as container:
        began = time.perf_counter()
        await replay_topic(
            reader.events(TopicRange(settings.topic_sale_completed), EventKind.SALE_COMPLETED),
            await container.uow_factory.async_(),
            await container.apply_events.async_(),
            False,
            handler=await container.event_handler.async_(),
        )
        return time.perf_counter() - began


async def simulation_figures(
    srv: Servers, events: int, customers: int, run: int
) -> dict[str, float]:
    payloads = sales(events, customers, tag=f"r{run}sim")
    live = await fresh_settings(srv, "simlive")
    replayed = await fresh_settings(srv, "simreplay")
    for url in (live.database_url, replayed.database_url):
        await enrol(url, customers)
    await produce_all(srv.bootstrap, live.topic_sale_completed, payloads)
    replay = await replay_seconds(live, replayed.database_url)
    began = time.perf_counter()
    report = await run_simulation(
        live,
        BUSINESS,
        read_proposal(PROPOSAL, BUSINESS),
        START,
        datetime.now(UTC) + timedelta(days=1),
    )
    simulation = time.perf_counter() - began
    issued = next(line for line in report.lines if line.key == "issued")
    return {
        "replay_same_events_per_s": events / replay,
        "simulation_events_per_s": events / simulation,
        "simulation_issued_current": float(issued.current),
        "simulation_issued_proposed": float(issued.proposed),
    }


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


async def main(events: int, customers: int) -> None:
    with servers() as srv:
        figures = await simulation_figures(srv, events, customers, 1)
    say(
        f"simulation {figures['simulation_events_per_s']:,.0f} events/s,"
        f" replay {figures['replay_same_events_per_s']:,.0f} events/s"
        f" ({figures['simulation_events_per_s'] / figures['replay_same_events_per_s']:.2f}"
        " x the replay rate)"
    )
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m bench.simulate", description=__doc__)
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--customers", type=int, default=None, help="default: events / 10")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(args.events, args.customers or max(1, args.events // 10)))
