"""A dead letter keeps the headers it arrived with (a trace among them), and ours win."""

from __future__ import annotations

from aiokafka.structs import ConsumerRecord

from adapters.kafka.dead_letters import REDRIVE_COUNT, DeadLetter, dead_letter_headers

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def letter(headers: list[tuple[str, bytes]]) -> DeadLetter:
    record: ConsumerRecord[bytes, bytes] = ConsumerRecord(
        topic="sale.completed",
        partition=2,
        offset=41,
        timestamp=1_700_000_000_000,
        timestamp_type=0,
        key=b"k",
        value=b"{}",
        checksum=None,
        serialized_key_size=1,
        serialized_value_size=2,
        headers=headers,  # type: ignore[arg-type]
    )
    return DeadLetter(record, "invalid", "amount: not a number")


def test_a_dead_letter_keeps_the_traceparent_and_every_other_original_header() -> None:
    headers = dead_letter_headers(
        letter([("traceparent", TRACEPARENT.encode()), ("tenant", b"shop-a")])
    )

    assert headers["traceparent"] == TRACEPARENT
    assert headers["tenant"] == "shop-a"
    assert headers["x-origin-offset"] == "41"
    assert headers["x-dlq-code"] == "invalid"


def test_a_senders_forged_dlq_and_origin_headers_are_overridden_by_ours() -> None:
    forged = [
        ("x-origin-topic", b"points.ledger"),
        ("x-origin-offset", b"0"),
        ("x-dlq-code", b"none"),
    ]

    headers = dead_letter_headers(letter(forged))

    assert headers["x-origin-topic"] == "sale.completed"
    assert headers["x-origin-offset"] == "41"
    assert headers["x-dlq-code"] == "invalid"


def test_the_redrive_count_is_still_kept_and_a_binary_header_does_not_break_the_letter() -> None:
    headers = dead_letter_headers(letter([(REDRIVE_COUNT, b"2"), ("blob", b"\xff\xfe")]))

    assert headers[REDRIVE_COUNT] == "2"
    assert headers["blob"] == "\ufffd\ufffd"


def test_a_record_without_headers_gets_only_ours() -> None:
    headers = dead_letter_headers(letter([]))

    assert REDRIVE_COUNT not in headers
    assert "traceparent" not in headers
