"""``loyalty`` for scripts: exit 3 and one line when the database or broker cannot be reached,
2 on usage (bad options, invalid settings), a traceback only under --debug, --version."""

from __future__ import annotations

import logging

import pytest
from typer.testing import CliRunner

from service.entrypoints.cli import app as cli
from service.entrypoints.cli_exits import UNREACHABLE, USAGE, unreachable

pytestmark = pytest.mark.unit

# Nothing listens on port 1: connections are refused at once.
NO_DATABASE = {"LOYALTY_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
NO_BROKER = {"LOYALTY_KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1"}


@pytest.mark.parametrize(
    "args",
    [
        ["verify"],
        ["verify", "--json"],
        ["account", "shop", "ann"],
        ["expire"],
        ["levels", "review"],
        ["report", "levels", "shop"],
        ["enroll", "shop", "ann"],
        ["migrate", "--json"],  # yoyo's psycopg, not asyncpg
        ["replay", "--topic", "sale.completed"],  # its reader made, never closed
    ],
)
def test_an_unreachable_database_exits_3_with_one_line_on_stderr(args: list[str]) -> None:
    result = CliRunner().invoke(cli, args, env=NO_DATABASE | NO_BROKER)

    assert result.exit_code == UNREACHABLE, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("loyalty: database unreachable: ")
    assert "Traceback" not in result.stderr


def test_an_unreachable_broker_exits_3_with_one_line_on_stderr() -> None:
    result = CliRunner().invoke(cli, ["dlq", "list", "--topic", "sale.completed"], env=NO_BROKER)

    assert result.exit_code == UNREACHABLE, result.output
    assert result.stderr.splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith("loyalty: broker unreachable: ")


def test_the_client_libraries_are_muted_only_while_a_command_runs() -> None:
    CliRunner().invoke(cli, ["dlq", "list", "--topic", "sale.completed"], env=NO_BROKER)

    assert logging.getLogger("aiokafka").filters == []
    assert logging.getLogger("asyncio").filters == []


def test_debug_lets_the_failure_through_with_its_traceback() -> None:
    result = CliRunner().invoke(cli, ["--debug", "verify"], env=NO_DATABASE)

    assert result.exit_code not in (0, UNREACHABLE)
    assert unreachable(result.exception) is not None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "args",
    [
        ["verify", "--no-such-option"],
        ["no-such-command"],
        ["expire", "--now", "yesterday"],
        ["replay"],  # --topic missing
        ["report", "movements", "shop", "--from", "2026-03-31", "--to", "2026-03-01"],
    ],
)
def test_a_usage_error_exits_2_before_anything_is_opened(args: list[str]) -> None:
    result = CliRunner().invoke(cli, args, env=NO_DATABASE | NO_BROKER)

    assert result.exit_code == USAGE, result.output


def test_invalid_settings_exit_2_naming_the_variable_in_one_line() -> None:
    result = CliRunner().invoke(cli, ["verify"], env={"LOYALTY_DATABASE_POOL_MAX": "many"})

    assert result.exit_code == USAGE
    assert result.stderr.strip().startswith("loyalty: invalid settings: LOYALTY_DATABASE_POOL_MAX")
    assert len(result.stderr.splitlines()) == 1


def test_a_missing_local_file_is_not_taken_for_an_unreachable_server() -> None:
    assert unreachable(FileNotFoundError(2, "No such file", "x.json")) is None
    assert unreachable(PermissionError(13, "Permission denied")) is None
    assert unreachable(RuntimeError("x")) is None


def test_a_refusal_wrapped_in_other_errors_is_still_found() -> None:
    refused = ConnectionRefusedError(111, "Connect call failed")
    try:
        try:
            raise refused
        except OSError as error:
            raise RuntimeError("while opening the pool") from error
    except RuntimeError as outer:
        assert unreachable(ExceptionGroup("many", [ValueError(), outer])) is refused


def test_version_prints_the_installed_version_and_exits_0() -> None:
    from importlib.metadata import version

    result = CliRunner().invoke(cli, ["--version"])

    assert result.exit_code == 0
    assert result.stdout.strip() == version("loyalty-points")


def test_the_help_documents_the_exit_codes() -> None:
    result = CliRunner().invoke(cli, ["--help"], env={"COLUMNS": "200"})

    text = " ".join(result.stdout.split())
    for code in ("0 ok", "1 a finding", "2 usage", "3 the database or the broker unreachable"):
        assert code in text
