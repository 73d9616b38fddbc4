"""Where a dead letter may be redriven to, whatever its headers say."""

from __future__ import annotations

import pytest
from aiokafka.structs import ConsumerRecord
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from adapters.kafka.redrive import Kept, Letter, RedrivePolicy
from service.entrypoints.cli import app as cli

pytestmark = pytest.mark.unit

INBOUND = ("sale.completed", "bill.paid")
POLICY = RedrivePolicy(INBOUND, ".dlq", max_redrives=3)


def letter(topic: str = "sale.completed.dlq", **headers: str | bytes) -> Letter:
    raw = [
        (k.replace("_", "-"), v if isinstance(v, bytes) else v.encode()) for k, v in headers.items()
    ]
    record: ConsumerRecord[bytes, bytes] = ConsumerRecord(
        topic=topic,
        partition=0,
        offset=7,
        timestamp=0,
        timestamp_type=0,
        key=None,
        value=b'{"event_id": "e-1"}',
        checksum=None,
        serialized_key_size=0,
        serialized_value_size=0,
        headers=raw,
    )
    return Letter(record)


def test_a_letter_goes_back_to_the_inbound_topic_of_its_dead_letter_topic() -> None:
    assert POLICY.target(letter(x_origin_topic="sale.completed", x_redrive_count="2")) == (
        "sale.completed"
    )
    assert POLICY.target(letter("bill.paid.dlq")) == "bill.paid"


@pytest.mark.parametrize("origin", ["loyalty.ledger", "bill.paid", "sale.completed.dlq"])
def test_a_letter_whose_origin_header_names_another_topic_stays_put(origin: str) -> None:
    kept = POLICY.target(letter(x_origin_topic=origin))

    assert isinstance(kept, Kept)
    assert origin in kept.reason


@pytest.mark.parametrize("topic", ["loyalty.ledger.dlq", "sale.completed", "other.dlq", ".dlq"])
def test_a_letter_on_a_topic_that_is_not_an_inbound_dlq_stays_put(topic: str) -> None:
    assert isinstance(POLICY.target(letter(topic, x_origin_topic="loyalty.ledger")), Kept)


@pytest.mark.parametrize(
    "count", [b"many", b"1.5", b"-1", b"", b" ", b"\xff\xfe", b"\xd9\xa3", b"9" * 5000]
)
def test_a_redrive_count_that_is_not_a_count_is_reported_not_a_crash(count: bytes) -> None:
    bad = letter(x_redrive_count=count)

    kept = POLICY.target(bad)

    assert isinstance(kept, Kept)
    assert "x-redrive-count" in kept.reason
    assert bad.view()["redrive_count"] is None


def test_a_letter_redriven_the_maximum_number_of_times_stays_put() -> None:
    kept = POLICY.target(letter(x_redrive_count="3"))

    assert isinstance(kept, Kept) and "3 times" in kept.reason


@given(
    topic=st.sampled_from(["sale.completed.dlq", "loyalty.ledger.dlq", "bill.paid.dlq"]),
    origin=st.one_of(st.none(), st.binary(max_size=40)),
    count=st.one_of(st.none(), st.binary(max_size=40)),
)
def test_any_headers_give_a_target_among_the_inbound_topics_or_a_reason(
    topic: str, origin: bytes | None, count: bytes | None
) -> None:
    headers = {
        name: value
        for name, value in (("x_origin_topic", origin), ("x_redrive_count", count))
        if value is not None
    }

    target = POLICY.target(letter(topic, **headers))

    if isinstance(target, Kept):
        assert target.reason
    else:
        assert target == topic.removesuffix(".dlq") and target in INBOUND


@pytest.mark.parametrize("topic", ["loyalty.ledger", "loyalty.ledger.dlq", "elsewhere"])
def test_dlq_redrive_refuses_a_topic_that_is_not_inbound_before_reading_anything(
    topic: str,
) -> None:
    env = {"LOYALTY_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"}  # nothing listens there

    result = CliRunner().invoke(cli, ["dlq", "redrive", "--topic", topic, "--all"], env=env)

    assert result.exit_code == 2
    assert "not the dead-letter topic of an inbound topic" in result.output
