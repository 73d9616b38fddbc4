"""What a poll's records become, with no broker: every record is one event or one dead letter,
each partition keeps its order, a reused event id with another payload is dead-lettered with
its own record, and a commit after the batch moves each partition just past it."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest
from aiokafka.structs import ConsumerRecord
from hypothesis import given
from hypothesis import strategies as st

from adapters.kafka.parsing import Rejection, parse_event
from adapters.kafka.routing import Record, route_batch, settle_batch
from domain.batch import BatchChanges, BatchState, apply_batch
from domain.customer_updates import ledger_events
from domain.events import EventKind
from tests.support.events import bill, bill_refund, customer_return, encode, sale
from tests.support.hostile_inputs import hostile_records

pytestmark = pytest.mark.unit

TOPICS = {
    "sales": EventKind.SALE_COMPLETED,
    "returns": EventKind.CUSTOMER_RETURN_CREATED,
    "bills": EventKind.BILL_PAID,
    "bill-refunds": EventKind.BILL_REFUNDED,
}
TEMPLATES: dict[str, tuple[dict[str, Any], str]] = {  # made once: generation must be repeatable
    "sales": (sale("shop", "ann", "1.00"), "total_amount"),
    "returns": (customer_return("shop", "sale-1", "1.00"), "refund_amount"),
    "bills": (bill("shop", "ann", "1.00"), "amount"),
    "bill-refunds": (bill_refund("shop", "bill-1", "1.00"), "refund_amount"),
}
HOSTILE = [h.raw for h in hostile_records("shop", "ann")]
NOW = datetime(2026, 6, 2, tzinfo=UTC)


def record(topic: str, partition: int, offset: int, value: bytes | None) -> Record:
    size = len(value) if value is not None else 0
    return ConsumerRecord(topic, partition, offset, 0, 0, b"key", value, None, 0, size, [])


@st.composite
def bodies(draw: st.DrawFn, topic: str) -> bytes | None:
    """A valid event of the topic's kind, its id and amount drawn from small sets so that ids
    repeat with the same or another payload; or anything else a producer might send."""
    template, amount_field = TEMPLATES[topic]
    valid = {
        **template,
        "event_id": draw(st.sampled_from(["e1", "e2", "e3"])),
        amount_field: draw(st.sampled_from(["1.00", "2.00"])),
    }
    return draw(
        st.one_of(
            st.just(encode(valid)),
            st.sampled_from(HOSTILE),
            st.binary(max_size=40),
            st.none(),
        )
    )


@st.composite
def polls(draw: st.DrawFn) -> tuple[Record, ...]:
    """A poll's records over a few partitions, offsets rising per partition from any start."""
    placed = draw(
        st.lists(
            st.tuples(st.sampled_from(sorted(TOPICS)), st.integers(min_value=0, max_value=2)),
            max_size=30,
        )
    )
    starts = draw(st.lists(st.integers(min_value=0, max_value=10**9), min_size=3, max_size=3))
    taken: Counter[tuple[str, int]] = Counter()
    records = []
    for topic, partition in placed:
        offset = starts[partition] + taken[(topic, partition)]
        taken[(topic, partition)] += 1
        records.append(record(topic, partition, offset, draw(bodies(topic))))
    return tuple(records)


@given(polls())
def test_every_record_becomes_exactly_one_event_or_one_dead_letter_saying_why(
    records: tuple[Record, ...],
) -> None:
    routed = route_batch(records, TOPICS)

    routed_records = [r for r, _ in routed.parsed] + [letter.record for letter in routed.letters]
    assert sorted(map(id, routed_records)) == sorted(map(id, records))
    for letter in routed.letters:
        rejection = parse_event(TOPICS[letter.record.topic], letter.record.value)
        assert rejection == Rejection(letter.code, letter.detail)
    for origin, event in routed.parsed:
        assert event == parse_event(TOPICS[origin.topic], origin.value)
    assert routed.events == [event for _, event in routed.parsed]


@given(polls())
def test_events_and_dead_letters_each_keep_the_order_of_their_records(
    records: tuple[Record, ...],
) -> None:
    routed = route_batch(records, TOPICS)

    parsed = {id(r) for r, _ in routed.parsed}
    assert [id(r) for r, _ in routed.parsed] == [id(r) for r in records if id(r) in parsed]
    lettered = {id(letter.record) for letter in routed.letters}
    assert [id(letter.record) for letter in routed.letters] == [
        id(r) for r in records if id(r) in lettered
    ]


@given(polls())
def test_a_commit_after_the_batch_moves_each_of_its_partitions_just_past_its_newest_record(
    records: tuple[Record, ...],
) -> None:
    routed = route_batch(records, TOPICS)

    newest: dict[tuple[str, int], int] = {}
    for r in records:
        newest[(r.topic, r.partition)] = max(newest.get((r.topic, r.partition), -1), r.offset)
    assert routed.next_offsets == {tp: offset + 1 for tp, offset in newest.items()}


@given(polls())
def test_an_event_id_seen_before_with_another_payload_is_dead_lettered_with_its_own_record(
    records: tuple[Record, ...],
) -> None:
    routed = route_batch(records, TOPICS)
    events = ledger_events(routed.events)
    changes = apply_batch(BatchState(), events, NOW) if routed.parsed else None

    settled = settle_batch(routed, changes)

    first_payload: dict[tuple[str, str], str] = {}
    reused = []
    for origin, event in routed.parsed:
        seen = first_payload.setdefault((event.business_id, event.event_id), event.payload_hash)
        if seen != event.payload_hash:
            reused.append(origin)
    expected = [(letter.record, letter.code) for letter in routed.letters] + [
        (origin, "event_id_reused") for origin in reused
    ]
    assert [(letter.record, letter.code) for letter in settled.letters] == expected
    assert all(
        letter.detail.startswith("event id ")
        for letter in settled.letters
        if letter.code == "event_id_reused"
    )
    # Each record is counted once by its outcome, and a reused id once more as dead-lettered.
    assert sum(settled.outcomes.values()) == len(records) + len(reused)
    for topic in TOPICS:
        assert settled.outcomes[(topic, "dead_lettered")] == sum(
            1 for letter in settled.letters if letter.record.topic == topic
        )


def test_an_event_whose_own_data_failed_is_dead_lettered_with_its_own_record_among_equals() -> None:
    body = encode(sale("shop", "ann", "1.00"))
    records = (
        record("sales", 0, 7, body),
        record("sales", 0, 8, body),
        record("sales", 0, 9, b"{"),
    )
    routed = route_batch(records, TOPICS)
    first, second = routed.events
    assert first == second and first is not second
    changes = BatchChanges(failed=[(second, "OverflowError: date value out of range")])

    settled = settle_batch(routed, changes)

    assert [(letter.record.offset, letter.code, letter.detail) for letter in settled.letters] == [
        (9, "invalid_json", routed.letters[0].detail),
        (8, "processing_failed", "OverflowError: date value out of range"),
    ]


def test_a_batch_with_no_event_to_apply_settles_its_dead_letters_only() -> None:
    records = (record("bills", 2, 40, None), record("bills", 2, 41, json.dumps([1]).encode()))

    settled = settle_batch(route_batch(records, TOPICS), None)

    assert [letter.code for letter in settled.letters] == ["empty_message", "schema_violation"]
    assert settled.outcomes == Counter({("bills", "dead_lettered"): 2})
    assert settled.event_outcomes == {}


def test_a_record_from_a_topic_the_consumer_was_not_given_is_refused() -> None:
    with pytest.raises(KeyError):
        route_batch((record("elsewhere", 0, 0, b"{}"),), TOPICS)
