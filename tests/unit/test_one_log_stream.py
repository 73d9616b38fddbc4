"""Every line the process writes, ours and the libraries', is one JSON object of one schema."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError

from service.entrypoints.logging import configure_logging

REQUIRED = {"timestamp", "level", "logger", "event", "service", "version", "role"}


@pytest.fixture
def json_logging() -> Iterator[None]:
    """JSON logging as a production process configures it, undone afterwards."""
    saved = structlog.get_config()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    ours = logging.getLogger("loyalty").level
    faststream = logging.getLogger("faststream")
    faststream_handlers, faststream_propagates = list(faststream.handlers), faststream.propagate
    configure_logging("json", "INFO", role="consumer")
    yield
    faststream.handlers[:], faststream.propagate = faststream_handlers, faststream_propagates
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("loyalty").setLevel(ours)
    structlog.reset_defaults()
    structlog.configure(**saved)


def lines(captured: str) -> list[dict[str, Any]]:
    parsed = [json.loads(line) for line in captured.splitlines() if line.strip()]
    for line in parsed:
        assert isinstance(line, dict)
        assert line.keys() >= REQUIRED, line
        assert line["service"] == "loyalty-points"
        assert line["role"] == "consumer"
    return parsed


async def test_ours_and_the_libraries_lines_all_parse_with_the_same_keys(
    json_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    structlog.get_logger("loyalty.consumer").info("batch applied", size=3)
    logging.getLogger("asyncpg").warning("connection lost %s", "mid-query")
    logging.getLogger("uvicorn.error").error("error while attempting to bind")
    try:
        raise ValueError("boom")
    except ValueError:
        structlog.get_logger("loyalty.runtime").exception("failed")
        logging.getLogger("faststream").exception("stdlib failed")
    # A real aiokafka line: a producer with nowhere to connect to says so at ERROR.
    producer = AIOKafkaProducer(bootstrap_servers="127.0.0.1:1", request_timeout_ms=200)
    with pytest.raises(KafkaConnectionError):
        await producer.start()
    await producer.stop()

    parsed = lines(capsys.readouterr().err)
    loggers = {line["logger"] for line in parsed}
    assert {"loyalty.consumer", "asyncpg", "uvicorn.error", "faststream"} <= loggers
    assert any(name.startswith("aiokafka") for name in loggers), loggers
    by_event = {line["event"]: line for line in parsed}
    assert by_event["connection lost mid-query"]["level"] == "warning"
    assert by_event["batch applied"]["size"] == 3
    assert "ValueError: boom" in by_event["failed"]["exception"]
    assert "ValueError: boom" in by_event["stdlib failed"]["exception"]


def test_faststreams_extra_fields_are_lifted_to_the_top_level_without_overwriting(
    json_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    kafka = structlog.get_logger("loyalty.kafka")
    kafka.log(logging.INFO, "Received", extra={"topic": "sale.completed", "event": "forged"})

    [line] = lines(capsys.readouterr().err)
    assert line["topic"] == "sale.completed"
    assert line["event"] == "Received"
    assert "extra" not in line


def test_a_line_faststream_logs_without_extra_fields_carries_no_extra_key(
    json_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    structlog.get_logger("loyalty.kafka").log(logging.INFO, "callback executed", extra=None)

    [line] = lines(capsys.readouterr().err)
    assert line["event"] == "callback executed" and "extra" not in line


def test_library_info_lines_stay_out_while_ours_follow_the_level(
    json_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    logging.getLogger("aiokafka.consumer").info("joined group")
    structlog.get_logger("loyalty.consumer").debug("event handled")
    structlog.get_logger("loyalty.consumer").info("batch applied")

    assert [line["event"] for line in lines(capsys.readouterr().err)] == ["batch applied"]


def test_a_context_bound_value_is_on_library_lines_too(
    json_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    with structlog.contextvars.bound_contextvars(request_id="r-1"):
        logging.getLogger("asyncpg").warning("slow")

    [line] = lines(capsys.readouterr().err)
    assert line["request_id"] == "r-1"
