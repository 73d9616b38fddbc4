"""Operator commands: replay a topic, expire points, list and redrive dead letters, export
contracts."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn

from adapters.kafka.topic_reader import KafkaTopicReader, TopicRange
from service.entrypoints import cli_moments as moments
from service.entrypoints import cli_progress, presenters
from service.entrypoints.cli_json import AsJson
from service.entrypoints.containers import container_for
from service.entrypoints.resources import Database, opened
from service.entrypoints.settings import Settings
from service.use_cases.replay import replay_topic

contracts_app = typer.Typer(help="The message contracts.", no_args_is_help=True)


def replay(
    topic: Annotated[str, typer.Option(help="An inbound topic to re-apply.")],
    from_offset: Annotated[int | None, typer.Option(help="Start at this offset.")] = None,
    from_time: Annotated[
        datetime | None,
        typer.Option(
            parser=moments.moment, metavar="TIME", help=moments.described("Start at this time.")
        ),
    ] = None,
    to_time: Annotated[
        datetime | None,
        typer.Option(
            parser=moments.moment, metavar="TIME", help=moments.described("Stop after this time.")
        ),
    ] = None,
    partition: Annotated[list[int] | None, typer.Option(help="Only these partitions.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Write nothing.")] = False,
    as_json: AsJson = False,
) -> None:
    """Re-apply a topic's events idempotently, without moving the consumer group's offsets;
    a summary table (or --json) at the end."""
    settings = Settings()
    kind = settings.inbound_topics().get(topic)
    if kind is None:
        typer.echo(
            f"{topic} is not an inbound topic: {', '.join(settings.inbound_topics())}", err=True
        )
        raise typer.Exit(2)
    wanted = TopicRange(
        topic,
        partition or None,
        from_offset,
        presenters.aware(from_time),
        presenters.aware(to_time),
    )
    reader = KafkaTopicReader(
        settings.kafka_bootstrap_servers,
        settings.batch_max_records,
        settings.kafka_security(),
    )

    async def run() -> Any:
        async with opened(container_for(Settings()), Database) as container:
            columns = (
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[rate]:,.0f} events/s"),
                TimeRemainingColumn(),
            )
            with cli_progress.bar(as_json, *columns) as bar:
                task = bar.add_task(f"replay {topic}", total=None, rate=0.0)

                def advance(n: int) -> None:
                    bar.update(task, advance=n, total=reader.estimated_total)
                    speed = bar.tasks[task].speed or 0.0
                    bar.update(task, rate=speed)

                return await replay_topic(
                    reader.events(wanted, kind),
                    await container.uow_factory.async_(),
                    await container.apply_events.async_(),
                    dry_run,
                    advance,
                    await container.event_handler.async_(),
                )

    summary = asyncio.run(run()).as_dict()
    summary["dry_run"] = dry_run
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    typer.echo(presenters.summary_table(summary))


def expire(
    now: Annotated[
        datetime | None,
        typer.Option(
            parser=moments.moment,
            metavar="TIME",
            help=moments.described("Sweep as of this time, not in the future (default: now)."),
        ),
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Expire what is due: expired lots, and the points of accounts quiet for too long.
    Exit 1 when some accounts could not be expired (the next sweep tries them again)."""
    as_of = presenters.aware(now)
    if as_of is not None and as_of > datetime.now(UTC):
        # Expiring as of the future would take points that are still valid today.
        typer.echo(f"--now {as_of.isoformat()} is in the future; give a time up to now.", err=True)
        raise typer.Exit(2)
    container = container_for(Settings())

    async def run() -> Any:
        async with opened(container, Database):
            return await (await container.expire_points.async_())(as_of)

    with cli_progress.spinner("expiring points", as_json):
        report = asyncio.run(run())
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(report), indent=2))
    else:
        typer.echo(
            f"expired {report.points} points in {report.entries} entries"
            f" over {report.accounts} accounts"
        )
    if report.failed:
        typer.echo(
            f"could not expire {report.failed} accounts (see the log); the next sweep tries"
            " them again",
            err=True,
        )
        raise typer.Exit(1)


@contracts_app.command("export")
def contracts_export(directory: Path, as_json: AsJson = False) -> None:
    """Write the JSON Schema of every message and the AsyncAPI document into DIRECTORY."""
    from adapters.kafka.schema_export import write_contract_schemas

    directory.mkdir(parents=True, exist_ok=True)
    written = [str(path) for path in write_contract_schemas(directory)]
    typer.echo(json.dumps({"written": written}, indent=2) if as_json else "\n".join(written))
