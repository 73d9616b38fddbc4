"""What a script may count on from every ``loyalty`` command: ``--json`` everywhere (but the
servers), time options that say their format, ``loyalty config`` that never shows a secret,
and ``dlq list`` printing letters as it reads them."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from typer.main import get_command
from typer.testing import CliRunner

from service.entrypoints import cli_dead_letters
from service.entrypoints.cli import app as cli
from service.entrypoints.cli_exits import UNREACHABLE
from service.entrypoints.cli_moments import moment
from service.entrypoints.presenters import summary_table
from tests.unit.test_redrive_policy import letter

pytestmark = pytest.mark.unit

SERVERS = {"serve", "dev"}  # their output is their logs


def commands(group: Any = None, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    group = group or get_command(cli)
    for name, command in group.commands.items():
        if hasattr(command, "commands"):
            yield from commands(command, (*path, name))
        else:
            yield " ".join((*path, name)), command


def test_every_command_but_the_servers_takes_json() -> None:
    missing = [
        name
        for name, command in commands()
        if name not in SERVERS and not any("--json" in param.opts for param in command.params)
    ]

    assert missing == []


def test_every_time_option_parses_iso_8601_and_says_so() -> None:
    times = [
        (name, param)
        for name, command in commands()
        for param in command.params
        if param.metavar == "TIME" or param.type_descriptor.annotation is datetime
    ]

    assert len(times) >= 7  # program set x3, replay x2, expire, levels review
    for name, param in times:
        assert param.type_descriptor.parameter_info.parser is moment, f"{name} {param.opts}"
        assert "ISO 8601" in (param.help or ""), f"{name} {param.opts}"


@given(
    st.datetimes(
        timezones=st.just(UTC)
        | st.builds(timezone, st.integers(-14, 14).map(lambda hours: timedelta(hours=hours)))
    )
)
def test_any_aware_time_written_in_iso_8601_reads_back_as_the_same_instant(
    when: datetime,
) -> None:
    assert moment(when.isoformat()) == when
    assert moment(when.isoformat()).utcoffset() == when.utcoffset()


@given(st.text(max_size=40))
def test_no_text_makes_the_time_parser_raise_anything_but_a_usage_error(text: str) -> None:
    try:
        parsed = moment(text)
    except typer.BadParameter:
        return
    assert parsed.tzinfo is not None  # never a naive time past the parser


def test_a_time_without_an_offset_is_utc_and_z_is_accepted() -> None:
    assert moment("2026-03-01T00:00:00") == datetime(2026, 3, 1, tzinfo=UTC)
    assert moment("2026-03-01T00:00:00Z") == datetime(2026, 3, 1, tzinfo=UTC)


def test_config_redacts_every_secret_and_names_where_each_value_came_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".loyalty").mkdir()
    (tmp_path / ".loyalty" / "dev.env").write_text("LOYALTY_HTTP_PORT=9999\n")
    env = {
        "LOYALTY_JWT_SECRET": "jwt-hunter2",
        "LOYALTY_KAFKA_SECURITY_PROTOCOL": "SASL_PLAINTEXT",
        "LOYALTY_KAFKA_SASL_USERNAME": "svc",
        "LOYALTY_KAFKA_SASL_PASSWORD": "sasl-hunter2",
        "LOYALTY_DATABASE_URL": "postgresql://app:pg-hunter2@db:5432/loyalty",
    }

    result = CliRunner().invoke(cli, ["config", "--json"], env=env)
    table = CliRunner().invoke(cli, ["config"], env=env)

    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    for said in (result.stdout, table.stdout):
        assert "hunter2" not in said
    assert shown["jwt_secret"] == {
        "value": "**********",
        "source": "environment",
        "env": "LOYALTY_JWT_SECRET",
    }
    assert shown["kafka_sasl_password"]["value"] == "**********"
    assert shown["database_url"]["value"] == "postgresql://app:**********@db:5432/loyalty"
    assert shown["http_port"] == {
        "value": 9999,
        "source": ".env file (.loyalty/dev.env)",
        "env": "LOYALTY_HTTP_PORT",
    }
    assert shown["log_level"]["source"] == "default"
    assert shown["kafka_ssl_key_password"]["value"] is None  # unset: nothing to hide


def test_replay_summary_table_lists_each_count_and_each_skip_reason() -> None:
    table = summary_table({"events": 3, "skipped": {"unknown_customer": 2}, "dry_run": True})

    assert table.splitlines() == [
        "events              3",
        "skipped             2",
        "  unknown_customer  2",
        "dry_run             true",
    ]


def broken_after_two(monkeypatch: pytest.MonkeyPatch) -> None:
    """A DLQ of two letters whose broker goes away before the reader reaches the end."""

    async def stream(_settings: object, _topic: str) -> AsyncIterator[Any]:
        yield letter(x_dlq_reason="invalid_json")
        yield letter(x_dlq_reason="unknown_business")
        raise ConnectionRefusedError(111, "Connect call failed")

    monkeypatch.setattr(cli_dead_letters, "_stream", stream)


@pytest.mark.parametrize("as_json", [False, True])
def test_dlq_list_prints_each_letter_as_it_reads_it(
    monkeypatch: pytest.MonkeyPatch, as_json: bool
) -> None:
    broken_after_two(monkeypatch)
    args = ["dlq", "list", "--topic", "sale.completed", *(["--json"] if as_json else [])]

    result = CliRunner().invoke(cli, args)

    # Both letters were out before the failure: nothing waited for the end of the topic.
    assert result.exit_code == UNREACHABLE
    assert "invalid_json" in result.stdout and "unknown_business" in result.stdout


def test_dlq_list_json_is_one_array_empty_or_not(monkeypatch: pytest.MonkeyPatch) -> None:
    async def two(_settings: object, _topic: str) -> AsyncIterator[Any]:
        yield letter(x_dlq_reason="a")
        yield letter(x_dlq_reason="b")

    async def none(_settings: object, _topic: str) -> AsyncIterator[Any]:
        return
        yield

    for stream, reasons in ((two, ["a", "b"]), (none, [])):
        monkeypatch.setattr(cli_dead_letters, "_stream", stream)
        args = ["dlq", "list", "--topic", "sale.completed", "--json"]
        result = CliRunner().invoke(cli, args)

        assert result.exit_code == 0, result.output
        assert [v["reason"] for v in json.loads(result.stdout)] == reasons
