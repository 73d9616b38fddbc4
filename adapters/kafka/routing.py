"""What a poll's records become, decided without IO.

``route_batch`` sorts the records into events to apply and dead letters (what cannot be
parsed); once the handler has applied the events, ``settle_batch`` adds the dead letters it
asks for (events whose own data failed, event ids reused with another payload) and counts
the outcomes per topic. The subscriber does the IO around them: apply, publish, commit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeAlias

from aiokafka.structs import ConsumerRecord

from adapters.kafka.dead_letters import DeadLetter
from adapters.kafka.parsing import Rejection, parse_intake
from adapters.phone_numbers import DEFAULT_REGION
from domain.batch import BatchChanges, EventKey
from domain.customer_updates import IntakeEvent
from domain.events import EventKind
from domain.outcomes import Outcome

Record: TypeAlias = ConsumerRecord  # of bytes keys and values
Partition: TypeAlias = tuple[str, int]  # topic, partition


@dataclass(frozen=True)
class Routed:
    """A poll's records, each in exactly one of ``parsed`` or ``letters``, in poll order."""

    parsed: tuple[tuple[Record, IntakeEvent], ...]
    """Each event to apply with the record it came from."""
    letters: tuple[DeadLetter, ...]
    """The records that could not be parsed, with why."""
    next_offsets: Mapping[Partition, int]
    """Per partition, the offset just past the batch's newest record: where a commit after
    this batch leaves the partition (and what the lag is measured from)."""

    @property
    def events(self) -> list[IntakeEvent]:
        return [event for _, event in self.parsed]


@dataclass(frozen=True)
class Settled:
    """What a routed batch leaves after the handler applied its events."""

    letters: tuple[DeadLetter, ...]
    """Every dead letter of the batch: unparsable records first, then the events whose own
    data failed, then the reused event ids."""
    outcomes: Counter[tuple[str, str]]
    """Count per (topic, outcome) of the batch's records, for the metrics."""
    event_outcomes: Mapping[EventKey, Outcome]
    """The outcome recorded for each event id the batch applied, skipped or parked."""


def route_batch(
    records: Iterable[Record],
    topics: Mapping[str, EventKind],
    phone_region: str = DEFAULT_REGION,
) -> Routed:
    """Parse each record by its topic's event kind (phones without a country code read in
    ``phone_region``); a record from a topic not in ``topics`` raises ``KeyError`` (the
    subscriber listens to those topics only)."""
    parsed: list[tuple[Record, IntakeEvent]] = []
    letters: list[DeadLetter] = []
    newest: dict[Partition, int] = {}
    for record in records:
        key = (record.topic, record.partition)
        newest[key] = max(newest.get(key, -1), record.offset)
        event = parse_intake(topics[record.topic], record.value, phone_region)
        if isinstance(event, Rejection):
            letters.append(DeadLetter(record, event.code, event.detail))
        else:
            parsed.append((record, event))
    return Routed(
        parsed=tuple(parsed),
        letters=tuple(letters),
        next_offsets={key: offset + 1 for key, offset in newest.items()},
    )


def settle_batch(routed: Routed, changes: BatchChanges | None) -> Settled:
    """The dead letters and outcome counts of a batch whose events ``changes`` describes
    (``None`` when there was no event to apply).

    Each event is traced to its record by identity (two records may carry equal events),
    or, for a copy the handler made of it, by its id and payload hash.
    """
    origin = {id(event): record for record, event in routed.parsed}
    # The handler may hand back a copy, its customer resolved (by identifier, by a merge's
    # forward): the same id and payload hash find its record, so a dead letter never fails.
    by_key = {(e.business_id, e.event_id, e.payload_hash): r for r, e in routed.parsed}

    def record_of(event: IntakeEvent) -> Record:
        found = origin.get(id(event))
        return found or by_key[(event.business_id, event.event_id, event.payload_hash)]

    letters = list(routed.letters)
    known = changes.outcomes() if changes is not None else {}
    if changes is not None:
        for event, error in changes.failed:
            letters.append(DeadLetter(record_of(event), "processing_failed", error))
        for event in changes.conflicts:
            detail = f"event id {event.event_id} was already applied with a different payload"
            letters.append(DeadLetter(record_of(event), "event_id_reused", detail))
    outcomes: Counter[tuple[str, str]] = Counter()
    for record, event in routed.parsed:
        # An event with no outcome of its own id changed nothing: a duplicate, or one that
        # is dead-lettered as well (and then also counted as such below).
        found = known.get((event.business_id, event.event_id))
        outcomes[(record.topic, found.status.value if found else "duplicate")] += 1
    for letter in letters:
        outcomes[(letter.record.topic, "dead_lettered")] += 1
    return Settled(letters=tuple(letters), outcomes=outcomes, event_outcomes=known)
