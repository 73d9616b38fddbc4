"""Operator commands on dead letters: list them, and redrive them to their inbound topic."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated

import typer

from adapters.kafka.redrive import Kept, Letter, RedrivePolicy, redrive
from adapters.kafka.redrive_cursor import KafkaRedriveCursor
from adapters.kafka.topic_reader import KafkaTopicReader, TopicRange
from service.entrypoints import cli_progress
from service.entrypoints.cli_json import AsJson
from service.entrypoints.settings import Settings

dlq_app = typer.Typer(help="Inspect and redrive dead letters.", no_args_is_help=True)


def _dlq_topic(settings: Settings, topic: str) -> str:
    suffix = settings.dead_letter_suffix
    return topic if topic.endswith(suffix) else topic + suffix


async def _stream(settings: Settings, topic: str) -> AsyncIterator[Letter]:
    """The letters as the reader fetches them, a batch at a time."""
    reader = KafkaTopicReader(settings.kafka_bootstrap_servers, security=settings.kafka_security())
    async for batch in reader.batches(TopicRange(_dlq_topic(settings, topic))):
        for record in batch:
            yield Letter(record)


async def _letters(settings: Settings, topic: str) -> list[Letter]:
    return [letter async for letter in _stream(settings, topic)]


def _line(letter: Letter) -> str:
    v = letter.view()
    origin = v["origin"]
    return (
        f"{v['dlq_partition']}/{v['dlq_offset']}  from {origin['topic']}/"
        f"{origin['partition']}/{origin['offset']}  event {v['event_id'] or '-'}"
        f"  redriven {v['redrive_count']}x  {v['reason']}"
    )


@dlq_app.command("list")
def dlq_list(
    topic: Annotated[str, typer.Option(help="The source topic (or its .dlq).")],
    as_json: AsJson = False,
) -> None:
    """Every dead letter of a topic, with its reason and origin, printed as it is read (a
    JSON array under --json). Exit 0 with letters or without: count them with --json."""

    async def run() -> int:
        count = 0
        with cli_progress.counter(as_json) as shown:
            task = shown.add_task(f"reading {_dlq_topic(settings, topic)}", total=None)
            async for letter in _stream(settings, topic):
                # A JSON array written as it goes: one document, yet nothing held in memory.
                if as_json:
                    text = json.dumps(letter.view(), indent=2)
                    typer.echo(("[\n" if count == 0 else ",\n") + text, nl=False)
                else:
                    typer.echo(_line(letter))
                count += 1
                shown.update(task, advance=1)
        return count

    settings = Settings()
    count = asyncio.run(run())
    if as_json:
        typer.echo("\n]" if count else "[]")
    else:
        typer.echo(f"{count} dead letter(s)")


@dlq_app.command("redrive")
def dlq_redrive(
    topic: Annotated[str, typer.Option(help="The source topic (or its .dlq).")],
    event_id: Annotated[str | None, typer.Option(help="Only the letter of this event.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every letter not redriven yet.")] = False,
    as_json: AsJson = False,
) -> None:
    """Send letters back to their source topic; the inbox keeps it idempotent.

    ``--all`` remembers how far it got (an offset of the group ``<consumer group>-redrive`` on
    the dead-letter topic), so the next run sends only letters that arrived since.
    """
    if not (all_ or event_id):
        typer.echo("say which letters: --event-id ID or --all", err=True)
        raise typer.Exit(2)
    settings = Settings()
    dlq = _dlq_topic(settings, topic)
    inbound = settings.inbound_topics()
    if dlq.removesuffix(settings.dead_letter_suffix) not in inbound:
        typer.echo(
            f"{dlq} is not the dead-letter topic of an inbound topic: {', '.join(inbound)}",
            err=True,
        )
        raise typer.Exit(2)
    policy = RedrivePolicy(inbound, settings.dead_letter_suffix, settings.max_redrives)
    sent, kept = asyncio.run(redrive_pending(settings, dlq, policy, None if all_ else event_id))
    kept_views = [
        {"partition": k.letter.record.partition, "offset": k.letter.record.offset, "why": k.reason}
        for k in kept
    ]
    if as_json:
        typer.echo(json.dumps({"redriven": len(sent), "kept": kept_views}, indent=2))
        return
    for view in kept_views:
        typer.echo(f"kept {view['partition']}/{view['offset']}: {view['why']}", err=True)
    typer.echo(f"redriven {len(sent)}, kept {len(kept)}")


async def redrive_pending(
    settings: Settings, dlq: str, policy: RedrivePolicy, event_id: str | None
) -> tuple[list[Letter], list[Kept]]:
    """Redrive the letters past the cursor (those of ``event_id`` only, when given).

    Only a run over every letter moves the cursor: skipping one event's letters would pass
    over the others.
    """
    cursor = KafkaRedriveCursor(
        settings.kafka_bootstrap_servers,
        f"{settings.consumer_group}-redrive",
        settings.kafka_security(),
    )
    positions = await cursor.positions(dlq)
    pending = [
        letter
        for letter in await _letters(settings, dlq)
        if letter.record.offset >= positions.get(letter.record.partition, 0)
    ]
    chosen = [x for x in pending if event_id is None or x.event_id == event_id]
    sent, kept = await redrive(
        settings.kafka_bootstrap_servers, chosen, policy, settings.kafka_security()
    )
    if event_id is None:
        done: dict[int, int] = {}
        for letter in pending:
            partition = letter.record.partition
            done[partition] = max(done.get(partition, 0), letter.record.offset + 1)
        await cursor.advance(dlq, done)
    return sent, kept
