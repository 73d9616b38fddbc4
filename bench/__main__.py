"""``python -m bench [--events N] [--runs R] [--full]``: measure, print a table, write JSON."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bench.bare import raw_consume, set_based_sql
from bench.baskets import basket_effects, baskets, enrol_for_baskets
from bench.infra import Servers, database_name, fresh_settings, servers
from bench.naive import per_event_transactions
from bench.same_work import same_work
from bench.service_run import earning_only, run_service
from bench.simulate import simulation_figures
from bench.workload import enrol, produce_all, sales
from service.entrypoints.settings import Settings
from tests.support.settings import fresh_database

NAIVE_EVENTS = 5_000


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--events", type=int, default=200_000, help="the issue's 200,000")
    parser.add_argument("--customers", type=int, default=None, help="default: events / 10")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--full", action="store_true", help="200,000 events, 20,000 customers (the default)"
    )
    parser.add_argument("--skip-api", action="store_true", help="leave out the redeem API")
    parser.add_argument(
        "--import-rows", type=int, default=100_000, help="balance rows for loyalty import (0: none)"
    )
    parser.add_argument(
        "--exports", action="store_true", help="also loyalty export of 1,000,000 entries (minutes)"
    )
    parser.add_argument("--output", type=Path, default=Path("bench-results.json"))
    args = parser.parse_args()
    if args.full:
        args.events, args.customers = 200_000, 20_000
    args.customers = args.customers or max(1, args.events // 10)
    return args


def say(message: str) -> None:
    print(f"[bench] {message}", flush=True)


async def one_run(srv: Servers, args: argparse.Namespace, run: int) -> dict[str, float]:
    events, customers = args.events, args.customers
    payloads = sales(events, customers, tag=f"r{run}")
    figures: dict[str, float] = {}

    bare = await fresh_settings(srv, "bare")
    await enrol(bare.database_url, customers)
    figures["bare_sql_events_per_s"] = await set_based_sql(bare.database_url, payloads)
    say(f"run {run}: bare SQL {figures['bare_sql_events_per_s']:,.0f} events/s")

    naive = await fresh_settings(srv, "naive")
    await enrol(naive.database_url, customers)
    subset = payloads[: min(NAIVE_EVENTS, events)]
    figures["naive_events_per_s"] = await per_event_transactions(naive.database_url, subset)
    say(f"run {run}: naive {figures['naive_events_per_s']:,.0f} events/s")

    ceiling = await same_work_ceiling(srv, lambda url: enrol(url, customers), payloads)
    figures["same_work_events_per_s"] = ceiling
    say(f"run {run}: same work {ceiling:,.0f} events/s")

    svc = await fresh_settings(srv, "svc")
    await enrol(svc.database_url, customers)
    await produce_all(srv.bootstrap, svc.topic_sale_completed, payloads)
    kafka_rate, ends = await raw_consume(srv.bootstrap, svc.topic_sale_completed, events)
    figures["bare_kafka_msgs_per_s"] = kafka_rate
    say(f"run {run}: bare kafka {kafka_rate:,.0f} msgs/s; starting the service")
    result = await run_service(svc, events, customers, ends, srv.work_dir)
    figures.update(
        service_events_per_s=result.earn_events_per_s,
        service_peak_rss_mb=result.earn_peak_rss_mb,
        service_cpu_us_per_event=result.earn_cpu_us_per_event,
        service_cores_busy=result.earn_cores_busy,
        replay_events_per_s=result.replay_events_per_s,
        replay_peak_rss_mb=result.replay_peak_rss_mb,
        latency_p50_ms=result.latency_p50_ms,
        latency_p99_ms=result.latency_p99_ms,
    )
    say(
        f"run {run}: service {result.earn_events_per_s:,.0f} events/s, "
        f"replay {result.replay_events_per_s:,.0f} events/s, "
        f"latency p50 {result.latency_p50_ms:.0f} ms p99 {result.latency_p99_ms:.0f} ms "
        f"({result.latency_events} events at {result.latency_rate:.0f}/s)"
    )
    figures.update(await basket_run(srv, args, run))
    figures.update(await simulation_figures(srv, events, customers, run))
    say(f"run {run}: simulate {figures['simulation_events_per_s']:,.0f} events/s")
    if args.import_rows:
        figures.update(await import_run(srv, args.import_rows, run))
    if not args.skip_api:
        from bench.bare_redeem import bare_redeem
        from bench.redeem import run_redeem

        plain = await fresh_settings(srv, "bareredeem")
        figures.update(await bare_redeem(plain.database_url))
        say(f"run {run}: bare SQL redeem {figures['bare_redeem_requests_per_s']:,.0f} req/s")
        api = await fresh_settings(srv, "api", jwt_secret="bench-secret-" + "0" * 32)
        figures.update(await run_redeem(api, srv.work_dir))
        say(f"run {run}: redeem {figures.get('redeem_requests_per_s', 0):,.0f} req/s")
    return figures


async def basket_run(srv: Servers, args: argparse.Namespace, run: int) -> dict[str, float]:
    """The same number of sales, each a 5-item basket, under item rules and a stamp card:
    its same-work ceiling and the service earning it (no replay or latency phase)."""
    events, customers = args.events, args.customers
    payloads = baskets(events, customers, tag=f"r{run}b")
    figures: dict[str, float] = {}

    def prepare(url: str) -> Awaitable[None]:
        return enrol_for_baskets(url, customers)

    figures["basket_same_work_events_per_s"] = await same_work_ceiling(srv, prepare, payloads)
    svc = await fresh_settings(srv, "basket")
    await prepare(svc.database_url)
    await produce_all(srv.bootstrap, svc.topic_sale_completed, payloads)
    result = await earning_only(svc, events, srv.work_dir, "basket.log")
    effects = await basket_effects(svc.database_url)
    figures.update(
        basket_service_events_per_s=result.events_per_s,
        basket_service_peak_rss_mb=result.peak_rss_mb,
        basket_service_cpu_us_per_event=result.cpu_us_per_event,
        basket_service_cores_busy=result.cores_busy,
        basket_below_min_spend=effects["below_min_spend"],
        basket_stamps_earned=effects["stamps"],
    )
    say(
        f"run {run}: 5-item baskets: same work {figures['basket_same_work_events_per_s']:,.0f}"
        f" events/s, service {result.events_per_s:,.0f} events/s,"
        f" {result.cpu_us_per_event:,.0f} us CPU per event ({effects})"
    )
    return figures


async def import_run(srv: Servers, rows: int, run: int) -> dict[str, float]:
    """``loyalty import`` of ``rows`` opening lots, a rerun of them, and the bare COPY."""
    from bench.imports import import_figures

    service, bare = [await fresh_settings(srv, label) for label in ("import", "copy")]
    figures = await import_figures(service.database_url, bare.database_url, srv.work_dir, rows)
    say(
        f"run {run}: import {figures['import_balances_rows_per_s']:,.0f} balance rows/s"
        f" (rerun {figures['import_rerun_rows_per_s']:,.0f}/s, accounts"
        f" {figures['import_accounts_rows_per_s']:,.0f}/s, bare COPY"
        f" {figures['bare_copy_rows_per_s']:,.0f}/s, its writes alone"
        f" {figures['ledger_write_floor_rows_per_s']:,.0f}/s)"
    )
    if "import_cores_busy" in figures:
        database, command = (
            figures["import_database_cpu_us_per_row"],
            figures["import_client_cpu_us_per_row"],
        )
        say(
            f"run {run}: import CPU a row: database {database:,.0f} us, command {command:,.0f} us;"
            f" {figures['import_cores_busy']:.2f} of {os.cpu_count()} cores busy"
        )
    return figures


async def same_work_ceiling(
    srv: Servers, prepare: Callable[[str], Awaitable[None]], payloads: list[dict[str, Any]]
) -> float:
    """The service's own statements replayed: the pre-state built once (by ``prepare``, given
    the database URL), copied twice."""
    template = database_name(srv, "pre")
    await prepare(await fresh_database(srv.admin_url, template))
    copies = [database_name(srv, "samework") for _ in range(2)]
    service_url, replay_url = [await fresh_database(srv.admin_url, n, template) for n in copies]
    result = await same_work(service_url, replay_url, payloads, Settings().batch_max_records)
    return result.events_per_s


async def main(args: argparse.Namespace) -> None:
    from bench.report import describe_machine

    runs: list[dict[str, float]] = []
    with servers() as srv:
        say(f"machine: {describe_machine()}")
        say(f"database {srv.admin_url}, broker {srv.bootstrap}")
        for run in range(1, args.runs + 1):
            runs.append(await one_run(srv, args, run))
    config = {"events": args.events, "customers": args.customers, "runs": args.runs}
    print(write_results(args.output, config, runs))
    say(f"wrote {args.output}")
    if args.exports:
        from bench import exports

        await exports.main(1_000_000)


def write_results(path: Path, config: dict[str, object], runs: list[dict[str, float]]) -> str:
    from bench.report import write

    return write(path, dict(config), runs)


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(arguments()))
