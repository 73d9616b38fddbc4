"""A redriven letter goes back with the headers it came with (a traceparent among them)."""

from __future__ import annotations

from typing import Any

import pytest
from aiokafka.structs import ConsumerRecord
from hypothesis import given
from hypothesis import strategies as st

from adapters.kafka.dead_letters import DeadLetter, dead_letter_headers
from adapters.kafka.redrive import Letter, redriven_headers

pytestmark = pytest.mark.unit

TRACEPARENT = b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def record(topic: str, partition: int, offset: int, headers: list[tuple[str, bytes]]) -> Any:
    return ConsumerRecord(
        topic=topic,
        partition=partition,
        offset=offset,
        timestamp=0,
        timestamp_type=0,
        key=b"k",
        value=b"{}",
        checksum=None,
        serialized_key_size=1,
        serialized_value_size=2,
        headers=headers,
    )


def dead_lettered(original: list[tuple[str, bytes]]) -> Letter:
    """A record of sale.completed as its dead letter on sale.completed.dlq."""
    inbound = record("sale.completed", 2, 41, original)
    headers = dead_letter_headers(DeadLetter(inbound, "schema", "bad total"))
    return Letter(record("sale.completed.dlq", 0, 7, [(k, v.encode()) for k, v in headers.items()]))


def test_a_redriven_letter_keeps_its_original_headers_and_counts_the_redrive() -> None:
    original = [("traceparent", TRACEPARENT), ("tracestate", b"v=1"), ("x-upstream", b"till-9")]
    headers = redriven_headers(dead_lettered(original))
    assert headers[:3] == original
    assert dict(headers)["x-redrive-count"] == b"1"
    assert dict(headers)["x-redriven-from"] == b"sale.completed.dlq/0/7"
    assert not [k for k, _ in headers if k.startswith(("x-dlq-", "x-origin-"))]


def test_a_letter_redriven_again_counts_on_and_has_each_header_once() -> None:
    first = redriven_headers(dead_lettered([("traceparent", TRACEPARENT)]))
    again = redriven_headers(dead_lettered(first))
    names = [k for k, _ in again]
    assert sorted(names) == sorted(set(names))
    assert dict(again)["x-redrive-count"] == b"2"
    assert dict(again)["traceparent"] == TRACEPARENT


@given(
    st.lists(
        st.tuples(
            st.sampled_from(
                ["traceparent", "x-redrive-count", "x-dlq-code", "x-origin-topic", "a"]
            ),
            st.binary(max_size=8),
        ),
        max_size=6,
    )
)
def test_a_sender_cannot_set_the_redrive_count_a_redrive_writes(
    original: list[tuple[str, bytes]],
) -> None:
    letter = Letter(record("sale.completed.dlq", 0, 3, original))
    headers = redriven_headers(letter)
    counts = [v for k, v in headers if k == "x-redrive-count"]
    assert counts == [str((letter.redrive_count or 0) + 1).encode()]
    kept = [(k, v) for k, v in original if k in ("traceparent", "a")]
    assert [(k, v) for k, v in headers if k in ("traceparent", "a")] == kept
