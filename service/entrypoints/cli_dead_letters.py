"""Operator commands on dead letters: list them, and redrive them to their inbound topic."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer

from adapters.kafka.redrive import Kept, Letter, RedrivePolicy, redrive
from adapters.kafka.redrive_cursor import KafkaRedriveCursor
from adapters.kafka.topic_reader import KafkaTopicReader, TopicRange
from service.entrypoints.settings import Settings

dlq_app = typer.Typer(help="Inspect and redrive dead letters.", no_args_is_help=True)


def _dlq_topic(settings: Settings, topic: str) -> str:
    suffix = settings.dead_letter_suffix
    return topic if topic.endswith(suffix) else topic + suffix


async def _letters(settings: Settings, topic: str) -> list[Letter]:
    reader = KafkaTopicReader(settings.kafka_bootstrap_servers, security=settings.kafka_security())
    letters: list[Letter] = []
    async for batch in reader.batches(TopicRange(_dlq_topic(settings, topic))):
        letters.extend(Letter(record) for record in batch)
    return letters


@dlq_app.command("list")
def dlq_list(
    topic: Annotated[str, typer.Option(help="The source topic (or its .dlq).")],
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
) -> None:
    """Every dead letter of a topic, with its reason and origin."""
    letters = asyncio.run(_letters(Settings(), topic))
    if as_json:
        typer.echo(json.dumps([letter.view() for letter in letters], indent=2))
        return
    for letter in letters:
        v = letter.view()
        origin = v["origin"]
        typer.echo(
            f"{v['dlq_partition']}/{v['dlq_offset']}  from {origin['topic']}/"
            f"{origin['partition']}/{origin['offset']}  event {v['event_id'] or '-'}"
            f"  redriven {v['redrive_count']}x  {v['reason']}"
        )
    typer.echo(f"{len(letters)} dead letter(s)")


@dlq_app.command("redrive")
def dlq_redrive(
    topic: Annotated[str, typer.Option(help="The source topic (or its .dlq).")],
    event_id: Annotated[str | None, typer.Option(help="Only the letter of this event.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every letter not redriven yet.")] = False,
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
        typer.echo(f"{dlq} is not the dead-letter topic of an inbound topic: {', '.join(inbound)}")
        raise typer.Exit(2)
    policy = RedrivePolicy(inbound, settings.dead_letter_suffix, settings.max_redrives)
    sent, kept = asyncio.run(redrive_pending(settings, dlq, policy, None if all_ else event_id))
    for refused in kept:
        where = f"{refused.letter.record.partition}/{refused.letter.record.offset}"
        typer.echo(f"kept {where}: {refused.reason}", err=True)
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
